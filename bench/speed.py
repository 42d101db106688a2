"""The speed benchmark of issue 14 point 5: the journal under load beside two anchors, and SQL per request by team size.

    make bench [BENCH_ARGS="--quick"]
    .venv/bin/python bench/speed.py [--citizens 500] [--seconds 8] [--rounds 3]
        [--paths meeting,team,clashes,citizen,sync] [--sizes 50,500,5000] [--quick]
        [--no-load] [--no-sql] [--connections 32] [--threads 2] [--show PATH] [--keep]

Load (wrk, `-t2 -c32 -d<seconds>s --latency`, on the team of --citizens citizens from
bench/teamdata.py): in each of --rounds rounds, every path runs back to back with its anchor
(the order of the two alternates from round to round):

    path                                    as       anchor
    GET  /team                              lead     Flask hello-world (bench/anchors.py)
    GET  /api/v1/teams/{id}/clashes         lead     hello-world
    GET  /citizens/{id}  (random citizen)   worker   hello-world
    POST /api/v1/citizens/{id}/meetings     worker   bare Flask + sqlite3 insert of the same rows
         (3 views, fresh UUIDs, random citizen)
    POST /api/v1/sync with 500 meetings     worker   — (one request per round, timed; not under wrk)

The journal runs as in production: `gunicorn -c gunicorn.conf.py -w 2 'journal:create_app()'`
with JOURNAL_ENV=production and a random JOURNAL_SECRET_KEY, on a fresh copy of the cached
database for the GETs and the sync, and another fresh copy for the meeting POST (so writes
never pile up between runs or rounds); the anchors run under the same gunicorn.conf.py with
`-w 2` (the bare insert on its own fresh copy). A user logs in (POST /api/v1/auth/login)
right before each run and wrk sends that session cookie and X-CSRFToken: a run is shorter
than the minute after which the journal rewrites a session's cookie. Each run is checked
first (one request must answer 200/201) and warmed up with a few concurrent requests.

Reported per path: the medians over the rounds of req/s, p50/p95/p99 and of the per-round
ratio app req/s ÷ anchor req/s, in a table and in check lines that end in a fixed form,
`ratio 0.63 target 0.60` (`seconds 0.97 target 0.50` for the sync, `statements 36 target
20` and `growth 1.05 target 2.00` for the SQL checks), so a script can read them.

SQL per request (bench/inprocess.py, in a child process per size, on a copy of the cached
database of each --sizes team size): statements, reads of the expectation table and median
time per request in-process (Flask's test client, production config), and whether they stay
flat from the smallest to the largest size.

Targets (issue 14): meeting POST ≥ 0.60 × bare insert, p95 ≤ 50 ms, ≤ 20 statements, flat
from 500 to 5,000 citizens; /team ≥ 0.05 × hello-world and clashes API ≥ 0.10 × hello-world,
p95 ≤ 100 ms each, flat; citizen page ≥ 0.10 × hello-world, ≤ 12 statements, history read
once; one sync of 500 meetings ≤ 0.5 s. "Flat" here: the median time at the largest size is
at most 2 × that at the smallest (the meeting POST: at 500), and the statements at most one
more. Exit status: 0 every target met, 1 a target missed, 2 the benchmark could not run.
"""
import argparse
import http.client
import json
import math
import os
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for folder in (str(ROOT), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import teamdata  # noqa: E402

CONFIG = ROOT / "gunicorn.conf.py"
WRK_SCRIPT = BENCH / "wrk.lua"
LOAD_PATHS = ("team", "clashes", "citizen", "meeting", "sync")
ALL_PATHS = LOAD_PATHS
LABELS = {
    "meeting": "meeting POST (3 views)",
    "team": "GET /team (lead)",
    "clashes": "clashes API (lead)",
    "citizen": "citizen page (worker)",
    "sync": "sync of 500 meetings",
}
ROUTES = {
    "meeting": "POST /api/v1/citizens/{id}/meetings",
    "team": "GET /team",
    "clashes": "GET /api/v1/teams/{id}/clashes",
    "citizen": "GET /citizens/{id}",
    "sync": "POST /api/v1/sync",
}
#: (anchor, ratio target, p95 target in ms or None)
TARGETS = {
    "meeting": ("bare", 0.60, 50),
    "team": ("hello", 0.05, 100),
    "clashes": ("hello", 0.10, 100),
    "citizen": ("hello", 0.10, None),
}
ANCHOR_NAMES = {"hello": "hello-world", "bare": "bare insert"}
SYNC_TARGET_SECONDS = 0.5
SYNC_ITEMS = 500
#: statements per request (all statements, as the issue counts them)
STATEMENT_TARGETS = {"meeting": 20, "citizen": 12}
HISTORY_TARGETS = {"citizen": 1}
FLAT_TIME_FACTOR = 2.0
FLAT_STATEMENTS_SLACK = 1
FLAT_FROM = {"meeting": 500}  # the size flatness is measured from (default: the smallest)
FLAT_PATHS = ("meeting", "team", "clashes", "citizen")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class BenchError(Exception):
    """The benchmark could not measure something (exit status 2)."""


# --- processes ------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn with the repository's gunicorn.conf.py and -w 2 on a free loopback port."""

    running = set()

    def __init__(self, name, target, folder, env):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(folder) / f"{name}.log"
        environment = dict(os.environ, **env)
        environment["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([environment["PYTHONPATH"]] if environment.get("PYTHONPATH") else []))
        executable = gunicorn_executable()
        # gunicorn 25+ opens a control socket at one fixed path (~/.gunicorn/gunicorn.ctl) for every
        # server; several at once (ours, a test suite's) would take it from each other
        extra = ["--no-control-socket"] if has_control_socket(executable) else []
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [executable, "-c", str(CONFIG), "-w", "2", "-b", f"127.0.0.1:{self.port}", *extra, target],
                cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        Server.running.add(self)

    def wait_until_up(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if request("GET", self.base + "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise BenchError(f"{self.name} did not start; its log ({self.log_path}) ends:\n" + self.log_tail())

    def log_tail(self, chars=3000):
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def cpu_seconds(self):
        """CPU time (user + system) used so far by gunicorn's master and workers (its process group)."""
        total = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def wait_idle(self, limit=300):
        """Until the server has finished what it still works on (after wrk stops, the requests
        in flight go on; a slow page can keep both cores busy for seconds), so that the next
        run does not share the CPU with it."""
        deadline = time.monotonic() + limit
        quiet = 0
        last = self.cpu_seconds()
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.cpu_seconds()
            quiet = quiet + 1 if now - last < 0.02 else 0
            last = now

    def stop(self):
        Server.running.discard(self)
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def gunicorn_executable():
    return shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"


_CONTROL_SOCKET = {}


def has_control_socket(executable):
    if executable not in _CONTROL_SOCKET:
        done = subprocess.run([executable, "--help"], capture_output=True, text=True)
        _CONTROL_SOCKET[executable] = "--no-control-socket" in done.stdout
    return _CONTROL_SOCKET[executable]


def start(servers):
    """Wait for several servers that were started together (all stopped if one fails)."""
    try:
        for server in servers:
            server.wait_until_up()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


# --- HTTP -------------------------------------------------------------------------------------


def request(method, url, body=None, headers=None, timeout=120):
    """(status, headers, body bytes) without following redirects."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, "/" + path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def login(base, username):
    """Log in once; the headers wrk and the checks send: Cookie and X-CSRFToken."""
    status, headers, body = request("POST", base + "/api/v1/auth/login",
                                    {"username": username, "password": teamdata.PASSWORD})
    if status != 200:
        raise BenchError(f"login as {username} answered {status}: {body[:300]!r}")
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    if not cookies:
        raise BenchError("login set no cookie")
    return {"Cookie": "; ".join(cookies), "X-CSRFToken": json.loads(body)["csrf_token"]}


def meeting_body(dates):
    ids = [str(uuid.uuid4()) for _ in range(4)]
    value = lambda: uuid.uuid4().int % 11  # noqa: E731
    return {
        "id": ids[0], "held_on": dates[uuid.uuid4().int % len(dates)], "mode": "in_person",
        "participants": ["citizen", "doctor"], "note": "Talte om praktikken og næste skridt.",
        "expectations": [
            {"id": ids[1], "source": "worker", "value": value(), "confidence": "medium"},
            {"id": ids[2], "source": "citizen", "value": value(), "confidence": "high"},
            {"id": ids[3], "source": "doctor", "source_label": "egen læge", "value": value(), "confidence": "low"},
        ],
    }


def check(method, url, headers, expect, body=None):
    status, _headers, data = request(method, url, body, headers)
    if status != expect:
        raise BenchError(f"{method} {url} answered {status}, not {expect}: {data[:300]!r}")


def warm_up(method, urls, headers, expect, dates=None, concurrent=4):
    """A few concurrent requests, so both gunicorn workers have compiled templates and caches."""
    errors = []

    def one(index):
        try:
            body = meeting_body(dates) if method == "POST" else None
            check(method, urls[index % len(urls)], headers, expect, body)
        except (BenchError, OSError) as error:
            errors.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(concurrent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise BenchError(f"warm-up failed: {errors[0]}")


# --- wrk ---------------------------------------------------------------------------------------


class Load:
    def __init__(self, args, folder):
        self.args = args
        self.folder = Path(folder)

    def wrk(self, base, path, headers, mode="static", paths_file=None, dates=None):
        """One wrk run; its report (dict) with req/s and latencies in ms."""
        env = dict(os.environ, BENCH_MODE=mode, BENCH_PATHS=str(paths_file or ""), BENCH_DATES=",".join(dates or []))
        command = ["wrk", f"-t{self.args.threads}", f"-c{self.args.connections}", f"-d{self.args.seconds}s",
                   "--timeout", "60s", "--latency", "-s", str(WRK_SCRIPT)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(base + path)
        before = cpu_snapshot()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=self.args.seconds + 120)
        other = other_cpu(before, cpu_snapshot())
        with open(self.folder / "wrk.log", "a") as log:
            log.write(f"$ {' '.join(command[:9])} … {base + path}\n{done.stdout}{done.stderr}\n")
        line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH ")), None)
        if done.returncode != 0 or line is None:
            raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        report = json.loads(line[6:])
        seconds = report["duration_us"] / 1e6
        errors = sum(report[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
        return {
            "rps": report["requests"] / seconds if seconds else 0.0,
            "requests": report["requests"],
            "errors": errors,
            "p50": report["p50_us"] / 1000, "p95": report["p95_us"] / 1000, "p99": report["p99_us"] / 1000,
            "other_cpu": other,
        }


def cpu_snapshot():
    """(wall, busy CPU seconds of the whole machine, CPU seconds of our servers, of our finished children)."""
    with open("/proc/stat") as stat:
        ticks = [int(x) for x in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal …; steal counts as busy (another guest had the CPU)
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.monotonic(), busy / CLOCK_TICKS, sum(s.cpu_seconds() for s in list(Server.running)),
            children.ru_utime + children.ru_stime)


def other_cpu(before, after):
    """CPUs' worth of time that neither our servers nor wrk used during a run: the other load on
    the machine (another test suite, a build) that the run had to share the cores with."""
    wall = after[0] - before[0]
    ours = (after[2] - before[2]) + (after[3] - before[3])
    return max(0.0, (after[1] - before[1]) - ours) / wall if wall > 0 else 0.0


def copy_database(source, folder, name):
    wal = Path(f"{source}-wal")
    if wal.exists() and wal.stat().st_size > 0:  # a copy of the main file alone would miss it
        raise BenchError(f"{source} has a WAL with content ({wal}); delete the cached file to build it again")
    target = Path(folder) / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{target}{suffix}").exists():
            os.remove(f"{target}{suffix}")
    shutil.copyfile(source, target)
    return target


def journal_pragmas(db_path, folder):
    """The PRAGMAs of the connection the journal serves a request with (get_db()), for the bare anchor."""
    from journal import create_app
    from journal.db import get_db

    scratch = copy_database(db_path, folder, "pragmas")
    app = create_app({"DATABASE": str(scratch), "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    names = ("busy_timeout", "journal_mode", "synchronous", "foreign_keys", "cache_size", "mmap_size", "temp_store")
    with app.test_request_context("/"):
        db = get_db()
        conn = getattr(db, "conn", db)
        return {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in names}


def team_facts(db_path):
    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)
    try:
        team_id = conn.execute("SELECT id FROM team WHERE name = ?", [teamdata.TEAM]).fetchone()[0]
        worker_id = conn.execute("SELECT id FROM user WHERE username = ?", [teamdata.WORKER]).fetchone()[0]
        citizens = [r[0] for r in conn.execute(
            "SELECT id FROM citizen WHERE team_id = ? AND status = 'active' AND id NOT IN "
            "(SELECT citizen_id FROM recusal WHERE user_id = ? AND lifted_at IS NULL) ORDER BY id", [team_id, worker_id])]
    finally:
        conn.close()
    return team_id, worker_id, citizens


def run_load(args, paths, folder):
    """Every round: the GET paths with hello-world, the sync, the meeting POST with the bare insert.
    Returns {path: [per-round results]}."""
    db_path = teamdata.database(args.citizens)
    team_id, worker_id, citizen_ids = team_facts(db_path)
    pragmas = journal_pragmas(db_path, folder)
    print("The journal's connection PRAGMAs (the bare insert uses the same): "
          + ", ".join(f"{k}={v}" for k, v in pragmas.items()), flush=True)
    today = date.today()
    dates = [(today - timedelta(days=d)).isoformat() for d in range(1, 31)]
    citizen_paths = Path(folder) / "citizen-paths.txt"
    citizen_paths.write_text("".join(f"/citizens/{c}\n" for c in citizen_ids))
    meeting_paths = Path(folder) / "meeting-paths.txt"
    meeting_paths.write_text("".join(f"/api/v1/citizens/{c}/meetings\n" for c in citizen_ids))
    load = Load(args, folder)
    secret = uuid.uuid4().hex
    journal_env = {"JOURNAL_ENV": "production", "JOURNAL_SECRET_KEY": secret, "JOURNAL_COOKIE_SECURE": "0",
                   "JOURNAL_INSTANCE_PATH": str(folder)}

    def journal(name):
        return Server(name, "journal:create_app()", folder,
                      dict(journal_env, JOURNAL_DATABASE=str(copy_database(db_path, folder, name))))

    def bare(name):
        return Server(name, "bench.anchors:bare()", folder,
                      {"BENCH_DATABASE": str(copy_database(db_path, folder, name)), "BENCH_WORKER_ID": str(worker_id),
                       "BENCH_PRAGMAS": json.dumps(pragmas), "BENCH_BARE_LOCK": "1" if args.bare_lock else "0"})

    gets = {
        "team": ("lead", "/team", "static", None),
        "clashes": ("lead", f"/api/v1/teams/{team_id}/clashes", "static", None),
        "citizen": ("worker", f"/citizens/{citizen_ids[0]}", "get", citizen_paths),
    }
    results = {p: [] for p in paths}
    hello = None

    def quiet(*servers):
        for server in servers:
            if server is not None:
                server.wait_idle()
    try:
        if any(p in gets for p in paths):
            hello = start([Server("hello", "bench.anchors:hello", folder, {})])[0]
            warm_up("GET", [hello.base + "/"], {}, 200)
        for round_number in range(1, args.rounds + 1):
            app_first = round_number % 2 == 1
            if any(p in gets or p == "sync" for p in paths):
                app = start([journal(f"journal-r{round_number}")])[0]
                try:
                    for path in (p for p in paths if p in gets):
                        role, url, mode, paths_file = gets[path]
                        headers = login(app.base, teamdata.LEAD if role == "lead" else teamdata.WORKER)
                        urls = [app.base + line for line in (paths_file.read_text().split()[:8] if paths_file else [url])]
                        check("GET", urls[0], headers, 200)
                        warm_up("GET", urls, headers, 200)
                        pair = [("app", app), ("anchor", hello)]
                        measured = {}
                        for side, server in (pair if app_first else pair[::-1]):
                            quiet(app, hello)
                            if side == "app":
                                measured[side] = load.wrk(app.base, url, headers, mode, paths_file)
                            else:  # the same headers, so the requests are as long as the journal's
                                measured[side] = load.wrk(hello.base, "/", headers)
                        results[path].append(measured)
                        report_round(round_number, path, measured)
                    if "sync" in paths:
                        headers = login(app.base, teamdata.WORKER)
                        quiet(app, hello)
                        results["sync"].append(time_sync(app.base, headers, citizen_ids, dates, round_number))
                finally:
                    app.stop()
            if "meeting" in paths:
                app, anchor = start([journal(f"journal-post-r{round_number}"), bare(f"bare-r{round_number}")])
                try:
                    headers = login(app.base, teamdata.WORKER)
                    urls = [f"/api/v1/citizens/{c}/meetings" for c in citizen_ids[:8]]
                    for base in (app.base, anchor.base):
                        check("POST", base + urls[0], headers, 201, meeting_body(dates))
                        warm_up("POST", [base + u for u in urls], headers, 201, dates)
                    pair = [("app", app), ("anchor", anchor)]
                    measured = {}
                    for side, server in (pair if app_first else pair[::-1]):
                        quiet(app, anchor, hello)
                        measured[side] = load.wrk(server.base, urls[0], headers, "meeting", meeting_paths, dates)
                    results["meeting"].append(measured)
                    report_round(round_number, "meeting", measured)
                finally:
                    app.stop()
                    anchor.stop()
    finally:
        if hello:
            hello.stop()
    return results


def time_sync(base, headers, citizen_ids, dates, round_number):
    """One POST /api/v1/sync of SYNC_ITEMS meetings (3 views each) over as many citizens; seconds."""
    step = max(1, len(citizen_ids) // SYNC_ITEMS)
    # first a small sync to each worker process, so the timed one does not pay for a cold path
    warm = [threading.Thread(target=request, args=("POST", base + "/api/v1/sync", {"items": [
        {"op": "create_meeting", "citizen_id": citizen_ids[-1 - i], "data": meeting_body(dates)}]}, headers))
        for i in range(4)]
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    items = [{"op": "create_meeting", "citizen_id": citizen_ids[(i * step) % len(citizen_ids)], "data": meeting_body(dates)}
             for i in range(SYNC_ITEMS)]
    started = time.perf_counter()
    status, _headers, data = request("POST", base + "/api/v1/sync", {"items": items}, headers)
    seconds = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"sync answered {status}: {data[:300]!r}")
    statuses = [r["status"] for r in json.loads(data)["results"]]
    if statuses.count("created") != SYNC_ITEMS:
        raise BenchError(f"sync: {statuses.count('created')} of {SYNC_ITEMS} created ({sorted(set(statuses))})")
    print(f"  round {round_number}  sync of {SYNC_ITEMS} meetings: {seconds:.2f} s", flush=True)
    return seconds


def report_round(round_number, path, measured):
    app, anchor = measured["app"], measured["anchor"]
    print(f"  round {round_number}  {LABELS[path]:<24} {app['rps']:9.1f} req/s  p95 {fmt_ms(app['p95'])}"
          f"   anchor {anchor['rps']:9.1f} req/s  p95 {fmt_ms(anchor['p95'])}"
          + f"   other load {app['other_cpu']:.2f}/{anchor['other_cpu']:.2f} CPU"
          + (f"   ERRORS app {app['errors']} anchor {anchor['errors']}" if app["errors"] or anchor["errors"] else ""),
          flush=True)


# --- SQL per request by team size ---------------------------------------------------------------


def run_sql(args, paths, folder):
    """{size: {path: {seconds, all, work, history, n}}} from bench/inprocess.py, one process per size."""
    out = {}
    for size in args.sizes:
        db_path = teamdata.database(size)
        copy = copy_database(db_path, folder, f"inprocess-{size}")
        command = [sys.executable, str(BENCH / "inprocess.py"), str(copy), "--json", "--paths", ",".join(paths),
                   "--reps", str(args.reps), "--budget", str(args.budget), "--sync-reps", str(args.sync_reps)]
        for show in args.show:
            if size == args.citizens or len(args.sizes) == 1:
                command += ["--show", show]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(BENCH)]))
        print(f"  in-process, {size:,} citizens …", flush=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=folder)
        if done.stderr.strip() and done.returncode == 0:
            print(done.stderr, end="", file=sys.stderr)
        if done.returncode != 0:
            raise BenchError(f"bench/inprocess.py at {size} citizens failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        out[size] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


# --- the report -----------------------------------------------------------------------------------


def fmt_ms(ms):
    if math.isinf(ms):
        return "—"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def fmt_ratio(value):
    """Two decimals, or as many as it takes to show two significant digits of a small ratio."""
    if value <= 0:
        return "0.00"
    decimals = 2 if value >= 0.1 else min(6, 1 - math.floor(math.log10(value)))
    return f"{value:.{decimals}f}"


def summarise_load(results):
    """Per path: the medians over the rounds."""
    summary = {}
    for path, rounds in results.items():
        if not rounds:
            continue
        if path == "sync":
            summary[path] = {"seconds": statistics.median(rounds), "rounds": rounds}
            continue
        med = lambda side, key: statistics.median(r[side][key] for r in rounds)  # noqa: E731
        summary[path] = {
            "rps": med("app", "rps"), "p50": med("app", "p50"), "p95": med("app", "p95"), "p99": med("app", "p99"),
            "anchor_rps": med("anchor", "rps"), "anchor_p95": med("anchor", "p95"),
            "ratio": statistics.median(r["app"]["rps"] / r["anchor"]["rps"] for r in rounds),
            "requests": sum(r["app"]["requests"] for r in rounds),
            "errors": sum(r["app"]["errors"] for r in rounds), "anchor_errors": sum(r["anchor"]["errors"] for r in rounds),
            "anchor_requests": sum(r["anchor"]["requests"] for r in rounds),
            "empty_rounds": sum(1 for r in rounds if r["app"]["requests"] == 0),
            "other_cpu": [r[side]["other_cpu"] for r in rounds for side in ("app", "anchor")],
        }
        if summary[path]["empty_rounds"]:  # wrk reports 0 latency when nothing finished: no figure
            summary[path].update(p50=math.inf, p95=math.inf, p99=math.inf)
    return summary


def print_load(summary, args):
    """The table and the check lines; returns the list of missed targets."""
    missed = []
    print(f"\n## Under load: {args.citizens:,} citizens × {teamdata.EXPECTATIONS_PER_CITIZEN} expectations, "
          f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, gunicorn -w 2 (gunicorn.conf.py), "
          f"median of {args.rounds} interleaved round{'s' if args.rounds > 1 else ''}"
          + (" (bare insert with --bare-lock)" if args.bare_lock else "") + "\n")
    print("| path | req/s | p50 | p95 | p99 | anchor (same round) | anchor req/s | anchor p95 | ratio | target |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for path in LOAD_PATHS:
        if path not in summary or path == "sync":
            continue
        s = summary[path]
        anchor, ratio_target, p95_target = TARGETS[path]
        target = f"≥ {ratio_target:.2f}" + (f", p95 ≤ {p95_target} ms" if p95_target else "")
        met = s["ratio"] >= ratio_target and (p95_target is None or s["p95"] <= p95_target)
        print(f"| {ROUTES[path]} | {s['rps']:,.1f} | {fmt_ms(s['p50'])} | {fmt_ms(s['p95'])} | {fmt_ms(s['p99'])} | "
              f"{ANCHOR_NAMES[anchor]} | {s['anchor_rps']:,.0f} | {fmt_ms(s['anchor_p95'])} | {fmt_ratio(s['ratio'])} | "
              f"{target}: {'met' if met else 'missed'} |")
    if "sync" in summary:
        s = summary["sync"]
        met = s["seconds"] <= SYNC_TARGET_SECONDS
        print(f"| {ROUTES['sync']}, {SYNC_ITEMS} meetings (one request) | {s['seconds']:.2f} s | | | | — | | | | "
              f"≤ {SYNC_TARGET_SECONDS:.1f} s: {'met' if met else 'missed'} |")
    slow = [LABELS[path] for path, v in summary.items() if path != "sync" and v["p50"] > 100 * args.seconds]
    if slow:
        print(f"\n{', '.join(slow)}: the median latency is over a tenth of a run ({args.seconds} s). wrk counts only "
              "the requests that finish within the run, so with 32 such requests in flight at its end the req/s is "
              "low (at the baseline /team showed 2.0 req/s in 8 s runs and 3.2 in 20 s runs); --seconds 20 or more "
              "for figures of such a path.")
    others = [x for path, v in summary.items() if path != "sync" for x in v["other_cpu"]]
    if others:
        print(f"\nOther load on the machine during the wrk runs (CPU time used by neither the servers nor wrk, "
              f"in CPUs): median {statistics.median(others):.2f}, max {max(others):.2f} of {os.cpu_count()}."
              + (" Other processes shared the cores: absolute figures are low; the ratios, taken within a round, "
                 "less so." if max(others) > 0.25 else ""))
    print("\nChecks (a line per target; the last two words of each are its value and its target):")
    for path in LOAD_PATHS:
        if path not in summary:
            continue
        s = summary[path]
        if path == "sync":
            ok = s["seconds"] <= SYNC_TARGET_SECONDS
            rounds = ", ".join(f"{x:.2f}" for x in s["rounds"])
            print(f"{'met   ' if ok else 'MISSED'}  {LABELS[path]:<24} one request, rounds {rounds} s"
                  f"  seconds {s['seconds']:.2f} target {SYNC_TARGET_SECONDS:.2f}")
            if not ok:
                missed.append(f"{LABELS[path]}: {s['seconds']:.2f} s")
            continue
        anchor, ratio_target, p95_target = TARGETS[path]
        errors = ""
        if s["errors"] > 0.01 * max(1, s["requests"]) or s["anchor_errors"] > 0.01 * max(1, s["anchor_requests"]):
            errors = f"  ({s['errors']} errors of {s['requests']}, anchor {s['anchor_errors']}: not a valid run)"
            missed.append(f"{LABELS[path]}: errors")
        if s["empty_rounds"]:
            errors += (f"  (no request finished within {args.seconds} s in {s['empty_rounds']} round(s): "
                       "no latency; run longer)")
        head = (f"{LABELS[path]:<24} {s['rps']:9.1f} req/s  p50 {fmt_ms(s['p50'])}  p99 {fmt_ms(s['p99'])}"
                f"  {ANCHOR_NAMES[anchor]} {s['anchor_rps']:,.0f} req/s{errors}")
        if p95_target is not None:
            ok = s["p95"] <= p95_target
            print(f"{'met   ' if ok else 'MISSED'}  {head}  p95 {s['p95']:.1f} target {p95_target:.1f}")
            if not ok:
                missed.append(f"{LABELS[path]}: p95 {s['p95']:.1f} ms")
        ok = s["ratio"] >= ratio_target
        print(f"{'met   ' if ok else 'MISSED'}  {head}  ratio {fmt_ratio(s['ratio'])} target {ratio_target:.2f}")
        if not ok:
            missed.append(f"{LABELS[path]}: ratio {fmt_ratio(s['ratio'])}")
    return missed


def print_sql(sql, args, paths):
    """The table by team size and the SQL check lines; returns the missed targets."""
    missed = []
    sizes = sorted(sql)
    print(f"\n## SQL and time per request by team size (in-process, Flask test client, production config; "
          f"median of up to {args.reps} requests)\n")
    header = "| path | " + " | ".join(f"{n:,} citizens" for n in sizes) + " | target |"
    print(header)
    print("|---|" + "---:|" * len(sizes) + "---|")
    for path in ALL_PATHS:
        if path not in paths:
            continue
        cells = []
        for n in sizes:
            r = sql[n].get(path)
            if r is None:
                cells.append("")
                continue
            cell = f"{fmt_ms(r['seconds'] * 1000)}, {r['all']} stmts ({r['work']} work, {r['history']} history)"
            if r["all_range"][0] != r["all_range"][1]:
                cell += f" [{r['all_range'][0]}–{r['all_range'][1]}]"
            cells.append(cell)
        targets = []
        if path in STATEMENT_TARGETS:
            targets.append(f"≤ {STATEMENT_TARGETS[path]} stmts")
        if path in HISTORY_TARGETS:
            targets.append(f"history read {HISTORY_TARGETS[path]}×")
        if path in FLAT_PATHS:
            targets.append(f"flat from {FLAT_FROM.get(path, sizes[0]):,}")
        print(f"| {ROUTES[path]} | " + " | ".join(cells) + f" | {', '.join(targets) or '—'} |")
    print("\n(time: median per request; stmts: every statement SQLite ran for the median request, PRAGMAs, "
          "BEGIN/COMMIT and savepoints included; work: without those; history: reads of the expectation table; "
          "[a–b]: the count varied between requests. The sync row is one request of 500 meetings.)")
    print("\nChecks:")
    reference = args.citizens if args.citizens in sql else sizes[len(sizes) // 2]
    for path in ALL_PATHS:
        if path not in paths:
            continue
        if path in STATEMENT_TARGETS and path in sql[reference]:
            value = max(sql[n][path]["all"] for n in sizes)
            ok = value <= STATEMENT_TARGETS[path]
            print(f"{'met   ' if ok else 'MISSED'}  {LABELS[path]:<24} SQL per request (largest over the sizes)"
                  f"  statements {value} target {STATEMENT_TARGETS[path]}")
            if not ok:
                missed.append(f"{LABELS[path]}: {value} statements")
        if path in HISTORY_TARGETS and path in sql[reference]:
            value = max(sql[n][path]["history"] for n in sizes)
            ok = value <= HISTORY_TARGETS[path]
            print(f"{'met   ' if ok else 'MISSED'}  {LABELS[path]:<24} reads of the expectation table per request"
                  f"  reads {value} target {HISTORY_TARGETS[path]}")
            if not ok:
                missed.append(f"{LABELS[path]}: history read {value}×")
        if path in FLAT_PATHS and len(sizes) > 1:
            start_size = FLAT_FROM.get(path, sizes[0])
            start_size = start_size if start_size in sql else sizes[0]
            end_size = sizes[-1]
            if start_size == end_size:
                continue
            a, b = sql[start_size][path], sql[end_size][path]
            growth = b["seconds"] / a["seconds"]
            ok = growth <= FLAT_TIME_FACTOR and b["all"] <= a["all"] + FLAT_STATEMENTS_SLACK
            print(f"{'met   ' if ok else 'MISSED'}  {LABELS[path]:<24} {start_size:,} → {end_size:,} citizens: "
                  f"{fmt_ms(a['seconds'] * 1000)} → {fmt_ms(b['seconds'] * 1000)}, statements {a['all']} → {b['all']} "
                  f"(at most +{FLAT_STATEMENTS_SLACK})  growth {growth:.2f} target {FLAT_TIME_FACTOR:.2f}")
            if not ok:
                missed.append(f"{LABELS[path]}: not flat (×{growth:.2f}, {a['all']} → {b['all']} statements)")
    return missed


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=500, help="team size under load (default 500)")
    parser.add_argument("--seconds", type=int, default=8,
                        help="duration of each wrk run (default 8; issue 14 measured with 20)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported (default 3)")
    parser.add_argument("--paths", default=",".join(ALL_PATHS), help="comma-separated: " + ", ".join(ALL_PATHS))
    parser.add_argument("--sizes", default="50,500,5000", help="team sizes for SQL per request (default 50,500,5000)")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--reps", type=int, default=20, help="in-process requests per path and size (default 20)")
    parser.add_argument("--budget", type=float, default=3.0,
                        help="in-process seconds per path and size, after 3 requests (default 3)")
    parser.add_argument("--sync-reps", type=int, default=1, help="in-process syncs of 500 per size (default 1)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1 round of 2 s runs, 3 in-process requests per path (figures are rough)")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk part")
    parser.add_argument("--no-sql", action="store_true", help="skip SQL per request by team size")
    parser.add_argument("--show", action="append", default=[], metavar="PATH",
                        help="list the SQL statements of PATH's median request (at --citizens)")
    parser.add_argument("--bare-lock", action="store_true",
                        help="the bare insert writes one at a time per process (a threading.Lock), so SQLite's busy "
                             "handler only arbitrates between the two processes: a lower p95 for it (bench/README.md)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, databases)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.reps, args.budget = 2, 1, 3, 1.0
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p not in ALL_PATHS]
    if unknown:
        parser.error(f"unknown path(s) {', '.join(unknown)}; choose from {', '.join(ALL_PATHS)}")
    args.path_list = [p for p in ALL_PATHS if p in paths]
    return args


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu})"


def main(argv=None):
    args = parse_args(argv)
    paths = args.path_list
    if not args.no_load and shutil.which("wrk") is None:
        print("make bench drives the server with wrk, which is not installed.\n"
              "Install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk) and run again,\n"
              "or run only the in-process part: .venv/bin/python bench/speed.py --no-load", file=sys.stderr)
        return 2
    stale = stale_catalogs()
    if stale:
        print("The journal's translations are not compiled (" + ", ".join(stale) + "): pages would be served "
              "without them and measured wrong. `make bench` compiles them; or run `make translations`.",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(f"Forventningsjournal speed benchmark (issue 14) — {datetime.now():%Y-%m-%d %H:%M}, {machine()}, "
          f"git {git_revision()}", flush=True)
    folder = tempfile.mkdtemp(prefix="journal-bench-")
    missed = []
    try:
        for size in sorted(set(([] if args.no_load else [args.citizens]) + ([] if args.no_sql else args.sizes))):
            teamdata.database(size)
        load_summary = sql = None
        if not args.no_load:
            print(f"\nLoad: {args.rounds} round(s) of wrk -t{args.threads} -c{args.connections} -d{args.seconds}s …",
                  flush=True)
            phase = time.perf_counter()
            load_summary = summarise_load(run_load(args, paths, folder))
            print(f"  ({time.perf_counter() - phase:.0f} s)", flush=True)
        if not args.no_sql:
            print("\nSQL per request by team size …", flush=True)
            phase = time.perf_counter()
            sql = run_sql(args, paths, folder)
            print(f"  ({time.perf_counter() - phase:.0f} s)", flush=True)
        if load_summary:
            missed += print_load(load_summary, args)
        if sql:
            missed += print_sql(sql, args, paths)
    except BenchError as error:
        print(f"\nThe benchmark could not run: {error}\n(logs in {folder})", file=sys.stderr)
        return 2
    finally:
        for server in list(Server.running):  # after an error or Ctrl-C
            server.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"\nLogs and databases kept in {folder}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else "")
          + f". {time.perf_counter() - started:.0f} s; load average {load:.1f} at the end.")
    return 1 if missed else 0


def stale_catalogs():
    """The catalogs (.po) whose compiled .mo is missing or older: the app would serve msgids."""
    stale = []
    for po in sorted((ROOT / "journal" / "translations").glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po.parent.parent.name)
    return stale


def git_revision():
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                              text=True, timeout=10)
        return done.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
