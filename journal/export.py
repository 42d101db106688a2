"""The anonymised research export: a zip of tidy CSV files nobody can be re-identified from.

What it guarantees (README.txt in every zip says the same, with the figures):
- Citizens, workers, teams and every record id become pseudonyms: HMAC-SHA256 under a key
  made for this export and never stored, so two exports cannot be linked — unless the study
  owner passes a study key on purpose.
- Dates become days since the citizen's first record (ISO year-week of the first record only
  if asked for); birth year becomes a 10-year band. Rows are written by that day, in a random
  order within a day, never in entry order.
- Free text is left out unless asked for; then it is scrubbed (journal/scrub.py): national ID
  numbers, e-mail addresses, phone numbers, dates, addresses, case references and names
  become [CPR], [EMAIL], [PHONE], [DATE], [ADDRESS], [REF], [NAME], counted per kind.
- Quasi-identifiers (team, age band, gender, goal) are made k-anonymous: citizens in groups
  smaller than k get a 20-year band; those still in small groups are left out entirely.
- No worker name, username or e-mail is ever written.

Rows are streamed from SQLite to the zip, so memory stays bounded however large the study
(except with the SPSS/Stata option, which needs each table in memory: journal/statsfiles.py).
"""
import csv
import hashlib
import hmac
import io
import json
import secrets
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import clock
from .scrub import KINDS as SCRUB_KINDS
from .scrub import Scrubber
from .datadict import TABLES, codebook_rows, columns, table_schema

PREFIX = {"citizen": "C", "worker": "W", "team": "T", "meeting": "M", "expectation": "E", "request": "R",
          "session": "S", "rating": "X", "action": "A", "outcome": "O"}


@dataclass(frozen=True)
class Options:
    free_text: bool = False
    k: int = 5
    stats_files: bool = False  # also SPSS .sav and Stata .dta with value labels


# --- pure parts -----------------------------------------------------------------------------


class Pseudonyms:
    """HMAC-SHA256 pseudonyms of public ids under a study's key.

    The key never leaves the server and the ids are random (migration m007), so nobody
    outside the server can recompute or reverse a pseudonym; the same key for every export
    of one study makes the exports of a study linkable on purpose (follow-up), and different
    studies share nothing.
    """

    def __init__(self, key: bytes):
        self._key = key

    def __call__(self, kind, value):
        if value is None:
            return None
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{PREFIX[kind]}-{digest[:16]}"


