"""Time and process memory of the research export at a million expectations (not a test).

    python bench/export_scale.py [--expectations 1000000] [--db PATH]
                                 [--modes default,free_text,spss_stata[,all]] [--without-pandas]
                                 [--keep-zips DIR] [--profile MODE]

1. Builds, or reuses if it is already there, a realistic database at --db (default
   /tmp/forventningsjournal-scale-<N>.db): 6 teams (3 Danish, 3 Swedish), 20 workers and 6
   leads, N/50 citizens (20,000 for a million) with birth years, genders, goals and statuses
   (some closed), meetings in every mode, N expectations with sources, labels, confidence
   and context (one in a hundred corrects an earlier entry of the same citizen), outcomes for
   a third of the citizens, a few sparring requests, sessions, ratings and actions, and free
   text (notes, bases, labels, action texts) full of names, CPR numbers, phone numbers,
   e-mail and street addresses, dates and case references. Rows are bulk inserted with
   executemany in one transaction; triggers fill the public ids. All teams are enrolled in
   the study "Bench scale". A build takes under a minute for a million expectations; the
   file is built under a temporary name and renamed when complete, so a cached file is whole.
2. Runs `flask --app journal journal export` as a separate process under `/usr/bin/time -v`
   for each mode (default; --free-text; --spss-stata; "all" = both flags, only if asked for),
   and reads the process's maximum resident set size (everything: Python, SQLite's page
   cache, zlib), the wall-clock time and the CPU time (user + system) from its report. It
   first measures the same process doing nothing (the baseline: interpreter, Flask app,
   imports). --without-pandas runs the exports as on an installation without pandas and
   numpy (sqlite-utils imports them whenever they are installed: about 45 MB).
3. Prints a table: mode, wall and CPU seconds, max RSS MB, zip MB, rows, and the targets of
   issue 11 (a million expectations: default <= 15 s and <= 150 MB; free text <= 30 s;
   SPSS/Stata <= 300 MB). The exit status is 1 if a mode misses a target at 1 M. The load
   average is printed too: on a shared machine, compare CPU seconds.

--profile MODE runs export.write for that mode in this process under cProfile instead and
prints the 30 most expensive functions (cumulative and own time).
"""
import argparse
import cProfile
import io
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from journal import export, studies  # noqa: E402
from journal.db import connect, migrate, transaction  # noqa: E402
from journal.meetings import MODES  # noqa: E402

TIME = "/usr/bin/time"
STUDY = "Bench scale"
SECRET = "bench"
MB = 1_000_000
MODES_RUN = {
    "default": [],
    "free_text": ["--free-text"],
    "spss_stata": ["--spss-stata"],
    "all": ["--free-text", "--spss-stata"],  # not run unless asked for
}
# issue 11 point 7, for a million expectations: (seconds, MB); None = no target
TARGETS = {"default": (15, 150), "free_text": (30, None), "spss_stata": (None, 300), "all": (None, 300)}

TEAMS = (
    ("Unge Silkeborg", "Silkeborg", "da", "SIL"),
    ("Jobcenter Aarhus Vest", "Aarhus", "da", "AAR"),
    ("Ungeindsatsen Odense", "Odense", "da", "ODE"),
    ("Unga Malmö", "Malmö", "sv", "MAL"),
    ("Jobbtorg Göteborg", "Göteborg", "sv", "GBG"),
    ("Ungdomsteamet Uppsala", "Uppsala", "sv", "UPP"),
)
WORKERS_PER_TEAM = (4, 4, 3, 3, 3, 3)  # 20 workers, plus one lead per team
FIRST = {
    "da": ("Mads", "Anna", "Søren", "Mette", "Jørgen", "Signe", "Ahmad", "Fatima", "Rasmus", "Line", "Kasper",
           "Sofie", "Mikkel", "Ida", "Jonas", "Freja", "Emil", "Laura", "Oliver", "Nanna", "Bjørn", "Åse"),
    "sv": ("Erik", "Anna", "Björn", "Maja", "Gustav", "Elsa", "Omar", "Amira", "Oskar", "Ebba", "Lars", "Saga",
           "Nils", "Wilma", "Johan", "Linnéa", "Axel", "Märta", "Hugo", "Tuva", "Åke", "Stina"),
}
LAST = {
    "da": ("Kjærsgaard", "Hansen", "Nielsen", "Jørgensen", "Pedersen", "Østergaard", "Andersen", "Madsen",
           "Kristensen", "Hussein", "Lauridsen", "Bækgaard", "Thomsen", "Aagaard", "Krogh", "Poulsen"),
    "sv": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindström", "Öberg", "Åkesson",
           "Bergqvist", "Ali", "Sjögren", "Hellström", "Lundgren", "Ström", "Wästberg", "Holm"),
}
SOURCES = ("worker",) * 6 + ("citizen",) * 3 + ("doctor", "psychiatry", "psychologist", "parent", "relative",
                                                  "other_department", "education", "employer", "colleague", "other")
