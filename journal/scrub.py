"""Scrubbing free text for research: pure functions over a string, no database.

A caseworker's note is where identifiers slip in, in the spellings people really type:
"010190/1234", "SIL 0014", "anna(at)example.dk", "Østergade 12, 8000 Aarhus", "17. mars
1972", "Dr. Krogh". So the text is first normalised (NFKC: full-width digits and dashes
become plain ones; format characters such as zero-width spaces are removed), then each kind
is replaced by its marker, in an order where no kind leaves a piece of another behind
(national ID numbers before dates and phone numbers, e-mail before names):

    [CPR] national ID numbers   [EMAIL] e-mail addresses    [PHONE] phone numbers
    [DATE] dates                [ADDRESS] street addresses and postcode + town
    [REF] the system's case references, in any spelling and inside longer tokens
    [NAME] names the system knows, in any spelling, and every capitalised word inside a
           sentence (Danish and Swedish capitalise only proper nouns), except a short
           allow-list of institutions and abbreviations

Ordinary lower-case words are left alone: a known name typed in lower case is matched only
with three letters or more and when it is not also an everyday word (COMMON_WORDS: "per",
"dag", "rask", "bo" stay), and a team's name is matched as a whole, never word by word
("Unge Silkeborg", not "unge").
"""
import re
from collections import Counter

from . import national_id
from .identifiers import ref_key

KINDS = ("CPR", "EMAIL", "PHONE", "DATE", "ADDRESS", "REF", "NAME")

# --- normalisation ----------------------------------------------------------------------------


def normalise(text):
    """The one normaliser of identifiers (journal/identifiers.py): NFKC, format characters
    (zero-width space, soft hyphen, BOM, bidi controls) removed, dashes, slashes and spaces
    plain."""
    return national_id.normalise(text)


# --- patterns ---------------------------------------------------------------------------------

_DASH = "\\-\u2010-\u2015\u2212"
EMAIL = re.compile(
    r"[\w.+-]+\s*(?:@|\(\s*at\s*\)|\[\s*at\s*\]|\{\s*at\s*\}|\s(?:snabel-a|snabela)\s)\s*"
    r"[\w-]+(?:(?:\.|\s*[(\[]\s*(?:dot|punkt|punktum)\s*[)\]]\s*|\s+(?:dot|punkt|punktum)\s+)[\w-]+)+",
    re.IGNORECASE,
)
#: What every e-mail address EMAIL finds holds: a cheap test before the costly pattern.
EMAIL_HINT = re.compile(r"@|[(\[{]\s*at\s*[)\]}]|snabel", re.IGNORECASE)
# 8–12 digits with spaces, dots, slashes or any dash between them, an optional +/00 country
# code and an optional area code in brackets: "+45 12 34 56 78", "(070) 123 45 67",
# "20–12–34–56", "20/12 34 56".
PHONE = re.compile(rf"(?<![\w+])(?:\+|00)?\(?\d(?:\)?(?:\s?[{_DASH}./]\s?|\s)?\d){{7,11}}(?!\w)")

_MONTHS = (
    r"jan(?:uar|uari|uary)?|feb(?:ruar|ruari|ruary)?|mar(?:ts|s|ch)?|apr(?:il)?|maj|aug(?:ust|usti)?|"
    r"jun(?:i)?|jul(?:i)?|sep(?:t|tember)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|may"
)
DATE = re.compile(
    r"(?<![\w.,/])(?:"
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}"  # 2026-03-14
    rf"|\d{{1,2}}\s?[./{_DASH}]\s?\d{{1,2}}(?:\s?[./{_DASH}]\s?\d{{2,4}})?"  # 14.3.26, 14/3-1972, 14-03-72, 14/3
    rf"|\d{{1,2}}\.?\s+(?:{_MONTHS})\.?(?:\s+\d{{2,4}})?"  # 17. mars 1972, 3 maj
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?"  # March 17, 1972
    r")(?![\w/]|[.\-\u2010-\u2015]\d)",
    re.IGNORECASE,
)
# Times ("kl. 10.30") look like dates; they are not identifying and stay.
TIME_BEFORE = re.compile(r"(?:kl\.?|klokken|klockan)\s*$", re.IGNORECASE)

