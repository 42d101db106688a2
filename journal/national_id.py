"""Recognise Danish CPR numbers and Swedish personnummer/samordningsnummer in text.

The journal never stores national ID numbers: a case reference that contains one is refused,
and research exports scrub them from free text (journal/scrub.py) with this same recogniser. Recognition is deliberately by shape,
not checksum: Danish CPR numbers issued since 2007 need not pass the modulus-11 check, and a
number that merely looks like one should not be stored either. A shape is a real calendar
day (day+60 for Swedish samordningsnummer) followed by four digits, with or without a
separator, and not inside a longer run of digits.
"""
import re
import unicodedata
from datetime import date

# A separator between the date and the serial, as people type it: hyphen, plus (Swedish
# 100+), any dash an editor's autocorrect makes, slash, underscore, dot, doubled ("--"), or
# spaces ("010190  1234", "010190 - 1234"). Full-width forms and zero-width characters are
# gone after normalise().
_SEP = r"(?:[\s\-+_/.\u2010-\u2015\u2212]{1,3})?"
# ddmmyy-xxxx (CPR) or yymmdd-xxxx (SE short form); 10 digits in all.
_TEN = re.compile(rf"(?<!\d)(\d{{2}})(\d{{2}})(\d{{2}}){_SEP}(\d{{4}})(?![\d])")
# The same with day, month and year separated too ("01.01.90-1234"): then the serial must
# follow a dash or slash, so that a date and a time ("24.11.26 1030") is not taken for one.
_DOTTED = re.compile(
    r"(?<![\d.\-/])(\d{2})([.\-/])(\d{2})\2(\d{2})\s?[\-/\u2010-\u2015\u2212]{1,2}\s?(\d{4})(?![\d])"
)
# yyyymmdd-xxxx (SE long form); 12 digits in all.
_TWELVE = re.compile(rf"(?<!\d)((?:18|19|20)\d{{2}})(\d{{2}})(\d{{2}}){_SEP}(\d{{4}})(?![\d])")


#: Every format character (Unicode category Cf: zero-width spaces, soft hyphens, byte-order
#: marks, bidi controls); tests/test_national_id.py checks it against unicodedata.
FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def normalise(text):
    """NFKC (full-width digits and dashes become plain ones) without format characters
    (zero-width spaces, soft hyphens, byte-order marks): what a number really says."""
    if not text or text.isascii():  # plain ASCII is already both
        return text or ""
    return FORMAT_CHARACTERS.sub("", unicodedata.normalize("NFKC", text))


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


def find(text):
    """Every national-ID-shaped span in *text*, as (start, end) pairs, left to right."""
    spans = []
    for match in _TWELVE.finditer(text):
        year, mm, dd, _ = match.groups()
        if _se_shaped(None, mm, dd, full_year=int(year)):
            spans.append(match.span())
    for match in _TEN.finditer(text):
        if any(s <= match.start() < e for s, e in spans):
            continue
        a, b, c, _ = match.groups()
        if _cpr_shaped(a, b, c) or _se_shaped(a, b, c):
            spans.append(match.span())
    for match in _DOTTED.finditer(text):
        if any(s <= match.start() < e for s, e in spans):
            continue
        a, _sep, b, c, _serial = match.groups()
        if _cpr_shaped(a, b, c) or _se_shaped(a, b, c):
            spans.append(match.span())
    return sorted(spans)


def contains_national_id(text):
    """True when *text* holds something shaped like a CPR number or personnummer, in any
    spelling (full-width digits, zero-width characters, any separator)."""
    return bool(find(normalise(text)))
