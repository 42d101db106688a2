"""Log in, log out, choose a language."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from .. import auth, users
from ..access import allow, public
from ..db import get_db
from ..errors import JournalError
from ..schemas.core import ConfirmPasswordIn, LanguageIn, LoginIn, PasswordChangeIn
from ..users import ROLES
from . import bp
from .forms import domain_errors, load


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
    error, status = None, 200
    if request.method == "POST":
        data, errors = load(LoginIn(), request.form)
        if errors:
            error, status = _("Enter your username and password."), 422
        else:
            try:
                auth.authenticate(get_db(), data["username"], data["password"])
            except JournalError as failure:
                error, status = failure.message, failure.status
            else:
                refresh()
                return redirect(safe_next(request.args.get("next"), url_for("web.index")))
    return render_template("login.html", error=error, form=request.form), status


@bp.route("/confirm-password", methods=["GET", "POST"])
@allow(*ROLES)
def confirm_password():
    """Type the password again before a sensitive action, then go back to it."""
    error, status = None, 200
    if request.method == "POST":
        data, errors = load(ConfirmPasswordIn(), request.form)
        if errors:
            error, status = _("Enter your password."), 422
        else:
            try:
                auth.confirm_password(get_db(), current_user, data["password"])
            except JournalError as failure:
                error, status = failure.errors.get("password", [failure.message])[0], failure.status
            else:
                return redirect(safe_next(request.args.get("next"), url_for("web.index")))
    return render_template("confirm_password.html", error=error), status


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ROLES)
def change_password():
    """Change your own password: the current one first. You stay logged in here and are
    logged out on every other device."""
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = load(PasswordChangeIn(), request.form)
        status = 422
        if not errors:
            try:
                auth.change_own_password(get_db(), current_user, data["current_password"], data["new_password"])
            except JournalError as failure:
                errors, status = domain_errors(failure), failure.status
            else:
                flash(_("Your password is changed. You are logged out on your other devices."))
                return redirect(url_for("web.index"))
    return render_template("account_password.html", errors=errors), status


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
    data, errors = load(LanguageIn(), request.form)
    if errors:
        return redirect(url_for("web.index"))
    if current_user.is_authenticated:
        users.set_locale(get_db(), current_user.id, data["locale"])
        current_user.locale = data["locale"]
    session["locale"] = data["locale"]
    refresh()
    return redirect(safe_next(data["next"]))