_STREET = (
    r"vej|vejen|gade|gaden|stræde|strædet|allé|alle|boulevard|torv|torvet|plads|pladsen|vænget|"
    r"toften|bakken|parken|have|haven|høj|lund|engen|marken|kæret|sti|stien|"
    r"väg|vägen|gata|gatan|gränd|gränden|stig|stigen|backe|backen|torg|torget|plan|platsen|allén"
)
ADDRESS = re.compile(
    rf"(?<!\w)(?:[A-ZÆØÅÄÖÜ][\wæøåäöüé'-]*\s)?[A-ZÆØÅÄÖÜa-zæøåäöü][\wæøåäöüé-]*(?:{_STREET})\.?\s+\d+\s?[A-Za-z]?"
    r"(?:,?\s*\d+\.?\s*(?:th|tv|mf|sal)?\.?)?"  # Østergade 12, 2. th.
    r"|(?<!\d)(?:DK-?|SE-?|S-)?\d{4}\s+[A-ZÆØÅ][\wæøå]+(?:\s[A-ZÆØÅ][\wæøå]+)?"  # 8000 Aarhus C
    r"|(?<!\d)(?:SE-?|S-)?\d{3}\s\d{2}\s+[A-ZÅÄÖ][\wåäö]+",  # 211 45 Malmö
)
#: What every address ADDRESS finds holds, without its costly word-by-word start.
ADDRESS_HINT = re.compile(rf"(?:{_STREET})\.?\s+\d|\d{{4}}\s+[A-ZÆØÅ]|\d{{3}}\s\d{{2}}\s+[A-ZÅÄÖ]")

#: Everyday Danish and Swedish words that are also first or family names: in lower case they
#: are words ("per uge", "en god dag", "rask igen"), capitalised they are names.
COMMON_WORDS = frozenset(
    """
    per dag rask bo tor sol maj ask lis eli mai mie bent ulla hans ole kaj finn gert vang
    holm lund berg dal skov bak kjær strand have mark eng lind
    ros mild stig björn sten ek al alm ekman gul grå
    """.split()
)

ALNUM_RUN = re.compile(r"[^\W_]+")
#: What may stand between the parts of a case reference ("SIL – 0014", "j.nr.SIL0014").
REF_GAP = re.compile(rf"[\s{_DASH}_./#:]*")
LETTERS = re.compile(r"[A-Z]*")
TRAILING_DIGITS = re.compile(r"(.*?)(\d+)$")
REF_PART = re.compile(r"[/.\-]\d{1,3}(?!\d)")
DIGIT = re.compile(r"\d")
DIGITS = "0123456789"
NOT_DIGITS = re.compile(r"\D+")
#: Texts up to this long are remembered once scrubbed (at most SHORT_REMEMBERED of them).
SHORT = 60
SHORT_REMEMBERED = 50_000


def _not_a_date(match):
    """Keep what only looks like a date: a time ("kl. 10.30"), or numbers that cannot be a
    day and month ("12-34-56" is a phone number's beginning)."""
    if TIME_BEFORE.search(match.string[: match.start()]):
        return True
    numbers = [int(n) for n in re.findall(r"\d+", match.group(0))]
    if len(numbers) >= 2 and not re.search(r"[^\W\d_]", match.group(0)):
        first, second = numbers[0], numbers[1]
        if first > 999:  # 2026-03-14
            return not (1 <= second <= 12)
        return not (1 <= first <= 31 and 1 <= second <= 12)
    return False
WORD = re.compile(r"[^\W\d_]+(?:['’]s)?")

#: Capitalised words that are not names: institutions, programmes, abbreviations a
#: caseworker writes mid-sentence. Kept short on purpose: anything else capitalised inside a
#: sentence is a proper noun, and proper nouns identify.
ALLOWED_CAPITALISED = frozenset(
    """
    I CV FGU STU SOSU EUD EUX HF STX HHX HTX AMU UU KUU VUC EGU IGU OBU LAB PPR BUPL ADHD ADD
    PTSD OCD NA AA MR
    Jobcenter Jobcentret Jobcentre Jobnet Ydelsescenter Ydelseskontoret Borgerservice
    Ungdommens Uddannelsesvejledning Produktionsskole Produktionsskolen Erhvervsskole
    Arbetsförmedlingen Försäkringskassan Socialtjänsten Komvux SFI Vuxenutbildningen
    Danmark Sverige Dansk Svensk Engelsk Dansk- Svenska Danska
    Dr Læge Lægen Fru Hr
    """.split()
)
#: Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = re.compile(
    r"(?:\b(?:dr|hr|fr|fru|kl|nr|tlf|tel|ca|bl\.a|f\.eks|fx|jf|dvs|mht|evt|ang|vedr|resp|inkl|ekskl|mm|osv|"
    r"t\.ex|ev|st|s|ggr|j\.nr|jnr|sag|ref)\.)\s*$",
    re.IGNORECASE,
)
SENTENCE_END = ".!?:…"


