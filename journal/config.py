"""Configuration defaults, the environment layer and the testing overrides.

Settings come from the environment (DESIGN.md "Operations") so that one code base serves
`make run`, gunicorn behind a TLS proxy and the test suite without edits.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

#: Limits on free text, documented in docs/api.md. They keep notes short enough to read on a
#: phone and stop a client from filling the database with one request.
LIMITS = {
    "case_ref": 32,
    "display_name": 120,
    "source_label": 80,
    "basis": 2000,
    "note": 4000,
    "reflection": 2000,
    "reason": 500,
    "username": 64,
    "password": 256,
    "team_name": 120,
    "municipality": 120,
    "participants": 12,
    "expectations_per_meeting": 20,
    "per_page": 200,
    "session_note": 1000,
    "action": 300,
    "session_title": 120,
    "study_name": 120,
    "sync_items": 500,
}

#: The languages the journal speaks, Danish first (the default).
LANGUAGES = ("da", "sv", "en")

#: Window in which a view counts as current (DESIGN.md "Rules").
CURRENT_WINDOW_DAYS = 180

#: Days an export's zip is kept for download before it is deleted (JOURNAL_EXPORT_DAYS).
EXPORT_DAYS = 30

#: Days a closed citizen is kept before `retention` deletes it (JOURNAL_RETENTION_DAYS):
#: docs/decisions.md, "Retention".
RETENTION_DAYS = 730

#: Failed logins count towards the throttle's delays for this long (journal/throttle.py).
LOGIN_FAILURE_WINDOW = timedelta(hours=1)

#: Sessions (docs/decisions.md "Sessions"): ended after this long without a request
#: (JOURNAL_SESSION_IDLE_MINUTES), after this long since login whatever happens
#: (JOURNAL_SESSION_MAX_HOURS), and sensitive actions need the password typed within the last
#: FRESH_LOGIN_MINUTES (JOURNAL_FRESH_LOGIN_MINUTES).
SESSION_IDLE_MINUTES = 120
SESSION_MAX_HOURS = 10
FRESH_LOGIN_MINUTES = 10


def _flag(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _whole(name, default, unit):
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise RuntimeError(f"{name} must be a whole number of {unit} (1 or more), not {value!r}.")
    return int(value)


def _days(name, default):
    return _whole(name, default, "days")


def from_environment(instance_path):
    """Read the JOURNAL_* variables. Called once per app in create_app()."""
    env = os.environ.get("JOURNAL_ENV", "production").strip().lower()
    database = os.environ.get("JOURNAL_DATABASE") or str(Path(instance_path) / "journal.db")
    secret = os.environ.get("JOURNAL_SECRET_KEY")
    cookie_secure = _flag("JOURNAL_COOKIE_SECURE", True)
    max_hours = _whole("JOURNAL_SESSION_MAX_HOURS", SESSION_MAX_HOURS, "hours")
    return {
        "JOURNAL_ENV": env,
        "DATABASE": database,
        "SECRET_KEY": secret,
        "SESSION_COOKIE_SECURE": cookie_secure,
        "REMEMBER_COOKIE_SECURE": cookie_secure,
        "EXPORT_DAYS": _days("JOURNAL_EXPORT_DAYS", EXPORT_DAYS),
        "RETENTION_DAYS": _days("JOURNAL_RETENTION_DAYS", RETENTION_DAYS),
        "SESSION_IDLE_MINUTES": _whole("JOURNAL_SESSION_IDLE_MINUTES", SESSION_IDLE_MINUTES, "minutes"),
        "SESSION_MAX_HOURS": max_hours,
        # the signed cookie itself is not accepted after this long either (a backstop)
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=max_hours),
        "FRESH_LOGIN_MINUTES": _whole("JOURNAL_FRESH_LOGIN_MINUTES", FRESH_LOGIN_MINUTES, "minutes"),
        "TRUSTED_PROXIES": _count("JOURNAL_TRUSTED_PROXIES", 0),
        "LOGIN_RATE_LIMIT": os.environ.get("JOURNAL_LOGIN_RATE_LIMIT") or DEFAULTS["LOGIN_RATE_LIMIT"],
    }


def _count(name, default):
    """A whole number, 0 allowed (the number of proxies in front of the app)."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number (0 or more), not {value!r}.")
    return int(value)


def development_secret(instance_path):
    """Return the development secret key, creating it under instance/ on first use.

    Development keeps a stable key so that a restart of `make run` keeps people logged in;
    production must set JOURNAL_SECRET_KEY so the key is managed by the operator.
    """
    from . import files

    path = Path(instance_path) / "secret_key"
    if not path.exists():
        files.private_dir(path.parent)
        try:
            with files.open_private(path, "w") as out:  # 0600 from the start
                out.write(secrets.token_hex(32))
        except FileExistsError:  # another process made it first: use theirs
            pass
    return path.read_text().strip()


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "journal_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # No "remember me": login never sets the cookie, and one that is sent anyway is refused,
    # because it carries no session generation (journal/sessions.py). The flags stay set so
    # that a future use cannot forget them.
    "REMEMBER_COOKIE_DURATION": timedelta(hours=SESSION_MAX_HOURS),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=SESSION_MAX_HOURS),
    "SESSION_IDLE_MINUTES": SESSION_IDLE_MINUTES,
    "SESSION_MAX_HOURS": SESSION_MAX_HOURS,
    "FRESH_LOGIN_MINUTES": FRESH_LOGIN_MINUTES,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "EXPORT_DAYS": EXPORT_DAYS,
    "RETENTION_DAYS": RETENTION_DAYS,
    # CSRF: tokens live as long as the session; the API sends them in X-CSRFToken.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
    # Flask-Limiter: a per-address brake on the login endpoints, in front of the failed-login
    # throttle (journal/auth.py). Its counters are kept in the journal's database
    # (journal/ratestore.py; create_app points the URI at DATABASE), so every server process
    # shares them.
    "RATELIMIT_STORAGE_URI": None,
    # Proxies in front of the app that add X-Forwarded-For/-Proto (JOURNAL_TRUSTED_PROXIES):
    # 0 = none, the client's address is the connection's; 1 = one TLS proxy, as in
    # docs/operations.md. Never more than there are: a client could then forge its address.
    "TRUSTED_PROXIES": 0,
    "RATELIMIT_HEADERS_ENABLED": False,  # Retry-After is set by journal/errors.py
    "LOGIN_RATE_LIMIT": "60 per minute",
    # Babel
    "BABEL_DEFAULT_LOCALE": "da",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
    "LANGUAGES": list(LANGUAGES),
    # flask-smorest / OpenAPI
    "API_TITLE": "Forventningsjournal",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

TESTING = {
    "TESTING": True,
    "JOURNAL_ENV": "testing",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}
