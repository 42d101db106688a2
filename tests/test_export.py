"""The anonymised research export (DESIGN.md "Research export (anonymised)"), checked the way a
researcher or a harassed caseworker would check it: by opening the zip.

Every test works on the demo data (demo.seed) with identifiers planted in every free-text field
the export knows (meeting notes, expectation basis and source_label, outcome notes, action
texts): CPR numbers, personnummer, phone numbers, an e-mail address and every name the system
knows in several spellings. The checks are independent of the export code: byte searches over
every file in the zip, collections.Counter over citizens.csv, frictionless for the package.
"""
import csv
import io
import itertools
import json
import re
import sqlite3
import uuid
import zipfile
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest

from journal import clock, demo, export, exportjobs, scrub, studies
from journal.db import connect, migrate, transaction

from . import factories
from .conftest import Session

STUDY = "Troen på jobchancen"
TEAMS = [t["name"] for t in demo.TEAMS]  # "Unge Silkeborg", "Etablering Malmö"
CSVS = ["citizens", "meetings", "expectations", "sparring_requests", "sparring_ratings", "actions", "outcomes"]
FREE_TEXT_COLUMNS = {"note", "basis", "source_label", "text"}
CODEBOOK_FIELDS = ["table", "column", "meaning", "type", "allowed_values", "unit", "deidentification"]

# --- the planted corpus ----------------------------------------------------------------------

CPRS = ["010190-1234", "0101901234"]
PERSONNUMMER = ["19900101-1234", "900101+1234"]
PHONES = ["+45 12 34 56 78", "20 12 34 56", "070-123 45 67"]
EMAILS = ["anna.hansen@example.dk"]
IDENTIFIERS = CPRS + PERSONNUMMER + PHONES + EMAILS
#: The same numbers without separators: a partial scrub must not leave the digits behind.
DIGITS = sorted({re.sub(r"\D", "", s) for s in CPRS + PERSONNUMMER + PHONES})
#: A harmless word in every planted text: proves free text really is exported (or left out).
MARKER = "zebrafink"  # lower case: a capitalised word inside a sentence is scrubbed as a name
ISO_DATE = "2025-03-14"
PSEUDONYM = re.compile(r"\b[A-Z]-[0-9a-f]{16}\b")
CASE_REF = re.compile(rb"\b(?:SIL|MAL)-\d{4}\b")


def known_names(db):
    """Every name the system knows: citizens' display names, users' usernames and display names."""
    names = {r[0] for r in db.execute("SELECT display_name FROM citizen WHERE display_name IS NOT NULL")}
    for username, display in db.execute("SELECT username, display_name FROM user"):
        names |= {username, display}
    return names


def name_needles(names):
    """Whole names and their parts of 3+ letters (shorter parts such as "Al" are not checked)."""
    needles = set()
    for name in names:
        needles.add(" ".join(name.split()))
        needles.update(p for p in re.split(r"[\s\-]+", name) if len(p) >= 3)
    return sorted(n for n in needles if len(n) >= 3)


def planted_text(db):
    spellings = []
    for needle in name_needles(known_names(db)):
        spellings += [needle, needle.upper(), needle.lower(), needle + "s", needle + "'s"]
    return (
        f"{MARKER}. CPR {CPRS[0]} og {CPRS[1]}; personnummer {PERSONNUMMER[0]}, {PERSONNUMMER[1]}. "
        f"Tlf. {PHONES[0]}, {PHONES[1]} eller {PHONES[2]}. Mail: {EMAILS[0]}. Næste møde {ISO_DATE}. "
        "Jonas Krogsbæks mor ringede, MADS var med, lea's kalender. " + ", ".join(spellings) + "."
    )


def plant(db):
    """Plant the corpus in every free-text field, and give every citizen an outcome, an action
    and (in the Danish team) blind sparring ratings, so that every table has rows to check."""
    text = planted_text(db)
    now = clock.timestamp()
    today = clock.today()
    with transaction(db):
        db.execute("UPDATE meeting SET note = COALESCE(note || ' ', '') || ?", [text])
        db.execute(
            "UPDATE expectation SET basis = COALESCE(basis || ' ', '') || ?, "
            "source_label = COALESCE(source_label || ' ', '') || ?",
            [text, text],
        )
        db.execute("UPDATE outcome SET note = COALESCE(note || ' ', '') || ?", [text])
        db.execute("UPDATE action SET text = text || ' ' || ?", [text])
        users = {r[0]: r[1] for r in db.execute("SELECT username, id FROM user")}
        citizens = list(db.query("SELECT id, team_id, primary_worker_id FROM citizen ORDER BY id"))
        for c in citizens:
            last = db.execute("SELECT MAX(held_on) FROM meeting WHERE citizen_id = ?", [c["id"]]).fetchone()[0]
            db.table("outcome").insert(
                {"id": str(uuid.uuid4()), "citizen_id": c["id"], "kind": "other", "observed_on": last,
                 "note": text, "recorded_by": c["primary_worker_id"], "recorded_at": now, "content_hash": "planted"}
            )
            db.table("action").insert(
                {"citizen_id": c["id"], "text": text, "owner_id": c["primary_worker_id"],
                 "due_on": (today + timedelta(days=14)).isoformat(), "created_by": c["primary_worker_id"],
                 "created_at": now}
            )
        da_team = db.execute("SELECT id FROM team WHERE name = ?", [TEAMS[0]]).fetchone()[0]
        session_id = db.table("sparring_session").insert(
            {"team_id": da_team, "lead_id": users["lea"], "title": text, "status": "done", "created_at": now, "ended_at": now}
        ).last_pk
        for position, c in enumerate(c for c in citizens if c["team_id"] == da_team):
            case_id = db.table("sparring_case").insert(
                {"session_id": session_id, "citizen_id": c["id"], "owner_id": c["primary_worker_id"],
                 "position": position, "phase": "done", "notes": json.dumps({"questions": text})}
            ).last_pk
            for rater in ("lea", "mads"):
                db.table("sparring_rating").insert(
                    {"case_id": case_id, "user_id": users[rater], "value": (position + len(rater)) % 11, "rated_at": now}
                )


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_template(tmp_path_factory):
    """The demo with the planted corpus, built once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "planted.db"
    database = connect(str(path))
    migrate(database)
    demo.seed(database)
    plant(database)
    database.close()
    return path


@pytest.fixture
def pdb(app, planted_template, tmp_path):
    """A private copy of the planted demo database behind *app*; exports go under tmp_path."""
    source = sqlite3.connect(str(planted_template))
    target = sqlite3.connect(app.config["DATABASE"])
    source.backup(target)
    source.close()
    target.close()
    app.instance_path = str(tmp_path / "instance")
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def study(pdb):
    """Both demo teams enrolled, the demo researcher "rita" attached."""
    study_id = studies.upsert(pdb, None, STUDY, TEAMS, ["rita"], min_k=2)  # the demo is small: tests try small k
    return studies.get(pdb, STUDY) | {"id": study_id}


#: The installation secret the tests' app runs with: the study keys are derived from it.
SECRET = "test-secret"


def make_export(db, study_id, secret=SECRET, **options):
    buffer = io.BytesIO()
    summary = export.write(db, study_id, export.Options(**options), buffer, secret)
    return unzip(buffer.getvalue()), summary


def unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def rows(files, table):
    return list(csv.DictReader(io.StringIO(files[f"{table}.csv"].decode("utf-8"), newline="")))


def header(files, table):
    return next(csv.reader(io.StringIO(files[f"{table}.csv"].decode("utf-8"), newline="")))


def readme_number(files, pattern):
    match = re.search(pattern, files["README.txt"].decode("utf-8"))
    assert match, f"README.txt has no line matching {pattern!r}"
    return [int(g) for g in match.groups()]


def name_hits(needles, text):
    """Needles found in *text* as words, case-insensitively, also with a genitive s / 's."""
    alternatives = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    found = {}
    for match in re.finditer(rf"(?<!\w)({alternatives})(?:'?s)?(?!\w)", text, re.IGNORECASE):
        found.setdefault(match.group(1).casefold(), []).append(match.group(0))
    return {needle: hits[:3] for needle, hits in found.items()}


