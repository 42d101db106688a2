"""Languages: Danish by default, Swedish and English complete.

The user's own choice (stored on the user) wins, then a choice made before logging in (kept
in the session), then the browser's Accept-Language, then Danish. Outside a request (the
command line) the journal speaks English, like the rest of its command-line text.
"""
from pathlib import Path

from flask import current_app, request, session
from flask_babel import Babel, format_date, format_decimal, format_percent, get_locale

from flask_login import current_user

from . import clock, mirror
from .clashes import source_name
from .expectations import band, band_words

babel = Babel()


def select_locale():
    languages = current_app.config["LANGUAGES"]
    user = current_user if request else None
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    if request and session.get("locale") in languages:
        return session["locale"]
    if request:
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return "en"


def init_app(app):
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parent / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        band_words=band_words,
        band_key=band,
        source_name=source_name,
        deficit_words=mirror.find_deficit_words,
        mirror_question=mirror.reflection_question,
    )
    app.jinja_env.filters["source_name"] = source_name
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["month"] = month
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.filters["percent"] = percent


def day(value, style="medium"):
    """An ISO date (or date) in the user's language: "23. nov. 2026"."""
    if not value:
        return ""
    return format_date(clock.as_date(value), style)


def local_day(stamp, style="medium"):
    """A stored UTC timestamp as the local (Copenhagen) day in the user's language."""
    if not stamp:
        return ""
    return format_date(clock.local_date(stamp), style)


def decimal(value, digits=2):
    """A number in the user's language: 0,92 in Danish and Swedish, 0.92 in English."""
    if value is None:
        return "–"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits)


def month(value):
    return format_date(clock.as_date(value), "MMM")


def percent(value):
    """A whole per cent (0–100) in the user's language: "42 %" in Danish and Swedish, "42%" in English."""
    return format_percent((value or 0) / 100)