def study_key(secret, study_public_id):
    """The study's pseudonym key: derived on the server from the installation secret and the
    study (DESIGN.md "Research export"), never stored, never shown."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"forventningsjournal-export:{study_public_id}".encode(), hashlib.sha256).digest()


def public_ids(db, table):
    """Row id → public id of *table* (all rows)."""
    return dict(db.execute(f"SELECT id, public_id FROM [{table}]").fetchall())


def pseudonymiser(db, study_id, secret):
    """(kind, row id or record UUID) → the pseudonym an export of the study writes.

    Records that carry a client-made UUID (meetings, expectations, outcomes) are named by it;
    everything else by its random public id.
    """
    public = {kind: public_ids(db, table) for kind, table in (
        ("citizen", "citizen"), ("worker", "user"), ("team", "team"), ("request", "sparring_request"),
        ("session", "sparring_session"), ("case", "sparring_case"), ("action", "action"),
    )}
    study = db.execute("SELECT public_id FROM study WHERE id = ?", [study_id]).fetchone()
    pseudo = Pseudonyms(study_key(secret, study[0] if study else f"missing-{study_id}"))

    def name(kind, value):
        if value is None:
            return None
        if kind == "rating":
            case_id, user_id = value
            return pseudo("rating", f"{public['case'][case_id]}:{public['worker'][user_id]}")
        if kind in public:
            return pseudo(kind, public[kind][value])
        return pseudo(kind, value)

    return name


def age_band(birth_year, width=10):
    if birth_year is None:
        return ""
    low = birth_year - birth_year % width
    return f"{low}-{low + width - 1}"


def k_anonymise(citizens, k):
    """Generalise, then suppress, so every (team, age band, gender, goal) group has ≥ k citizens.

    :param citizens: dicts with id, team, birth_year, gender, goal
    :returns: (bands: citizen id → age band for the kept ones, how many kept citizens got the
        wider band, suppressed ids)
    """
    bands = {c["id"]: age_band(c["birth_year"]) for c in citizens}

    def key(c):
        return (c["team"], bands[c["id"]], c["gender"], c["goal"])

    sizes = Counter(key(c) for c in citizens)
    widened = set()
    for c in citizens:
        if sizes[key(c)] < k and c["birth_year"] is not None:
            bands[c["id"]] = age_band(c["birth_year"], 20)
            widened.add(c["id"])
    sizes = Counter(key(c) for c in citizens)
    suppressed = {c["id"] for c in citizens if sizes[key(c)] < k}
    kept = {cid: band for cid, band in bands.items() if cid not in suppressed}
    return kept, len(widened - suppressed), suppressed


# --- the export -----------------------------------------------------------------------------


def _day(value, first):
    if value is None or first is None:
        return None
    return (clock.as_date(value[:10]) - first).days


def _first_and_last(db, team_ids):
    marks = ",".join("?" * len(team_ids))
    dates = {}
    for sql in (
        f"SELECT citizen_id AS id, MIN(observed_on) AS lo, MAX(observed_on) AS hi FROM expectation WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks})) GROUP BY citizen_id",
        f"SELECT citizen_id AS id, MIN(held_on) AS lo, MAX(held_on) AS hi FROM meeting WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks})) GROUP BY citizen_id",
        f"SELECT id, substr(created_at, 1, 10) AS lo, substr(created_at, 1, 10) AS hi FROM citizen WHERE team_id IN ({marks})",
        f"SELECT citizen_id AS id, MIN(observed_on) AS lo, MAX(observed_on) AS hi FROM outcome WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks})) GROUP BY citizen_id",
        f"SELECT citizen_id AS id, MIN(substr(created_at, 1, 10)) AS lo, MAX(substr(created_at, 1, 10)) AS hi FROM sparring_request WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks})) GROUP BY citizen_id",
        f"SELECT citizen_id AS id, MIN(substr(created_at, 1, 10)) AS lo, MAX(substr(created_at, 1, 10)) AS hi FROM action WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks})) GROUP BY citizen_id",
    ):
        for row in db.query(sql, team_ids):
            lo, hi = clock.as_date(row["lo"]), clock.as_date(row["hi"])
            old = dates.get(row["id"])
            dates[row["id"]] = (min(lo, old[0]), max(hi, old[1])) if old else (lo, hi)
    return dates


def _known_names(db):
    """(person names, phrases): every person the system knows (citizens, users' display and
    user names), matched part by part; and team names and municipalities, matched only as
    a whole ("Unge Silkeborg"), so that "unge" in a sentence stays a word."""
    names = [r[0] for r in db.execute("SELECT display_name FROM citizen WHERE display_name IS NOT NULL")]
    for username, display in db.execute("SELECT username, display_name FROM user"):
        names += [username, display]
    phrases = []
    for name, municipality in db.execute("SELECT name, municipality FROM team"):
        phrases += [name, municipality]
    return names, phrases


def write(db, study_id, options, out, secret, progress=None):
    """Write the export of study *study_id* to the binary file *out*; returns the summary.

    :param secret: the installation secret (the app's SECRET_KEY): the study's pseudonym key
        is derived from it
    :param progress: STAND-IN (export-job branch) for main's hook: called
        progress(tables_done, table_count, rows_of_the_table) when a table is done (main also
        calls progress(table_index, table_count, rows_so_far) every 10,000 rows)
    """
    team_ids = [r[0] for r in db.execute("SELECT team_id FROM study_team WHERE study_id = ? ORDER BY team_id", [study_id])]
    pseudo = pseudonymiser(db, study_id, secret)
    scrub = None
    if options.free_text:
        names, phrases = _known_names(db)
        scrub = Scrubber(names, [r[0] for r in db.execute("SELECT case_ref FROM citizen")], phrases)
    summary = {"rows": {}, "teams": len(team_ids)}
    if not team_ids:
        team_ids = [-1]
    marks = ",".join("?" * len(team_ids))
    people = list(db.query(f"SELECT id, team_id, birth_year, gender, goal, status FROM citizen WHERE team_id IN ({marks})", team_ids))
    bands, generalised, suppressed = k_anonymise(
        [dict(c, team=c["team_id"]) for c in people], options.k
    )
    summary.update(generalised=generalised, suppressed=len(suppressed), k=options.k)
    spans = _first_and_last(db, team_ids)
    first = {cid: span[0] for cid, span in spans.items()}
    # Rows are written by day since the citizen's first record, in a random order within a
    # day (fresh for every export): never in entry order, which would line up the day offsets
    # of different citizens and give their calendars back.
    db.execute("CREATE TEMP TABLE IF NOT EXISTS export_first (citizen_id INTEGER PRIMARY KEY, first_day TEXT)")
    db.execute("DELETE FROM export_first")
    db.conn.executemany("INSERT INTO export_first VALUES (?, ?)", [(cid, day.isoformat()) for cid, day in first.items()])
    people = secrets.SystemRandom().sample(people, len(people))

    def by_day(column):
        return (f"JOIN export_first f ON f.citizen_id = c.id "
                f"ORDER BY julianday(substr({column}, 1, 10)) - julianday(f.first_day), random()")

    def text(value):
        return scrub(value) if scrub else None

    def rows_citizens():
        for c in people:
            if c["id"] in suppressed:
                continue
            lo, hi = spans.get(c["id"], (None, None))
            yield {
                "citizen": pseudo("citizen", c["id"]),
                "team": pseudo("team", c["team_id"]),
                "age_band": bands[c["id"]],
                "gender": c["gender"],
                "goal": c["goal"],
                "status": c["status"],
                "days_observed": (hi - lo).days if lo else None,
            }

    def kept(citizen_id):
        return citizen_id not in suppressed

    def rows_meetings():
        for m in db.query(f"SELECT m.* FROM meeting m JOIN citizen c ON c.id = m.citizen_id AND c.team_id IN ({marks}) {by_day('m.held_on')}", team_ids):
            if kept(m["citizen_id"]):
                yield {
                    "meeting": pseudo("meeting", m["id"]),
                    "citizen": pseudo("citizen", m["citizen_id"]),
                    "worker": pseudo("worker", m["worker_id"]),
                    "day": _day(m["held_on"], first.get(m["citizen_id"])),
                    "mode": m["mode"],
                    "participants": "|".join(json.loads(m["participants"] or "[]")),
                    "note": text(m["note"]),
                }

    def rows_expectations():
        for e in db.query(
            f"SELECT e.*, (SELECT 1 FROM expectation s WHERE s.supersedes = e.id) AS superseded "
            f"FROM expectation e JOIN citizen c ON c.id = e.citizen_id AND c.team_id IN ({marks}) {by_day('e.observed_on')}",
            team_ids,
        ):
            if kept(e["citizen_id"]):
                yield {
                    "expectation": pseudo("expectation", e["id"]),
                    "citizen": pseudo("citizen", e["citizen_id"]),
                    "meeting": pseudo("meeting", e["meeting_id"]),
                    "source": e["source"],
                    "value": e["value"],
                    "confidence": e["confidence"],
                    "day": _day(e["observed_on"], first.get(e["citizen_id"])),
                    "recorded_by": pseudo("worker", e["recorded_by"]),
                    "context": e["context"],
                    "superseded": "true" if e["superseded"] else "false",
                    "source_label": text(e["source_label"]),
                    "basis": text(e["basis"]),
                }

    def rows_requests():
        for r in db.query(f"SELECT r.* FROM sparring_request r JOIN citizen c ON c.id = r.citizen_id AND c.team_id IN ({marks}) {by_day('r.created_at')}", team_ids):
            if kept(r["citizen_id"]):
                f = first.get(r["citizen_id"])
                yield {
                    "request": pseudo("request", r["id"]),
                    "citizen": pseudo("citizen", r["citizen_id"]),
                    "reason": r["reason"],
                    "status": r["status"],
                    "day": _day(r["created_at"], f),
                    "handled_day": _day(r["handled_at"], f),
                }

    def rows_ratings():
        for r in db.query(
            f"SELECT r.*, sc.citizen_id, sc.session_id FROM sparring_rating r JOIN sparring_case sc ON sc.id = r.case_id "
            f"JOIN citizen c ON c.id = sc.citizen_id AND c.team_id IN ({marks}) {by_day('r.rated_at')}",
            team_ids,
        ):
            if kept(r["citizen_id"]):
                yield {
                    "rating": pseudo("rating", (r["case_id"], r["user_id"])),
                    "citizen": pseudo("citizen", r["citizen_id"]),
                    "session": pseudo("session", r["session_id"]),
                    "rater": pseudo("worker", r["user_id"]),
                    "value": r["value"],
                    "day": _day(r["rated_at"], first.get(r["citizen_id"])),
                }

    def rows_actions():
        for a in db.query(f"SELECT a.* FROM action a JOIN citizen c ON c.id = a.citizen_id AND c.team_id IN ({marks}) {by_day('a.created_at')}", team_ids):
            if kept(a["citizen_id"]):
                f = first.get(a["citizen_id"])
                yield {
                    "action": pseudo("action", a["id"]),
                    "citizen": pseudo("citizen", a["citizen_id"]),
                    "owner": pseudo("worker", a["owner_id"]),
                    "day": _day(a["created_at"], f),
                    "due_day": _day(a["due_on"], f),
                    "done_day": _day(a["done_on"], f),
                    "text": text(a["text"]),
                }

    def rows_outcomes():
        for o in db.query(f"SELECT o.* FROM outcome o JOIN citizen c ON c.id = o.citizen_id AND c.team_id IN ({marks}) {by_day('o.observed_on')}", team_ids):
            if kept(o["citizen_id"]):
                yield {
                    "outcome": pseudo("outcome", o["id"]),
                    "citizen": pseudo("citizen", o["citizen_id"]),
                    "kind": o["kind"],
                    "day": _day(o["observed_on"], first.get(o["citizen_id"])),
                    "note": text(o["note"]),
                }

    producers = {
        "citizens": rows_citizens, "meetings": rows_meetings, "expectations": rows_expectations,
        "sparring_requests": rows_requests, "sparring_ratings": rows_ratings, "actions": rows_actions,
        "outcomes": rows_outcomes,
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table_ in TABLES:
            wanted = [c.name for c in columns(table_, options.free_text)]
            if options.stats_files:
                # The SPSS/Stata writers read the table back from disk in chunks, so the CSV
                # goes to a temporary file first and nothing is held in memory.
                with tempfile.TemporaryDirectory() as folder:
                    spool = Path(folder) / f"{table_.name}.csv"
                    with open(spool, "w", encoding="utf-8", newline="") as stream:
                        count = _write_csv(stream, wanted, producers[table_.name]())
                    archive.write(spool, spool.name)
                    from . import statsfiles

                    statsfiles.add(archive, table_, columns(table_, options.free_text), spool)
            else:
                with archive.open(f"{table_.name}.csv", "w") as raw:
                    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    count = _write_csv(stream, wanted, producers[table_.name]())
                    stream.flush()
                    stream.detach()
            summary["rows"][table_.name] = count
            if progress is not None:  # STAND-IN (export-job branch)
                progress(TABLES.index(table_) + 1, len(TABLES), count)
        summary["columns"] = {t.name: [c.name for c in columns(t, options.free_text)] for t in TABLES}
        summary["redactions"] = dict(scrub.counts) if scrub else None
        archive.writestr("codebook.csv", _codebook(options))
        archive.writestr("datapackage.json", json.dumps(_datapackage(options, summary), indent=2))
        archive.writestr("README.txt", readme(options, summary))
    return summary


def _write_csv(stream, wanted, rows):
    """Write a header and *rows* (dicts) as CSV to the text *stream*; returns the row count."""
    writer = csv.writer(stream)
    writer.writerow(wanted)
    count = 0
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in wanted])
        count += 1
    return count


def _codebook(options):
    buffer = io.StringIO()
    rows = list(codebook_rows(options.free_text))
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _datapackage(options, summary):
    return {
        "name": "forventningsjournal-export",
        "title": "Forventningsjournal: anonymised research export",
        "licenses": [{"name": "other-closed", "title": "For the enrolled study only"}],
        "resources": [
            {
                "name": t.name,
                "path": f"{t.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "description": t.meaning,
                "schema": table_schema(t, options.free_text),
            }
            for t in TABLES
        ],
    }


def readme(options, summary):
    """README.txt: what was removed, generalised and suppressed in this export."""
    lines = [
        "Forventningsjournal — anonymised research export",
        f"Made in {clock.today().strftime('%Y-%m')}.",
        "",
        "FILES",
        *[f"  {t.name}.csv: {summary['rows'][t.name]} rows. {t.meaning}." for t in TABLES],
        "  codebook.csv: every column: meaning, type, allowed values, unit, de-identification.",
        *(["  <table>.sav and <table>.dta: the same tables for SPSS and Stata, with variable and value labels."] if options.stats_files else []),
        "  datapackage.json: Frictionless Data Package (Table Schemas with enums and foreign keys).",
        "",
        "REMOVED",
        "  Names of citizens and workers, usernames, e-mail addresses, case references, national ID",
        "  numbers and all dates are not in this export.",
        "  Every id is a pseudonym: HMAC-SHA256 of a random public id (never a row number) under",
        "  a key derived on the server from the installation's secret and this study; the key is",
        "  not stored and never shown, so pseudonyms cannot be reversed outside the server.",
        "  LINKABLE BY DESIGN: every export of this study uses the same pseudonyms, so exports of",
        "  the study can be joined (follow-up). Exports of different studies share no pseudonym.",
        "  Dates are days since the citizen's first record (day 0).",
        "  Birth years are 10-year bands.",
    ]
    if options.free_text:
        counts = summary.get("redactions") or {}
        lines += [
            "  Free text is included and scrubbed (after Unicode NFKC normalisation): national ID",
            "  numbers → [CPR], e-mail addresses → [EMAIL], phone numbers → [PHONE], dates → [DATE],",
            "  street addresses and postcode + town → [ADDRESS], case references in any spelling →",
            "  [REF], every name known to the system in any spelling and every capitalised word",
            "  inside a sentence (bar a short list of institutions) → [NAME].",
            "  Replacements: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in SCRUB_KINDS) + ".",
            "  Scrubbing is automatic: read free text with care before quoting it.",
        ]
    else:
        lines.append("  Free text (notes, bases, labels) is left out.")
    lines += [
        "",
        "GENERALISED AND SUPPRESSED (k-anonymity)",
        f"  Quasi-identifiers: team, age band, gender, goal; k = {summary['k']}.",
        f"  Citizens in this export with a 20-year age band instead of 10: {summary['generalised']}.",
        f"  Citizens left out entirely (with all their rows) because their group stayed below k: {summary['suppressed']}.",
        "",
        "Each row of expectations.csv is one perspective on the citizen's chance of job or education",
        "within 12 months on the scale 0 (no realistic chance) to 10 (very likely). Use rows with",
        "superseded = false; corrected entries are kept for transparency.",
    ]
    return "\n".join(lines) + "\n"
