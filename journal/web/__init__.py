"""HTML pages: thin views over the same domain functions the API uses.

Forms are validated by the API's marshmallow schemas (journal/web/forms.py turns form
strings into the same bodies), access goes through journal/access.py, and every string is
translated.
"""
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from ..access import public

bp = Blueprint("web", __name__)


@bp.route("/")
@public
def index():
    """Workers and leads go to their citizens; others see what the journal is."""
    if current_user.is_authenticated and current_user.works_cases:
        return redirect(url_for("web.citizens"))
    if current_user.is_authenticated and current_user.role == "researcher":
        return redirect(url_for("web.research"))
    if current_user.is_authenticated and current_user.role == "admin":
        return redirect(url_for("web.admin_users"))
    return render_template("index.html")


@bp.route("/lexicon.json")
@public
def lexicon():
    """The language-mirror lexicons for the note field's live hint (static data, no case data)."""
    from .. import mirror

    response = jsonify(mirror.lexicon_json())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/healthz")
@public
def healthz():
    """Liveness for the proxy / process manager."""
    return {"status": "ok"}


def init_app(app):
    from . import accessreport, admin, auth, cases, citizens, pwa, research, sparring, team  # noqa: F401  (attach their routes to bp)

    from .. import passwords

    app.register_blueprint(bp)
    app.jinja_env.globals["min_password_length"] = passwords.MIN_LENGTH
