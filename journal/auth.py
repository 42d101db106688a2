"""Logging in and out, and the failed-login throttle shared by every server process.

Failed passwords are counted in the database (table login_failure), so that gunicorn's
several workers see the same counts, per username and address, per address and per username
(journal/throttle.py has the rules). Past a few free failures each further attempt in a scope
waits a delay that doubles; there is no lock that one address could put on someone else's
username. The address is the client's as the trusted proxies report it (ProxyFix,
JOURNAL_TRUSTED_PROXIES, docs/operations.md). A successful login clears the failures of its
own username and address.
"""
import math
import time

from flask import request, session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import LoginManager, login_user, logout_user

from . import audit, clock, sessions, throttle, users
from .config import LOGIN_FAILURE_WINDOW
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


def _scopes(db, username, address, now):
    """The failures within the window in each scope of journal/throttle.py."""
    since = clock.timestamp(now - LOGIN_FAILURE_WINDOW)
    queries = {
        "pair": ("username = ? AND remote_addr = ?", [username, address]),
        "address": ("remote_addr = ?", [address]),
        "username": ("username = ?", [username]),
    }
    scopes = {}
    for scope, (where, params) in queries.items():
        count, last = db.execute(
            f"SELECT count(*), max(at) FROM login_failure WHERE {where} AND at > ?", [*params, since]
        ).fetchone()
        scopes[scope] = throttle.Failures(count, clock.parse_timestamp(last).timestamp() if last else None)
    return scopes


def wait_seconds(db, username, address, now=None):
    """Seconds until *username* may be tried again from *address*; 0 = now."""
    now = now or clock.now_utc()
    return throttle.wait_seconds(now.timestamp(), _scopes(db, username, address, now))


def _address():
    return throttle.address_key(request.remote_addr)


def _throttle(db, username):
    """:raises TooMany: this attempt comes before the delay since the last failures is over.
    Nothing is written: a flood of refused attempts costs the server a read each."""
    wait = wait_seconds(db, username, _address())
    if wait:
        seconds = max(1, math.ceil(wait))
        if seconds < 60:
            message = ngettext(
                "Too many failed logins. Try again in %(num)s second.",
                "Too many failed logins. Try again in %(num)s seconds.",
                seconds,
            )
        else:
            message = ngettext(
                "Too many failed logins. Try again in %(num)s minute.",
                "Too many failed logins. Try again in %(num)s minutes.",
                (seconds + 59) // 60,
            )
        raise TooMany(message, headers={"Retry-After": str(seconds)}, code="login_locked")


def _failed(db, username, row):
    now = clock.now_utc()
    with transaction(db):
        db.execute(
            "INSERT INTO login_failure (username, at, remote_addr) VALUES (?, ?, ?)",
            [username, clock.timestamp(now), _address()],
        )
        # failures older than the window no longer count, nor do ended rate-limit windows:
        # keep both tables small
        db.execute("DELETE FROM login_failure WHERE at < ?", [clock.timestamp(now - 2 * LOGIN_FAILURE_WINDOW)])
        db.execute("DELETE FROM rate_limit WHERE expires <= ?", [time.time()])
        audit.record(
            db, row["id"] if row else None, "login.failed", "user",
            row["id"] if row else None, {"username": username, "address": _address()},
        )


def _succeeded(db, username):
    """A right password clears the failures of this username from this address only: the
    other scopes keep counting what others tried."""
    db.execute("DELETE FROM login_failure WHERE username = ? AND remote_addr = ?", [username, _address()])


def authenticate(db, username, password):
    """Check credentials and log the user in; raises TooMany or BadCredentials.

    Every checked attempt is audited. An attempt inside a delay is refused before the
    password is checked, so a correct guess during the delay does not reveal itself.
    """
    _throttle(db, username)
    row = users.by_username(db, username)
    if not users.check_password(row, password) or not row["active"]:
        _failed(db, username, row)
        raise BadCredentials(_("Wrong username or password."))
    user = users.User.from_row(row)
    with transaction(db):
        _succeeded(db, username)
        audit.record(db, user.id, "login", "user", user.id)
    session.clear()  # no session fixation: a fresh session for the logged-in user
    login_user(user, remember=False)
    sessions.start(user)
    return user


def confirm_password(db, user, password):
    """The logged-in user types their password again (before a sensitive action).

    Throttled and audited like a login, so a stolen cookie cannot be used to guess it.
    :raises TooMany: the attempt comes inside a throttle delay
    :raises BadCredentials: wrong password
    """
    _throttle(db, user.username)
    row = users.by_username(db, user.username)
    if not users.check_password(row, password):
        _failed(db, user.username, row)
        # 422, not 401: the session is still good, only this password was not
        raise Invalid(errors={"password": [_("Wrong password.")]}, code="wrong_password")
    with transaction(db):
        _succeeded(db, user.username)
        audit.record(db, user.id, "login.confirm", "user", user.id)
    sessions.confirm()


def change_own_password(db, user, current_password, new_password):
    """The user sets a new password, typing the current one first (throttled like a login,
    so a stolen session cannot be used to guess it). Every other session of the user ends;
    this one goes on with a fresh session.

    :raises TooMany: the attempt comes inside a throttle delay
    :raises Invalid: the current password is wrong (current_password), or the new one breaks
        the policy (new_password)
    """
    _throttle(db, user.username)
    row = users.by_username(db, user.username)
    if not users.check_password(row, current_password):
        _failed(db, user.username, row)
        raise Invalid(errors={"current_password": [_("Wrong password.")]}, code="wrong_password")
    try:
        users.change_password(db, user.id, user.id, new_password)
    except Invalid as error:
        raise Invalid(errors={"new_password": error.errors.get("password", [])}) from None
    fresh = users.get(db, user.id)
    session.clear()
    login_user(fresh, remember=False)
    sessions.start(fresh)


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
