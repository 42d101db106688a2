"""HTML pages: thin views over the same domain functions the API uses."""
from flask import Blueprint, redirect, render_template, url_for

from ..access import public

bp = Blueprint("web", __name__)


@bp.route("/")
@public
def index():
    """The start page: what this is, and where the API lives."""
    return render_template("index.html")


@bp.route("/healthz")
@public
def healthz():
    """Liveness for the proxy / process manager."""
    return {"status": "ok"}


def init_app(app):
    app.register_blueprint(bp)
