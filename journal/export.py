"""The anonymised research export: a zip of tidy CSV files nobody can be re-identified from.

What it guarantees (README.txt in every zip says the same, with the figures; the rules
themselves are pure functions in journal/anonymity.py):
- Citizens, workers, teams, source labels and every record id become pseudonyms: HMAC-SHA256
  of random public ids under a key derived on the server from the installation secret and
  the study. Exports of one study are linkable on purpose; different studies share nothing.
- Dates become days since the citizen's first record; birth year becomes a 10-year band.
  Rows are written by that day, in a random order within a day drawn afresh for every
  export, never in entry order. No absolute date finer than the month of export is written.
- Free text is left out unless asked for; then it is scrubbed (journal/scrub.py): national ID
  numbers, e-mail addresses, phone numbers, dates, addresses, case references and names
  become [CPR], [EMAIL], [PHONE], [DATE], [ADDRESS], [REF], [NAME], counted per kind.
- Quasi-identifiers (team, age band, gender, goal, status, outcome kinds, follow-up and
  closing day in bands) are made k-anonymous: citizens in small groups are coarsened step by
  step; those still in groups below k are left out with all their rows. Workers of teams
  with fewer than k workers in the export share one pseudonym.
- No worker name, username or e-mail is ever written.

Rows are streamed from SQLite to the zip, so memory stays bounded however large the study;
the SPSS/Stata option reads each table back from a spooled CSV (journal/statsfiles.py).
"""
import csv
import io
import json
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import clock
from .anonymity import PREFIX, STEPS, Pseudonyms, k_anonymise, label_key, merged_workers, study_key
from .datadict import TABLES, codebook_rows, columns, table_schema
from .scrub import KINDS as SCRUB_KINDS
from .scrub import Scrubber
from .zipmembers import copy_file, member, write_text

__all__ = ["Options", "PREFIX", "Pseudonyms", "pseudonymiser", "study_key", "write"]

#: How the README names the quasi-identifiers (anonymity.QUASI).
QUASI_NAMES = ("team", "age band", "gender", "goal", "status", "outcome kinds", "follow-up band", "closing-day band")

#: The country of a team, from its language (a Danish or a Swedish jobcentre).
COUNTRY = {"da": "DK", "sv": "SE"}

#: Kinds whose pseudonyms recur on many rows and are few: computed once per export (not
#: meetings or labels: there are too many of them to hold, and an HMAC is cheap).
REMEMBERED = frozenset({"citizen", "worker", "team"})

#: How often (rows) the progress callback hears from a table being written.
PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class Options:
    free_text: bool = False
    k: int = 5
    stats_files: bool = False  # also SPSS .sav and Stata .dta with value labels


def public_ids(db, table):
    """Row id → public id of *table* (all rows)."""
    return dict(db.execute(f"SELECT id, public_id FROM [{table}]").fetchall())


def pseudonymiser(db, study_id, secret, merged=None):
    """(kind, row id or record UUID) → the pseudonym an export of the study writes.

    Records that carry a client-made UUID (meetings, expectations, outcomes) are named by it;
    everything else by its random public id. Citizens, workers and teams are looked up often
    and are few, so their pseudonyms are remembered.

    :param merged: worker id → team id (or None) for workers who share their team's merged
        pseudonym (anonymity.merged_workers)
    """
    public = {kind: public_ids(db, table) for kind, table in (
        ("citizen", "citizen"), ("worker", "user"), ("team", "team"), ("request", "sparring_request"),
        ("session", "sparring_session"), ("case", "sparring_case"), ("action", "action"),
    )}
    study = db.execute("SELECT public_id FROM study WHERE id = ?", [study_id]).fetchone()
    pseudo = Pseudonyms(study_key(secret, study[0] if study else f"missing-{study_id}"))
    merged = merged or {}
    remembered = {}

    def named(kind, value):
        if kind == "rating":
            case_id, user_id = value
            return pseudo("rating", f"{public['case'][case_id]}:{public['worker'][user_id]}")
        if kind == "label":
            citizen_id, label = value
            key = label_key(label)
            return pseudo("label", f"{public['citizen'][citizen_id]}:{key}") if key else None
        if kind == "worker" and value in merged:
            team = merged[value]
            return pseudo("worker", f"team:{public['team'][team] if team is not None else 'none'}")
        if kind in public:
            return pseudo(kind, public[kind][value])
        return pseudo(kind, value)

    def name(kind, value):
        if value is None:
            return None
        if kind not in REMEMBERED:
            return named(kind, value)
        known = remembered.get((kind, value))
        if known is None:
            known = remembered[(kind, value)] = named(kind, value)
        return known

    name.record = pseudo  # (kind, UUID) → pseudonym, without the lookups: the hot path
    name.remembered = remembered
    return name