LABELS = {
    "da": ("egen læge", "Dr. {last}", "mor", "far ({first})", "familieafdelingen", "FGU-skolen",
           "praktikvirksomhed {last} ApS", "psykiater på Regionshospitalet", "sagsbehandler i ydelse"),
    "sv": ("husläkare", "Dr. {last}", "mamma", "pappa ({first})", "socialtjänsten", "Komvux",
           "praktikplats {last} AB", "psykiatrin i {town}", "handläggare på försäkringskassan"),
}
BASES = {
    "da": (
        "Motivationen er der, men stabiliteten mangler.",
        "{name} talte med moren på 20 12 34 56 om praktikken.",
        "Har klaret korte forløb før; skriv til {email}.",
        "Mødte stabilt op i praktikken hos {last} ApS siden {date}.",
        "Lægen vurderer at angsten fylder mindre; ny samtale {date}.",
        "Bor nu på {street} {number}, 2. th., {postcode} {town}, og har fået ro på.",
        "CPR {cpr} skal rettes i ydelsessystemet, ellers ingen ændring.",
        "Sag {ref}: afventer svar fra skolen om optagelse.",
        "Har selv søgt tre stillinger og fået en samtale.",
        "Vil gerne i gang, men døgnrytmen er et problem.",
        "Familien bakker op; søsteren {first} hjælper med morgenerne.",
        "Afbrudt forløb i foråret, nu tilbage med fuld tid.",
    ),
    "sv": (
        "Motivationen finns, men stabiliteten saknas.",
        "{name} pratade med mamman på 070-123 45 67 om praktiken.",
        "Har klarat korta insatser förut; mejla {email}.",
        "Har kommit stabilt till praktiken hos {last} AB sedan {date}.",
        "Läkaren bedömer att oron har minskat; nytt samtal {date}.",
        "Bor nu på {street}gatan {number}, {postcode} {town}, och har fått lugn.",
        "Personnummer {pnr} ska rättas hos Försäkringskassan, annars ingen ändring.",
        "Ärende {ref}: väntar på besked från skolan om antagning.",
        "Har själv sökt tre jobb och fått en intervju.",
        "Vill gärna komma i gång men dygnsrytmen är ett problem.",
    ),
}
NOTES = {
    "da": (
        "Gennemgik planen og næste skridt.",
        "Talte om trivsel og døgnrytme; ring {phone}.",
        "Mødet holdt med {name} og moren; aftalt ny tid {date}.",
        "Kort opfølgning, ingen ændringer. Ref. {ref}.",
    ),
    "sv": (
        "Gick igenom planen och nästa steg.",
        "Pratade om mående och dygnsrytm; ring {phone}.",
        "Mötet hölls med {name} och mamman; ny tid {date}.",
    ),
}
ACTIONS = ("Ring til {name} inden fredag", "Book møde med FGU om optagelse", "Skicka underlag till {email}",
           "Følg op på praktik hos {last}", "Kontakta läkaren om intyg")
STREETS = {"da": ("Vestergade", "Borgergade", "Nørregade", "Søndergade"), "sv": ("Storgatan", "Kungs", "Drottning", "Sturegatan")}
POSTCODES = {"da": ("8600", "8000", "5000"), "sv": ("211 22", "411 05", "753 20")}
PARTICIPANTS = ('["citizen"]', '["citizen","parent"]', '["citizen","doctor"]', '[]', '["citizen","education"]')
EPOCH = date(2023, 1, 2)
LAST_DAY = date(2026, 11, 20)


