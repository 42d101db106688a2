"""The language mirror: lexicon files, Python matching, and the browser's matching agree."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from journal import mirror

ROOT = Path(__file__).resolve().parent.parent
MIRROR_JS = ROOT / "static" / "js" / "mirror.js"

# (note, words the mirror must find, in order, as written)
POSITIVES = [
    # Danish
    ("da", "Borgeren virker umotiveret.", ["umotiveret"]),
    ("da", "De umotiverede borgere i forløbet", ["umotiverede"]),
    ("da", "Umotiveret og doven, efter min vurdering", ["Umotiveret", "doven"]),
    ("da", "Han gider ikke, siger han.", ["gider ikke"]),
    ("da", "Hun har givet op.", ["givet op"]),
    ("da", "Det er en tabt sag.", ["tabt sag"]),
    ("da", "En tabt\nsag, desværre", ["tabt sag"]),
    ("da", "Hun kan ikke\n  noget på egen hånd", ["kan ikke noget"]),
    ("da", "Situationen er HÅBLØS!", ["HÅBLØS"]),
    ("da", "(ressourcesvage familier)", ["ressourcesvage"]),
    ("da", "Han er uhjælpeligt langt fra arbejdsmarkedet", ["uhjælpeligt"]),
    ("da", "Hun sidder fast i offerrollen.", ["offerrollen"]),
    ("da", "Er umotiveret. Stadig umotiveret.", ["umotiveret"]),
    ("da", "Han kommer aldrig i arbejde", ["kommer aldrig i arbejde"]),
    # Swedish
    ("sv", "Personen är omotiverad.", ["omotiverad"]),
    ("sv", "Omotiverade deltagare", ["Omotiverade"]),
    ("sv", "Det känns hopplöst.", ["hopplöst"]),
    ("sv", "Han är lat, enligt handläggaren", ["lat"]),
    ("sv", "Hon har gett\nupp", ["gett upp"]),
    ("sv", "En latmask.", ["latmask"]),
    ("sv", "resurssvaga hushåll", ["resurssvaga"]),
    ("sv", "Hon kommer aldrig få jobb", ["aldrig få jobb"]),
    ("sv", "Går inte att hjälpa.", ["Går inte att hjälpa"]),
    ("sv", "Han är oanställningsbar", ["oanställningsbar"]),
    # English
    ("en", "Seems unmotivated.", ["unmotivated"]),
    ("en", "Hopeless; lazy.", ["Hopeless", "lazy"]),
    ("en", "A lost\ncause, I fear", ["lost cause"]),
    ("en", "He can't do anything right", ["can't do anything"]),
    ("en", "He can\u2019t do anything right", ["can\u2019t do anything"]),
    ("en", "She has given up on herself", ["given up on"]),
    ("en", "Unemployable.", ["Unemployable"]),
    ("en", "\"work-shy\" was the word used", ["work-shy"]),
    ("en", "typical freeloaders", ["freeloaders"]),
    ("en", "LAZY lazy Lazy", ["LAZY"]),
    # mixed languages in one note
    ("mixed", "Umotiveret (unmotivated, omotiverad).", ["Umotiveret", "unmotivated", "omotiverad"]),
]

# Neutral casework notes that must not light up the mirror.
NEGATIVES = [
    # Danish: bare "kan ikke"/"vil ikke" and "opgivet" (= stated) are facts, not judgements
    ("da", "Hun kan ikke lide kaffe."),
    ("da", "Borgeren kan ikke møde tirsdag pga. lægetid."),
    ("da", "Kan ikke løfte over 5 kg ifølge lægeerklæringen."),
    ("da", "Han vil ikke have sin mor med til mødet."),
    ("da", "Borgeren har opgivet ny adresse og telefonnummer."),
    ("da", "Sygemeldt, ledig siden marts, modtager passiv forsørgelse."),
    ("da", "Svag ryg, svage danskkundskaber, går til fysioterapi."),
    ("da", "Bor i et passivhus; huset er passivhus-certificeret."),
    ("da", "Vi så en dokumentar om dovendyr."),
    ("da", "Borgeren er motiveret for praktik hos en tømrer."),
    # Swedish
    ("sv", "Hon orkar inte arbeta heltid enligt läkarintyget."),
    ("sv", "Kan inte komma på tisdag, vill inte flytta mötet."),
    ("sv", "Han läser latin och använder en lathund."),
    ("sv", "Sjukskriven, arbetslös sedan mars, passiva åtgärder."),
    ("sv", "Hon slutade röka i fjol."),
    # English
    ("en", "She gave up smoking last year."),
    ("en", "He can't attend on Tuesday and won't be able to call."),
    ("en", "Sick this week; unemployed since March; on passive benefits."),
    ("en", "The lazybones app is a nickname for his phone reminder."),
    ("en", "She is motivated and hopeful about the course."),
    ("en", "No future appointments booked yet."),
]


def _texts(table):
    return [row[1] for row in table]


@pytest.mark.parametrize("lang, text, expected", POSITIVES)
def test_deficit_words_are_found(lang, text, expected):
    assert mirror.find_deficit_words(text) == expected


@pytest.mark.parametrize("lang, text", NEGATIVES)
def test_neutral_notes_do_not_trigger(lang, text):
    assert mirror.find_deficit_words(text) == []


def test_locales_can_be_narrowed():
    assert mirror.find_deficit_words("lazy og umotiveret", locales=("da",)) == ["umotiveret"]
    assert mirror.find_deficit_words("lazy og umotiveret", locales=("en",)) == ["lazy"]


def test_empty_and_missing_text():
    assert mirror.find_deficit_words("") == []
    assert mirror.find_deficit_words(None) == []
    assert mirror.compile_lexicon([]) is None


def test_decomposed_letters_still_match():
    decomposed = "ha\u030abløs"  # "håbløs" with a combining ring above
    assert mirror.find_deficit_words(decomposed) == ["håbløs"]


def test_longest_phrase_wins():
    matcher = mirror.compile_lexicon(["kan ikke", "kan ikke noget"])
    assert mirror.find_words(matcher, "Hun kan ikke noget") == ["kan ikke noget"]


def test_unknown_locale_is_refused():
    with pytest.raises(ValueError):
        mirror.load_lexicon("../secrets")


def test_star_only_at_the_end():
    with pytest.raises(ValueError):
        mirror.parse_lexicon("um*tiveret\n")
    assert mirror.parse_lexicon("# comment\n\n  tabt   sag  \numotiver*\n") == ["tabt sag", "umotiver*"]


# --- the data files ------------------------------------------------------------------------


@pytest.mark.parametrize("locale", mirror.LOCALES)
def test_lexicon_file_parses(locale):
    path = mirror.LEXICON_DIR / f"{locale}.txt"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "the file starts with a header comment explaining the format"
    entries = mirror.parse_lexicon(text)
    assert 15 <= len(entries) <= 30
    assert all(e.strip() and e != "*" for e in entries)
    lowered = [e.lower() for e in entries]
    assert len(set(lowered)) == len(lowered), "duplicate entries"
    assert mirror.load_lexicon(locale) == tuple(entries)


@pytest.mark.parametrize(
    "locale, entry", [(loc, e) for loc in mirror.LOCALES for e in mirror.load_lexicon(loc)]
)
def test_every_entry_matches_itself(locale, entry):
    written = entry.rstrip("*")
    assert mirror.find_deficit_words(written, locales=(locale,)) == [written]
    assert mirror.find_deficit_words(f"«{written.upper()}».") == [written.upper()]
    if entry.endswith("*"):
        assert mirror.find_deficit_words(f"{written}ede", locales=(locale,)) == [f"{written}ede"]


def test_lexicon_json_has_every_entry():
    data = mirror.lexicon_json()
    assert json.loads(json.dumps(data)) == data
    everything = {e.lower() for loc in mirror.LOCALES for e in mirror.load_lexicon(loc)}
    assert {e.lower() for e in data["entries"]} == everything
    assert len(data["entries"]) == len(everything)


def test_reflection_question_is_translatable(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(mirror.reflection_question()) == "What would the citizen say about this?"


# --- the browser agrees --------------------------------------------------------------------

NODE_SCRIPT = """
const {buildMatcher, findWords} = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const {entries, texts} = JSON.parse(input);
  const matcher = buildMatcher(entries);
  process.stdout.write(JSON.stringify(texts.map((text) => findWords(matcher, text))));
});
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_javascript_matches_like_python():
    entries = mirror.lexicon_json()["entries"]
    texts = _texts(POSITIVES) + _texts(NEGATIVES) + [
        "ha\u030abløs",
        "Hun kan ikke noget",
        " ".join(e.rstrip("*").upper() for e in entries),
        "\n".join(e.replace("*", "ede") for e in entries),
    ]
    result = subprocess.run(
        ["node", "-e", NODE_SCRIPT, str(MIRROR_JS)],
        input=json.dumps({"entries": entries, "texts": texts}),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    browser = json.loads(result.stdout)
    python = [mirror.find_deficit_words(text) for text in texts]
    assert browser == python
    assert any(browser) and not all(browser)


def test_javascript_has_no_inline_globals():
    source = MIRROR_JS.read_text(encoding="utf-8")
    assert source.count("(function () {") == 1 and '"use strict";' in source
    assert 'typeof document === "undefined"' in source
    assert "preventDefault" not in source, "the mirror never stops a form from being sent"


@pytest.mark.parametrize("locale", mirror.LOCALES)
def test_documented_word_list_matches_the_file(locale):
    doc = (ROOT / "docs" / "language-mirror.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- lexicon:{locale} -->\n(.*?)<!-- /lexicon:{locale} -->", doc, re.S)
    assert block, f"docs/language-mirror.md has no list for {locale}"
    assert re.findall(r"`([^`]+)`", block.group(1)) == list(mirror.load_lexicon(locale))
