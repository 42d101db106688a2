"""The password policy: long enough, and not easy to guess for this user (issue 13 point 3).

A new password is refused when it is shorter than MIN_LENGTH or longer than the forms allow,
when it contains the username, or when zxcvbn scores it below MIN_SCORE. zxcvbn (Dropbox's
estimator, maintained in Python as the `zxcvbn` package) ships its own lists of common
passwords, names and English words, and sees keyboard rows, sequences, dates, repeats, l33t
spellings and reversed words; nothing is fetched. It is told the user's context, which it
treats as the first words an attacker tries: the username, the parts of the display name, the
team's name and municipality, the product and workplace words below, and Danish and Swedish
password words that its English lists lack (journal/lexicon/passwords.txt).

Pure: no database and no request. journal/users.py gathers the context and calls check().
docs/decisions.md "Passwords" says why these rules and numbers.
"""
import functools
import re
import threading
import unicodedata
from pathlib import Path

from flask_babel import gettext as _
from zxcvbn import matching, zxcvbn

from .config import LIMITS
from .errors import Invalid

#: 10, not ASVS V2.1.1's 12 (docs/security.md): with MIN_SCORE below, a random string needs
#: 11–12 characters anyway, and a phrase of three words has more.
MIN_LENGTH = 10
MAX_LENGTH = LIMITS["password"]
#: zxcvbn's 4: 10^10 guesses or more. Its 3 (10^8) lets a context word with a year and two
#: marks through ("Jobcenter2026!!", "Malmö2026!!"); three unrelated words reach 4 easily.
MIN_SCORE = 4
#: zxcvbn counts a space or dash as a random character and reads " 2026" as five random
#: characters, not a year: "Jobcenter Silkeborg 2026" scores 10^12 as typed and 10^8.3
#: joined up. So the password without its separators must still need 10^9 guesses (one
#: power of ten less than MIN_SCORE asks: the separators do add a little).
MIN_JOINED_LOG10 = 9
SEPARATORS = re.compile(r"[\s._-]+")
#: zxcvbn scores only the first 72 characters. Its time grows with the l33t substitutions it
#: tries: a string of symbols and digits takes up to two seconds at 72 characters and three
#: at 100 (on the CI machine's size), and zxcvbn 4.5 refuses longer input by default for that
#: reason (it was a denial of service). Characters beyond these are still part of the password
#: (up to MAX_LENGTH) and of its hash; they are only not scored, so a weak start is refused
#: whatever follows.
SCORED_LENGTH = 72
#: The journal's own name and the workplaces' words, in Danish and Swedish: the first guesses
#: of someone who knows where the password is used.
PRODUCT_WORDS = (
    "forventningsjournal", "forventning", "forventninger", "journal",
    "jobcenter", "jobcentret", "jobcentrum", "kommune", "kommunen", "kommun",
    "arbetsförmedlingen", "arbetsförmedling", "borger", "borgere", "medborgare",
)
WORDS_FILE = Path(__file__).resolve().parent / "lexicon" / "passwords.txt"

# Spellings without æ ø å ä ö: people type "kobenhavn" and "koebenhavn" for København.
_FOLDS = (
    str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "é": "e"}),
    str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "é": "e"}),
)
# zxcvbn keeps the user inputs of the call in a module-level dictionary while it scores:
# two threads (gunicorn's gthread workers) must not score at the same time.
_LOCK = threading.Lock()


def _guessable():
    return _(
        "This password is too easy to guess: it is common, or contains a name, the team's name "
        "or the journal's name. Use a few unrelated words."
    )


def _norm(text):
    return unicodedata.normalize("NFC", text or "").casefold()


def _spellings(word):
    return [word, *(word.translate(fold) for fold in _FOLDS)]


def parse_words(text):
    """The words of a word file's text: one a line, "#" comment lines and blank lines skipped."""
    return [_norm(line.strip()) for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


@functools.cache
def password_words():
    """The Danish and Swedish password words, read once per process."""
    return tuple(parse_words(WORDS_FILE.read_text(encoding="utf-8")))


def _parts(text):
    """The text whole and each word of 3+ letters: Unge Silkeborg → ungesilkeborg, unge, silkeborg."""
    words = [w for w in re.split(r"[\W_]+", _norm(text)) if w]
    return ["".join(words), *(w for w in words if len(w) >= 3)]


def context_words(username, display_name=None, team_name=None, municipality=None):
    """What zxcvbn is told before the password: most personal first (it ranks by order)."""
    words = []
    for text in (username, display_name, team_name, municipality):
        words += _parts(text)
    words += PRODUCT_WORDS
    words += password_words()
    spelled = (spelling for word in words for spelling in _spellings(word))
    return list(dict.fromkeys(w for w in spelled if len(w) >= 3))


def estimate(password, inputs):
    """zxcvbn's result for the first SCORED_LENGTH characters of *password* (a dict with
    "score" 0–4 and "guesses_log10", among others)."""
    with _LOCK:
        try:
            return zxcvbn(password[:SCORED_LENGTH], user_inputs=inputs, max_length=SCORED_LENGTH)
        finally:
            # do not keep this user's name in a module-level dictionary after the check
            getattr(matching, "RANKED_DICTIONARIES", {}).pop("user_inputs", None)


def guessable(password, inputs):
    """True when *password*, as typed or without its separators, is too easy to guess."""
    password = unicodedata.normalize("NFC", password)[:SCORED_LENGTH]
    if estimate(password, inputs)["score"] < MIN_SCORE:
        return True
    joined = SEPARATORS.sub("", password)
    return joined != password and estimate(joined, inputs)["guesses_log10"] < MIN_JOINED_LOG10


def problems(password, *, username, display_name=None, team_name=None, municipality=None):
    """What is wrong with *password* for this user, as messages in the request's language;
    an empty list when it is good."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(n)s characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Between {min} and {max} characters.").format(min=MIN_LENGTH, max=MAX_LENGTH)]
    typed = _norm(password)
    name = _norm(username)
    if len(name) >= 3 and name in typed:
        return [_guessable()]
    if guessable(password, context_words(username, display_name, team_name, municipality)):
        return [_guessable()]
    return []


def check(password, **context):
    """:raises Invalid: the password breaks the policy, with the messages under "password"."""
    found = problems(password, **context)
    if found:
        raise Invalid(errors={"password": found})
