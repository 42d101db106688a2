"""The two anchors `make bench` measures beside the journal, in the same run (issue 14 point 5).

    gunicorn -c gunicorn.conf.py -w 2 'bench.anchors:hello'
    BENCH_DATABASE=copy.db BENCH_WORKER_ID=2 BENCH_PRAGMAS='{...}' gunicorn -c gunicorn.conf.py -w 2 'bench.anchors:bare()'

- `hello`: Flask's hello-world. The ceiling for a GET through Flask and gunicorn on this
  machine; the pages' ratios are against it.
- `bare()`: a bare Flask + sqlite3 endpoint at the journal's path,
  `POST /api/v1/citizens/<id>/meetings`, that inserts the rows a meeting with 3 views
  inserts — 1 meeting row, 3 expectation rows, 1 audit row — into a copy of the journal's
  database, in one `BEGIN IMMEDIATE` transaction, on one connection kept per thread (opened
  with the PRAGMAs the journal's own connection has: bench/speed.py reads them from
  `journal.db.get_db()` and passes them in BENCH_PRAGMAS). No login, no validation beyond
  what SQLite checks (types, foreign keys), no read-back: the ceiling for the meeting POST.

Both run under the repository's gunicorn.conf.py (same worker class, threads and keepalive as
the journal), and both answer /healthz.
"""
import hashlib
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone

from flask import Flask, jsonify, request

hello = Flask("hello")


@hello.get("/")
def hello_world():
    return "Hello, World!"


@hello.get("/healthz")
def hello_health():
    return "ok"


#: the journal's PRAGMAs when nothing is passed (journal/db.py when this was written)
DEFAULT_PRAGMAS = {"busy_timeout": 10000, "journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


def _hash(row):
    return hashlib.sha256(json.dumps(row, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def bare():
    """The bare insert endpoint over BENCH_DATABASE (a copy of the journal's database)."""
    path = os.environ["BENCH_DATABASE"]
    worker_id = int(os.environ["BENCH_WORKER_ID"])
    pragmas = json.loads(os.environ.get("BENCH_PRAGMAS") or "null") or DEFAULT_PRAGMAS
    local = threading.local()
    # BENCH_BARE_LOCK=1 (bench/speed.py --bare-lock): one write at a time per process behind a
    # threading.Lock, so that only the two processes meet at SQLite's lock (whose busy handler
    # sleeps 1–100 ms between tries instead of queueing)
    lock = threading.Lock() if os.environ.get("BENCH_BARE_LOCK") == "1" else None
    app = Flask("bare")

    def connection():
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(path, timeout=int(pragmas.get("busy_timeout", 10000)) / 1000,
                                   isolation_level=None, check_same_thread=False)
            for name, value in pragmas.items():
                conn.execute(f"PRAGMA {name} = {value}")
            local.conn = conn
        return conn

    @app.get("/healthz")
    def health():
        return "ok"

    @app.post("/api/v1/citizens/<int:citizen_id>/meetings")
    def meeting(citizen_id):
        body = request.get_json()
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        meeting_row = (body["id"], citizen_id, worker_id, body["held_on"], body["mode"],
                       json.dumps(body.get("participants") or []), body.get("note"), now, _hash(body))
        entries = [
            (e["id"], citizen_id, body["id"], e["source"], e.get("source_label"), e["value"], e["confidence"],
             e.get("basis"), e.get("observed_on") or body["held_on"], worker_id, now, "meeting", None, _hash(e))
            for e in body.get("expectations") or []
        ]
        conn = connection()
        if lock is not None:
            with lock:
                return write(conn, citizen_id, body, meeting_row, entries, now)
        return write(conn, citizen_id, body, meeting_row, entries, now)

    def write(conn, citizen_id, body, meeting_row, entries, now):
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO meeting (id, citizen_id, worker_id, held_on, mode, participants, note, recorded_at, "
                "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", meeting_row)
            conn.executemany(
                "INSERT INTO expectation (id, citizen_id, meeting_id, source, source_label, value, confidence, basis, "
                "observed_on, recorded_by, recorded_at, context, supersedes, content_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entries)
            conn.execute(
                "INSERT INTO audit_event (at, user_id, action, object_type, object_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (now, worker_id, "meeting.create", "citizen", str(citizen_id),
                 json.dumps({"expectations": len(entries), "meeting_id": body["id"]}, sort_keys=True)))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return jsonify(id=body["id"], expectations=len(entries)), 201

    return app
