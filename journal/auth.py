"""Logging in and out, and the failed-login throttle shared by every server process.

The throttle counts failures per username in the database (table login_failure), so that
gunicorn's several workers see the same count: after LOGIN_MAX_FAILURES failures within
LOGIN_FAILURE_WINDOW, the username is locked (429) until the oldest of them leaves the
window, whatever password is tried. A successful login clears the count.
"""
from datetime import timedelta

from flask import request, session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import LoginManager, login_user, logout_user

from . import audit, clock, sessions, users
from .config import LOGIN_FAILURE_WINDOW, LOGIN_MAX_FAILURES
from .db import get_db, transaction
from .errors import Invalid, JournalError, TooMany

login_manager = LoginManager()
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id):
    """The session's user, if active and the session has not been ended or timed out
    (journal/sessions.py). A remember-me cookie also ends up here, with no generation in the
    session, so it never logs anyone in."""
    try:
        user = users.get(get_db(), int(user_id))
    except (TypeError, ValueError):
        return None
    if user is not None and not user.is_active:
        user = None
    return sessions.check(user)


class BadCredentials(JournalError):
    status = 401
    code = "invalid_credentials"


def lockout_seconds(db, username, now=None):
    """Seconds until *username* may try again, or 0 when it is not locked."""
    now = now or clock.now_utc()
    since = clock.timestamp(now - LOGIN_FAILURE_WINDOW)
    rows = list(
        db.query(
            "SELECT at FROM login_failure WHERE username = ? AND at > ? ORDER BY at DESC LIMIT ?",
            [username, since, LOGIN_MAX_FAILURES],
        )
    )
    if len(rows) < LOGIN_MAX_FAILURES:
        return 0
    oldest = clock.parse_timestamp(rows[-1]["at"])
    return max(1, int((oldest + LOGIN_FAILURE_WINDOW - now) / timedelta(seconds=1)) + 1)


def _throttle(db, username):
    """:raises TooMany: the username is locked after too many failed passwords"""
    wait = lockout_seconds(db, username)
    if wait:
        with transaction(db):
            audit.record(db, None, "login.locked", "user", None, {"username": username})
        raise TooMany(
            ngettext(
                "Too many failed logins. Try again in %(num)s minute.",
                "Too many failed logins. Try again in %(num)s minutes.",
                (wait + 59) // 60,
            ),
            headers={"Retry-After": str(wait)},
            code="login_locked",
        )


def _failed(db, username, row):
    with transaction(db):
        db.execute(
            "INSERT INTO login_failure (username, at, remote_addr) VALUES (?, ?, ?)",
            [username, clock.timestamp(), request.remote_addr],
        )
        # failures older than the window no longer count: keep the table small
        db.execute(
            "DELETE FROM login_failure WHERE at < ?",
            [clock.timestamp(clock.now_utc() - 2 * LOGIN_FAILURE_WINDOW)],
        )
        audit.record(
            db, row["id"] if row else None, "login.failed", "user",
            row["id"] if row else None, {"username": username},
        )


def authenticate(db, username, password):
    """Check credentials and log the user in; raises TooMany or BadCredentials.

    Every attempt is audited. A locked username is refused before the password is checked,
    so a correct guess during the lockout does not reveal itself.
    """
    _throttle(db, username)
    row = users.by_username(db, username)
    if not users.check_password(row, password) or not row["active"]:
        _failed(db, username, row)
        raise BadCredentials(_("Wrong username or password."))
    user = users.User.from_row(row)
    with transaction(db):
        db.execute("DELETE FROM login_failure WHERE username = ?", [username])
        audit.record(db, user.id, "login", "user", user.id)
    session.clear()  # no session fixation: a fresh session for the logged-in user
    login_user(user, remember=False)
    sessions.start(user)
    return user


def confirm_password(db, user, password):
    """The logged-in user types their password again (before a sensitive action).

    Throttled and audited like a login, so a stolen cookie cannot be used to guess it.
    :raises TooMany: the username is locked
    :raises BadCredentials: wrong password
    """
    _throttle(db, user.username)
    row = users.by_username(db, user.username)
    if not users.check_password(row, password):
        _failed(db, user.username, row)
        # 422, not 401: the session is still good, only this password was not
        raise Invalid(errors={"password": [_("Wrong password.")]}, code="wrong_password")
    with transaction(db):
        db.execute("DELETE FROM login_failure WHERE username = ?", [user.username])
        audit.record(db, user.id, "login.confirm", "user", user.id)
    sessions.confirm()


def logout(db, user):
    """End the session here and every other copy of it: the generation is bumped, so a
    saved cookie (or the user's session on another device) is refused from now on."""
    with transaction(db):
        users.end_sessions(db, user.id)
        audit.record(db, user.id, "logout", "user", user.id)
    logout_user()
    session.clear()


def init_app(app):
    login_manager.init_app(app)
