"""The research export's de-identification rules, as pure functions (DESIGN.md "Research export").

Pseudonyms: HMAC-SHA256 of random public ids under a key derived on the server from the
installation secret and the study. Quasi-identifiers: banded and made k-anonymous by local
recoding (a citizen in a group below k is coarsened one step at a time; whoever is still in a
group below k at the coarsest step is left out). Workers: a team with fewer than k workers in
the export shows them all as one pseudonym. Nothing here reads the database, so the rules are
tested on their own (tests/test_anonymity.py) and the export only gathers and writes.
"""
import hashlib
import hmac
from collections import Counter

PREFIX = {"citizen": "C", "worker": "W", "team": "T", "meeting": "M", "expectation": "E", "request": "R",
          "session": "S", "rating": "X", "action": "A", "outcome": "O", "label": "L"}

#: Generalisation steps, finest first: (age band width in years, follow-up band width in days).
#: A citizen whose group is below k moves to the next step; past the last one, it is left out.
STEPS = ((10, 90), (20, 90), (20, 180), (20, 365))

#: The exported quasi-identifiers of a citizen, in the order the README names them.
QUASI = ("team", "age_band", "gender", "goal", "status", "outcomes", "followup_days", "closed_day")


class Pseudonyms:
    """HMAC-SHA256 pseudonyms under one study's key: ``pseudo(kind, value) -> "C-0123…"``.

    The key never leaves the server and the values are random public ids (migration m007) or
    client-made UUIDs, so nobody outside the server can recompute or reverse a pseudonym; one
    key for every export of a study makes its exports linkable on purpose (follow-up), and
    different studies share nothing.
    """

    def __init__(self, key: bytes):
        # HMAC as RFC 2104 defines it, with the padded keys hashed once: a million rows call
        # this millions of times, and copying two hash states is twice as fast as hmac.digest
        # (tests/test_anonymity.py checks it gives the same bytes).
        block = key.ljust(64, b"\0") if len(key) <= 64 else hashlib.sha256(key).digest().ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, message: bytes) -> bytes:
        """HMAC-SHA256 of *message* under the key."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def __call__(self, kind, value):
        if value is None:
            return None
        inner = self._inner.copy()  # self.digest(), inlined: this is the hottest line of an export
        inner.update(f"{kind}:{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return f"{PREFIX[kind]}-{outer.digest()[:8].hex()}"


def study_key(secret, study_public_id):
    """The study's pseudonym key: derived on the server from the installation secret and the
    study (DESIGN.md "Research export"), never stored, never shown."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"forventningsjournal-export:{study_public_id}".encode(), hashlib.sha256).digest()


def age_band(birth_year, width=10):
    """"1990-1999" for 1994 (width 10); "" when the birth year is unknown."""
    if birth_year is None:
        return ""
    low = birth_year - birth_year % width
    return f"{low}-{low + width - 1}"


def day_band(days, width=90):
    """"90-179" for 100 days (width 90); "" when there is no value (an open case's closing)."""
    if days is None:
        return ""
    low = days - days % width
    return f"{low}-{low + width - 1}"


def label_key(label):
    """A source label as the same person would be written again: case, spacing and
    punctuation at the ends do not make a new person ("Mor", "mor ", "mor." are one)."""
    if not label:
        return None
    key = " ".join(label.casefold().split()).strip(" .,;:-")
    return key or None


def quasi_identifiers(citizen, step):
    """The tuple k is checked over, for *citizen* at generalisation *step*.

    :param citizen: dict with team, birth_year, gender, goal, status, outcomes (the sorted
        distinct outcome kinds joined by "|"), followup (days from the first to the last
        record) and closed (the day the case was closed, None if open)
    """
    years, days = STEPS[step]
    return (
        citizen["team"], age_band(citizen["birth_year"], years), citizen["gender"], citizen["goal"],
        citizen["status"], citizen["outcomes"], day_band(citizen["followup"], days), day_band(citizen["closed"], days),
    )


def k_anonymise(citizens, k):
    """Generalise, then suppress, until every quasi-identifier combination has ≥ k citizens.

    Local recoding: everyone starts at the finest step; the citizens of every group smaller
    than k move one step coarser together, and groups are counted again (a group that was
    already ≥ k is never split, so it stays ≥ k); whoever is still in a group below k after
    the coarsest step is suppressed.

    :param citizens: dicts with id and the keys quasi_identifiers() reads
    :returns: (citizen id → quasi-identifier tuple for the kept citizens, citizen id → step
        for the kept citizens, suppressed ids)
    """
    step = {c["id"]: 0 for c in citizens}
    for _ in STEPS[1:]:
        keys = {c["id"]: quasi_identifiers(c, step[c["id"]]) for c in citizens}
        sizes = Counter(keys.values())
        small = [c for c in citizens if sizes[keys[c["id"]]] < k and step[c["id"]] < len(STEPS) - 1]
        if not small:
            break
        for c in small:
            step[c["id"]] += 1
    keys = {c["id"]: quasi_identifiers(c, step[c["id"]]) for c in citizens}
    sizes = Counter(keys.values())
    suppressed = {cid for cid, key in keys.items() if sizes[key] < k}
    kept = {cid: key for cid, key in keys.items() if cid not in suppressed}
    return kept, {cid: step[cid] for cid in kept}, suppressed


def merged_workers(team_of, k):
    """Workers of teams with fewer than k workers in the export, who must share one pseudonym.

    :param team_of: worker id → the team they belong to (None for people without a team)
    :returns: worker id → the team (or None) whose merged pseudonym they get
    """
    sizes = Counter(team_of.values())
    return {worker: team for worker, team in team_of.items() if sizes[team] < k}