# --- the export -----------------------------------------------------------------------------


def _first_and_last(db, marks, team_ids):
    """citizen id → (first, last) date of anything recorded about the citizen (day 0 and the
    end of follow-up), closing included."""
    within = f"citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks}))"
    dates = {}
    for sql in (
        f"SELECT citizen_id AS id, MIN(observed_on) AS lo, MAX(observed_on) AS hi FROM expectation WHERE {within} GROUP BY citizen_id",
        f"SELECT citizen_id AS id, MIN(held_on) AS lo, MAX(held_on) AS hi FROM meeting WHERE {within} GROUP BY citizen_id",
        f"SELECT id, substr(created_at, 1, 10) AS lo, substr(COALESCE(closed_at, created_at), 1, 10) AS hi FROM citizen WHERE team_id IN ({marks})",
        f"SELECT citizen_id AS id, MIN(observed_on) AS lo, MAX(observed_on) AS hi FROM outcome WHERE {within} GROUP BY citizen_id",
        f"SELECT citizen_id AS id, MIN(substr(created_at, 1, 10)) AS lo, MAX(substr(COALESCE(handled_at, created_at), 1, 10)) AS hi FROM sparring_request WHERE {within} GROUP BY citizen_id",
        f"SELECT citizen_id AS id, MIN(substr(created_at, 1, 10)) AS lo, MAX(substr(created_at, 1, 10)) AS hi FROM action WHERE {within} GROUP BY citizen_id",
        f"SELECT sc.citizen_id AS id, MIN(substr(r.rated_at, 1, 10)) AS lo, MAX(substr(r.rated_at, 1, 10)) AS hi "
        f"FROM sparring_rating r JOIN sparring_case sc ON sc.id = r.case_id WHERE sc.{within} GROUP BY sc.citizen_id",
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


def _citizens(db, marks, team_ids, spans):
    """The enrolled citizens with everything k is checked over (anonymity.quasi_identifiers)."""
    outcomes = {}
    for citizen_id, kind in db.execute(
        f"SELECT DISTINCT citizen_id, kind FROM outcome WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks}))",
        team_ids,
    ):
        outcomes.setdefault(citizen_id, set()).add(kind)
    people = []
    for c in db.query(
        f"SELECT c.id, c.team_id, c.birth_year, c.gender, c.goal, c.status, c.closed_at, t.locale "
        f"FROM citizen c JOIN team t ON t.id = c.team_id WHERE c.team_id IN ({marks})", team_ids,
    ):
        first, last = spans[c["id"]]
        closed = c["closed_at"] if c["status"] == "closed" else None
        people.append(dict(
            c, team=c["team_id"], outcomes="|".join(sorted(outcomes.get(c["id"], ()))),
            followup=(last - first).days,
            closed=(clock.as_date(closed[:10]) - first).days if closed else None,
        ))
    return people


def _workers(db, marks, team_ids, kept):
    """worker id → team id of every worker whose pseudonym the export writes (kept citizens)."""
    within = f"IN (SELECT id FROM citizen WHERE team_id IN ({marks}))"
    seen = set()
    for sql in (
        f"SELECT DISTINCT worker_id, citizen_id FROM meeting WHERE citizen_id {within}",
        f"SELECT DISTINCT recorded_by, citizen_id FROM expectation WHERE citizen_id {within}",
        f"SELECT DISTINCT owner_id, citizen_id FROM action WHERE citizen_id {within}",
        f"SELECT DISTINCT r.user_id, sc.citizen_id FROM sparring_rating r JOIN sparring_case sc ON sc.id = r.case_id WHERE sc.citizen_id {within}",
    ):
        seen.update(worker for worker, citizen in db.execute(sql, team_ids) if citizen in kept and worker is not None)
    team_of = dict(db.execute("SELECT id, team_id FROM user").fetchall())
    return {worker: team_of.get(worker) for worker in seen}


def _corrected_meetings(db, marks, team_ids):
    """expectation id → the meeting of the entry it corrects, for corrections logged outside a
    meeting: a correction fixes what was recorded at that meeting (and in that mode)."""
    return dict(db.execute(
        f"""WITH RECURSIVE walk(id, meeting_id, target) AS (
                SELECT id, meeting_id, supersedes FROM expectation
                WHERE supersedes IS NOT NULL AND meeting_id IS NULL
                  AND citizen_id IN (SELECT id FROM citizen WHERE team_id IN ({marks}))
                UNION ALL
                SELECT walk.id, e.meeting_id, e.supersedes FROM walk JOIN expectation e ON e.id = walk.target
                WHERE walk.meeting_id IS NULL
            )
            SELECT id, meeting_id FROM walk WHERE meeting_id IS NOT NULL""",
        team_ids,
    ).fetchall())


def write(db, study_id, options, out, secret, progress=None):
    """Write the export of study *study_id* to the binary file *out*; returns the summary.

    :param secret: the installation secret (the app's SECRET_KEY): the study's pseudonym key
        is derived from it
    :param progress: called as ``progress(table_index, table_count, rows_written)`` every
        PROGRESS_EVERY rows and when a table is done (export jobs show it)
    """
    team_ids = [r[0] for r in db.execute("SELECT team_id FROM study_team WHERE study_id = ? ORDER BY team_id", [study_id])]
    scrub = None
    if options.free_text:
        names, phrases = _known_names(db)
        scrub = Scrubber(names, [r[0] for r in db.execute("SELECT case_ref FROM citizen")], phrases)
    summary = {"rows": {}, "teams": len(team_ids)}
    if not team_ids:
        team_ids = [-1]
    marks = ",".join("?" * len(team_ids))
    spans = _first_and_last(db, marks, team_ids)
    people = _citizens(db, marks, team_ids, spans)
    quasi, steps, suppressed = k_anonymise(people, options.k)
    merged = merged_workers(_workers(db, marks, team_ids, quasi), options.k)
    pseudo = pseudonymiser(db, study_id, secret, merged)
    summary.update(
        k=options.k, suppressed=len(suppressed),
        generalised={f"step {n}": sum(1 for s in steps.values() if s == n) for n in range(1, len(STEPS))},
        merged_worker_teams=len(set(merged.values())), merged_workers=len(merged),
    )
    corrected_meeting = _corrected_meetings(db, marks, team_ids)
    # Rows are written by day since the citizen's first record, in a random order within a
    # day (fresh for every export): never in entry order, which would line up the day offsets
    # of different citizens and give their calendars back. Day offsets are computed by SQLite.
    db.execute("CREATE TEMP TABLE IF NOT EXISTS export_first (citizen_id INTEGER PRIMARY KEY, first_day REAL)")
    db.execute("DELETE FROM export_first")
    db.conn.executemany(
        "INSERT INTO export_first VALUES (?, julianday(?))",
        [(cid, span[0].isoformat()) for cid, span in spans.items() if cid in quasi],
    )
    people = secrets.SystemRandom().sample(people, len(people))

    def day(column):
        return f"CAST(julianday(substr({column}, 1, 10)) - f.first_day AS INTEGER)"

    def by_day(column, alias="x"):
        return f"JOIN export_first f ON f.citizen_id = {alias}.citizen_id ORDER BY {day(column)}, random()"

    text = scrub if scrub else (lambda value: None)
    name = pseudo

    # Each producer yields tuples in the data dictionary's column order (datadict.TABLES);
    # free-text columns come last, so without free text a row is cut short (_write_csv).
    # Tuples from plain cursors, not dicts: a million rows is where this shows.
    def rows_citizens():
        for c in people:
            if c["id"] not in quasi:
                continue
            team, age, gender, goal, status, _outcomes, followup, closed = quasi[c["id"]]
            yield (name("citizen", c["id"]), name("team", team), COUNTRY.get(c["locale"]), age, gender, goal,
                   status, followup, closed)

    # The two big tables call the pseudonym function directly for record UUIDs and look up
    # citizens and workers in what name() remembered: a million rows feel every call.
    record = name.record
    citizen_of = {cid: name("citizen", cid) for cid in quasi}
    worker_of = {}

    def worker(user_id):
        known = worker_of.get(user_id)
        if known is None and user_id is not None:
            known = worker_of[user_id] = name("worker", user_id)
        return known

    corrected = {r[0] for r in db.execute("SELECT supersedes FROM expectation WHERE supersedes IS NOT NULL")}

    def rows_meetings():
        for mid, cid, worker_id, day_, mode, participants, note in db.execute(
            f"SELECT x.id, x.citizen_id, x.worker_id, {day('x.held_on')}, x.mode, x.participants, "
            f"{'x.note' if scrub else 'NULL'} FROM meeting x {by_day('x.held_on')}"
        ):
            yield (record("meeting", mid), citizen_of[cid], worker(worker_id), day_, mode,
                   "|".join(json.loads(participants)) if participants and participants != "[]" else "", text(note))

    def rows_expectations():
        for eid, cid, mid, source, label, value, confidence, day_, in_day, recorded_by, context, supersedes, basis in db.execute(
            f"SELECT x.id, x.citizen_id, x.meeting_id, x.source, x.source_label, x.value, x.confidence, "
            f"{day('x.observed_on')}, "
            # the order within the day: entries of the citizen that day recorded earlier, by
            # the (citizen, day) index; a window function would sort the whole table once more
            f"1 + (SELECT COUNT(*) FROM expectation y WHERE y.citizen_id = x.citizen_id AND y.observed_on = x.observed_on "
            f"AND (y.recorded_at < x.recorded_at OR (y.recorded_at = x.recorded_at AND y.rowid < x.rowid))), "
            f"x.recorded_by, x.context, x.supersedes, {'x.basis' if scrub else 'NULL'} "
            f"FROM expectation x {by_day('x.observed_on')}"
        ):
            yield (
                record("expectation", eid), citizen_of[cid],
                record("meeting", mid or corrected_meeting.get(eid)) if mid or supersedes else None,
                source, name("label", (cid, label)) if label else None, value, confidence, day_, in_day,
                worker(recorded_by), context, record("expectation", supersedes) if supersedes else None,
                "true" if eid in corrected else "false", text(label) if scrub else None, text(basis) if scrub else None,
            )

    def rows_requests():
        for rid, cid, reason, status, day_, handled in db.execute(
            f"SELECT x.id, x.citizen_id, x.reason, x.status, {day('x.created_at')}, {day('x.handled_at')} "
            f"FROM sparring_request x {by_day('x.created_at')}"
        ):
            yield name("request", rid), name("citizen", cid), reason, status, day_, handled

    def rows_ratings():
        for case_id, user_id, cid, session_id, value, day_ in db.execute(
            f"SELECT r.case_id, r.user_id, x.citizen_id, x.session_id, r.value, {day('r.rated_at')} FROM sparring_rating r "
            f"JOIN sparring_case x ON x.id = r.case_id {by_day('r.rated_at')}"
        ):
            yield (name("rating", (case_id, user_id)), name("citizen", cid), name("session", session_id),
                   name("worker", user_id), value, day_)

    def rows_actions():
        for aid, cid, owner, day_, due, done, action_text in db.execute(
            f"SELECT x.id, x.citizen_id, x.owner_id, {day('x.created_at')}, {day('x.due_on')}, {day('x.done_on')}, "
            f"{'x.text' if scrub else 'NULL'} FROM action x {by_day('x.created_at')}"
        ):
            yield name("action", aid), name("citizen", cid), name("worker", owner), day_, due, done, text(action_text)

    def rows_outcomes():
        for oid, cid, kind, day_, note in db.execute(
            f"SELECT x.id, x.citizen_id, x.kind, {day('x.observed_on')}, {'x.note' if scrub else 'NULL'} "
            f"FROM outcome x {by_day('x.observed_on')}"
        ):
            yield name("outcome", oid), name("citizen", cid), kind, day_, text(note)

    producers = {
        "citizens": rows_citizens, "meetings": rows_meetings, "expectations": rows_expectations,
        "sparring_requests": rows_requests, "sparring_ratings": rows_ratings, "actions": rows_actions,
        "outcomes": rows_outcomes,
    }

    def counted(index, rows):
        """*rows*, telling *progress* how far the table has got."""
        count = 0
        for count, row in enumerate(rows, start=1):
            if progress and count % PROGRESS_EVERY == 0:
                progress(index, len(TABLES), count)
            yield row
        if progress:
            progress(index + 1, len(TABLES), count)

    # Level 1 compresses CSV to within a few per cent of the default level 6 at a third of the
    # time, and the time is what a million rows wait for.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index, table_ in enumerate(TABLES):
            wanted = [c.name for c in columns(table_, options.free_text)]
            rows = counted(index, producers[table_.name]())
            if options.stats_files:
                # The SPSS/Stata writers read the table back from disk in chunks, so the CSV
                # goes to a temporary file first and nothing is held in memory.
                with tempfile.TemporaryDirectory() as folder:
                    spool = Path(folder) / f"{table_.name}.csv"
                    with open(spool, "w", encoding="utf-8", newline="") as stream:
                        count = _write_csv(stream, wanted, rows)
                    copy_file(archive, spool.name, spool)
                    from . import statsfiles

                    statsfiles.add(archive, table_, columns(table_, options.free_text), spool)
            else:
                with member(archive, f"{table_.name}.csv", 1 << 40) as raw:  # Zip64 allowed: size unknown
                    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    count = _write_csv(stream, wanted, rows)
                    stream.flush()
                    stream.detach()
            summary["rows"][table_.name] = count
        summary["columns"] = {t.name: [c.name for c in columns(t, options.free_text)] for t in TABLES}
        summary["redactions"] = dict(scrub.counts) if scrub else None
        write_text(archive, "codebook.csv", _codebook(options))
        write_text(archive, "datapackage.json", json.dumps(_datapackage(options, summary), indent=2))
        write_text(archive, "README.txt", readme(options, summary))
    return summary


def _write_csv(stream, wanted, rows):
    """Write a header and *rows* (tuples in the dictionary's column order, cut to the
    *wanted* columns; None is an empty cell) as CSV to the text *stream*; returns the count."""
    writer = csv.writer(stream)
    writer.writerow(wanted)
    width = len(wanted)
    count = 0
    for count, row in enumerate(rows, start=1):
        writer.writerow(row[:width])
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
    steps = summary["generalised"]
    lines += [
        "",
        "GENERALISED AND SUPPRESSED (k-anonymity)",
        f"  Quasi-identifiers: {', '.join(QUASI_NAMES)}; k = {summary['k']}.",
        "  Every combination of them in citizens.csv (outcome kinds from outcomes.csv) holds at least k citizens.",
        "  Citizens in smaller groups were coarsened step by step (1: 20-year age band; 2: also 180-day",
        "  follow-up bands; 3: also 365-day bands):",
        *[f"  Citizens coarsened to {name}: {count}." for name, count in steps.items()],
        f"  Citizens left out entirely (with all their rows) because their group stayed below k: {summary['suppressed']}.",
        f"  Teams with fewer than k workers in this export, whose workers share one pseudonym: {summary['merged_worker_teams']}"
        f" ({summary['merged_workers']} workers).",
        "  Day columns in the other files are exact days since each citizen's first record; they are",
        "  not banded, so the span of a citizen's records can be read from them to the day.",
        "",
        "Each row of expectations.csv is one perspective on the citizen's chance of job or education",
        "within 12 months on the scale 0 (no realistic chance) to 10 (very likely). Use rows with",
        "superseded = false; corrected entries are kept for transparency.",
    ]
    return "\n".join(lines) + "\n"