def leaks(files, db):
    """Everything identifying found anywhere in the zip, by file."""
    needles = name_needles(known_names(db))
    case_refs = [r[0] for r in db.execute("SELECT case_ref FROM citizen")]
    out = {}
    for name, data in files.items():
        problems = []
        problems += [f"identifier {s!r}" for s in IDENTIFIERS if s.encode() in data]
        problems += [f"digits {s!r}" for s in DIGITS if s.encode() in data]
        problems += [f"case_ref {m!r}" for m in CASE_REF.findall(data)]
        problems += [f"case_ref {r!r}" for r in case_refs if r.encode() in data]
        problems += [f"name {k!r}: {v}" for k, v in name_hits(needles, data.decode("utf-8")).items()]
        if problems:
            out[name] = problems
    return out


# --- 1. the planted corpus does not leak ---------------------------------------------------------


def test_known_names_are_not_column_names_or_codes(pdb, study):
    """A name that is also a column or code would show up legitimately (and be scrubbed from free
    text where it is a word). In the demo none is: the byte search below needs no exceptions."""
    files, _ = make_export(pdb, study["id"])
    vocabulary = set()
    for name, data in files.items():
        vocabulary |= {w.lower() for w in re.findall(r"\w+", data.decode("utf-8"))}
    needles = name_needles(known_names(pdb))
    assert len(needles) > 60
    assert {n for n in needles if n.lower() in vocabulary} == set()


@pytest.mark.parametrize("k", [5, 2])
def test_planted_identifiers_and_names_appear_in_no_file_of_the_zip(pdb, study, k):
    for free_text in (True, False):
        files, summary = make_export(pdb, study["id"], free_text=free_text, k=k)
        assert sorted(files) == sorted([f"{t}.csv" for t in CSVS] + ["codebook.csv", "datapackage.json", "README.txt"])
        # the test is not vacuous: the planted texts reach the zip exactly when free text is asked for
        free = b"".join(files[f"{t}.csv"] for t in ("meetings", "expectations", "outcomes", "actions"))
        assert (MARKER.encode() in free) is free_text
        for table in ("meetings", "expectations", "outcomes", "actions", "sparring_ratings"):
            assert summary["rows"][table] > 0, table
        assert leaks(files, pdb) == {}


def test_readme_replacement_counts_match_the_tokens_in_the_csvs(pdb, study):
    for k in (5, 2):
        files, summary = make_export(pdb, study["id"], free_text=True, k=k)
        kinds = ("CPR", "EMAIL", "PHONE", "DATE", "ADDRESS", "REF", "NAME")
        counted = readme_number(files, r"Replacements: " + ", ".join(rf"{k} (\d+)" for k in kinds) + r"\.")
        text = "".join(files[f"{t}.csv"].decode("utf-8") for t in CSVS)
        tokens = {kind: text.count(f"[{kind}]") for kind in kinds}
        assert dict(zip(kinds, counted)) == tokens
        assert {k: v for k, v in summary["redactions"].items() if v} == {k: v for k, v in tokens.items() if v}
        # every planted kind was actually found: 4 national ids and ≥ 3 phones in each planted cell
        cells = text.count(MARKER)
        assert cells > 100
        assert tokens["CPR"] == 4 * cells
        assert tokens["EMAIL"] == cells
        assert tokens["PHONE"] >= 3 * cells
        assert tokens["NAME"] > 100 * cells


def test_every_spelling_of_the_scrubber_corpus_survives_in_no_file_of_the_zip(pdb, study):
    """The whole planted corpus of tests/test_scrub.py (every separator, Unicode spelling,
    date, address and case-ref variant), planted in every free-text field of the export, and
    searched for byte by byte in every file of the zip: 0 survivors per kind."""
    from . import test_scrub as corpus

    kinds = {
        "CPR": corpus.CPR + corpus.PERSONNUMMER, "PHONE": corpus.PHONES, "EMAIL": corpus.EMAILS, "DATE": corpus.DATES,
        "ADDRESS": corpus.ADDRESSES, "REF": [r for r in corpus.REF_SPELLINGS if r != "2024-117"],
        "NAME": ["Dr. Krogh", "fru Petersen", "Kjaersgaard", "Krogsbäk"],
    }
    assert pdb.execute("SELECT COUNT(*) FROM citizen WHERE case_ref IN ('SIL-0014', 'MAL-0003')").fetchone()[0] == 2
    planted = " ; ".join(f"{MARKER} {value} {MARKER}" for values in kinds.values() for value in values)
    with transaction(pdb):
        pdb.execute("UPDATE meeting SET note = ?", [planted])
        pdb.execute("UPDATE expectation SET basis = ?", [planted])
        pdb.execute("UPDATE outcome SET note = ?", [planted])
    files, summary = make_export(pdb, study["id"], free_text=True, k=2)
    blob = b"\n".join(files.values()).decode("utf-8")
    assert blob.count(MARKER) > 100  # the text is there, scrubbed
    survivors = {}
    for kind, values in kinds.items():
        for value in values:
            for form in {value, scrub.normalise(value)}:
                digits = re.sub(r"\D", "", form)
                spaced = r"[ ./_\-\u2013]{0,3}".join(digits)  # the digits again, with any separator
                if form in blob or (len(digits) >= 8 and re.search(spaced, blob)):
                    survivors.setdefault(kind, []).append(value)
    assert survivors == {}
    assert all(summary["redactions"][kind] > 0 for kind in kinds)


