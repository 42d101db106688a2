"""journal/identifiers.py: one normaliser for identifiers, case references in a documented
character set, and one reference per team in every look-alike spelling (issue 13, point 1)."""
import sys
import unicodedata

import pytest

from journal.identifiers import (
    DASHES,
    case_ref_problem,
    describe_character,
    normalise,
    ref_key,
    unique_ref_key,
)
from journal.national_id import contains_national_id
from journal.scrub import Scrubber

from .national_id_spellings import SPELLINGS

# --- the normaliser ---------------------------------------------------------------------------


def test_normalise_folds_every_unicode_dash_to_a_hyphen():
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Pd":
            assert normalise(f"1{char}2") == "1-2", hex(code)
    assert {normalise(c) for c in DASHES} == {"-"}


@pytest.mark.parametrize(
    "typed, plain",
    [
        ("ＳＩＬ－０００１", "SIL-0001"),
        ("SIL\u200b-0001", "SIL-0001"),
        ("\u202eSIL-0001\u202c", "SIL-0001"),
        ("SIL\u2010\u00ad0001", "SIL-0001"),
        ("01\u204401\u221590", "01/01/90"),
        ("01\u00a001\u300090", "01 01 90"),
        ("01\u00b701\u202790", "01.01.90"),
        ("plain ascii stays", "plain ascii stays"),
        ("", ""),
    ],
)
def test_normalise_gives_what_an_identifier_really_says(typed, plain):
    assert normalise(typed) == plain


def test_normalise_of_nothing_is_empty():
    assert normalise(None) == ""


@pytest.mark.parametrize("spelling", ["SIL-0014", "sil 0014", "SIL/0014", "Sil_0014", "ＳＩＬ－００１４", "S\u200bIL.0014"])
def test_ref_key_drops_case_and_separators(spelling):
    assert ref_key(spelling) == "SIL0014"


def test_unique_ref_key_reads_o_as_zero_and_i_as_one():
    assert unique_ref_key("SIL-O0O1") == unique_ref_key("sil-0001") == unique_ref_key("S1L 0001")
    assert unique_ref_key("SIL-0001") != unique_ref_key("SIL-0002")


# --- the national-ID table (shared with the scrubber) -------------------------------------------


def test_the_shared_table_has_at_least_40_spellings():
    assert len(SPELLINGS) >= 40


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_is_recognised_and_scrubbed(spelling):
    assert contains_national_id(spelling)
    scrubbed = Scrubber()(spelling)
    assert "[CPR]" in scrubbed and not any(c.isdigit() for c in scrubbed.replace("[CPR]", "")), scrubbed


