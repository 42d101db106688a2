"""One generated team for `make bench` (bench/speed.py): N citizens × 20 expectations each.

    python bench/teamdata.py [--citizens 500] [--force]     # build (or reuse) and print the path

The team "Unge Bench" (Danish) has a lead, `lead`, and N/50 workers (at least 3, at most 100),
`worker01` …; every one of them has the password PASSWORD. Each citizen has a case owner
(round robin over the workers) and, over the last year, 5–7 meetings and a few standalone
entries, exactly 20 expectations in all:

- worker views by the meeting's worker: mostly the case owner, sometimes one or two
  colleagues, so 2–3 workers have rated most citizens;
- the citizen's own view at most meetings, and 1–3 collaborators from the citizen's network
  (doctor, psychiatry, psychologist, parent, relative, family department, school, employer)
  with their labels ("egen læge", "mor" …), at some meetings or as standalone updates;
- about 30 % of the citizens have a collaborator 4–6 points from the case owner's view (a
  clash at the default gap threshold of 4), 5 % a fall of 3+ in the owner's view, 3 % a view
  of 2 or less for more than 90 days; one in ten has a correction (an entry that supersedes
  an earlier one);
- sparring requests for those causes as the rules would have raised them (about 40 % of them
  handled: done or dismissed), and a manual request on 3 % of the citizens;
- a recusal on 1 % of the citizens (never of `worker01`, whom the benchmark logs in as);
- audit rows as the history would have left them (a `meeting.create` per meeting, a few
  `citizen.view` per citizen).

Rows are inserted with plain SQL matching the schema of migrations m001–m012 (the schema when
this was written, BASE_MIGRATION); migrations added after it are applied afterwards, as on an
installation that upgrades, so a later migration that fills a table from history (e.g. stored
summaries) fills it from these rows. Then the lead opens /team and the clashes API once
through the journal (settle()), so that whatever the journal computes on a first read is
stored in the file and the benchmark measures the steady state. Dates are relative to the day
of the build.

The file is cached at /tmp/forventningsjournal-team-<N>-<fingerprint>.db (the fingerprint
hashes this file and migrations/__init__.py, so a branch with other migrations has its own
file) with a sidecar .json; it is built again when it is more than 7 days old (the dates
would drift out of the 180-day window of current views). A build takes about a second for 500
citizens and 5–10 s for 5,000. Copy the file before writing to it.
"""
import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from journal.db import connect, transaction  # noqa: E402
from journal.idempotency import content_hash  # noqa: E402
from journal.identifiers import unique_ref_key  # noqa: E402

#: accepted by the password policy (journal/passwords.py) for every user below
PASSWORD = "blaa kaffe sejler langsomt"
TEAM = "Unge Bench"
LEAD = "lead"
WORKER = "worker01"  # the worker the benchmark logs in as
EXPECTATIONS_PER_CITIZEN = 20
#: the last migration when this generator was written: its rows match that schema
BASE_MIGRATION = "m012_shared_throttle"
MAX_AGE_DAYS = 7
GENERATOR_VERSION = 1

FIRST = ("Mads", "Anna", "Søren", "Mette", "Jørgen", "Signe", "Ahmad", "Fatima", "Rasmus", "Line", "Kasper",
         "Sofie", "Mikkel", "Ida", "Jonas", "Freja", "Emil", "Laura", "Oliver", "Nanna", "Bjørn", "Åse")
LAST = ("Kjærsgaard", "Hansen", "Nielsen", "Jørgensen", "Pedersen", "Østergaard", "Andersen", "Madsen",
        "Kristensen", "Hussein", "Lauridsen", "Bækgaard", "Thomsen", "Aagaard", "Krogh", "Poulsen")