def test_case_refs_written_in_free_text_are_scrubbed(pdb, study):
    with transaction(pdb):
        pdb.execute("UPDATE meeting SET note = note || ' Se også SIL-0001 og MAL-0003.'")
    files, _ = make_export(pdb, study["id"], free_text=True, k=2)
    assert b"MAL-0003" not in files["meetings.csv"] and b"SIL-0001" not in files["meetings.csv"]


def test_ascii_spellings_of_known_names_are_scrubbed(pdb, study):
    spellings = ["Kjaersgaard", "Krogsbaek", "Bjoernholt", "Groenkjaer"]
    with transaction(pdb):
        pdb.execute("UPDATE meeting SET note = note || ?", [" Mads " + ", ".join(spellings) + "."])
    files, _ = make_export(pdb, study["id"], free_text=True, k=2)
    assert [s for s in spellings if s.encode() in files["meetings.csv"]] == []


def test_common_phone_layouts_are_scrubbed(pdb, study):
    phones = ["(070) 123 45 67", "070 - 123 45 67"]
    with transaction(pdb):
        pdb.execute("UPDATE meeting SET note = note || ?", [" Ring " + " eller ".join(phones) + "."])
    files, _ = make_export(pdb, study["id"], free_text=True, k=2)
    assert [p for p in phones if p.encode() in files["meetings.csv"]] == []
    assert b"123 45 67" not in files["meetings.csv"]


# --- 2. without free text ------------------------------------------------------------------------


def test_without_free_text_no_free_text_column_exists_anywhere(pdb, study):
    files, summary = make_export(pdb, study["id"])  # the default
    for table in CSVS:
        assert FREE_TEXT_COLUMNS.isdisjoint(header(files, table)), table
    codebook = rows({"codebook.csv": files["codebook.csv"]}, "codebook")
    assert {r["deidentification"] for r in codebook} >= {"pseudonym", "relative_day", "quasi", "value"}
    assert "free_text" not in {r["deidentification"] for r in codebook}
    package = json.loads(files["datapackage.json"])
    for resource in package["resources"]:
        assert FREE_TEXT_COLUMNS.isdisjoint(f["name"] for f in resource["schema"]["fields"])
    assert MARKER.encode() not in b"".join(files.values())
    assert summary["redactions"] is None
    assert b"Free text (notes, bases, labels) is left out." in files["README.txt"]


# --- 3. pseudonyms ---------------------------------------------------------------------------------


def pseudonym_sets(files):
    return {
        "citizen": {r["citizen"] for r in rows(files, "citizens")},
        "team": {r["team"] for r in rows(files, "citizens")},
        "worker": {r["worker"] for r in rows(files, "meetings")},
        "expectation": {r["expectation"] for r in rows(files, "expectations")},
    }


def test_pseudonyms_are_stable_within_an_export_and_foreign_keys_resolve(pdb, study):
    files, _ = make_export(pdb, study["id"], k=2)
    citizens = [r["citizen"] for r in rows(files, "citizens")]
    assert len(citizens) == len(set(citizens)) > 0
    assert all(re.fullmatch(r"C-[0-9a-f]{16}", c) for c in citizens)
    for table in CSVS[1:]:
        referenced = {r["citizen"] for r in rows(files, table)}
        assert referenced, table
        assert referenced <= set(citizens), table
    meetings = {r["meeting"] for r in rows(files, "meetings")}
    assert {r["meeting"] for r in rows(files, "expectations") if r["meeting"]} <= meetings
    # one citizen, one pseudonym: each kept citizen's expectations all carry that citizen's
    # pseudonym (recomputed under the study key), in citizens.csv and expectations.csv alike
    pseudo = export.pseudonymiser(pdb, study["id"], SECRET)
    per_pseudonym = Counter(r["citizen"] for r in rows(files, "expectations"))
    in_db = dict(pdb.execute("SELECT citizen_id, COUNT(*) FROM expectation GROUP BY citizen_id").fetchall())
    kept = {cid: pseudo("citizen", cid) for cid in enrolled_citizens(pdb) if pseudo("citizen", cid) in set(citizens)}
    assert len(kept) == len(citizens)
    assert per_pseudonym == Counter({p: in_db[cid] for cid, p in kept.items()})
    # one worker, one pseudonym across tables: mads, sara and nils hold meetings; lea only rates.
    # Nils is the only worker of the Malmö team in the export, fewer than k = 2: his pseudonym
    # is the team's merged one, not his own.
    workers = {r["worker"] for r in rows(files, "meetings")}
    ids = dict(pdb.execute("SELECT username, id FROM user").fetchall())
    own = {u: pseudo("worker", ids[u]) for u in ("mads", "sara", "nils", "lea")}
    assert {own["mads"], own["sara"]} < workers and own["nils"] not in workers and len(workers) == 3
    assert {r["recorded_by"] for r in rows(files, "expectations")} == workers
    assert {r["rater"] for r in rows(files, "sparring_ratings")} == {own["lea"], own["mads"]}
    assert {r["owner"] for r in rows(files, "actions")} <= workers


def test_pseudonyms_are_stable_across_exports_of_a_study_and_differ_between_studies(pdb, study):
    one, _ = make_export(pdb, study["id"], k=2)
    two, _ = make_export(pdb, study["id"], k=2)
    assert pseudonym_sets(one) == pseudonym_sets(two)  # follow-up works: linkable by design
    for table in CSVS:  # the same rows; their order is drawn afresh for every export
        assert sorted(one[f"{table}.csv"].splitlines()) == sorted(two[f"{table}.csv"].splitlines()), table
    assert b"LINKABLE BY DESIGN" in one["README.txt"] and b"cannot be linked" not in one["README.txt"]
    teams = [r[0] for r in pdb.execute("SELECT team_id FROM study_team WHERE study_id = ?", [study["id"]])]
    other_id = studies.upsert(pdb, None, "Another study", [pdb.execute("SELECT name FROM team WHERE id = ?", [t]).fetchone()[0] for t in teams], [])
    other, _ = make_export(pdb, other_id, k=2)
    for kind, values in pseudonym_sets(other).items():
        assert values and values.isdisjoint(pseudonym_sets(one)[kind]), kind
    # another installation (another secret) gives other pseudonyms for the same study
    elsewhere, _ = make_export(pdb, study["id"], secret="another-installation", k=2)
    for kind, values in pseudonym_sets(elsewhere).items():
        assert values.isdisjoint(pseudonym_sets(one)[kind]), kind


