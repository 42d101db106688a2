"""SQL statements and time per request in-process, for one database (one team size).

    python bench/inprocess.py DB [--paths meeting,team,clashes,citizen,sync] [--reps 20]
                              [--budget 8] [--sync-reps 3] [--show PATH] [--json]

bench/speed.py runs this once per team size, each in its own process, on a copy of the
generated database (bench/teamdata.py; it writes to DB). It builds the journal in production
mode (`create_app()` with JOURNAL_ENV=production, as gunicorn does), logs in the lead and
`worker01` with Flask's test client, and for each path sends one request to warm up, then up
to --reps requests (at least 3, or until --budget seconds have passed), and reports per path
the median time, and the statements SQLite ran for the median request:

- `all`: every statement SQLite was asked to run, PRAGMAs, BEGIN/COMMIT and savepoints
  included (what the issue counted: 54 for the meeting POST before the speed work);
- `work`: the same without PRAGMA, BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE;
- `history`: statements that read the expectation table (SELECT … FROM/JOIN expectation):
  how often a request reads a citizen's history.

How statements are seen: `sqlite3.connect` (the module attribute, which journal/db.py and
sqlite-utils both call) is wrapped before the journal is imported, and every connection it
opens gets a trace callback that counts into one counter, whichever thread or request opens
it and however long it is kept (one per request now, one per thread later). A request that
runs no SQL at all is reported as an error: the hook no longer sees the journal's
connections.
"""
import argparse
import atexit
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for folder in (str(ROOT), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

PATHS = ("team", "clashes", "citizen", "meeting", "sync")  # the order they run in: writes last
CONTROL = ("PRAGMA", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE")
HISTORY = re.compile(r"^\s*(SELECT|WITH)\b.*\b(FROM|JOIN)\s+\[?expectation\]?(\s|$)", re.I | re.S)

COUNT = {"all": 0, "work": 0, "history": 0}
STATEMENTS = []


def trace(sql):
    if sql.startswith("--"):  # "-- TRIGGER name": part of the statement that fired it
        return
    COUNT["all"] += 1
    if not sql.lstrip().upper().startswith(CONTROL):
        COUNT["work"] += 1
    if HISTORY.match(sql):
        COUNT["history"] += 1
    STATEMENTS.append(re.sub(r"\s+", " ", sql).strip()[:140])


def install_hook():
    """Every connection opened from now on traces into COUNT (see the module docstring)."""
    original = sqlite3.connect

    def connect(*args, **kwargs):
        conn = original(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect
    sqlite3.dbapi2.connect = connect
    try:  # sqlite-utils prefers pysqlite3 or sqlean when installed; hook whichever it uses
        from sqlite_utils import utils

        if utils.sqlite3 is not sqlite3 and hasattr(utils.sqlite3, "connect"):
            inner = utils.sqlite3.connect

            def connect_other(*args, **kwargs):
                conn = inner(*args, **kwargs)
                conn.set_trace_callback(trace)
                return conn

            utils.sqlite3.connect = connect_other
    except ImportError:
        pass


def meeting_body(rng_days=30):
    """Views close together (6, 7, 5): a meeting that raises a prompt only where the citizen's
    history already calls for one, so that the count is the same request after request (with
    random values, about half would raise a gap prompt: two statements more)."""
    day = date.today() - timedelta(days=1 + uuid.uuid4().int % rng_days)
    return {
        "id": str(uuid.uuid4()),
        "held_on": day.isoformat(),
        "mode": "in_person",
        "participants": ["citizen", "doctor"],
        "note": "Talte om praktikken og næste skridt.",
        "expectations": [
            {"id": str(uuid.uuid4()), "source": "worker", "value": 6, "confidence": "medium"},
            {"id": str(uuid.uuid4()), "source": "citizen", "value": 7, "confidence": "high"},
            {"id": str(uuid.uuid4()), "source": "doctor", "source_label": "egen læge",
             "value": 5, "confidence": "low"},
        ],
    }


def team_facts(path):
    """(team id, worker01's id, the citizen ids worker01 may open), read straight from the file."""
    import teamdata

    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        team_id = conn.execute("SELECT id FROM team WHERE name = ?", [teamdata.TEAM]).fetchone()[0]
        worker_id = conn.execute("SELECT id FROM user WHERE username = ?", [teamdata.WORKER]).fetchone()[0]
        citizens = [row[0] for row in conn.execute(
            "SELECT id FROM citizen WHERE team_id = ? AND status = 'active' AND id NOT IN "
            "(SELECT citizen_id FROM recusal WHERE user_id = ? AND lifted_at IS NULL) ORDER BY id",
            [team_id, worker_id])]
    finally:
        conn.close()
    return team_id, worker_id, citizens


def measure(send, expect, reps, budget, minimum=3):
    """Warm up once, then time requests: [(seconds, all, work, history, statements)].

    A warm-up that took over a second counts as a sample too: what the first request costs
    more (templates compiled, catalogs loaded) is small beside it, and a slow page at 5,000
    citizens then needs one request fewer."""
    samples = []
    started = time.perf_counter()
    warm = True
    while len(samples) < reps and (len(samples) < minimum or time.perf_counter() - started < budget):
        for key in COUNT:
            COUNT[key] = 0
        STATEMENTS.clear()
        before = time.perf_counter()
        response = send()
        elapsed = time.perf_counter() - before
        if response.status_code != expect:
            raise SystemExit(f"answered {response.status_code}, not {expect}: {response.get_data(as_text=True)[:500]}")
        if COUNT["all"] == 0:
            raise SystemExit("no SQL seen for a request: the trace hook (bench/inprocess.py install_hook) "
                             "no longer sees the journal's connections")
        if warm:
            warm = False
            started = time.perf_counter()
            if elapsed < 1.0:
                continue
        samples.append((elapsed, COUNT["all"], COUNT["work"], COUNT["history"], list(STATEMENTS)))
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a copy of a bench database (it is written to)")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per path, after at least 3 requests")
    parser.add_argument("--sync-reps", type=int, default=3)
    parser.add_argument("--show", action="append", default=[], help="print the statements of this path's median request")
    parser.add_argument("--json", action="store_true", help="print one JSON line (for bench/speed.py)")
    args = parser.parse_args()
    wanted = [p for p in PATHS if p in args.paths.split(",")]

    folder = tempfile.mkdtemp(prefix="journal-inprocess-")  # the instance folder; gone at exit
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ.update(JOURNAL_ENV="production", JOURNAL_DATABASE=str(Path(args.db).resolve()),
                      JOURNAL_SECRET_KEY=uuid.uuid4().hex, JOURNAL_COOKIE_SECURE="0", JOURNAL_INSTANCE_PATH=folder)
    install_hook()  # before anything imports the journal (teamdata does)
    team_id, _worker_id, citizen_ids = team_facts(args.db)
    import teamdata
    from journal import create_app

    app = create_app()
    clients = {}
    for role, username in (("lead", teamdata.LEAD), ("worker", teamdata.WORKER)):
        client = app.test_client()
        login = client.post("/api/v1/auth/login", json={"username": username, "password": teamdata.PASSWORD})
        if login.status_code != 200:
            raise SystemExit(f"login as {username} answered {login.status_code}: {login.get_data(as_text=True)[:300]}")
        clients[role] = (client, {"X-CSRFToken": login.json["csrf_token"]})
    lead, lead_headers = clients["lead"]
    worker, worker_headers = clients["worker"]
    spread = iter(range(10**9))

    def next_citizen():
        return citizen_ids[(next(spread) * 7919) % len(citizen_ids)]

    def sync_body():
        return {"items": [{"op": "create_meeting", "citizen_id": next_citizen(), "data": meeting_body()}
                          for _ in range(500)]}

    sends = {
        "team": (lambda: lead.get("/team"), 200),
        "clashes": (lambda: lead.get(f"/api/v1/teams/{team_id}/clashes"), 200),
        "citizen": (lambda: worker.get(f"/citizens/{next_citizen()}"), 200),
        "meeting": (lambda: worker.post(f"/api/v1/citizens/{next_citizen()}/meetings", json=meeting_body(),
                                        headers=worker_headers), 201),
        "sync": (lambda: worker.post("/api/v1/sync", json=sync_body(), headers=worker_headers), 200),
    }
    results = {}
    for path in wanted:
        send, expect = sends[path]
        reps, minimum = (args.sync_reps, 1) if path == "sync" else (args.reps, min(3, args.reps))
        samples = measure(send, expect, reps, args.budget, minimum)
        ordered = sorted(samples, key=lambda s: s[0])
        median = ordered[(len(ordered) - 1) // 2]
        results[path] = {
            "n": len(samples),
            "seconds": statistics.median(s[0] for s in samples),
            "all": statistics.median_low(s[1] for s in samples),
            "work": statistics.median_low(s[2] for s in samples),
            "history": statistics.median_low(s[3] for s in samples),
            "all_range": [min(s[1] for s in samples), max(s[1] for s in samples)],
        }
        if path in args.show:
            print(f"== {path}: the {median[1]} statements of the median request ({median[0] * 1000:.1f} ms)", file=sys.stderr)
            for sql in median[4]:
                print("    " + sql, file=sys.stderr)
    if args.json:
        print(json.dumps(results))
    else:
        for path, r in results.items():
            print(f"{path:<8} {r['seconds'] * 1000:9.1f} ms  {r['all']:>5} statements ({r['work']} work, "
                  f"{r['history']} history reads)  n={r['n']}")


if __name__ == "__main__":
    main()
