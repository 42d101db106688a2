"""Against a real gunicorn with two worker processes: concurrency the test client cannot show."""
import time

import pytest
import requests

from journal import studies
from journal.db import connect, migrate

from . import factories
from .servers import count, fire_concurrently, gunicorn, logged_in

pytestmark = pytest.mark.server


@pytest.fixture
def server(tmp_path):
    """gunicorn (the production config: 2 threaded workers) on a fresh database with a team,
    a worker, a citizen, and a study of the team with a researcher (rita)."""
    database = tmp_path / "journal.db"
    db = connect(database)
    migrate(db)
    team = factories.make_team(db, "Team S")
    worker = factories.make_user(db, "worker", team, "sam")
    citizen = factories.make_citizen(db, team, "S-1", worker.id)
    factories.make_user(db, "researcher", None, "rita")
    studies.upsert(db, None, "Pilot", ["Team S"], ["rita"], min_k=2)
    db.close()
    with gunicorn(database, tmp_path) as (base, _process):
        yield {"base": base, "database": database, "citizen": citizen, "instance": tmp_path}


def test_five_identical_meetings_at_once_store_exactly_one(server):
    session = logged_in(server["base"])
    body = factories.meeting_body()
    url = f"{server['base']}/api/v1/citizens/{server['citizen']}/meetings"
    responses = fire_concurrently([lambda: session.post(url, json=body, timeout=30)] * 5)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    session.close()
    assert count(server["database"], "SELECT count(*) FROM meeting WHERE id = ?", [body["id"]]) == 1
    assert count(server["database"], "SELECT count(*) FROM expectation") == 3


def test_five_identical_expectations_at_once_store_exactly_one(server):
    session = logged_in(server["base"])
    body = {"id": "0b7c6f2e-8d4a-4c1e-9a3b-5e6f7a8b9c0d", "source": "doctor", "value": 3, "confidence": "low"}
    url = f"{server['base']}/api/v1/citizens/{server['citizen']}/expectations"
    responses = fire_concurrently([lambda: session.post(url, json=body, timeout=30)] * 5)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    session.close()
    assert count(server["database"], "SELECT count(*) FROM expectation") == 1


def test_same_sync_batch_five_times_at_once_stores_each_record_once(server):
    session = logged_in(server["base"])
    citizen = server["citizen"]
    meetings = [factories.meeting_body(), factories.meeting_body(), factories.meeting_body()]
    meetings[1]["expectations"] = meetings[1]["expectations"][:2]  # 3 + 2 + 3 expectations
    batch = {"items": [{"op": "create_meeting", "citizen_id": citizen, "data": m} for m in meetings]}
    url = f"{server['base']}/api/v1/sync"

    responses = fire_concurrently([lambda: session.post(url, json=batch, timeout=30)] * 5)

    assert [r.status_code for r in responses] == [200] * 5, [r.text[:300] for r in responses]
    bodies = [r.json()["results"] for r in responses]
    for results in bodies:
        assert [r["index"] for r in results] == [0, 1, 2]
        assert [r["id"] for r in results] == [m["id"] for m in meetings]
    for index, meeting in enumerate(meetings):
        answers = sorted(results[index]["status"] for results in bodies)
        assert answers == ["created", "duplicate", "duplicate", "duplicate", "duplicate"], (index, answers)
        records = [results[index]["record"] for results in bodies]
        assert all(record == records[0] for record in records)
        assert [e["id"] for e in records[0]["expectations"]] == [e["id"] for e in meeting["expectations"]]
    session.close()
    database = server["database"]
    assert count(database, "SELECT count(*) FROM meeting") == 3
    assert count(database, "SELECT count(*) FROM expectation") == 8
    for meeting in meetings:
        assert count(database, "SELECT count(*) FROM expectation WHERE meeting_id = ?", [meeting["id"]]) == len(
            meeting["expectations"]
        )
    assert count(database, "SELECT count(*) FROM audit_event WHERE action = 'meeting.create'") == 3


def test_an_export_is_a_job_that_either_worker_process_can_report_and_serve(server):
    """POST answers 202 at once; the status is polled over new connections (so both gunicorn
    workers answer, whichever process runs the job) until done; the zip downloads and opens."""
    import io
    import zipfile

    base = server["base"]
    rita = logged_in(base, "rita")
    created = rita.post(base + "/api/v1/exports", json={"study": "Pilot", "k": 2}, timeout=10)
    assert created.status_code == 202, created.text
    job = created.json()
    assert created.headers["Location"] == job["download"]
    deadline = time.monotonic() + 60
    while True:
        poll = requests.get(base + job["status_url"], cookies=rita.cookies, timeout=10)  # a new connection each time
        assert poll.status_code == 200, poll.text
        if poll.json()["status"] not in ("queued", "running"):
            break
        assert time.monotonic() < deadline, f"still {poll.json()['status']} after 60 s"
        time.sleep(0.2)
    assert poll.json()["status"] == "done", poll.json()
    download = rita.get(base + job["download"], timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.testzip() is None
        assert {"citizens.csv", "expectations.csv", "codebook.csv", "datapackage.json", "README.txt"} <= set(archive.namelist())
    rita.close()
    exports = server["instance"] / "exports"
    assert oct(exports.stat().st_mode & 0o777) == "0o700"
    assert [(p.name, oct(p.stat().st_mode & 0o777)) for p in exports.iterdir()] == [(f"{job['id']}.zip", "0o600")]
    database = server["database"]
    assert count(database, "SELECT count(*) FROM audit_event WHERE action = 'export.create'") == 1
    assert count(database, "SELECT count(*) FROM audit_event WHERE action = 'export.download'") == 1


def test_a_cookie_saved_before_logout_is_refused_by_every_worker_process(server):
    """The attacker's replay: log in, save the cookie, log out, send the saved cookie again."""
    base, url = server["base"], f"{server['base']}/api/v1/citizens/{server['citizen']}/meetings"
    session = logged_in(base)
    saved, csrf = session.cookies.get("journal_session"), session.headers["X-CSRFToken"]
    assert session.post(base + "/api/v1/auth/logout", timeout=30).status_code == 204
    session.close()
    for _ in range(4):  # new connections, so both gunicorn workers are asked
        thief = requests.Session()
        thief.cookies.set("journal_session", saved)
        thief.headers["X-CSRFToken"] = csrf
        me = thief.get(base + "/api/v1/me", timeout=30)
        assert (me.status_code, me.json()["code"]) == (401, "session_expired")
        assert thief.post(url, json=factories.meeting_body(), timeout=30).status_code == 401
        thief.close()
    assert count(server["database"], "SELECT count(*) FROM meeting") == 0