def test_nobody_outside_the_server_can_recompute_a_pseudonym(pdb, study):
    """An inversion attempt: HMAC over 1..N and over every id and name a researcher can see
    or guess, under every key they could know (the study's name, its id, nothing), in the
    old scheme and the new one, matches no pseudonym in the export."""
    import hashlib
    import hmac

    files, _ = make_export(pdb, study["id"], k=2)
    written = set(PSEUDONYM.findall(b"".join(files[f"{t}.csv"] for t in CSVS).decode()))
    assert len(written) > 100
    guesses = [str(n) for n in range(1, 2000)] + [r[0] for r in pdb.execute("SELECT case_ref FROM citizen")]
    keys = [b"", STUDY.encode(), str(study["id"]).encode(), hashlib.sha256(("forventningsjournal-study:" + STUDY).encode()).digest()]
    keys += [hmac.new(k, f"forventningsjournal-export:{study['id']}".encode(), hashlib.sha256).digest() for k in (b"", STUDY.encode())]
    found = set()
    for key in keys:
        for kind, prefix in export.PREFIX.items():
            for guess in guesses:
                digest = hmac.new(key, f"{kind}:{guess}".encode(), hashlib.sha256).hexdigest()
                candidate = f"{prefix}-{digest[:16]}"
                if candidate in written:
                    found.add(candidate)
    assert found == set()


def spearman(xs, ys):
    """Spearman's rank correlation of two equally long lists without ties."""
    def ranks(values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0] * len(values)
        for rank, i in enumerate(order):
            out[i] = rank
        return out

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    return 1 - 6 * sum((a - b) ** 2 for a, b in zip(rx, ry)) / (n * (n * n - 1))


def test_rows_are_not_written_in_entry_order(pdb, study):
    """Entry order would line up the day offsets of different citizens and give their
    calendars back: rows come by day since each citizen's first record, in a random order
    within a day, drawn afresh for every export (DESIGN.md "Research export").

    A phone that syncs a backlog writes one citizen's entries after another's, each in the
    order of their days: 40 more entries per citizen, inserted that way, give enough rows
    that |ρ| < 0.1 cannot happen by chance (its spread is about 1/√n)."""
    worker = pdb.execute("SELECT id FROM user WHERE username = 'mads'").fetchone()[0]
    start = clock.today() - timedelta(days=300)
    with transaction(pdb):
        for (citizen,) in pdb.execute("SELECT id FROM citizen ORDER BY id").fetchall():
            for n in range(40):
                pdb.table("expectation").insert({
                    "id": str(uuid.uuid4()), "citizen_id": citizen, "source": "worker", "value": n % 11,
                    "confidence": "medium", "observed_on": (start + timedelta(days=7 * n)).isoformat(),
                    "recorded_by": worker, "recorded_at": clock.timestamp(), "context": "update", "content_hash": "x",
                })
    files, _ = make_export(pdb, study["id"], k=2)
    keys = {e: i for i, (e,) in enumerate(pdb.execute("SELECT id FROM expectation ORDER BY rowid"))}
    pseudo = export.pseudonymiser(pdb, study["id"], SECRET)
    entry_order = {pseudo("expectation", e): i for e, i in keys.items()}
    written = [entry_order[r["expectation"]] for r in rows(files, "expectations")]
    assert len(written) > 400
    assert abs(spearman(list(range(len(written))), written)) < 0.1
    days = [int(r["day"]) for r in rows(files, "expectations")]
    assert days == sorted(days)
    again, _ = make_export(pdb, study["id"], k=2)
    assert [r["expectation"] for r in rows(again, "expectations")] != [r["expectation"] for r in rows(files, "expectations")]


# --- 4. k-anonymity -------------------------------------------------------------------------------

#: Every quasi-identifier a researcher could know about a citizen, as the zip shows them.
QUASI_COLUMNS = ("team", "age_band", "gender", "goal", "status", "followup_days", "closed_day")


def enrolled_citizens(db):
    return [r[0] for r in db.execute(
        "SELECT id FROM citizen WHERE team_id IN (SELECT id FROM team WHERE name IN (?, ?)) ORDER BY id", TEAMS
    )]


def quasi_groups(files):
    """Independent of the export code: each citizen's quasi-identifiers read from the CSVs,
    the kinds of outcome they had (outcomes.csv) included, counted per combination."""
    kinds = {}
    for r in rows(files, "outcomes"):
        kinds.setdefault(r["citizen"], set()).add(r["kind"])
    return Counter(
        tuple(r[c] for c in QUASI_COLUMNS) + ("|".join(sorted(kinds.get(r["citizen"], ()))),)
        for r in rows(files, "citizens")
    )


