"""Log in, log out, choose a language."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_babel import refresh
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields

from .. import auth
from ..access import allow, public
from ..db import get_db, transaction
from ..errors import JournalError
from ..schemas import LoginIn, one_of
from ..users import ROLES
from . import bp

LANGUAGES = ("da", "sv", "en")


class LanguageIn(Schema):
    locale = fields.String(required=True, validate=one_of(LANGUAGES))
    next = fields.String(load_default="/")


def safe_next(target, default="/"):
    """Only redirect within this site: a path, not another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The login form; a locked username gets the lockout message with the minutes to wait."""
    error, status, username = None, 200, ""
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            data = LoginIn().load({"username": username, "password": request.form.get("password", "")})
            auth.authenticate(get_db(), data["username"], data["password"])
            refresh()
            return redirect(safe_next(request.args.get("next"), url_for("web.index")))
        except ValidationError:
            error, status = _l_missing(), 422
        except JournalError as failure:
            error, status = failure.message, failure.status
    return render_template("login.html", error=error, username=username), status


def _l_missing():
    from flask_babel import gettext as _

    return _("Enter your username and password.")


@bp.route("/logout", methods=["POST"])
@allow(*ROLES)
def logout():
    """End the session (the outbox warning before this lives in the page's script)."""
    auth.logout(get_db(), current_user)
    return redirect(url_for("web.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    """Remember the chosen language: on the user when logged in, else in the session."""
    try:
        data = LanguageIn().load({"locale": request.form.get("locale", ""), "next": request.form.get("next", "/")})
    except ValidationError:
        return redirect(url_for("web.index"))
    if current_user.is_authenticated:
        db = get_db()
        with transaction(db):
            db.execute("UPDATE user SET locale = ? WHERE id = ?", [data["locale"], current_user.id])
        current_user.locale = data["locale"]
    session["locale"] = data["locale"]
    refresh()
    return redirect(safe_next(data["next"]))
