"""Sessions that end for real: a generation per user, an idle timeout, an absolute lifetime,
and a fresh password for sensitive actions (DESIGN.md "Non-functional"; docs/decisions.md
"Sessions").

The session lives in a signed cookie, so the server cannot delete a copy someone saved.
Instead every session remembers, in the cookie, the user's *session generation* at login,
and the user loader (journal/auth.py) honours a cookie only while the user's generation in
the database is still the same. Logout, a password change and deactivation bump it
(users.end_sessions), so every older cookie — on this device or saved elsewhere — is refused
from the next request on.

The cookie also carries the login time and the last-seen time (whole seconds, UTC, from
journal.clock so tests can move time). A session older than SESSION_MAX_HOURS, or unused for
SESSION_IDLE_MINUTES, is refused. Last-seen is written back at most once a minute, so most
requests do not rewrite the cookie.

Freshness is the time the password was last typed (login or the confirm-password page). A
view marked `@fresh_required` needs it within FRESH_LOGIN_MINUTES; the gate in
journal/access.py answers 401 `fresh_login_required` (API) or sends the page to
/confirm-password and back (web).
"""
from flask import current_app, g, session
from flask_babel import gettext as _

from . import clock
from .errors import JournalError

GENERATION = "_gen"
LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
FRESH_AT = "_fresh_at"
#: Last-seen is rewritten only when it is at least this old (seconds): one cookie write a
#: minute at most, and the idle timeout is still right to the minute.
SEEN_RESOLUTION = 60


class SessionEnded(JournalError):
    """The cookie named a user, but the session was ended (logout elsewhere, password change,
    deactivation) or timed out."""

    status = 401
    code = "session_expired"


class FreshLoginRequired(JournalError):
    status = 401
    code = "fresh_login_required"


def _now():
    return int(clock.now_utc().timestamp())


def start(user):
    """Call right after login_user(): stamp the new session with the generation and times."""
    now = _now()
    session[GENERATION] = user.session_generation
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[FRESH_AT] = now


def why_ended(user):
    """None while the session may go on, else "revoked" or "expired". Touches last-seen."""
    if session.get(GENERATION) != user.session_generation:
        return "revoked"
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return "revoked"
    now = _now()
    config = current_app.config
    if now - login_at >= config["SESSION_MAX_HOURS"] * 3600:
        return "expired"
    if now - seen_at >= config["SESSION_IDLE_MINUTES"] * 60:
        return "expired"
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return None


def check(user):
    """The user loader's last step: *user* if the session may go on, else None (and the
    session is emptied, so the browser gets a cookie without the user)."""
    if user is None:
        return None
    reason = why_ended(user)
    if reason is None:
        return user
    g.journal_session_ended = reason
    session.clear()
    return None


def ended():
    """True when this request came with a session that was ended or timed out."""
    return bool(g.get("journal_session_ended"))


def ended_error():
    return SessionEnded(_("Your session has ended. Please log in again."))


def confirm():
    """The password was just typed again: the session is fresh for FRESH_LOGIN_MINUTES."""
    session[FRESH_AT] = _now()
    session["_fresh"] = True
    # Flask-Login's "basic" protection marks the session not fresh whenever the address or
    # browser differs from the one it saw at login; the password was just typed here, so
    # this address and browser are the session's from now on.
    session["_id"] = current_app.login_manager._session_identifier_generator()


def is_fresh():
    fresh_at = session.get(FRESH_AT)
    if not isinstance(fresh_at, int) or session.get("_fresh") is False:
        return False
    return _now() - fresh_at < current_app.config["FRESH_LOGIN_MINUTES"] * 60


def fresh_required(view):
    """Declare a sensitive view: it needs the password typed within FRESH_LOGIN_MINUTES.
    Checked by the gate (journal/access.py) after the role."""
    view._journal_fresh = True
    return view


def needs_fresh(view):
    return getattr(view, "_journal_fresh", False)


def fresh_error():
    return FreshLoginRequired(_("Please enter your password again to do this."))