@pytest.mark.parametrize("k", [5, 3, 2])
def test_every_quasi_identifier_combination_has_at_least_k_citizens(pdb, study, k):
    files, summary = make_export(pdb, study["id"], k=k)
    citizens = rows(files, "citizens")
    groups = quasi_groups(files)
    assert groups and min(groups.values()) >= k, groups
    # any subset of the columns is a coarser grouping, so it holds too; check a few anyway
    for subset in itertools.combinations(range(len(QUASI_COLUMNS) + 1), 3):
        coarse = Counter()
        for key, n in groups.items():
            coarse[tuple(key[i] for i in subset)] += n
        assert min(coarse.values()) >= k, subset
    # the README's figures agree with the CSV and the database
    (suppressed,) = readme_number(files, r"left out entirely .*?: (\d+)\.")
    (k_said,) = readme_number(files, r"; k = (\d+)\.")
    assert k_said == k
    assert suppressed == summary["suppressed"]
    everyone = enrolled_citizens(pdb)
    assert len(citizens) + suppressed == len(everyone) == 30
    assert 0 < suppressed < len(everyone)
    assert int(re.search(rb"citizens\.csv: (\d+) rows", files["README.txt"]).group(1)) == len(citizens)
    # which database citizens were left out: recompute their pseudonyms under the study key
    pseudo = export.pseudonymiser(pdb, study["id"], SECRET)
    shown = {r["citizen"] for r in citizens}
    kept = [cid for cid in everyone if pseudo("citizen", cid) in shown]
    gone = [cid for cid in everyone if pseudo("citizen", cid) not in shown]
    assert len(kept) == len(citizens) and len(gone) == suppressed
    blob = b"".join(files.values())
    for cid in gone:  # no row of a suppressed citizen anywhere
        assert pseudo("citizen", cid).encode() not in blob, cid
    # and every row of a kept citizen is there
    marks = ",".join("?" * len(kept))
    expected = {
        "meetings": f"SELECT COUNT(*) FROM meeting WHERE citizen_id IN ({marks})",
        "expectations": f"SELECT COUNT(*) FROM expectation WHERE citizen_id IN ({marks})",
        "outcomes": f"SELECT COUNT(*) FROM outcome WHERE citizen_id IN ({marks})",
        "actions": f"SELECT COUNT(*) FROM action WHERE citizen_id IN ({marks})",
        "sparring_requests": f"SELECT COUNT(*) FROM sparring_request WHERE citizen_id IN ({marks})",
        "sparring_ratings": f"SELECT COUNT(*) FROM sparring_rating r JOIN sparring_case c ON c.id = r.case_id WHERE c.citizen_id IN ({marks})",
    }
    for table, sql in expected.items():
        assert len(rows(files, table)) == pdb.execute(sql, kept).fetchone()[0], table


def band_width(band):
    low, high = map(int, band.split("-"))
    return high - low + 1


def test_readme_coarsening_counts_are_the_bands_in_the_csv(pdb, study):
    """Step 1 widens the age band to 20 years, step 2 the day bands to 180, step 3 to 365."""
    for k in (5, 3, 2):
        files, _ = make_export(pdb, study["id"], k=k)
        counted = Counter()
        for r in rows(files, "citizens"):
            days = band_width(r["followup_days"])
            assert days in (90, 180, 365) and (not r["closed_day"] or band_width(r["closed_day"]) == days)
            age = band_width(r["age_band"]) if r["age_band"] else None
            assert age in (None, 10, 20) and not (days > 90 and age == 10), r  # steps 2 and 3 keep step 1's age band
            step = {180: 2, 365: 3}.get(days) or (1 if age == 20 else 0)
            counted[step] += 1
        for step in (1, 2, 3):
            (said,) = readme_number(files, rf"coarsened to step {step}: (\d+)\.")
            assert said == counted[step], (k, step)


def test_workers_of_a_team_with_fewer_than_k_workers_share_one_pseudonym(pdb, study):
    """Counted from the CSVs alone: per team, the worker pseudonyms on its citizens' rows are
    either at least k different ones or a single merged one."""
    for k in (2, 3, 5):
        files, summary = make_export(pdb, study["id"], k=k)
        team_of = {r["citizen"]: r["team"] for r in rows(files, "citizens")}
        seen = {}
        for table, column in (("meetings", "worker"), ("expectations", "recorded_by"), ("sparring_ratings", "rater"), ("actions", "owner")):
            for r in rows(files, table):
                seen.setdefault(team_of[r["citizen"]], set()).add(r[column])
        assert seen
        for team, workers in seen.items():
            assert len(workers) >= k or len(workers) == 1, (k, team, len(workers))
        (teams,) = readme_number(files, r"share one pseudonym: (\d+) ")
        assert teams == summary["merged_worker_teams"] == sum(1 for w in seen.values() if len(w) == 1)
    # the Danish team has three people who record or rate (mads, sara, lea): below 5, merged
    assert any(len(w) == 1 for w in seen.values())


# --- 4b. research-ready columns ---------------------------------------------------------------------


def test_corrections_labels_order_within_a_day_country_and_censoring_are_exported(pdb, study):
    """What a researcher needs to analyse the data without guessing: which entry a correction
    corrects and at which meeting (so in which mode) the corrected view was given; mother and
    father (two people behind one source) told apart; the order of one day's entries; the
    country; and whether and when a case was closed (censoring)."""
    first, _ = make_export(pdb, study["id"], k=2)
    pseudo = export.pseudonymiser(pdb, study["id"], SECRET)
    kept = {r["citizen"] for r in rows(first, "citizens")}
    citizen = next(
        cid for cid in enrolled_citizens(pdb)
        if pseudo("citizen", cid) in kept and pdb.execute("SELECT COUNT(*) FROM meeting WHERE citizen_id = ?", [cid]).fetchone()[0]
    )
    meeting_id, held_on, worker = pdb.execute(
        "SELECT id, held_on, worker_id FROM meeting WHERE citizen_id = ? ORDER BY held_on LIMIT 1", [citizen]
    ).fetchone()
    ids = {name: str(uuid.uuid4()) for name in ("mor", "far", "mor again", "original", "correction", "again")}

    def entry(name, label, minute, **extra):
        return {"id": ids[name], "citizen_id": citizen, "source": "parent", "source_label": label, "value": 3,
                "confidence": "low", "observed_on": held_on, "recorded_by": worker,
                "recorded_at": f"{held_on}T23:{minute:02d}:00Z", "context": "meeting", "content_hash": "x", **extra}

    with transaction(pdb):
        pdb.table("expectation").insert_all([
            entry("mor", "Mor", 1, meeting_id=meeting_id),
            entry("far", "far", 2, meeting_id=meeting_id),
            entry("mor again", " mor. ", 3, meeting_id=meeting_id),
            entry("original", "far", 4, meeting_id=meeting_id, source="doctor"),
            entry("correction", "far", 5, source="doctor", supersedes=ids["original"], context="update"),
            entry("again", "far", 6, source="doctor", supersedes=ids["correction"], context="update"),
        ])
    files, _ = make_export(pdb, study["id"], k=2)
    assert {r["citizen"] for r in rows(files, "citizens")} == kept  # the same citizens: nothing new to suppress
    by_id = {r["expectation"]: r for r in rows(files, "expectations")}
    row = {name: by_id[pseudo("expectation", i)] for name, i in ids.items()}
    # mother and father are told apart; the same label written again is the same person
    assert row["mor"]["source_person"] == row["mor again"]["source_person"] != row["far"]["source_person"]
    assert re.fullmatch(r"L-[0-9a-f]{16}", row["mor"]["source_person"])
    other_citizen_far = [r["source_person"] for r in by_id.values() if r["citizen"] != row["far"]["citizen"]]
    assert row["far"]["source_person"] not in other_citizen_far  # a label is a person within one citizen only
    # corrections: which entry, and the meeting (so the mode) of the view they correct, also two steps back
    assert row["correction"]["supersedes"] == row["original"]["expectation"]
    assert row["again"]["supersedes"] == row["correction"]["expectation"]
    assert row["original"]["superseded"] == row["correction"]["superseded"] == "true"
    assert row["again"]["superseded"] == "false" and row["mor"]["supersedes"] == ""
    assert row["correction"]["meeting"] == row["again"]["meeting"] == row["original"]["meeting"] == pseudo("meeting", meeting_id)
    modes = {r["meeting"]: r["mode"] for r in rows(files, "meetings")}
    assert modes[row["again"]["meeting"]] == pdb.execute("SELECT mode FROM meeting WHERE id = ?", [meeting_id]).fetchone()[0]
    # the order of the day's entries: the six were recorded last that day, in this order
    same_day = sorted((int(r["order_in_day"]), r["expectation"]) for r in by_id.values()
                      if r["citizen"] == row["mor"]["citizen"] and r["day"] == row["mor"]["day"])
    assert [n for n, _e in same_day] == list(range(1, len(same_day) + 1))
    assert [e for _n, e in same_day][-6:] == [row[n]["expectation"] for n in ("mor", "far", "mor again", "original", "correction", "again")]
    # country from the team's jobcentre; closing day only for closed cases, in the follow-up band's width
    locale = dict(pdb.execute("SELECT public_id, locale FROM team").fetchall())
    teams = {pseudo("team", tid): locale[pub] for tid, pub in pdb.execute("SELECT id, public_id FROM team")}
    for r in rows(files, "citizens"):
        assert r["country"] == {"da": "DK", "sv": "SE"}[teams[r["team"]]]
        assert (r["closed_day"] != "") == (r["status"] == "closed")
        assert re.fullmatch(r"\d+-\d+", r["followup_days"])
    assert {r["status"] for r in rows(files, "citizens")} >= {"active"}