def uuid4(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def fill(rng, template, citizen, locale, town, prefix):
    """A free-text sentence with the identifiers a worker types: names, numbers, places."""
    if "{" not in template:
        return template
    first, last = citizen["first"], citizen["last"]
    return template.format(
        name=f"{first} {last}" if rng.random() < 0.7 else first,
        first=rng.choice(FIRST[locale]), last=rng.choice(LAST[locale]),
        email=f"{first.lower()}.{last.lower()}@example.{'dk' if locale == 'da' else 'se'}",
        date=f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.choice(('2025', '25', '2026'))}",
        street=rng.choice(STREETS[locale]), number=rng.randint(1, 120),
        postcode=rng.choice(POSTCODES[locale]), town=town,
        cpr=f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(60, 99)}-{rng.randint(0, 9999):04d}",
        pnr=f"{rng.randint(1960, 2006)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(0, 9999):04d}",
        ref=f"{prefix}-{citizen['number']:04d}",
        phone=rng.choice(("20 12 34 56", "+45 31 22 11 00", "070-123 45 67", "08-555 123 45")),
    )


def build(path, expectations, seed=2026, progress=print):
    """A migrated database at *path* with *expectations* expectations and everything around them."""
    rng = random.Random(seed)
    n_citizens = max(60, expectations // 50)
    db = connect(path)
    migrate(db)
    db.execute("PRAGMA synchronous = OFF")
    now = "2026-11-20T09:00:00Z"
    started = time.perf_counter()
    with transaction(db):
        teams, workers, leads = [], {}, {}
        user_number = 0
        for (name, town, locale, prefix), n_workers in zip(TEAMS, WORKERS_PER_TEAM):
            team = db.execute(
                "INSERT INTO team (name, municipality, locale, created_at) VALUES (?, ?, ?, ?)", [name, town, locale, now]
            ).lastrowid
            teams.append((team, town, locale, prefix))
            workers[team] = []
            for role in ("lead",) + ("worker",) * n_workers:
                user_number += 1
                first, last = rng.choice(FIRST[locale]), rng.choice(LAST[locale])
                user = db.execute(
                    "INSERT INTO user (username, display_name, password_hash, role, team_id, active, created_at) "
                    "VALUES (?, ?, 'x', ?, ?, 1, ?)",
                    [f"{first.lower()}{user_number}", f"{first} {last}", role, team, now],
                ).lastrowid
                (workers[team].append(user) if role == "worker" else leads.__setitem__(team, user))
        db.execute("INSERT INTO user (username, display_name, password_hash, role, created_at) "
                   "VALUES ('rita', 'Rita Researcher', 'x', 'researcher', ?)", [now])

        citizens = []
        rows = []
        for i in range(1, n_citizens + 1):
            team, town, locale, prefix = teams[i % len(teams)]
            first, last = rng.choice(FIRST[locale]), rng.choice(LAST[locale])
            start = EPOCH + timedelta(days=rng.randint(0, 1000))
            closed = rng.random() < 0.15
            citizen = {"id": i, "team": team, "town": town, "locale": locale, "prefix": prefix, "first": first,
                       "last": last, "number": i, "start": start, "worker": rng.choice(workers[team])}
            citizens.append(citizen)
            rows.append((i, team, f"{prefix}-{i:04d}", f"{first} {last}", rng.randint(1958, 2008),
                         rng.choice(("female", "male", "male", "female", "other", "unknown")),
                         rng.choice(("job", "job", "education")), "closed" if closed else "active",
                         citizen["worker"], citizen["worker"], f"{start.isoformat()}T08:00:00Z", now,
                         f"{min(LAST_DAY, start + timedelta(days=rng.randint(200, 700))).isoformat()}T12:00:00Z" if closed else None))
        db.conn.executemany(
            "INSERT INTO citizen (id, team_id, case_ref, display_name, birth_year, gender, goal, status, "
            "primary_worker_id, created_by, created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        progress(f"  {len(teams)} teams, {user_number} workers and leads, {n_citizens} citizens")

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

        state = {c["id"]: {"day": c["start"], "latest": None, "value": rng.randint(2, 8)} for c in citizens}
        made = meetings = 0
        while made < expectations:
            citizen = citizens[meetings % n_citizens]
            s = state[citizen["id"]]
            s["day"] = min(LAST_DAY, s["day"] + timedelta(days=rng.randint(7, 35)))
            day = s["day"].isoformat()
            locale = citizen["locale"]
            worker = citizen["worker"] if rng.random() < 0.8 else rng.choice(workers[citizen["team"]])
            in_meeting = rng.random() < 0.92
            meeting_id = None
            if in_meeting:
                meeting_id = uuid4(rng)
                note = fill(rng, rng.choice(NOTES[locale]), citizen, locale, citizen["town"], citizen["prefix"]) \
                    if rng.random() < 0.4 else None
                meeting_rows.append((meeting_id, citizen["id"], worker, day, rng.choice(MODES),
                                     rng.choice(PARTICIPANTS), note, f"{day}T10:00:00Z"))
            for _ in range(min(expectations - made, rng.randint(2, 8) if in_meeting else 1)):
                source = rng.choice(SOURCES)
                label = None
                if source != "worker" and rng.random() < 0.6:
                    label = fill(rng, rng.choice(LABELS[locale]), citizen, locale, citizen["town"], citizen["prefix"])
                s["value"] = max(0, min(10, s["value"] + rng.choice((-2, -1, 0, 0, 0, 1, 1, 2))))
                basis = fill(rng, rng.choice(BASES[locale]), citizen, locale, citizen["town"], citizen["prefix"]) \
                    if rng.random() < 0.5 else None
                entry = uuid4(rng)
                supersedes = None
                if s["latest"] and rng.random() < 0.01:
                    supersedes, s["latest"] = s["latest"], None  # corrects an earlier, not yet corrected entry
                else:
                    s["latest"] = entry
                context = "meeting" if in_meeting else rng.choice(("update", "update", "sparring"))
                expectation_rows.append((entry, citizen["id"], meeting_id, source, label, s["value"],
                                         rng.choice(("low", "medium", "medium", "high")), basis, day, worker,
                                         f"{day}T10:05:00Z", context, supersedes))
                made += 1
            meetings += 1
            if len(expectation_rows) >= 50_000:
                flush()
                progress(f"  {made:,} expectations ({time.perf_counter() - started:.0f} s)")
        flush()

        outcome_rows = []
        for citizen in citizens:
            if rng.random() < 0.35:
                for _ in range(rng.choice((1, 1, 2))):
                    day = min(LAST_DAY, state[citizen["id"]]["day"] + timedelta(days=rng.randint(1, 120)))
                    note = fill(rng, rng.choice(NOTES[citizen["locale"]]), citizen, citizen["locale"], citizen["town"],
                                citizen["prefix"]) if rng.random() < 0.3 else None
                    outcome_rows.append((uuid4(rng), citizen["id"], rng.choice(("job", "flex_job", "education", "none", "other")),
                                         day.isoformat(), note, citizen["worker"], f"{day.isoformat()}T09:00:00Z"))
        db.conn.executemany(
            "INSERT INTO outcome (id, citizen_id, kind, observed_on, note, recorded_by, recorded_at, content_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'bench')", outcome_rows)

        # sparring: 2 % of the citizens get a request; half of those are taken up in a session
        sessions = {}
        requests = rng.sample(citizens, max(6, n_citizens // 50))
        n_actions = n_ratings = 0
        for position, citizen in enumerate(requests):
            team = citizen["team"]
            created = min(LAST_DAY, citizen["start"] + timedelta(days=rng.randint(30, 400)))
            status = rng.choice(("open", "scheduled", "done", "dismissed"))
            handled = (created + timedelta(days=rng.randint(1, 30))).isoformat() + "T12:00:00Z" if status in ("done", "dismissed") else None
            request = db.execute(
                "INSERT INTO sparring_request (citizen_id, requested_by, reason, status, created_at, updated_at, handled_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [citizen["id"], citizen["worker"], rng.choice(("gap", "drop", "stale_low", "manual")), status,
                 f"{created.isoformat()}T09:00:00Z", now, handled],
            ).lastrowid
            if status != "done":
                continue
            session = sessions.get(team)
            if session is None or rng.random() < 0.2:
                session = db.execute(
                    "INSERT INTO sparring_session (team_id, lead_id, title, status, created_at, ended_at) "
                    "VALUES (?, ?, 'Sparring', 'done', ?, ?)", [team, leads[team], handled, handled]).lastrowid
                db.conn.executemany("INSERT INTO sparring_participant (session_id, user_id) VALUES (?, ?)",
                                    [(session, u) for u in workers[team] + [leads[team]]])
                sessions[team] = session
            case = db.execute(
                "INSERT OR IGNORE INTO sparring_case (session_id, request_id, citizen_id, owner_id, position, phase) "
                "VALUES (?, ?, ?, ?, ?, 'done')", [session, request, citizen["id"], citizen["worker"], position]).lastrowid
            if not case:
                continue
            for rater in workers[team]:
                db.execute("INSERT INTO sparring_rating (case_id, user_id, value, rated_at) VALUES (?, ?, ?, ?)",
                           [case, rater, rng.randint(0, 10), handled])
                n_ratings += 1
            for _ in range(rng.randint(1, 2)):
                due = created + timedelta(days=rng.randint(7, 30))
                done = (due - timedelta(days=rng.randint(0, 5))).isoformat() if rng.random() < 0.6 else None
                db.execute(
                    "INSERT INTO action (case_id, citizen_id, text, owner_id, due_on, done_on, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [case, citizen["id"], fill(rng, rng.choice(ACTIONS), citizen, citizen["locale"], citizen["town"], citizen["prefix"]),
                     citizen["worker"], due.isoformat(), done, leads[team], handled])
                n_actions += 1
        progress(f"  {len(outcome_rows)} outcomes, {len(requests)} sparring requests, {n_ratings} ratings, {n_actions} actions")
    studies.upsert(db, None, STUDY, [t[0] for t in TEAMS], ["rita"])
    db.execute("PRAGMA synchronous = FULL")
    db.close()


def expectation_count(path):
    """The number of expectations in a complete bench database at *path*, or None."""
    if not os.path.exists(path):
        return None
    db = connect(path)
    try:
        if not db.execute("SELECT 1 FROM study WHERE name = ?", [STUDY]).fetchone():
            return None
        return db.execute("SELECT COUNT(*) FROM expectation").fetchone()[0]
    except Exception:  # noqa: BLE001 — not one of ours
        return None
    finally:
        db.close()


def database(path, expectations):
    if expectation_count(path) == expectations:
        print(f"Reusing {path} ({os.path.getsize(path) / MB:.0f} MB, {expectations:,} expectations)")
        return
    part = f"{path}.part"
    for stale in (part, f"{part}-wal", f"{part}-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    print(f"Building {path} with {expectations:,} expectations …")
    started = time.perf_counter()
    build(part, expectations)
    os.replace(part, path)
    print(f"Built in {time.perf_counter() - started:.0f} s ({os.path.getsize(path) / MB:.0f} MB)")


def parse_time(report):
    """(wall seconds, CPU seconds, max RSS bytes) from the report of GNU time -v."""
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
    cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)
    if not rss or not wall or len(cpu) != 2:
        raise RuntimeError(f"unexpected output of {TIME} -v:\n{report}")
    seconds = 0.0
    for part in wall.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    return seconds, sum(map(float, cpu)), int(rss.group(1)) * 1024


def environment(db_path, instance):
    env = dict(os.environ, JOURNAL_DATABASE=str(db_path), JOURNAL_SECRET_KEY=SECRET, JOURNAL_INSTANCE_PATH=str(instance))
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


# sqlite-utils imports pandas and numpy whenever they are installed (about 45 MB of RSS);
# --without-pandas runs the export as an installation without them would.
WITHOUT_PANDAS = ("import sys; sys.modules['pandas'] = sys.modules['numpy'] = None; "
                  "from flask.cli import main; sys.argv[0] = 'flask'; main()")


def run_mode(db_path, mode, folder, without_pandas=False):
    """Export in a child process under /usr/bin/time -v: (wall s, CPU s, max RSS bytes, zip bytes, rows, zip)."""
    out = Path(folder) / f"export-{mode}.zip"
    start = ["-c", WITHOUT_PANDAS] if without_pandas else ["-m", "flask"]
    command = [TIME, "-v", sys.executable, *start, "--app", "journal", "journal", "export",
               "--study", STUDY, "--out", str(out), *MODES_RUN[mode]]
    done = subprocess.run(command, cwd=ROOT, env=environment(db_path, folder), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"export ({mode}) failed:\n{done.stdout}\n{done.stderr}")
    wall, cpu, rss = parse_time(done.stderr)
    counts = dict((name, int(n)) for name, n in re.findall(r"(\w+) (\d+)(?=[,;])", done.stdout.split(":", 1)[1]))
    return wall, cpu, rss, out.stat().st_size, counts, out


def baseline(db_path, folder, without_pandas=False):
    """Max RSS of the same process doing nothing (interpreter, Flask app and imports)."""
    block = "import sys; sys.modules['pandas'] = sys.modules['numpy'] = None; " if without_pandas else ""
    command = [TIME, "-v", sys.executable, "-c",
               block + "from journal import create_app; from journal import export, scrub, statsfiles; create_app()"]
    done = subprocess.run(command, cwd=ROOT, env=environment(db_path, folder), capture_output=True, text=True)
    return parse_time(done.stderr)[2] if done.returncode == 0 else None


def profile(db_path, mode, top=30):
    from journal.db import connect as open_db

    db = open_db(db_path)
    study_id = db.execute("SELECT id FROM study WHERE name = ?", [STUDY]).fetchone()[0]
    options = export.Options(free_text=mode in ("free_text", "all"), stats_files=mode in ("spss_stata", "all"))
    profiler = cProfile.Profile()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        profiler.enable()
        export.write(db, study_id, options, out, SECRET)
        profiler.disable()
        elapsed = time.perf_counter() - started
    db.close()
    print(f"\n== cProfile of export.write, mode {mode}: {elapsed:.1f} s under the profiler")
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(top)
        text = buffer.getvalue()
        print(text[text.index("   ncalls"):] if "   ncalls" in text else text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expectations", type=int, default=1_000_000)
    parser.add_argument("--db", help="database file (built if missing or of another size; reused otherwise)")
    parser.add_argument("--modes", default="default,free_text,spss_stata",
                        help="comma-separated: " + ", ".join(MODES_RUN))
    parser.add_argument("--keep-zips", metavar="DIR", help="copy the zips here")
    parser.add_argument("--profile", choices=list(MODES_RUN), help="profile export.write in-process for this mode")
    parser.add_argument("--without-pandas", action="store_true",
                        help="run the export as if pandas and numpy were not installed (sqlite-utils imports them if they are)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES_RUN]
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES_RUN)}")
    if not args.profile and not (os.path.exists(TIME) and os.access(TIME, os.X_OK)):
        sys.exit(f"{TIME} is missing: this benchmark reads process memory from GNU time's -v report. "
                 "Install it (Debian/Ubuntu: apt-get install time) and run again.")
    db_path = args.db or os.path.join(tempfile.gettempdir(), f"forventningsjournal-scale-{args.expectations}.db")
    database(db_path, args.expectations)
    if args.profile:
        profile(db_path, args.profile)
        return 0

    folder = tempfile.mkdtemp(prefix="export-scale-")
    results = []
    try:
        base = baseline(db_path, folder, args.without_pandas)
        if base:
            print(f"Baseline: interpreter + Flask app + export modules imported, nothing done: {base / MB:.0f} MB max RSS"
                  + (" (without pandas)" if args.without_pandas else ""))
        for mode in modes:
            print(f"Exporting ({mode}) …", flush=True)
            wall, cpu, rss, size, counts, out = run_mode(db_path, mode, folder, args.without_pandas)
            results.append((mode, wall, cpu, rss, size, counts))
            if args.keep_zips:
                os.makedirs(args.keep_zips, exist_ok=True)
                shutil.copy(out, Path(args.keep_zips) / out.name)
            with zipfile.ZipFile(out) as archive:
                members = {i.filename: i.file_size for i in archive.infolist()}
            big = ", ".join(f"{n} {s / MB:.0f}" for n, s in sorted(members.items(), key=lambda kv: -kv[1])[:3])
            print(f"  {wall:.1f} s ({cpu:.1f} s CPU), {rss / MB:.0f} MB, zip {size / MB:.1f} MB (largest members, MB uncompressed: {big})")
            out.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    scale = args.expectations / 1_000_000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{args.expectations:,} expectations ({os.cpu_count()} CPUs; load average {load:.1f} at the end)\n")
    print(f"| {'mode':<10} | {'wall s':>7} | {'CPU s':>6} | {'max RSS MB':>10} | {'zip MB':>7} | {'rows (expectations / all)':>25} | target (1 M) |")
    print(f"|{'-' * 12}|{'-' * 9}|{'-' * 8}|{'-' * 12}|{'-' * 9}|{'-' * 27}|{'-' * 14}|")
    verdict = 0
    for mode, wall, cpu, rss, size, counts in results:
        seconds, megabytes = TARGETS[mode]
        target = " and ".join(t for t in ((f"<= {seconds} s" if seconds else ""), (f"<= {megabytes} MB" if megabytes else "")) if t)
        missed = scale >= 1 and ((seconds and wall > seconds) or (megabytes and rss > megabytes * MB))
        verdict |= bool(missed)
        rows = f"{counts.get('expectations', 0):,} / {sum(counts.values()):,}"
        print(f"| {mode:<10} | {wall:>7.1f} | {cpu:>6.1f} | {rss / MB:>10.0f} | {size / MB:>7.1f} | {rows:>25} | {target}{' MISSED' if missed else ''} |")
    print("\n(MB = 10^6 bytes; max RSS of the whole export process as reported by GNU time -v"
          + ("" if scale >= 1 else "; the targets apply at 1,000,000 expectations") + ".)")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