def test_every_spelling_is_refused_as_case_ref_and_in_a_note(auth, world, db):
    """Through the API, as a caseworker would send it: 422 naming national IDs, nothing stored."""
    worker = auth("worker")
    citizens, meetings = db.table("citizen").count, db.table("meeting").count
    from . import factories

    refused = 0
    for name, spelling in SPELLINGS.items():
        if len(spelling) <= 32:
            response = worker.post("/api/v1/citizens", json={"case_ref": spelling, "goal": "job"}, headers={"Accept-Language": "en"})
            assert response.status_code == 422, (name, response.json)
            assert "never stored" in response.json["errors"]["case_ref"][0], (name, response.json)
            refused += 1
        response = worker.post(
            f"/api/v1/citizens/{world['citizen']}/meetings",
            json=factories.meeting_body(note=f"Talte om {spelling}"),
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 422, (name, response.json)
        assert "never stored" in response.json["errors"]["note"][0]
        refused += 1
    assert (db.table("citizen").count, db.table("meeting").count) == (citizens, meetings)
    assert refused > 2 * 40


# --- case references ---------------------------------------------------------------------------

#: Look-alikes of "SIL-0001" (issue 13: all were accepted as new citizens before), and what
#: answers them: 409 when the spelling is allowed but is the same reference, 422 when a
#: character is outside the set (named in the message) or the shape is wrong.
LOOK_ALIKES = {
    "lower-case": ("sil-0001", 409),
    "mixed-case": ("Sil-0001", 409),
    "space": ("SIL 0001", 409),
    "no-separator": ("SIL0001", 409),
    "slash": ("SIL/0001", 409),
    "underscore": ("SIL_0001", 409),
    "dot": ("SIL.0001", 409),
    "letter-o-for-zero": ("SIL-O001", 409),
    "letter-i-for-one": ("SIL-000I", 409),
    "trailing-space": ("SIL-0001 ", 409),
    "cyrillic-es": ("\u0421IL-0001", 422),
    "cyrillic-ie-and-o": ("SIL-\u041e001", 422),
    "greek-iota": ("S\u0399L-0001", 422),
    "hyphen-u2010": ("SIL\u20100001", 422),
    "non-breaking-hyphen": ("SIL\u20110001", 422),
    "en-dash": ("SIL\u20130001", 422),
    "minus-sign": ("SIL\u22120001", 422),
    "full-width": ("ＳＩＬ－０００１", 422),
    "zero-width-space": ("SIL-\u200b0001", 422),
    "zero-width-joiner": ("SIL\u200d-0001", 422),
    "right-to-left-override": ("\u202eSIL-0001", 422),
    "left-to-right-mark": ("SIL-0001\u200e", 422),
    "no-break-space": ("SIL\u00a00001", 422),
    "double-hyphen": ("SIL--0001", 422),
    "leading-hyphen": ("-SIL-0001", 422),
}


@pytest.mark.parametrize("spelling, status", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_look_alike_case_refs_are_refused_with_a_clear_message(spelling, status, auth, world, db):
    worker = auth("worker")
    first = worker.post("/api/v1/citizens", json={"case_ref": "SIL-0001", "goal": "job"})
    assert first.status_code == 201
    before = db.table("citizen").count
    response = worker.post("/api/v1/citizens", json={"case_ref": spelling, "goal": "job"}, headers={"Accept-Language": "en"})
    assert response.status_code == status, response.json
    if status == 409:
        assert response.json["code"] == "case_ref_taken"
        assert "looks the same" in response.json["message"]
    else:
        (message,) = response.json["errors"]["case_ref"]
        assert "A case reference" in message
    assert db.table("citizen").count == before


def test_a_foreign_character_is_named_even_when_invisible():
    assert case_ref_problem("SIL\u200b-1") == ("character", "\u200b")
    assert describe_character("\u200b") == "(U+200B ZERO WIDTH SPACE)"
    assert describe_character("\u0421") == '"\u0421" (U+0421 CYRILLIC CAPITAL LETTER ES)'


def test_the_message_names_the_character(auth):
    response = auth("worker").post("/api/v1/citizens", json={"case_ref": "SIL\u20100001", "goal": "job"}, headers={"Accept-Language": "en"})
    assert "U+2010 HYPHEN" in response.json["errors"]["case_ref"][0]


@pytest.mark.parametrize("ref", ["SIL-0001", "A-17", "2024-0042", "ØST 12", "Hälsa/3", "SB.2026.000123", "j_7", "Åse-1"])
def test_ordinary_case_refs_are_accepted(ref):
    assert case_ref_problem(ref) is None


def test_a_decomposed_letter_is_stored_composed(auth, db):
    response = auth("worker").post("/api/v1/citizens", json={"case_ref": "A\u030aSE-1", "goal": "job"})
    assert response.status_code == 201, response.json
    assert response.json["case_ref"] == "\u00c5SE-1"


def test_the_same_reference_may_be_used_by_another_team(auth, world):
    assert auth("worker").post("/api/v1/citizens", json={"case_ref": "b-1", "goal": "job"}).status_code == 201
    assert auth("other").post("/api/v1/citizens", json={"case_ref": "a 1", "goal": "job"}).status_code == 201


def test_renaming_to_a_look_alike_is_refused_and_to_itself_is_fine(auth, world, db):
    lead = auth("lead")
    other = lead.post("/api/v1/citizens", json={"case_ref": "A-2", "goal": "job"}).json["id"]
    response = lead.patch(f"/api/v1/citizens/{other}", json={"case_ref": "a.1"})
    assert response.status_code == 409 and response.json["code"] == "case_ref_taken"
    assert lead.patch(f"/api/v1/citizens/{world['citizen']}", json={"case_ref": "a-1"}).status_code == 200
    assert db.execute("SELECT case_ref, ref_key FROM citizen WHERE id = ?", [world["citizen"]]).fetchone() == ("a-1", "A1")


def test_the_web_form_shows_the_message_next_to_the_field(auth, world, db):
    lead = auth("lead")
    page = lead.get("/citizens/new", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    before = db.table("citizen").count
    response = lead.post(
        "/citizens/new", data={"case_ref": "a-1", "goal": "job", "gender": "unknown"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code in (409, 422), response.status_code
    assert "looks the same" in response.get_data(as_text=True)
    assert db.table("citizen").count == before
