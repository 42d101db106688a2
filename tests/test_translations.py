"""The gettext catalogs: complete, consistent with the template, and really used by the app.

The catalogs are read from the .po sources and compiled here into a temporary directory; the
committed tree has no .mo files (they are git-ignored and built by `make`).
"""
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain

from journal import create_app
from journal.db import connect, migrate

TRANSLATIONS = Path(__file__).resolve().parent.parent / "journal" / "translations"
LANGUAGES = ("da", "sv", "en")

# %(name)s (python-format) and {name} (python-brace-format) placeholders.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{\w*\}")


def _read(path, locale=None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


def _messages(catalog):
    """The catalog's messages without the header entry."""
    return [m for m in catalog if m.id]


def _ids(message):
    return message.id if isinstance(message.id, (list, tuple)) else (message.id,)


def _strings(message):
    return message.string if isinstance(message.string, (list, tuple)) else (message.string,)


def _placeholders(text):
    return sorted(PLACEHOLDER.findall(text or ""))


@pytest.fixture(scope="module")
def template():
    return _read(TRANSLATIONS / "messages.pot")


@pytest.fixture(scope="module", params=LANGUAGES)
def catalog(request):
    lang = request.param
    return lang, _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)


def test_template_is_not_empty(template):
    assert len(_messages(template)) > 0


def test_catalog_has_every_template_message(template, catalog):
    lang, cat = catalog
    missing = [m.id for m in _messages(template) if m.id not in cat]
    assert not missing, f"{lang}: missing {missing}"


def test_catalog_header_language(catalog):
    lang, cat = catalog
    assert str(cat.locale) == lang
    assert cat.charset.lower() == "utf-8"


def test_no_entry_is_fuzzy(catalog):
    lang, cat = catalog
    fuzzy = [m.id for m in _messages(cat) if m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy {fuzzy}"


def test_no_msgstr_is_empty(catalog):
    lang, cat = catalog
    empty = [m.id for m in _messages(cat) if not all(s and s.strip() for s in _strings(m))]
    assert not empty, f"{lang}: untranslated {empty}"


def test_placeholders_are_kept(catalog):
    lang, cat = catalog
    wrong = []
    for m in _messages(cat):
        wanted = _placeholders(_ids(m)[-1])
        for s in _strings(m):
            if _placeholders(s) != wanted:
                wrong.append((m.id, s))
    assert not wrong, f"{lang}: placeholders differ in {wrong}"


def test_format_flags_match_the_template(template, catalog):
    lang, cat = catalog
    for m in _messages(template):
        flags = m.flags & {"python-format", "python-brace-format"}
        assert flags <= cat[m.id].flags, f"{lang}: {m.id!r} lost {flags - cat[m.id].flags}"


def test_english_is_the_source_text(template):
    cat = _read(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", locale="en")
    assert all(m.string == m.id for m in _messages(cat))


def _compile(directory):
    for lang in LANGUAGES:
        catalog = _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)
        target = directory / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as f:
            write_mo(f, catalog)
    return directory


def test_catalogs_compile(tmp_path):
    from babel.support import Translations

    _compile(tmp_path)
    for lang in LANGUAGES:
        mo = tmp_path / lang / "LC_MESSAGES" / "messages.mo"
        assert mo.stat().st_size > 0
        with open(mo, "rb") as f:
            translations = Translations(f)
        assert translations.gettext("unlikely") == {"da": "usandsynligt", "sv": "osannolikt", "en": "unlikely"}[lang]


# --- the app with freshly compiled catalogs -----------------------------------------------


def _clear_translation_cache(app):
    # flask-babel caches loaded catalogs on its (module-level) Babel instance, keyed only by
    # locale, so a catalog loaded by another app in this process would otherwise be reused.
    with app.app_context():
        get_domain().cache.clear()


@pytest.fixture
def translated_app(tmp_path):
    compiled = _compile(tmp_path / "translations")
    app = create_app(
        {
            "DATABASE": str(tmp_path / "journal.db"),
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "BABEL_TRANSLATION_DIRECTORIES": str(compiled),
        }
    )
    db = connect(app.config["DATABASE"])
    migrate(db)
    db.close()
    _clear_translation_cache(app)
    yield app
    _clear_translation_cache(app)


@pytest.mark.parametrize("lang, words", [("da", "usandsynligt"), ("sv", "osannolikt"), ("en", "unlikely")])
def test_band_words_follow_accept_language(translated_app, lang, words):
    from journal.expectations import band_words

    with translated_app.test_request_context(headers={"Accept-Language": lang}):
        assert str(band_words(3)) == words


def test_unauthenticated_api_error_is_in_swedish(translated_app):
    client = translated_app.test_client()
    english = client.post("/api/v1/citizens", json={}, headers={"Accept-Language": "en"})
    swedish = client.post("/api/v1/citizens", json={}, headers={"Accept-Language": "sv"})
    assert english.status_code == swedish.status_code == 401
    assert english.json["message"] == "Please log in."
    sv = _read(TRANSLATIONS / "sv" / "LC_MESSAGES" / "messages.po", locale="sv")
    assert swedish.json["message"] == sv["Please log in."].string
    assert swedish.json["message"] != "Please log in."


def test_the_template_holds_every_string_the_code_marks(template, tmp_path):
    """A string wrapped in _() but never extracted would stay English for everyone:
    the committed messages.pot must hold what `make messages` extracts now."""
    import subprocess
    import sys

    root = TRANSLATIONS.parent.parent
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-c", "from babel.messages.frontend import main; main()", "--quiet", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(out), "."],
        cwd=root, check=True, capture_output=True,
    )
    fresh = {_ids(m) for m in _messages(_read(out))}
    committed = {_ids(m) for m in _messages(template)}
    assert sorted(fresh - committed) == []
    assert sorted(committed - fresh) == []