#: the collaborators a citizen's network is drawn from: (source kind, label)
NETWORK = (
    ("doctor", "egen læge"), ("doctor", "egen læge"), ("psychiatry", "distriktspsykiatrien"),
    ("psychologist", "psykolog"), ("parent", "mor"), ("parent", "far"), ("relative", "moster"),
    ("other_department", "familieafdelingen"), ("education", "FGU-skolen"), ("employer", "praktikvirksomhed"),
)
MODES = ("in_person", "video", "phone", "home_visit", "written")
MODE_WEIGHTS = (45, 12, 23, 10, 10)
BASES = (
    "Motivationen er der, men stabiliteten mangler.", "Afhænger af, om praktikken kommer i gang.",
    "Har klaret korte forløb før.", "Helbredet fylder meget lige nu.", "Møder stabilt og tager selv initiativ.",
    "Har konkrete planer og et netværk, der bakker op.", "Lægen vurderer, at angsten fylder mindre.",
    "Mange afbrud i forløbet det seneste halve år.",
)
NOTES = (
    "Gennemgik planen og næste skridt.", "Talte om trivsel og døgnrytme.", "Aftalte at søge to praktikpladser.",
    "Opfølgning på sidste aftale; næste møde om en måned.",
)
QUESTIONS = ("Hvordan får vi lægen med på en plan med få timer?", "Er jeg for forsigtig med praktikken?",
             "Hvad gør vi, når familien trækker i en anden retning?")


def cache_path(citizens):
    """/tmp/forventningsjournal-team-<N>-<fingerprint>.db: one file per size and version of the
    generator and the migrations, so two branches with different migrations keep a file each."""
    return Path(tempfile.gettempdir()) / f"forventningsjournal-team-{citizens}-{fingerprint(citizens)[:10]}.db"


def fingerprint(citizens):
    digest = hashlib.sha256()
    for part in (Path(__file__), ROOT / "migrations" / "__init__.py"):
        digest.update(part.read_bytes())
    digest.update(f"{GENERATOR_VERSION}:{citizens}".encode())
    return digest.hexdigest()[:16]


