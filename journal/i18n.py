"""Languages: Danish by default, Swedish and English complete.

The user's own choice (stored on the user) wins, then the browser's Accept-Language, then
Danish.
"""
from pathlib import Path

from flask import current_app, request
from flask_babel import Babel, get_locale
from flask_login import current_user

babel = Babel()


def select_locale():
    languages = current_app.config["LANGUAGES"]
    user = current_user if request else None
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    if request:
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app):
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parent / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