# --- 5. dates -----------------------------------------------------------------------------------------


def test_no_csv_holds_a_date_and_day_columns_are_whole_days_from_the_first_record(pdb, study):
    iso = re.compile(rb"\d{4}-\d{2}-\d{2}")
    for options in ({}, {"free_text": True, "k": 2}):
        files, _ = make_export(pdb, study["id"], **options)
        for table in CSVS:
            assert iso.findall(files[f"{table}.csv"]) == [], (table, options)
        codebook = rows({"codebook.csv": files["codebook.csv"]}, "codebook")
        day_columns = [(r["table"], r["column"]) for r in codebook if r["deidentification"] == "relative_day"]
        assert len(day_columns) >= 9
        for table, column in day_columns:
            values = [r[column] for r in rows(files, table)]
            filled = [v for v in values if v != ""]
            for value in filled:
                assert re.fullmatch(r"\d+", value), (table, column, value)  # an integer ≥ 0
            if (table, column) not in {("sparring_requests", "handled_day"), ("actions", "done_day")}:
                assert filled, (table, column)  # nothing done or handled yet in the demo
        # no absolute date finer than the month of export anywhere in the zip (README included)
        for name, data in files.items():
            assert iso.findall(data) == [] and re.findall(rb"\d{4}-W\d{2}", data) == [], name


# --- 6. the data package and the codebook ----------------------------------------------------------


FREE_TEXT_OPTIONS = {"free_text": True, "k": 2}


@pytest.mark.parametrize("options", [
    pytest.param({}, id="default"),
    pytest.param({"k": 3}, id="k-3"),
    pytest.param(FREE_TEXT_OPTIONS, id="free-text"),
])
def test_data_package_validates_with_frictionless(pdb, study, tmp_path, monkeypatch, options):
    import frictionless  # a test dependency (setup.cfg): never skipped
    files, _ = make_export(pdb, study["id"], **options)
    folder = tmp_path / "unzipped"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    monkeypatch.chdir(folder)
    report = frictionless.validate("datapackage.json")
    errors = report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors[:10]
    assert report.stats["tasks"] == len(CSVS)


@pytest.mark.parametrize("options", [{}, FREE_TEXT_OPTIONS], ids=["default", "free-text"])
def test_codebook_has_one_row_per_exported_column_from_the_same_declaration(pdb, study, options):
    files, _ = make_export(pdb, study["id"], **options)
    # the codebook: one row per exported column, in the order of the CSV headers
    reader = csv.DictReader(io.StringIO(files["codebook.csv"].decode("utf-8"), newline=""))
    assert reader.fieldnames == CODEBOOK_FIELDS
    codebook = list(reader)
    assert [(r["table"], r["column"]) for r in codebook] == [(t, c) for t in CSVS for c in header(files, t)]
    assert all(r["meaning"] and r["type"] in {"string", "integer", "number", "boolean"} for r in codebook)
    assert all(r["unit"] == "days" for r in codebook if r["deidentification"] == "relative_day")
    free = {r["column"] for r in codebook if r["deidentification"] == "free_text"}
    assert free == (FREE_TEXT_COLUMNS if options.get("free_text") else set())
    # … and the Table Schemas come from the same declaration
    package = json.loads(files["datapackage.json"])
    assert [r["path"] for r in package["resources"]] == [f"{t}.csv" for t in CSVS]
    for resource in package["resources"]:
        table = resource["name"]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header(files, table)
        book = {r["column"]: r for r in codebook if r["table"] == table}
        for field in fields:
            assert field["type"] == book[field["name"]]["type"]
            enum = field.get("constraints", {}).get("enum")
            if enum:
                assert "|".join(enum) == book[field["name"]]["allowed_values"]


# --- 7. the API -------------------------------------------------------------------------------------


def login(app, username, password=demo.PASSWORD):
    session = Session(app.test_client(), SimpleNamespace(username=username))
    session.login(password)
    return session


def finished(app, session, created, timeout=120):
    """The export job *created* (a 202) once its thread is done, as its status answers it."""
    assert created.status_code == 202, created.json
    assert exportjobs.runner(app).wait(timeout), "the export job did not finish"
    status = session.get(created.json["status_url"])
    assert status.status_code == 200, status.json
    return status.json