def _starts_sentence(before):
    """Whether a word after *before* starts a sentence: nothing before it, or a full stop
    (not an abbreviation's), other end mark or line break. Looks only at the end of *before*,
    so a long text costs no more per word than a short one."""
    stripped = before.rstrip()
    if not stripped or "\n" in before[len(stripped):]:
        return True
    return stripped[-1] in SENTENCE_END and not ABBREVIATIONS.search(before, max(0, len(before) - 24))


# --- names ------------------------------------------------------------------------------------

#: Spellings a name is typed in: as written, without æ/ø/å/ä/ö, and with the Danish and
#: Swedish letters swapped (ø↔ö, æ↔ä, å↔aa).
_ASCII = (
    {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "é": "e"},
    {"æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "é": "e"},
    {"æ": "ä", "ø": "ö", "ä": "æ", "ö": "ø"},
)


def name_variants(word):
    """A name part in every spelling it is typed in, casefolded."""
    word = word.casefold()
    variants = {word}
    for table in _ASCII:
        variants.add("".join(table.get(ch, ch) for ch in word))
    variants |= {v.replace("aa", "å") for v in set(variants)}
    variants |= {v.replace("å", "aa") for v in set(variants)}
    return variants


class Scrubber:
    """Replaces identifying things in free text and counts what it replaced (per kind).

    :param names: person names the system knows (citizens' and users' display names,
        usernames): matched part by part, in every spelling
    :param case_refs: every case reference in the system
    :param phrases: names matched only as a whole phrase (teams, municipalities)
    """

    def __init__(self, names=(), case_refs=(), phrases=()):
        self._names, self._long = set(), set()
        for name in names:
            for part in re.split(r"[\s\-.]+", name or ""):
                if len(part) >= 2:
                    variants = name_variants(part)
                    self._names |= variants
                    if len(part) >= 3:
                        self._long |= variants - COMMON_WORDS
        self._refs = {ref_key(r) for r in case_refs if r and ref_key(r)}
        self._ref_prefixes = {LETTERS.match(k).group(0) for k in self._refs}
        # References are numbered: a text without a digit holds none, and most texts have none.
        self._refs_need_digits = all(DIGIT.search(k) for k in self._refs)
        self._refs_end_in_digits = all(k[-1].isdigit() for k in self._refs)
        self._ref_tails = {k[len(k.rstrip(DIGITS)):] for k in self._refs}
        self._ref_tail_widths = sorted({len(t) for t in self._ref_tails})
        self._ref_prefix_hint = (
            re.compile(rf"(?:{'|'.join(map(re.escape, sorted(self._ref_prefixes)))})[\s{_DASH}_./#:]{{0,3}}\d", re.IGNORECASE)
            if self._refs and all(self._ref_prefixes) else None
        )
        # Team names and municipalities, longest first, as one pattern (one pass per text).
        phrases = sorted({p for p in phrases if p and p.strip()}, key=len, reverse=True)
        self._phrases = re.compile(
            r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + r")(?!\w)",
            re.IGNORECASE,
        ) if phrases else None
        self.counts = Counter()
        self._short = {}

    # each kind -------------------------------------------------------------------------------

    def _sub(self, kind, pattern, text, keep=None):
        def replace(match):
            if keep and keep(match):
                return match.group(0)
            self.counts[kind] += 1
            return f"[{kind}]"

        return pattern.sub(replace, text)

    def _refs_in(self, text):
        """Case references in any spelling: "#SIL-0014", "SIL–0014", "SIL 0014", "j.nr.SIL0014/2"."""
        if not self._refs or (self._refs_need_digits and not DIGIT.search(text)):
            return text
        if self._refs_end_in_digits and not self._could_hold_ref(text):
            return text
        runs = list(ALNUM_RUN.finditer(text))
        numbered = [bool(DIGIT.search(r.group(0)[-1])) for r in runs]  # a run that ends in a digit
        spans = []
        i = 0
        while i < len(runs):
            found = None
            for width in (3, 2, 1):
                window = runs[i : i + width]
                if len(window) < width or (self._refs_end_in_digits and not numbered[i + width - 1]):
                    continue
                key = "".join(r.group(0) for r in window).upper()
                if self._refs_end_in_digits and key[len(key.rstrip(DIGITS)):] not in self._ref_tails:
                    continue  # no reference ends in these digits
                gaps = [text[a.end() : b.start()] for a, b in zip(window, window[1:])]
                if any(len(g) > 3 or not REF_GAP.fullmatch(g) for g in gaps):
                    continue
                start = self._ref_start(key)
                if start is not None:
                    found = (window, start)
                    break
            if found:
                window, offset = found
                for run in window:  # the key's offset, back in the text (gaps are not in the key)
                    if offset < len(run.group(0)):
                        break
                    offset -= len(run.group(0))
                end = window[-1].end()
                suffix = REF_PART.match(text, end)  # "SIL-0014/2": a part of the case
                spans.append((run.start() + offset, suffix.end() if suffix else end))
                i += len(window)
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + "[REF]" + text[end:]
        self.counts["REF"] += len(spans)
        return text

    def _could_hold_ref(self, text):
        """Whether *text* holds the letters a known reference starts with (when every one has
        some) and, read in a row, the digits one ends in: it must, however the reference is
        spelled, since only non-alphanumerics may stand between its parts. Most texts with
        numbers hold no reference, and are done here."""
        if self._ref_prefix_hint is not None and not self._ref_prefix_hint.search(text):
            return False  # every reference starts with letters and a number ("SIL-00…"): none here
        digits = "".join(NOT_DIGITS.split(text))
        tails = self._ref_tails
        for width in self._ref_tail_widths:
            for i in range(len(digits) - width + 1):
                if digits[i : i + width] in tails:
                    return True
        return False

    def _ref_start(self, key):
        """Where a known reference starts inside *key* (a joined token), or None: the whole
        key, or a reference at its end after other letters ("JNRSIL0014", "XSIL0014")."""
        if key in self._refs:
            return 0
        letters = LETTERS.match(key).group(0)
        for cut in range(1, len(letters)):
            if key[cut:] in self._refs:
                return cut
        digits = TRAILING_DIGITS.match(key)
        if digits and digits.group(1) and digits.group(1) not in self._ref_prefixes and digits.group(2) in self._refs:
            return len(digits.group(1))
        return None

    def _names_in(self, text):
        out, last = [], 0
        long_names = self._long
        for match in WORD.finditer(text):
            word = match.group(0)
            if word[0].islower():  # most words: the lower-case branch of _is_name, inlined
                folded = (word[:-2] if word.endswith(("'s", "’s")) else word).casefold()
                if folded not in long_names and not (folded.endswith("s") and folded[:-1] in long_names):
                    continue
            elif not self._is_name(word, text[: match.start()]):
                continue
            self.counts["NAME"] += 1
            out.append(text[last : match.start()] + "[NAME]")
            last = match.end()
        out.append(text[last:])
        return "".join(out)

    def _is_name(self, word, before):
        bare = word[:-2] if word.endswith(("'s", "’s")) else word
        folded = bare.casefold()
        known = folded in self._names or (folded.endswith("s") and folded[:-1] in self._names)
        capitalised = bare[:1].isupper()
        if capitalised and known:
            return True
        if not capitalised:
            return folded in self._long or (folded.endswith("s") and folded[:-1] in self._long)
        if bare in ALLOWED_CAPITALISED:
            return False
        return not _starts_sentence(before) and not before.endswith("[")

    # the whole -------------------------------------------------------------------------------

    def __call__(self, text):
        """*text* scrubbed. Short texts (source labels: "mor", "egen læge") recur across a
        study, so their results are remembered, counts included."""
        if not text:
            return text
        if len(text) > SHORT:
            return self._scrub(text)
        known = self._short.get(text)
        if known is None:
            before = Counter(self.counts)
            scrubbed = self._scrub(text)
            known = (scrubbed, self.counts - before)
            if len(self._short) < SHORT_REMEMBERED:
                self._short[text] = known
        else:
            self.counts.update(known[1])
        return known[0]

    def _scrub(self, text):
        text = normalise(text)
        # National IDs, references, dates, phone numbers and addresses all hold a digit, and
        # most free text has none: those steps are skipped for it.
        numbered = DIGIT.search(text) is not None
        if numbered:
            spans = national_id.find(text)
            for start, end in reversed(spans):
                text = text[:start] + "[CPR]" + text[end:]
            self.counts["CPR"] += len(spans)
        if EMAIL_HINT.search(text):
            text = self._sub("EMAIL", EMAIL, text)
        if numbered:
            text = self._refs_in(text)
            text = self._sub("DATE", DATE, text, keep=_not_a_date)
            text = self._sub("PHONE", PHONE, text)
            if ADDRESS_HINT.search(text):
                text = self._sub("ADDRESS", ADDRESS, text)
        if self._phrases:
            text = self._sub("NAME", self._phrases, text)
        return self._names_in(text)
