"""Forventningsjournal: the expectation journal for employment caseworkers.

`create_app()` is the application factory used by `flask --app journal`, gunicorn
(`gunicorn 'journal:create_app()'` with gunicorn.conf.py) and the tests.
"""
import os
import urllib.parse
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Build the app: defaults, then the environment, then *test_config*."""
    instance_path = os.environ.get("JOURNAL_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(config.TESTING)
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        if app.config["JOURNAL_ENV"] in ("development", "testing"):
            app.config["SECRET_KEY"] = config.development_secret(app.instance_path)
        else:
            raise RuntimeError(
                "JOURNAL_SECRET_KEY is not set. Set it to a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), "
                "or set JOURNAL_ENV=development for local use."
            )

    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = "journal-sqlite://" + urllib.parse.quote(
            str(Path(app.config["DATABASE"]).resolve())
        )
    if app.config["TRUSTED_PROXIES"]:
        # the client's address and scheme as the proxies report them: the last N entries of
        # X-Forwarded-For are the proxies' own, whatever a client puts before them
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

    from . import access, api, auth, cli, db, errors, i18n, limiter, security, web

    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    access.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
