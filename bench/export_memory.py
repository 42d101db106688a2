"""Peak Python memory of the research export on a large study (not a test: run it by hand).

    python bench/export_memory.py [--citizens 2000] [--expectations 200000] [--keep]

Builds a throw-away database (one team, N citizens, their meetings and M expectations, bulk
inserted with executemany in one transaction), enrols the team in a study and runs
journal.export.write into a temporary zip file, with and without free text, while
tracemalloc measures peak Python memory. It does the same at a quarter of the size, so the
figures show whether memory grows with the number of rows: the export streams rows from
SQLite into the zip, so the peak should stay flat (a few MiB for the per-citizen maps), far
below 100 MiB. tracemalloc sees Python allocations only, not SQLite's own page cache.
"""
import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from journal import export, studies  # noqa: E402
from journal.db import connect, migrate, transaction  # noqa: E402

SOURCES = ("worker", "citizen", "doctor", "psychiatry", "parent", "other_department", "education", "employer")
LABELS = (None, "egen læge", "mor", "far", "familieafdelingen", "FGU-skolen", "praktikvirksomhed")
BASES = (
    None, None,
    "Motivationen er der, men stabiliteten mangler.",
    "Mads Kjærsgaard talte med moren på 20 12 34 56 om praktikken.",
    "Har klaret korte forløb før; skriv til anna.hansen@example.dk.",
)
NOTES = (None, "Gennemgik planen og næste skridt.", "Talte om trivsel og døgnrytme; ring 070-123 45 67.")
PER_MEETING = 10
MiB = 1024 * 1024


def build(path, citizens, expectations, seed=2026):
    """A migrated database at *path* with one team and the given numbers of rows."""
    rng = random.Random(seed)
    db = connect(path)
    migrate(db)
    now = "2026-01-01T09:00:00Z"
    start = date(2024, 1, 1)
    with transaction(db):
        team = db.execute(
            "INSERT INTO team (name, municipality, locale, created_at) VALUES ('Bench', 'Silkeborg', 'da', ?)", [now]
        ).lastrowid
        worker = db.execute(
            "INSERT INTO user (username, display_name, password_hash, role, team_id, active, created_at) "
            "VALUES ('mads', 'Mads Kjærsgaard', 'x', 'worker', ?, 1, ?)", [team, now]
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO citizen (id, team_id, case_ref, display_name, birth_year, gender, goal, status, "
            "primary_worker_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (i, team, f"B-{i:05d}", f"Borger{i} Efternavn{i}", rng.randint(1960, 2006),
                 rng.choice(("female", "male", "male", "female", "other")), rng.choice(("job", "education")),
                 "active", worker, worker, f"{start.isoformat()}T08:00:00Z", now)
                for i in range(1, citizens + 1)
            ),
        )
        meetings = expectations // PER_MEETING
        meeting_rows, expectation_rows = [], []

        def flush():
            db.conn.executemany(
                "INSERT INTO meeting (id, citizen_id, worker_id, held_on, mode, participants, note, recorded_at, "
                "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench')", meeting_rows)
            db.conn.executemany(
                "INSERT INTO expectation (id, citizen_id, meeting_id, source, source_label, value, confidence, "
                "basis, observed_on, recorded_by, recorded_at, context, supersedes, content_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench')", expectation_rows)
            meeting_rows.clear()
            expectation_rows.clear()

        previous = None
        for m in range(meetings):
            citizen = m % citizens + 1
            day = start + timedelta(days=1 + (m // citizens) * 14 + rng.randint(0, 6))
            meeting_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            meeting_rows.append((meeting_id, citizen, worker, day.isoformat(), "in_person", '["citizen","doctor"]',
                                 rng.choice(NOTES), now))
            for _ in range(PER_MEETING):
                entry = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                # one entry in a hundred corrects the one before it (same meeting)
                supersedes = previous if previous and rng.random() < 0.01 else None
                expectation_rows.append((entry, citizen, meeting_id, rng.choice(SOURCES), rng.choice(LABELS),
                                         rng.randint(0, 10), rng.choice(("low", "medium", "high")),
                                         rng.choice(BASES), day.isoformat(), worker, now, "meeting", supersedes))
                previous = None if supersedes else entry
            if len(expectation_rows) >= 20_000:
                flush()
        flush()
    study_id = studies.upsert(db, None, "Bench study", ["Bench"], [])
    return db, study_id


def measure(db, study_id, options, folder):
    path = Path(folder) / f"export-{options.free_text}.zip"
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    with open(path, "wb") as out:
        summary = export.write(db, study_id, options, out, "bench-secret")
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return summary, elapsed, peak, path.stat().st_size


def run(citizens, expectations, folder):
    path = os.path.join(folder, f"bench-{expectations}.db")
    started = time.perf_counter()
    db, study_id = build(path, citizens, expectations)
    built = time.perf_counter() - started
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("citizen", "meeting", "expectation")}
    print(f"\n== {citizens} citizens, {expectations} expectations: database built in {built:.1f} s "
          f"({os.path.getsize(path) / MiB:.1f} MiB; rows {counts})")
    peaks = {}
    for options in (export.Options(), export.Options(free_text=True)):
        summary, elapsed, peak, size = measure(db, study_id, options, folder)
        rows = ", ".join(f"{name} {count}" for name, count in summary["rows"].items())
        print(f"free_text={options.free_text!s:<5} rows written: {rows}")
        print(f"                 suppressed {summary['suppressed']}, generalised {summary['generalised']}, "
              f"redactions {summary['redactions']}")
        print(f"                 elapsed {elapsed:.1f} s (under tracemalloc), peak Python memory "
              f"{peak / MiB:.1f} MiB, zip {size / MiB:.1f} MiB")
        peaks[options.free_text] = peak
    db.close()
    return peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--expectations", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="export-bench-")
    try:
        small = run(args.citizens, args.expectations // 4, folder)
        large = run(args.citizens, args.expectations, folder)
    finally:
        if not args.keep:
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)
    print()
    verdict = 0
    for free_text in (False, True):
        growth = large[free_text] / small[free_text]
        bounded = large[free_text] < 100 * MiB and growth < 2
        verdict |= not bounded
        print(f"free_text={free_text!s:<5} peak {small[free_text] / MiB:.1f} MiB at {args.expectations // 4} "
              f"expectations, {large[free_text] / MiB:.1f} MiB at {args.expectations} (x{growth:.2f} for 4x rows): "
              + ("bounded" if bounded else "GROWS WITH THE DATA"))
    return verdict


if __name__ == "__main__":
    sys.exit(main())
