"""Recognise Danish CPR numbers and Swedish personnummer/samordningsnummer in text.

The journal never stores national ID numbers: a case reference that contains one is refused,
and research exports scrub them from free text (journal/scrub.py) with this same recogniser. Recognition is deliberately by shape,
not checksum: Danish CPR numbers issued since 2007 need not pass the modulus-11 check, and a
number that merely looks like one should not be stored either. A shape is a real calendar
day (day+60 for Swedish samordningsnummer) followed by four digits, with or without a
separator, and not inside a longer run of digits.
"""
import re
from datetime import date

from .identifiers import FORMAT_CHARACTERS, normalise  # noqa: F401  (re-exported: one normaliser)

# The patterns read normalised text (journal/identifiers.py): every dash is "-", every slash
# "/", every space " ", and invisible characters are gone.
#
# A separator between the date and the serial, as people type it: hyphen, plus (Swedish
# 100+), slash, underscore, dot, doubled ("--"), or spaces ("010190  1234", "010190 - 1234").
_SEP = r"(?:[\s\-+_/.]{1,3})?"
_TWO = r"(\d{2})"
_YEAR = r"((?:18|19|20)\d{2})"
# After a date written with separators the serial follows a dash, slash or plus, so that a
# date and a time ("24.11.26 1030", "2026-03-14 1030") is not taken for a number; after a
# date spaced out ("01 01 90 1234") a space will do.
_AFTER_PUNCT = r"\s?[\-/+]{1,2}\s?"
_AFTER_SPACE = r"(?: {1,2}|\s?[\-/+]{1,2}\s?)"


def _compact(first, second, third):
    """The date's digits run together, an optional separator, four digits: "010190-1234"."""
    return re.compile(rf"(?<!\d){first}{second}{third}{_SEP}(\d{{4}})(?!\d)")


def _separated(first, third):
    """The date's parts separated by one and the same ".", "-" or "/" ("01.01.90-1234",
    "1990-01-01-1234"), or by spaces ("01 01 90 1234"), then the serial."""
    return (
        re.compile(rf"(?<![\d.\-/]){first}([.\-/]){_TWO}\2{third}{_AFTER_PUNCT}(\d{{4}})(?!\d)"),
        re.compile(rf"(?<![\d.\-/]){first}( {{1,2}}){_TWO}\2{third}{_AFTER_SPACE}(\d{{4}})(?!\d)"),
    )


# (pattern, how its date reads), longest forms first: a span found once is not found again.
# "ymd": yyyymmdd (Swedish long form); "dmy": ddmmyyyy (a CPR typed with the whole year);
# "short": ddmmyy (CPR) or yymmdd (Swedish short form).
_PATTERNS = (
    [(_compact(_YEAR, _TWO, _TWO), "ymd"), (_compact(_TWO, _TWO, _YEAR), "dmy")]
    + [(p, "ymd") for p in _separated(_YEAR, _TWO)]
    + [(p, "dmy") for p in _separated(_TWO, _YEAR)]
    + [(_compact(_TWO, _TWO, _TWO), "short")]
    + [(p, "short") for p in _separated(_TWO, _TWO)]
)


def _is_day(year, month, day):
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _two_digit_year_day(yy, month, day):
    """A real day in 19yy or 20yy (CPR and short personnummer leave the century open)."""
    return _is_day(1900 + yy, month, day) or _is_day(2000 + yy, month, day)


def _cpr_shaped(a, b, c):
    """ddmmyy"""
    return _two_digit_year_day(int(c), int(b), int(a))


def _se_shaped(yy, mm, dd, full_year=None):
    """yymmdd or yyyymmdd; day + 60 is a samordningsnummer."""
    month, day = int(mm), int(dd)
    if day > 60:
        day -= 60
    if full_year is not None:
        return _is_day(full_year, month, day)
    return _two_digit_year_day(int(yy), month, day)


def _dated(groups, reading):
    """The date part of a match is a real day for its reading."""
    digits = [g for g in groups[:-1] if g and g.isdigit()]
    a, b, c = digits
    if reading == "ymd":
        return _se_shaped(None, b, c, full_year=int(a))
    if reading == "dmy":
        return _is_day(int(c), int(b), int(a))
    return _cpr_shaped(a, b, c) or _se_shaped(a, b, c)


def find(text):
    """Every national-ID-shaped span in normalised *text*, as (start, end) pairs, left to right."""
    spans = []
    for pattern, reading in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s <= match.start() < e or s < match.end() <= e for s, e in spans):
                continue
            if _dated(match.groups(), reading):
                spans.append(match.span())
    return sorted(spans)


def contains_national_id(text):
    """True when *text* holds something shaped like a CPR number or personnummer, in any
    spelling (full-width digits, zero-width characters, any separator)."""
    return bool(find(normalise(text)))