def test_api_researcher_creates_and_downloads_others_are_refused(app, pdb, study):
    rita = login(app, "rita")
    created = rita.post("/api/v1/exports", json={"study": STUDY})
    assert created.status_code == 202, created.json
    assert created.headers["Location"] == created.json["download"]
    body = finished(app, rita, created)
    assert body["status"] == "done" and body["progress"] == 100
    assert body["id"] and body["download"] == f"/api/v1/exports/{body['id']}"
    assert body["study"] == STUDY and body["options"]["free_text"] is False
    download = rita.get(body["download"])
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    files = unzip(download.data)
    download.close()  # send_file streams from an open file
    assert {f"{t}.csv" for t in CSVS} <= set(files)
    assert leaks(files, pdb) == {}
    # a researcher who is not attached to the study: as if it did not exist
    factories.make_user(pdb, "researcher", None, "rolf")
    rolf = login(app, "rolf", factories.PASSWORD)
    assert rolf.post("/api/v1/exports", json={"study": STUDY}).status_code == 404
    refused = rolf.get(body["download"])
    assert refused.status_code == 404 and refused.mimetype == "application/json"
    # case workers, leads and admins cannot export at all
    for username in ("mads", "lea", "adam"):
        s = login(app, username)
        assert s.post("/api/v1/exports", json={"study": STUDY}).status_code == 403, username
        assert s.get(body["download"]).status_code == 403, username
    # unknown study, unknown export
    assert rita.post("/api/v1/exports", json={"study": "Ingen sådan"}).status_code == 404
    assert rita.get(f"/api/v1/exports/{uuid.uuid4()}").status_code == 404
    # not logged in
    assert app.test_client().get(body["download"]).status_code == 401
    assert pdb.execute("SELECT COUNT(*) FROM export").fetchone()[0] == 1


@pytest.mark.parametrize(
    "extra",
    [{"k": 1}, {"k": 51}, {"k": "5"}, {"k": 5.5}, {"free_text": "yes"}, {"free_text": 1}, {"iso_week": True},
     {"format": "xlsx"}, {"study": ""}, {"study": None}, {"study": "x" * 121}],
    ids=lambda e: json.dumps(e)[:30],
)
def test_api_bad_options_are_422_and_export_nothing(app, pdb, study, extra):
    rita = login(app, "rita")
    response = rita.post("/api/v1/exports", json={"study": STUDY, **extra})
    assert response.status_code == 422, response.json
    assert response.json["errors"]
    assert pdb.execute("SELECT COUNT(*) FROM export").fetchone()[0] == 0
    assert pdb.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'export.create'").fetchone()[0] == 0


def test_api_researchers_get_403_on_citizen_routes(app, pdb, study):
    rita = login(app, "rita")
    citizen_id = pdb.execute("SELECT id FROM citizen WHERE case_ref = 'SIL-0001'").fetchone()[0]
    for url in ("/api/v1/citizens", f"/api/v1/citizens/{citizen_id}", f"/api/v1/citizens/{citizen_id}/expectations"):
        response = rita.get(url)
        assert response.status_code == 403, url
        assert b"Krogsb" not in response.data and b"SIL-0001" not in response.data


# --- 8. audit -------------------------------------------------------------------------------------------


def export_events(db):
    return list(db.query("SELECT * FROM audit_event WHERE action = 'export.create' ORDER BY id"))


def assert_no_data_in(detail_json, db):
    assert PSEUDONYM.findall(detail_json) == []
    assert name_hits(name_needles(known_names(db)), detail_json) == {}
    assert CASE_REF.findall(detail_json.encode()) == []
    for s in IDENTIFIERS + [MARKER, "nøgle"]:
        assert s not in detail_json


def test_every_export_is_audited_with_who_what_and_which_columns_never_data(app, pdb, study, runner, tmp_path):
    rita = login(app, "rita")
    refused = rita.post("/api/v1/exports", json={"study": STUDY, "study_key": "my own key"})
    assert refused.status_code == 422 and "study_key" in refused.json["errors"]  # the key is the server's
    created = rita.post("/api/v1/exports", json={"study": STUDY, "free_text": True, "k": 3})
    assert finished(app, rita, created)["status"] == "done"
    download = rita.get(created.json["download"])
    files = unzip(download.data)
    download.close()
    out = tmp_path / "cli.zip"
    result = runner.invoke(args=["journal", "export", "--study", STUDY, "--out", str(out), "--k", "4"])
    assert result.exit_code == 0, result.output

    api_event, cli_event = export_events(pdb)
    rita_id = pdb.execute("SELECT id FROM user WHERE username = 'rita'").fetchone()[0]
    assert api_event["user_id"] == rita_id
    assert (api_event["object_type"], api_event["object_id"]) == ("study", str(study["id"]))
    detail = json.loads(api_event["detail"])
    assert detail["options"] == {"free_text": True, "k": 3, "stats_files": False}
    assert detail["columns"] == {t: header(files, t) for t in CSVS}
    assert detail["export_id"] == created.json["id"]
    assert_no_data_in(api_event["detail"], pdb)

    # the CLI has no logged-in user: the event says it came from the command line
    assert (cli_event["object_type"], cli_event["object_id"]) == ("study", str(study["id"]))
    cli_detail = json.loads(cli_event["detail"])
    assert cli_detail["via"] == "cli"
    assert cli_detail["options"] == {"free_text": False, "k": 4, "stats_files": False}
    cli_files = unzip(out.read_bytes())
    assert cli_detail["columns"] == {t: header(cli_files, t) for t in CSVS}
    assert_no_data_in(cli_event["detail"], pdb)

    # the study's key is derived, never stored: not in the audit, not in the export record
    key = export.study_key(SECRET, pdb.execute("SELECT public_id FROM study WHERE id = ?", [study["id"]]).fetchone()[0])
    everything = "".join(str(tuple(r)) for r in pdb.execute("SELECT * FROM audit_event"))
    everything += "".join(str(tuple(r)) for r in pdb.execute("SELECT * FROM export"))
    assert key.hex() not in everything and SECRET not in everything
    # downloads are audited too
    assert pdb.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'export.download' AND user_id = ?",
                       [rita_id]).fetchone()[0] == 1


