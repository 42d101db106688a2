"""Attack suite 4: kill -9 the whole server while it writes; nothing acknowledged is lost.

DESIGN.md "Non-functional": every write is one transaction, and an entry answered with 2xx
is durable. Here gunicorn runs the production configuration (tests/servers.py: two threaded
worker processes) and several writers post meetings at once; as soon as a few have been
acknowledged in a cycle, the master and its workers get SIGKILL together — with requests in
flight — and the server is started again on the same database. After all the cycles every
meeting answered 2xx is in the database with all its expectations, and SQLite's integrity
check passes.
"""
import os
import signal
import threading

import pytest
import requests

from journal.db import connect, migrate

from . import factories
from .servers import gunicorn, logged_in

pytestmark = pytest.mark.server

CYCLES = 10
WRITERS = 4
#: Acknowledged meetings in a cycle before the kill; the writers go on writing meanwhile.
KILL_AFTER = 6


def test_acknowledged_meetings_survive_kill_9_of_the_whole_server(tmp_path, figures):
    database = tmp_path / "journal.db"
    db = connect(database)
    migrate(db)
    team = factories.make_team(db, "Team D")
    writers = []
    for i in range(WRITERS):
        user = factories.make_user(db, "worker", team, f"writer{i}")
        writers.append((user.username, factories.make_citizen(db, team, f"D-{i}", user.id)))
    db.close()

    acknowledged = {}  # meeting id → its expectation ids, for every meeting answered 2xx
    sessions = None
    for cycle in range(CYCLES):
        with gunicorn(database, tmp_path) as (base, process):
            # the session cookies outlive the server (the key and the database stay), so each
            # writer logs in once; requests sends cookies to 127.0.0.1 whatever the port
            sessions = sessions or [logged_in(base, username) for username, _ in writers]
            in_cycle = _write_until_killed(base, process, sessions, [c for _, c in writers], acknowledged)
        assert in_cycle >= KILL_AFTER, f"cycle {cycle}: only {in_cycle} meetings acknowledged before the kill"
    for session in sessions:
        session.close()

    db = connect(database)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        stored = {row[0] for row in db.execute("SELECT id FROM meeting")}
        lost = sorted(set(acknowledged) - stored)
        incomplete = [
            meeting_id
            for meeting_id, expectation_ids in acknowledged.items()
            if meeting_id in stored
            and {row[0] for row in db.execute("SELECT id FROM expectation WHERE meeting_id = ?", [meeting_id])} != expectation_ids
        ]
    finally:
        db.close()
    integrity_ok = integrity == [("ok",)]
    figures(
        f"durability: {CYCLES} kill -9 cycles, {len(acknowledged)} acknowledged writes, {len(lost)} lost, "
        f"integrity {'ok' if integrity_ok else integrity}"
    )
    assert not lost, f"{len(lost)} acknowledged meetings are not in the database: {lost[:10]}"
    assert not incomplete, f"acknowledged meetings stored without all their expectations: {incomplete[:10]}"
    assert integrity_ok, integrity


def _write_until_killed(base, process, sessions, citizens, acknowledged):
    """Writers post meetings until the server is gone; kills the server's whole process group
    with SIGKILL once KILL_AFTER meetings of this cycle are acknowledged. Returns how many were."""
    done = threading.Condition()
    count = [0]
    errors = []

    def write(session, citizen):
        url = f"{base}/api/v1/citizens/{citizen}/meetings"
        while True:
            body = factories.meeting_body()
            try:
                response = session.post(url, json=body, timeout=30)
            except requests.RequestException:
                return  # the server is gone
            if response.status_code >= 300:
                errors.append(f"{response.status_code} {response.text[:200]}")
                return
            with done:
                acknowledged[body["id"]] = {e["id"] for e in body["expectations"]}
                count[0] += 1
                done.notify_all()

    threads = [threading.Thread(target=write, args=pair) for pair in zip(sessions, citizens)]
    for thread in threads:
        thread.start()
    with done:
        reached = done.wait_for(lambda: count[0] >= KILL_AFTER or errors, timeout=60)
    os.killpg(process.pid, signal.SIGKILL)  # the master and both workers, mid-write
    process.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert reached, "no meetings were acknowledged"
    return count[0]