def database(citizens, *, force=False, quiet=False):
    """The path of a complete, migrated bench database with *citizens* citizens (built if needed)."""
    path = cache_path(citizens)
    sidecar = path.with_suffix(".json")
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    if not force and path.exists() and sidecar.exists():
        try:
            age = (date.today() - date.fromisoformat(json.loads(sidecar.read_text())["built_on"])).days
            if 0 <= age <= MAX_AGE_DAYS:
                return path
        except (ValueError, KeyError):
            pass
    _forget_old_versions(citizens, keep=path)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")  # two runs at once build apart
    say(f"Building {path} ({citizens:,} citizens × {EXPECTATIONS_PER_CITIZEN} expectations) …")
    started = time.perf_counter()
    try:
        build(part, citizens)
        os.replace(part, path)
    finally:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            if leftover.exists():
                leftover.unlink()
    sidecar.write_text(json.dumps({"fingerprint": fingerprint(citizens), "built_on": date.today().isoformat(),
                                   "citizens": citizens}))
    say(f"  built in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    return path


def _forget_old_versions(citizens, keep):
    """Delete cached files of this size from other versions unused for a day (and the file
    of the old naming, without a fingerprint)."""
    folder = Path(tempfile.gettempdir())
    for old in list(folder.glob(f"forventningsjournal-team-{citizens}-*.db")) + [
            folder / f"forventningsjournal-team-{citizens}.db"]:
        if old == keep or not old.exists():
            continue
        if old.name == f"forventningsjournal-team-{citizens}.db" or time.time() - old.stat().st_atime > 86400:
            for stale in (old, old.with_suffix(".json"), Path(f"{old}-wal"), Path(f"{old}-shm")):
                if stale.exists():
                    stale.unlink()


def _stamp(day, rng):
    """A UTC timestamp on *day* during office hours, never in the future."""
    moment = datetime(day.year, day.month, day.day, rng.randint(7, 14), rng.choice((0, 15, 30, 45)), tzinfo=timezone.utc)
    return min(moment, datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clamp(value):
    return max(0, min(10, value))


def _migrate(db, stop_before_later):
    """Apply migrations up to BASE_MIGRATION (stop_before_later) or all of them."""
    from migrations import migrations

    names = [m.name for m in migrations.pending(db)]
    later = names[names.index(BASE_MIGRATION) + 1:] if BASE_MIGRATION in names else []
    if stop_before_later and later:
        migrations.apply(db, stop_before=later[0])
    else:
        migrations.apply(db)


def build(path, n_citizens, seed=14):
    from werkzeug.security import generate_password_hash

    rng = random.Random(seed)
    today = date.today()
    db = connect(path)
    _migrate(db, stop_before_later=True)
    db.execute("PRAGMA synchronous = OFF")
    n_workers = max(3, min(100, n_citizens // 50))
    password_hash = generate_password_hash(PASSWORD, method="scrypt")  # once: scrypt is slow on purpose
    since = (datetime.now(timezone.utc) - timedelta(days=420)).strftime("%Y-%m-%dT%H:%M:%SZ")
    meetings, expectations, requests, audit = [], [], [], []
    with transaction(db):
        team = db.execute("INSERT INTO team (name, municipality, locale, created_at) VALUES (?, 'Silkeborg', 'da', ?)",
                          [TEAM, since]).lastrowid
        lead = db.execute(
            "INSERT INTO user (username, display_name, password_hash, role, team_id, locale, active, created_at) "
            "VALUES (?, 'Lene Leder', ?, 'lead', ?, 'da', 1, ?)", [LEAD, password_hash, team, since]).lastrowid
        workers = []
        for number in range(1, n_workers + 1):
            name = f"{FIRST[number % len(FIRST)]} {LAST[(number * 7) % len(LAST)]}"
            workers.append(db.execute(
                "INSERT INTO user (username, display_name, password_hash, role, team_id, locale, active, created_at) "
                "VALUES (?, ?, ?, 'worker', ?, 'da', 1, ?)",
                [f"worker{number:02d}", name, password_hash, team, since]).lastrowid)
        for number in range(1, n_citizens + 1):
            owner = workers[(number - 1) % n_workers]
            colleagues = rng.sample([w for w in workers if w != owner], rng.choice((1, 1, 2)))
            case_ref = f"BEN-{number:05d}"
            created = _stamp(today - timedelta(days=rng.randint(370, 400)), rng)
            citizen = db.execute(
                "INSERT INTO citizen (team_id, case_ref, ref_key, display_name, birth_year, gender, goal, status, "
                "primary_worker_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                [team, case_ref, unique_ref_key(case_ref), f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                 rng.randint(1985, 2007), rng.choice(("female", "male", "female", "male", "other", "unknown")),
                 rng.choice(("job", "education")), owner, owner, created, created]).lastrowid
            _history(rng, today, citizen, owner, colleagues, lead, meetings, expectations, requests, audit)
            if rng.random() < 0.03:
                requests.append((citizen, owner, "manual", rng.choice(QUESTIONS), None, "open",
                                 _stamp(today - timedelta(days=rng.randint(1, 20)), rng), None, None))
            if rng.random() < 0.01:
                recused = rng.choice([w for w in workers[1:] if w != owner] or [None])
                if recused:
                    db.execute("INSERT INTO recusal (citizen_id, user_id, declared_by, reason, created_at) "
                               "VALUES (?, ?, ?, 'Kender familien privat.', ?)", [citizen, recused, recused, created])
                    audit.append((created, recused, "recusal.declare", "citizen", str(citizen), None))
        db.conn.executemany(
            "INSERT INTO meeting (id, citizen_id, worker_id, held_on, mode, participants, note, recorded_at, content_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", meetings)
        db.conn.executemany(
            "INSERT INTO expectation (id, citizen_id, meeting_id, source, source_label, value, confidence, basis, "
            "observed_on, recorded_by, recorded_at, context, supersedes, content_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", expectations)
        for citizen, by, reason, detail, facts, status, created, handled_by, handled_at in requests:
            request_id = db.execute(
                "INSERT INTO sparring_request (citizen_id, requested_by, reason, detail, facts, status, created_at, "
                "updated_at, handled_by, handled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [citizen, by, reason, detail, facts, status, created, handled_at or created, handled_by, handled_at]).lastrowid
            audit.append((created, by, "sparring.prompt" if reason != "manual" else "sparring.request", "citizen",
                          str(citizen), json.dumps({"request_id": request_id, "cause": reason}, sort_keys=True)))
        audit.sort(key=lambda event: event[0])
        db.conn.executemany(
            "INSERT INTO audit_event (at, user_id, action, object_type, object_id, detail) VALUES (?, ?, ?, ?, ?, ?)", audit)
    _migrate(db, stop_before_later=False)  # later migrations, as an upgrading installation gets them
    db.execute("PRAGMA synchronous = FULL")
    db.execute("ANALYZE")
    db.close()
    settle(path)


def settle(path):
    """Let the journal bring up to date whatever it keeps about the data (e.g. stored summaries
    that a migration left to be computed on first read), as the first page views on an
    installation would, so the benchmark measures the steady state and not the one-off
    catching up: the lead logs in and opens /team and the clashes API once. In a child process,
    so that no connection it keeps outlives it; then the WAL is folded into the file."""
    code = ("import sys; sys.path[:0] = [sys.argv[2], sys.argv[3]]; import teamdata; teamdata._visit(sys.argv[1])")
    done = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT), str(Path(__file__).parent)],
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise RuntimeError(f"settling {path} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _visit(path):
    from journal import create_app

    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench-settle", "RATELIMIT_ENABLED": False})
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": LEAD, "password": PASSWORD})
    if login.status_code != 200:
        raise SystemExit(f"login as {LEAD} answered {login.status_code}: {login.get_data(as_text=True)[:300]}")
    for url in ("/team", f"/api/v1/teams/{login.json['user']['team_id']}/clashes"):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")


def _history(rng, today, citizen, owner, colleagues, lead, meetings, expectations, requests, audit):
    """A year of one citizen: meetings, views, standalone updates, a correction, prompts."""
    network = rng.sample(NETWORK, rng.choice((1, 2, 2, 3)))
    profile = rng.choices(("calm", "clash", "drop", "stale_low"), (62, 30, 5, 3))[0]
    n_meetings = rng.randint(5, 7)
    first, last = rng.randint(250, 360), rng.randint(3, 40)
    days = sorted({round(first - (first - last) * i / (n_meetings - 1)) + (rng.randint(-6, 6) if 0 < i < n_meetings - 1 else 0)
                   for i in range(n_meetings)}, reverse=True)
    correction = rng.random() < 0.1
    n_updates = rng.randint(1, 3)
    collaborator_slots = EXPECTATIONS_PER_CITIZEN - len(days) - n_updates - correction

    # the case owner's views over time (and the shape of the profile)
    level = rng.randint(1, 2) if profile == "stale_low" else rng.randint(3, 8)
    owner_values = []
    for index in range(len(days)):
        if profile == "stale_low":
            level = _clamp(min(2, level + rng.choice((-1, 0, 0, 1))))
        elif profile == "drop" and index == len(days) - 1:
            level = _clamp(level - rng.randint(3, 4)) if level >= 4 else level
        else:
            level = _clamp(level + rng.choice((-1, 0, 0, 1)))
        owner_values.append(level)
    clash_source = rng.choice(network) if profile == "clash" else None
    gap = rng.randint(4, 6) if profile == "clash" else 0

    def collaborator_value(source, worker_value):
        if source == clash_source:
            return _clamp(worker_value - gap) if worker_value >= 5 else _clamp(worker_value + gap)
        return _clamp(worker_value + rng.randint(-2, 2))

    def entry(source, label, value, day, by, recorded_at, meeting_id=None, context="meeting", supersedes=None):
        row = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "citizen_id": citizen, "meeting_id": meeting_id,
            "source": source, "source_label": label, "value": value,
            "confidence": rng.choices(("low", "medium", "high"), (2, 3, 2))[0],
            "basis": rng.choice(BASES) if rng.random() < 0.4 else None, "observed_on": day.isoformat(),
            "recorded_by": by, "recorded_at": recorded_at, "context": context, "supersedes": supersedes,
        }
        row["content_hash"] = content_hash(row)
        expectations.append(tuple(row.values()))
        return row

    # which collaborators were at which meeting: the citizen most often, then the network
    slots = [(i, ("citizen", None)) for i in range(len(days)) if rng.random() < 0.8]
    slots += [(i, member) for i in range(len(days)) for member in network]
    rng.shuffle(slots)
    slots.sort(key=lambda slot: slot[1][0] != "citizen")  # the citizen's views first
    if clash_source:  # the clashing collaborator was at the last meeting
        slots.remove((len(days) - 1, clash_source))
        slots.insert(0, (len(days) - 1, clash_source))
    taken = slots[:collaborator_slots]
    n_updates += collaborator_slots - len(taken)  # a small network: the rest are standalone updates
    at_meeting = {}
    for index, member in taken:
        at_meeting.setdefault(index, []).append(member)

    rows = []
    for index, days_ago in enumerate(days):
        day = today - timedelta(days=days_ago)
        held_by = owner if index == len(days) - 1 or rng.random() < 0.75 else rng.choice(colleagues)
        recorded_at = _stamp(day, rng)
        mode = rng.choices(MODES, MODE_WEIGHTS)[0]
        present = at_meeting.get(index, [])
        participants = sorted({source for source, _label in present} | ({"citizen"} if mode != "written" else set()))
        meeting = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "citizen_id": citizen, "worker_id": held_by,
                   "held_on": day.isoformat(), "mode": mode, "participants": json.dumps(participants),
                   "note": rng.choice(NOTES) if rng.random() < 0.4 else None, "recorded_at": recorded_at}
        meeting["content_hash"] = content_hash(meeting)
        meetings.append(tuple(meeting.values()))
        worker_value = owner_values[index] if held_by == owner else _clamp(owner_values[index] + rng.choice((-2, -1, 1, 2)))
        rows.append(entry("worker", None, worker_value, day, held_by, recorded_at, meeting["id"]))
        for source, label in present:
            value = _clamp(owner_values[index] + rng.randint(-1, 3)) if source == "citizen" else \
                collaborator_value((source, label), owner_values[index])
            rows.append(entry(source, label, value, day, held_by, recorded_at, meeting["id"]))
        audit.append((recorded_at, held_by, "meeting.create", "citizen", str(citizen),
                       json.dumps({"expectations": 1 + len(present), "meeting_id": meeting["id"]}, sort_keys=True)))
        for _ in range(rng.randint(0, 2)):
            audit.append((_stamp(day + timedelta(days=rng.randint(0, max(0, days_ago - 1))), rng), rng.choice((owner, lead)),
                          "citizen.view", "citizen", str(citizen), json.dumps({"what": "page"})))

    # standalone updates between meetings: a collaborator's statement or a colleague's own view
    for _ in range(n_updates):
        days_ago = rng.randint(last, first)
        day = today - timedelta(days=days_ago)
        nearest = min(range(len(days)), key=lambda i: abs(days[i] - days_ago))
        if rng.random() < 0.3:
            by = rng.choice(colleagues)
            rows.append(entry("worker", None, _clamp(owner_values[nearest] + rng.choice((-1, 1))), day, by,
                              _stamp(day, rng), context="update"))
        else:
            member = rng.choice(network)
            rows.append(entry(member[0], member[1], collaborator_value(member, owner_values[nearest]), day, owner,
                              _stamp(day, rng), context="update"))
    if correction:
        candidates = [r for r in rows if r["source"] != "worker" and r["meeting_id"]]
        wrong = rng.choice(candidates or rows)
        day = date.fromisoformat(wrong["observed_on"])
        entry(wrong["source"], wrong["source_label"], _clamp(wrong["value"] + rng.choice((-3, 3))), day, owner,
              _stamp(min(today, day + timedelta(days=1)), rng), context="update", supersedes=wrong["id"])

    # the prompts the rules would have raised on the last meeting, some of them handled since
    raised = _stamp(today - timedelta(days=last), rng)
    facts = None
    if profile == "clash":
        source, label = clash_source
        current = next(r for r in reversed(rows) if r["source"] == source and r["source_label"] == label)
        facts = ("gap", {"source": source, "source_label": label, "value": current["value"],
                         "worker_value": owner_values[-1], "gap": owner_values[-1] - current["value"], "worker_id": owner})
    elif profile == "drop" and owner_values[-1] <= owner_values[-2] - 3:
        facts = ("drop", {"before": owner_values[-2], "after": owner_values[-1], "worker_id": owner})
    elif profile == "stale_low":
        facts = ("stale_low", {"value": owner_values[-1], "since": (today - timedelta(days=first)).isoformat(),
                               "days": first, "worker_id": owner})
    if facts:
        handled = rng.random() < 0.4
        status = rng.choice(("done", "dismissed")) if handled else "open"
        handled_at = _stamp(today - timedelta(days=rng.randint(0, max(0, last - 1))), rng) if handled else None
        requests.append((citizen, owner, facts[0], None, json.dumps(facts[1], sort_keys=True), status, raised,
                         lead if handled else None, handled_at))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--force", action="store_true", help="build again even if a cached file is current")
    args = parser.parse_args()
    path = database(args.citizens, force=args.force)
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    counts = {t: db.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]
              for t in ("citizen", "user", "meeting", "expectation", "sparring_request", "recusal", "audit_event")}
    db.close()
    print(path, counts)


if __name__ == "__main__":
    main()
