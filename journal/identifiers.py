"""One normaliser for identifiers, and the rules of a case reference.

An identifier can be typed in many spellings that a person reads as the same thing: "SIL-0001",
"sil-0001", "SIL‐0001" (U+2010 hyphen), "SIL-0001" with a zero-width space, "ＳＩＬ－０００１"
(full width), or "SIL‑0001" behind a right-to-left override. Whoever compares identifiers
(the national-ID recogniser, the export's scrubber, the uniqueness of case references) must
first bring them to one spelling, or a look-alike walks round the check (issue 13). This is
that one place:

- normalise(): NFKC (full-width and compatibility forms become plain ones), every format
  character removed (zero-width spaces, soft hyphens, byte-order marks, bidi controls), and
  every dash, slash and space folded to "-", "/" and " ".
- ref_key(): a case reference without case or separators, as the scrubber looks for it in
  free text ("SIL-0001", "sil 0001" and "SIL/0001" are one reference); unique_ref_key()
  also reads O as 0 and I as 1, and is the key that must be unique per team.
- case_ref_problem(): why a typed case reference cannot be stored (characters outside the
  documented set, docs/api.md "Case references"), or None.
"""
import re
import unicodedata

#: Every format character (Unicode category Cf: zero-width spaces, soft hyphens, byte-order
#: marks, bidi controls); tests/test_identifiers.py checks it against unicodedata.
FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

#: Every dash (Unicode category Pd, as NFKC leaves it) and the minus signs people type for one;
#: tests/test_identifiers.py checks the Pd part against unicodedata.
DASHES = (
    "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40"
    "\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\U00010ead"
    "\u2212\u02d7\u2043\u2796"
)
#: Slashes that are not "/" after NFKC, and the backslash typed for one.
SLASHES = "\u2044\u2215\u29f8\\"
#: Spaces NFKC leaves as they are (every other Zs space becomes " ").
SPACES = "\u1680"
#: Dots typed between the parts of a number ("01·01·90").
DOTS = "\u00b7\u2027\u2219\u30fb"

_FOLD = str.maketrans(
    {**{c: "-" for c in DASHES}, **{c: "/" for c in SLASHES}, **{c: " " for c in SPACES}, **{c: "." for c in DOTS}}
)


def normalise(text):
    """What an identifier really says: NFKC, no format characters, plain separators."""
    if not text or text.isascii():  # plain ASCII is already all of that
        return text or ""
    return FORMAT_CHARACTERS.sub("", unicodedata.normalize("NFKC", text)).translate(_FOLD)


_NOT_ALNUM = re.compile(r"[\W_]+")


def ref_key(text):
    """The case reference as a key: normalised, separators gone, upper case.
    "SIL-0014", "sil 0014", "SIL/0014" and "ＳＩＬ－００１４" → "SIL0014"."""
    return _NOT_ALNUM.sub("", normalise(text)).upper()


#: Letters a reader cannot tell from a digit in many fonts, read as the digit.
_LIKE_DIGITS = str.maketrans("OI", "01")


def unique_ref_key(text):
    """The key that is unique per team (citizen.ref_key): ref_key() with O read as 0 and I as
    1, so "SIL-O001" and "SIL-0001", which a colleague reading aloud cannot tell apart, are
    one reference."""
    return ref_key(text).translate(_LIKE_DIGITS)


#: The letters a case reference may hold: A–Z and the Danish and Swedish letters, in both cases.
CASE_REF_LETTERS = "A-Za-zÆØÅÄÖÜæøåäöü"
#: The separators a case reference may hold, one at a time between letters and digits.
CASE_REF_SEPARATORS = "-/._ "
#: The whole rule as a regular expression (also the OpenAPI pattern of the field).
CASE_REF_PATTERN = rf"^[{CASE_REF_LETTERS}0-9](?:[\-/._ ]?[{CASE_REF_LETTERS}0-9])*$"
CASE_REF = re.compile(CASE_REF_PATTERN)
_ALLOWED = re.compile(rf"[{CASE_REF_LETTERS}0-9{re.escape(CASE_REF_SEPARATORS)}]")


def first_foreign_character(text):
    """The first character of *text* outside the case-reference set, or None."""
    for char in text:
        if not _ALLOWED.fullmatch(char):
            return char
    return None


def describe_character(char):
    """'"‐" (U+2010 HYPHEN)': a character named so a person can find it, even an invisible one."""
    shown = char if unicodedata.category(char)[0] not in "CZ" else ""
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}" + (f" {name}" if name else "")
    return f'"{shown}" ({code})' if shown else f"({code})"


def case_ref_problem(text):
    """None when *text* (already stripped) is a well-formed case reference; otherwise what is
    wrong, as ("character", char) or ("shape", None).

    Only A–Z, Æ Ø Å Ä Ö Ü, digits and single separators "- / . _" or a space between them:
    a reference is something to read aloud on the phone and type again on another system.
    Composed letters are accepted in either Unicode form (NFC is what is stored)."""
    text = unicodedata.normalize("NFC", text)
    char = first_foreign_character(text)
    if char is not None:
        return ("character", char)
    if not CASE_REF.fullmatch(text):
        return ("shape", None)
    return None
