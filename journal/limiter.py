"""Flask-Limiter: a per-address brake on the login endpoints.

Its counters are in the journal's database (journal/ratestore.py), so the brake holds across
gunicorn's processes; the address is the client's as the trusted proxies report it (ProxyFix
in create_app). The failed-login throttle (journal/auth.py, journal/throttle.py) is behind it.
"""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import ratestore  # noqa: F401  (registers the journal-sqlite:// storage with `limits`)

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app):
    limiter.init_app(app)
