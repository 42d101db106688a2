"""Flask-Limiter: a per-address brake on the login endpoint.

The lockout that must hold across server processes is per username, in the database
(journal/auth.py); this one only slows a single address hammering the endpoint.
"""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app):
    limiter.init_app(app)
