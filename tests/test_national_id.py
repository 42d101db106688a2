"""Unit tests for journal/national_id.py.

DESIGN.md "Domain" (Citizen): a case reference holding a Danish CPR number or a Swedish
personnummer/samordningsnummer is refused; the research export scrubs them from free text.
Ordinary case references, phone numbers and other digit runs must pass.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.national_id import contains_national_id, find, normalise

PROPS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NATIONAL_IDS = [
    # Danish CPR: ddmmyy-xxxx
    pytest.param("010190-1234", id="cpr-dash"),
    pytest.param("0101901234", id="cpr-plain"),
    pytest.param("010190 1234", id="cpr-space"),
    pytest.param("311299-4321", id="cpr-31-dec"),
    pytest.param("290200-1234", id="cpr-29-feb-2000"),
    pytest.param("290288-1234", id="cpr-29-feb-1988"),
    pytest.param("010107-0000", id="cpr-2007"),
    pytest.param("150645-9999", id="cpr-1945"),
    # Swedish personnummer: yymmdd-xxxx, yymmdd+xxxx (100 or older), yyyymmdd-xxxx
    pytest.param("900101-1234", id="se-dash"),
    pytest.param("900101+1234", id="se-plus-centenarian"),
    pytest.param("9001011234", id="se-plain"),
    pytest.param("881231-5678", id="se-31-dec"),
    pytest.param("19900101-1234", id="se-long-dash"),
    pytest.param("199001011234", id="se-long-plain"),
    pytest.param("19900101 1234", id="se-long-space"),
    pytest.param("20000229-1234", id="se-long-29-feb-2000"),
    pytest.param("18991231-1234", id="se-long-1899"),
    pytest.param("20121130-1234", id="se-long-2012"),
    # Swedish samordningsnummer: day + 60
    pytest.param("900161-1234", id="se-samordning"),
    pytest.param("9001611234", id="se-samordning-plain"),
    pytest.param("881291-5678", id="se-samordning-31-dec"),
    pytest.param("19900161-1234", id="se-samordning-long"),
    pytest.param("199001911234", id="se-samordning-long-plain-day-91"),
    # embedded in text
    pytest.param("CPR 010190-1234 ok", id="embedded-cpr"),
    pytest.param("cpr:0101901234.", id="embedded-cpr-punctuation"),
    pytest.param("(010190-1234)", id="embedded-parens"),
    pytest.param("pnr 19900101-1234, ring", id="embedded-se-long"),
    pytest.param("Född 900101+1234 i Malmö", id="embedded-se-plus"),
    pytest.param("A-010190-1234", id="embedded-in-case-ref"),
    pytest.param("SIL-0001 / 010190-1234", id="case-ref-then-cpr"),
    pytest.param("line one\n010190-1234\nline three", id="embedded-own-line"),
    # spellings caseworkers really type (issue 11): every separator, dotted dates, full-width
    # and zero-width characters
    pytest.param("010190--1234", id="double-separator"),
    pytest.param("010190_1234", id="underscore-separator"),
    pytest.param("010190/1234", id="slash-separator"),
    pytest.param("010190  1234", id="two-spaces"),
    pytest.param("01.01.90-1234", id="dotted-date"),
    pytest.param("01-01-90-1234", id="dashed-date"),
    pytest.param("010190\uff0d1234", id="full-width-hyphen"),
    pytest.param("\uff10\uff11\uff10\uff11\uff19\uff10-1234", id="full-width-digits"),
    pytest.param("0101\u200b90-1234", id="zero-width-space"),
    pytest.param("010190\u00ad-1234", id="soft-hyphen"),
]

NOT_NATIONAL_IDS = [
    pytest.param("SIL-0001", id="case-ref-sil"),
    pytest.param("A-17", id="case-ref-short"),
    pytest.param("A-1", id="case-ref-a1"),
    pytest.param("2024-0042", id="case-ref-year-seq"),
    pytest.param("TEAM-2026-11", id="case-ref-team-year"),
    pytest.param("SB-2026-000123", id="case-ref-long-seq"),
    pytest.param("1234567890", id="ten-digits-not-a-date"),
    pytest.param("123456-7890", id="ten-digits-not-a-date-dash"),
    pytest.param("310290-1234", id="31-february"),
    pytest.param("300290-1234", id="30-february"),
    pytest.param("000000-0000", id="zeros"),
    pytest.param("991399-1234", id="month-13"),
    pytest.param("+45 12 34 56 78", id="dk-phone-grouped"),
    pytest.param("+45 12345678", id="dk-phone"),
    pytest.param("+4512345678", id="dk-phone-plain"),
    pytest.param("+46 70 123 45 67", id="se-phone"),
    pytest.param("12010190123456", id="inside-longer-digit-run"),
    pytest.param("0101901234567", id="ten-plus-three-digits"),
    pytest.param("90010112345", id="eleven-digits"),
    pytest.param("010190-12345", id="five-digit-tail"),
    pytest.param("010190-123", id="three-digit-tail"),
    pytest.param("21900101-1234", id="long-form-year-2190"),
    pytest.param("19901301-1234", id="long-form-month-13"),
    pytest.param("2026-01-15", id="iso-date"),
    pytest.param("150126", id="six-digits"),
    pytest.param("Mødt 15.01.2026 kl. 10:30", id="meeting-note"),
    pytest.param("Møde 24.11.26 1030", id="date-then-time"),
    pytest.param("2026-03-14 1030", id="iso-date-then-time"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
]


@pytest.mark.parametrize("text", NATIONAL_IDS)
def test_national_ids_are_recognised(text):
    assert contains_national_id(text) is True
    assert find(normalise(text)) != []  # find() reads normalised text, as the scrubber gives it


@pytest.mark.parametrize("text", NOT_NATIONAL_IDS)
def test_other_references_and_numbers_pass(text):
    assert contains_national_id(text) is False
    assert find(text) == []


@pytest.mark.parametrize("text", ["CPR 010190\u20131234", "010190 - 1234", "19900101 \u2013 1234"])
def test_a_cpr_with_a_typographic_dash_or_spaced_dash_is_recognised(text):
    assert contains_national_id(text)


@pytest.mark.parametrize("text", ["290233-1234", "19010229-1234"])
def test_impossible_days_are_not_ids(text):
    """29 February exists only in leap years: neither 1933/2033 nor 1901 is one (and 33 is
    no day for the Swedish reading yymmdd either)."""
    assert contains_national_id(text) is False


def test_29_february_of_a_leap_year_is_an_id():
    assert contains_national_id("290232-1234")  # 1932


def test_contains_national_id_of_nothing_is_false():
    assert contains_national_id(None) is False


@pytest.mark.parametrize(
    "text, spans",
    [
        ("CPR 010190-1234 ok", [(4, 15)]),
        ("0101901234", [(0, 10)]),
        ("010190 1234", [(0, 11)]),
        ("19900101-1234", [(0, 13)]),
        ("199001011234", [(0, 12)]),
        ("pnr 19900161-1234.", [(4, 17)]),
        ("0101901234 and 19900101-1234", [(0, 10), (15, 28)]),
        ("19900101-1234 and 0101901234", [(0, 13), (18, 28)]),
        ("a 900101+1234 b 020290-5678 c", [(2, 13), (16, 27)]),
        ("SIL-0001", []),
        ("", []),
    ],
)
def test_find_returns_the_spans_left_to_right(text, spans):
    assert find(text) == spans


def test_the_long_form_is_one_span_not_also_a_short_one():
    text = "19900101-1234"
    assert find(text) == [(0, len(text))]


# --- properties -------------------------------------------------------------------------

dates = st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31))
long_dates = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
serials = st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}")
seps = st.sampled_from(["", "-", " "])
se_seps = st.sampled_from(["", "-", "+", " "])
no_digit_text = st.text(
    alphabet=st.characters(categories=["L", "Zs", "P"], exclude_characters="0123456789"),
    max_size=15,
).filter(lambda s: not any(c.isdigit() for c in s))


@given(dates, seps, serials)
@PROPS
def test_prop_every_real_cpr_is_recognised(day, sep, serial):
    text = f"{day:%d%m%y}{sep}{serial}"
    assert find(text) == [(0, len(text))]


@given(dates, se_seps, serials, st.booleans())
@PROPS
def test_prop_every_real_swedish_short_form_is_recognised(day, sep, serial, coordination):
    dd = day.day + (60 if coordination else 0)
    text = f"{day:%y%m}{dd:02d}{sep}{serial}"
    assert find(text) == [(0, len(text))]


@given(long_dates, se_seps, serials, st.booleans())
@PROPS
def test_prop_every_real_swedish_long_form_is_recognised(day, sep, serial, coordination):
    dd = day.day + (60 if coordination else 0)
    text = f"{day.year:04d}{day:%m}{dd:02d}{sep}{serial}"
    assert find(text) == [(0, len(text))]


@given(no_digit_text, dates, seps, serials, no_digit_text)
@PROPS
def test_prop_an_id_embedded_in_text_is_found_where_it_is(prefix, day, sep, serial, suffix):
    number = f"{day:%d%m%y}{sep}{serial}"
    text = prefix + number + suffix
    assert contains_national_id(text)
    assert find(text) == [(len(prefix), len(prefix) + len(number))]


@given(no_digit_text)
@PROPS
def test_prop_text_without_digits_never_holds_an_id(text):
    assert find(text) == []
    assert contains_national_id(text) is False


@given(st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) not in (10, 12)))
@PROPS
def test_prop_a_plain_digit_run_of_other_length_is_never_an_id(digits):
    assert find(digits) == []


@given(st.text(alphabet="0123456789 -+abc\n", max_size=40))
@PROPS
def test_prop_spans_are_sorted_disjoint_and_shaped_like_ids(text):
    spans = find(text)
    assert spans == sorted(spans)
    for (s1, e1), (s2, _e2) in zip(spans, spans[1:]):
        assert e1 <= s2
    for start, end in spans:
        piece = text[start:end]
        digits = [c for c in piece if c.isdigit()]
        assert len(digits) in (10, 12)
        assert len(piece) - len(digits) <= 1
        assert piece[0].isdigit() and piece[-1].isdigit()
        assert start == 0 or not text[start - 1].isdigit()
        assert end == len(text) or not text[end].isdigit()
    assert contains_national_id(text) is bool(spans)


def test_format_characters_are_every_cf_character_unicode_knows():
    import sys
    import unicodedata

    from journal.national_id import FORMAT_CHARACTERS

    for code in range(sys.maxunicode + 1):  # later Unicode versions made some unassigned ones Cf
        ch = chr(code)
        category = unicodedata.category(ch)
        if category == "Cf":
            assert FORMAT_CHARACTERS.fullmatch(ch), hex(code)
        elif FORMAT_CHARACTERS.fullmatch(ch):
            assert category == "Cn", hex(code)