def test_a_researcher_cannot_go_below_the_studys_k(app, pdb, study, runner):
    """The study carries its smallest k (an admin's decision); a researcher asking for less
    is refused, and the admin can raise it (DESIGN.md "Research export")."""
    result = runner.invoke(args=["journal", "study", STUDY, "--team", TEAMS[0], "--team", TEAMS[1], "--researcher", "rita", "--min-k", "6"])
    assert result.exit_code == 0, result.output
    rita = login(app, "rita")
    refused = rita.post("/api/v1/exports", json={"study": STUDY, "k": 5})
    assert refused.status_code == 422 and "at least 6" in " ".join(refused.json["errors"]["k"])
    assert pdb.execute("SELECT COUNT(*) FROM export").fetchone()[0] == 0
    assert finished(app, rita, rita.post("/api/v1/exports", json={"study": STUDY, "k": 6}))["status"] == "done"


# --- 9. the CLI ---------------------------------------------------------------------------------------


def test_cli_study_creates_and_replaces_enrolment(runner, pdb):
    args = ["journal", "study", STUDY, "--team", TEAMS[0], "--team", TEAMS[1], "--researcher", "rita"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "2 team(s), 1 researcher(s)" in result.output
    (row,) = [s for s in studies.all_studies(pdb) if s["name"] == STUDY]
    assert sorted(row["teams"]) == sorted(TEAMS) and row["researchers"] == ["rita"]
    result = runner.invoke(args=["journal", "study", STUDY, "--team", TEAMS[1], "--researcher", "rita"])
    assert result.exit_code == 0, result.output
    (row,) = [s for s in studies.all_studies(pdb) if s["name"] == STUDY]
    assert row["teams"] == [TEAMS[1]] and row["researchers"] == ["rita"]
    assert pdb.execute("SELECT COUNT(*) FROM study WHERE name = ?", [STUDY]).fetchone()[0] == 1
    # bad input: a clear message, a non-zero exit and no change
    for bad, message in (
        (["--team", "Ingen sådan"], "No team called"),
        (["--team", TEAMS[0], "--researcher", "mads"], "is not a researcher"),
        (["--team", TEAMS[0], "--researcher", "nobody"], "is not a researcher"),
    ):
        result = runner.invoke(args=["journal", "study", STUDY, *bad])
        assert result.exit_code != 0 and message in result.output, (bad, result.output)
    (row,) = [s for s in studies.all_studies(pdb) if s["name"] == STUDY]
    assert row["teams"] == [TEAMS[1]] and row["researchers"] == ["rita"]


def test_cli_export_writes_a_zip_and_prints_row_counts(runner, pdb, tmp_path):
    assert runner.invoke(args=["journal", "study", STUDY, "--team", TEAMS[0], "--team", TEAMS[1]]).exit_code == 0
    for flags in ([], ["--free-text"]):
        out = tmp_path / f"export{len(flags)}.zip"
        result = runner.invoke(args=["journal", "export", "--study", STUDY, "--out", str(out), *flags])
        assert result.exit_code == 0, result.output
        files = unzip(out.read_bytes())
        for table in CSVS:
            assert f"{table} {len(rows(files, table))}" in result.output, (table, result.output)
        (suppressed,) = readme_number(files, r"left out entirely .*?: (\d+)\.")
        assert f"{suppressed} citizen(s) suppressed" in result.output
        assert ("note" in header(files, "meetings")) is bool(flags)
        assert leaks(files, pdb) == {}
    missing = tmp_path / "missing.zip"
    result = runner.invoke(args=["journal", "export", "--study", "Ingen sådan", "--out", str(missing)])
    assert result.exit_code != 0
    assert "No study called 'Ingen sådan'" in result.output
    assert not missing.exists()
    assert runner.invoke(args=["journal", "export", "--study", STUDY, "--out", str(missing), "--k", "1"]).exit_code != 0


def test_a_backdated_outcome_is_day_zero_not_a_negative_day(pdb, study):
    """An outcome dated before anything else about the citizen becomes their day 0. Every
    citizen gets one on the same day, so that k does not leave them all out."""
    worker = pdb.execute("SELECT id FROM user WHERE username = 'mads'").fetchone()[0]
    with transaction(pdb):
        for (citizen,) in pdb.execute("SELECT id FROM citizen").fetchall():
            pdb.execute(
                "INSERT INTO outcome (id, citizen_id, kind, observed_on, recorded_by, recorded_at, content_hash) "
                "VALUES (?, ?, 'none', '2020-01-01', ?, '2026-01-01T00:00:00Z', 'x')",
                [str(uuid.uuid4()), citizen, worker],
            )
    files, _ = make_export(pdb, study["id"], k=2)
    days = [int(r["day"]) for r in rows(files, "outcomes") if r["kind"] == "none" and r["day"]]
    assert days and set(days) == {0}
    for table in ("meetings", "expectations", "outcomes", "actions", "sparring_requests", "sparring_ratings"):
        assert all(int(r["day"]) >= 0 for r in rows(files, table) if r.get("day"))


def test_spss_and_stata_files_carry_the_same_rows_and_value_labels(pdb, study, tmp_path):
    import pyreadstat

    files, summary = make_export(pdb, study["id"], k=2, stats_files=True)
    for table in CSVS:
        for suffix, reader in ((".sav", pyreadstat.read_sav), (".dta", pyreadstat.read_dta)):
            path = tmp_path / f"{table}{suffix}"
            path.write_bytes(files[f"{table}{suffix}"])
            frame, meta = reader(str(path))
            assert len(frame) == summary["rows"][table], (table, suffix)
            assert list(frame.columns) == summary["columns"][table]
    path = tmp_path / "expectations.sav"
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_value_labels["source"][1.0] == "worker"
    assert meta.variable_value_labels["confidence"] == {1.0: "low", 2.0: "medium", 3.0: "high"}
    assert "within 12 months" in meta.column_names_to_labels["value"]
    csv_sources = [r["source"] for r in rows(files, "expectations")]
    labels = meta.variable_value_labels["source"]
    assert [labels[code] for code in frame["source"]] == csv_sources
    assert ".sav and <table>.dta" in files["README.txt"].decode()


def test_no_member_of_the_zip_is_dated_finer_than_the_month(pdb, study):
    """zipfile would stamp each file with the time it was written: the day of the export,
    and so day 0 of the citizens who started that day."""
    buffer = io.BytesIO()
    export.write(pdb, study["id"], export.Options(k=2, free_text=True, stats_files=True), buffer, SECRET)
    today = clock.today()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        stamps = {info.filename: info.date_time for info in archive.infolist()}
    assert len(stamps) == len(CSVS) * 3 + 3
    assert set(stamps.values()) == {(today.year, today.month, 1, 0, 0, 0)}, stamps
