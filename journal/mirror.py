"""Language mirror: notice deficit-framed words about the citizen in a note.

Research on caseworkers' expectations ("Troen på borgernes jobchance") finds that how we talk
about a citizen both reflects and shapes what we expect of them. When a note calls a citizen
"umotiveret" or "hopeless", the page gently asks "What would the citizen say about this?".
The mirror invites reframing; it never judges, never blocks saving and stores nothing.

The word lists are data (journal/lexicon/<locale>.txt, documented in
docs/language-mirror.md) so that a team lead can change them without touching code. The same
matching rules are implemented in static/js/mirror.js for the browser; tests/test_mirror.py
checks that both agree.

Matching rules (kept identical in Python and JavaScript):
- case-insensitive, on whole words: an entry never matches inside a longer word;
- a trailing "*" on an entry means the stem followed by any word characters;
- the words of a phrase match with any whitespace between them (also a line break);
- an apostrophe in an entry matches both ' and the typographic ’;
- text and entries are NFC-normalised, so a decomposed "å" still matches;
- longer entries are tried first, so the longest phrase at a position wins.
"""
import functools
import re
import unicodedata
from pathlib import Path

from flask_babel import lazy_gettext as _l

from .config import LANGUAGES

LOCALES = LANGUAGES
LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

# Python's \w on str is Unicode-aware (letters, digits, underscore), like the browser's
# [\p{L}\p{N}_]; \b is not used because it is defined differently in the two engines.
_WORD = r"\w"
_APOSTROPHES = "'\u2019"


def parse_lexicon(text):
    """The entries of a lexicon file's text, in file order.

    Separate from load_lexicon so that tests can check the files (duplicates, empty entries)
    without the cache. Comments are whole lines starting with "#", so "#" can never be part
    of an entry by accident. Whitespace inside a phrase is collapsed to one space: the
    matcher treats any whitespace alike, and the browser gets a tidy list.
    """
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFC", raw).strip()
        if not line or line.startswith("#"):
            continue
        entry = " ".join(line.split())
        if entry == "*" or "*" in entry[:-1]:
            raise ValueError(f"line {number}: '*' is only allowed at the end of an entry: {raw!r}")
        entries.append(entry)
    return entries


@functools.lru_cache(maxsize=None)
def load_lexicon(locale):
    """The entries for one locale, read once per process (the files change only on deploy).

    Only known locales are accepted, so a locale can never become an arbitrary file path.
    """
    if locale not in LOCALES:
        raise ValueError(f"no lexicon for locale {locale!r}")
    text = (LEXICON_DIR / f"{locale}.txt").read_text(encoding="utf-8")
    return tuple(parse_lexicon(text))


def _ordered(entries):
    """Longest first (ties in code point order): at one position the longest phrase wins,
    and Python and JavaScript try the alternatives in the same order."""
    cleaned = {" ".join(unicodedata.normalize("NFC", e).split()) for e in entries}
    return sorted((e for e in cleaned if e and e != "*"), key=lambda e: (-len(e), e))


def _entry_pattern(entry):
    stem = entry.endswith("*")
    body = entry[:-1] if stem else entry
    words = []
    for word in body.split():
        words.append(
            "".join(f"[{_APOSTROPHES}]" if ch in _APOSTROPHES else re.escape(ch) for ch in word)
        )
    return r"\s+".join(words) + (_WORD + "*" if stem else "")


def compile_lexicon(entries):
    """One case-insensitive regex for all entries, matching whole words only.

    Lookarounds instead of \\b so that the word edges are the same as in the browser and work
    for æ, ø, å, ä, ö. Returns None for an empty lexicon (an empty alternation would match
    everywhere).
    """
    ordered = _ordered(entries)
    if not ordered:
        return None
    alternatives = "|".join(_entry_pattern(e) for e in ordered)
    return re.compile(
        rf"(?<!{_WORD})(?:{alternatives})(?!{_WORD})", re.IGNORECASE | re.UNICODE
    )


@functools.lru_cache(maxsize=None)
def _matcher(locales):
    entries = [entry for locale in locales for entry in load_lexicon(locale)]
    return compile_lexicon(entries)


def find_words(matcher, text):
    """The matched phrases in order, each once (case-insensitively), as written in the text.

    Whitespace inside a matched phrase is collapsed to one space (a phrase may span a line
    break), the letters keep the writer's case.
    """
    if matcher is None or not text:
        return []
    found, seen = [], set()
    for match in matcher.finditer(unicodedata.normalize("NFC", text)):
        phrase = " ".join(match.group(0).split())
        key = phrase.lower()
        if key not in seen:
            seen.add(key)
            found.append(phrase)
    return found


def find_deficit_words(text, locales=LOCALES):
    """Deficit-framed words in a note, checked against all languages by default.

    Notes may be written in any of the languages regardless of the user's interface
    language (a Danish caseworker quoting a Swedish colleague), so all lexicons are used.
    """
    return find_words(_matcher(tuple(locales)), text)


def lexicon_json():
    """All entries of all locales for the browser, deduplicated case-insensitively.

    One list (not one per locale) because the browser, like find_deficit_words, checks
    every note against all languages.
    """
    entries, seen = [], set()
    for locale in LOCALES:
        for entry in load_lexicon(locale):
            if entry.lower() not in seen:
                seen.add(entry.lower())
                entries.append(entry)
    return {"entries": entries}


def reflection_question():
    """The question shown next to the note, in the reader's language.

    A question rather than a warning: it invites the caseworker to take the citizen's view,
    it does not say that the note is wrong.
    """
    return _l("What would the citizen say about this?")
