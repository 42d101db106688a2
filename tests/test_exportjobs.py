"""Exports as background jobs (journal/exportjobs.py): what a researcher, their script and the
operator notice. The POST answers 202 at once; the job is polled to done, then downloaded; a
failure leaves no file and one audit event; files are the app's user's only, and expire.

The study here is tiny (team A of the world fixture), so a real export takes milliseconds; the
tests that need a job to be caught in the middle replace export.write with one that waits for
the test to let it go. Nothing sleeps for a fixed time: waits have deadlines.
"""
import errno
import hashlib
import io
import json
import os
import re
import stat
import threading
import time
import uuid
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest

from journal import clock, export, exportjobs, studies
from journal.db import transaction

from . import factories
from .conftest import Session
from .test_web import text, token, web_login

STUDY = "Pilot"


@pytest.fixture
def pilot(world, db):
    """Team A enrolled in the study "Pilot", the world's researcher attached."""
    return studies.upsert(db, None, STUDY, ["Team A"], [world["researcher"].username], min_k=2)


@pytest.fixture
def folder(app):
    return exportjobs.folder_of(app)


@pytest.fixture
def rita(auth, pilot):
    """The researcher, logged in through the API."""
    return auth("researcher")


def until(check, timeout=20, every=0.05):
    """Poll *check* until it answers something true (or fail after *timeout* seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(every)


def post(session, **body):
    return session.post("/api/v1/exports", json={"study": STUDY, **body})


def done(app, session, created):
    assert created.status_code == 202, created.json
    assert exportjobs.runner(app).wait(60)
    return session.get(created.json["status_url"]).json


def events(db, action):
    rows = list(db.query("SELECT * FROM audit_event WHERE action = ? ORDER BY id", [action]))
    for row in rows:
        row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return rows


def files_in(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Held:
    """export.write replaced by one that reports progress, then waits until the test lets it
    go on (and then writes the real export)."""

    def __init__(self, monkeypatch):
        self.reached = threading.Event()
        self.release = threading.Event()
        real = export.write

        def write(db, study_id, options, out, secret, progress=None):
            progress(3, 7, 30_000)
            self.reached.set()
            assert self.release.wait(30), "the test never let the export go on"
            return real(db, study_id, options, out, secret, progress=progress)

        monkeypatch.setattr(export, "write", write)


# --- the job flow ------------------------------------------------------------------------------


def test_post_answers_202_with_the_job_and_polling_leads_to_the_zip(app, rita, db, world, pilot, folder, monkeypatch):
    held = Held(monkeypatch)
    created = post(rita, free_text=True, k=3)
    # the request came back while the export is still being written
    assert created.status_code == 202, created.json
    job = created.json
    assert created.headers["Location"] == job["download"] == f"/api/v1/exports/{job['id']}"
    assert created.headers["Retry-After"] == "2"
    assert job["status"] in ("queued", "running") and 0 <= job["progress"] < 100
    assert job["study"] == STUDY and job["options"] == {"free_text": True, "k": 3, "stats_files": False}
    assert job["status_url"] == f"/api/v1/exports/{job['id']}/status"
    assert job["summary"] is None and job["sha256"] is None and job["error"] is None
    made = clock.parse_timestamp(job["created_at"])
    assert clock.parse_timestamp(job["expires_at"]) - made == timedelta(days=30)
    assert held.reached.wait(30)

    # while it runs: the progress export.write reports reaches the status, and the zip is not there yet
    running = until(lambda: (s := rita.get(job["status_url"]).json)["progress"] > 0 and s)
    assert running["status"] == "running" and running["progress"] == 42 and running["rows"] == 30_000
    waiting = rita.get(job["download"])
    assert waiting.status_code == 202 and waiting.json["status"] == "running"
    assert waiting.headers["Retry-After"] == "2"
    assert files_in(folder) == [f".{job['id']}.zip.part"]  # a half-written file never has the final name
    assert mode(folder / f".{job['id']}.zip.part") == 0o600
    assert events(db, "export.create") == []

    held.release.set()
    finished = done(app, rita, created)
    assert finished["status"] == "done" and finished["progress"] == 100 and finished["finished_at"]
    assert finished["rows"] == sum(finished["summary"]["rows"].values())
    assert files_in(folder) == [f"{job['id']}.zip"]
    download = rita.get(job["download"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    data = download.data
    download.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"citizens.csv", "codebook.csv", "README.txt"} <= set(archive.namelist())
    assert hashlib.sha256(data).hexdigest() == finished["sha256"]
    # audited when written (who, options, columns) and when downloaded
    (created_event,) = events(db, "export.create")
    assert created_event["user_id"] == world["researcher"].id
    assert created_event["detail"]["export_id"] == job["id"]
    assert created_event["detail"]["options"] == job["options"]
    assert set(created_event["detail"]["columns"]) >= {"citizens", "expectations"}
    assert [e["detail"] for e in events(db, "export.download")] == [{"export_id": job["id"]}]


def test_export_files_are_readable_by_the_apps_user_only(app, rita, folder):
    os.umask(old := os.umask(0o000))  # even with a permissive umask
    try:
        job = done(app, rita, post(rita))
    finally:
        os.umask(old)
    assert mode(folder) == 0o700
    assert mode(folder / f"{job['id']}.zip") == 0o600


def test_a_folder_made_before_is_tightened_to_0700(app, rita, folder):
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    done(app, rita, post(rita))
    assert mode(folder) == 0o700


def test_the_days_a_file_is_kept_come_from_the_configuration(app, rita, monkeypatch, tmp_path):
    app.config["EXPORT_DAYS"] = 3
    job = post(rita).json
    assert clock.parse_timestamp(job["expires_at"]) - clock.parse_timestamp(job["created_at"]) == timedelta(days=3)
    from journal import create_app

    monkeypatch.setenv("JOURNAL_EXPORT_DAYS", "7")
    monkeypatch.setenv("JOURNAL_SECRET_KEY", "k")
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    assert create_app().config["EXPORT_DAYS"] == 7
    monkeypatch.setenv("JOURNAL_EXPORT_DAYS", "a month")
    with pytest.raises(RuntimeError, match="JOURNAL_EXPORT_DAYS"):
        create_app()


# --- who may see a job -------------------------------------------------------------------------


def test_only_the_studys_researchers_see_a_job(app, rita, auth, db, world):
    job = done(app, rita, post(rita))
    factories.make_user(db, "researcher", None, "rolf")  # a researcher attached to no study
    rolf = Session(app.test_client(), SimpleNamespace(username="rolf"))
    rolf.quick_login()
    for url in (job["status_url"], job["download"]):
        refused = rolf.get(url)
        assert refused.status_code == 404 and refused.json["code"] == "not_found", url
        assert auth("worker").get(url).status_code == 403, url
        assert app.test_client().get(url).status_code == 401, url
    assert post(rolf).status_code == 404
    for url in (f"/api/v1/exports/{uuid.uuid4()}", f"/api/v1/exports/{uuid.uuid4()}/status", "/api/v1/exports/nonsense/status"):
        assert rita.get(url).status_code == 404, url
    assert db.execute("SELECT COUNT(*) FROM export").fetchone()[0] == 1


def test_bad_options_are_422_before_any_job_exists(rita, db):
    for body in ({"k": 1}, {"free_text": "yes"}, {"iso_week": True}, {"study": ""}):
        response = rita.post("/api/v1/exports", json={"study": STUDY, **body})
        assert response.status_code == 422 and response.json["errors"], body
    assert db.execute("SELECT COUNT(*) FROM export").fetchone()[0] == 0


# --- failure -----------------------------------------------------------------------------------


@pytest.mark.parametrize("error, code", [
    (RuntimeError("Anna Andersen 010190-1234 broke it"), "export_error"),
    (OSError(errno.ENOSPC, "No space left on device"), "no_space"),
], ids=["error", "disk-full"])
def test_a_failed_export_leaves_no_file_and_one_audit_event(app, rita, db, folder, monkeypatch, error, code):
    def write(db, study_id, options, out, secret, progress=None):
        out.write(b"PK" + b"x" * 200_000)  # some of the zip is written …
        progress(1, 7, 10_000)
        raise error  # … then it breaks

    monkeypatch.setattr(export, "write", write)
    created = post(rita)
    assert created.status_code == 202
    job = done(app, rita, created)
    assert job["status"] == "failed" and job["error"] == code and job["finished_at"]
    assert files_in(folder) == []
    (failed,) = events(db, "export.failed")
    assert failed["detail"] == {"export_id": job["id"], "code": code, "error": type(error).__name__}
    assert "Anna" not in str(failed["detail"]) and "0101" not in str(failed["detail"])
    assert events(db, "export.create") == []
    response = rita.get(job["download"])
    assert response.status_code == 409
    assert response.json["code"] == "export_failed" and response.json["message"]
    assert response.json["errors"] == {"error": [code]}
    assert len(events(db, "export.failed")) == 1


def test_a_job_whose_process_died_is_failed_when_read_and_audited_once(app, rita, db, world, pilot, folder):
    def job_in(status, minutes_ago):
        export_id = exportjobs.create(db, world["researcher"].id, pilot, export.Options(k=5), 30)
        with transaction(db):
            db.execute("UPDATE export SET status = ?, updated_at = ? WHERE id = ?",
                       [status, clock.timestamp(clock.now_utc() - timedelta(minutes=minutes_ago)), export_id])
        return export_id

    dead, dead_queued, alive = job_in("running", 6), job_in("queued", 60), job_in("running", 1)
    exportjobs.ensure_folder(folder)
    (folder / f".{dead}.zip.part").write_bytes(b"half a zip")
    status = rita.get(f"/api/v1/exports/{dead}/status").json
    assert status["status"] == "failed" and status["error"] == "interrupted"
    assert not (folder / f".{dead}.zip.part").exists()
    assert rita.get(f"/api/v1/exports/{dead_queued}").status_code == 409
    assert rita.get(f"/api/v1/exports/{alive}").status_code == 202  # a minute without a heartbeat is fine
    for _ in range(2):
        rita.get(f"/api/v1/exports/{dead}")
        rita.get(f"/api/v1/exports/{dead}/status")
    failed = events(db, "export.failed")
    assert sorted(e["detail"]["export_id"] for e in failed) == sorted([dead, dead_queued])
    assert all(e["detail"]["code"] == "interrupted" for e in failed)


def test_a_long_step_does_not_make_a_live_job_look_dead(app, rita, db, monkeypatch):
    monkeypatch.setattr(exportjobs, "HEARTBEAT_SECONDS", 0.2)
    held = Held(monkeypatch)
    job = post(rita).json
    assert held.reached.wait(30)
    old = clock.timestamp(clock.now_utc() - timedelta(minutes=10))
    with transaction(db):  # as if the heartbeat had last been heard ten minutes ago …
        db.execute("UPDATE export SET updated_at = ? WHERE id = ?", [old, job["id"]])
    # … the heartbeat of the live process answers before anyone reads it as dead
    until(lambda: db.execute("SELECT updated_at FROM export WHERE id = ?", [job["id"]]).fetchone()[0] != old)
    assert rita.get(job["status_url"]).json["status"] == "running"
    held.release.set()
    assert done(app, rita, post(rita))["status"] == "done"
    assert rita.get(job["status_url"]).json["status"] == "done"
    assert events(db, "export.failed") == []


# --- expiry ------------------------------------------------------------------------------------


def backdate(db, export_id, days=1):
    with transaction(db):
        db.execute("UPDATE export SET expires_at = ? WHERE id = ?",
                   [clock.timestamp(clock.now_utc() - timedelta(days=days)), export_id])


def test_an_expired_export_is_410_and_its_file_is_deleted(app, rita, db, folder):
    job = done(app, rita, post(rita))
    backdate(db, job["id"])
    response = rita.get(job["download"])
    assert response.status_code == 410
    assert response.json["code"] == "gone" and response.json["message"] and response.json["errors"] == {}
    assert files_in(folder) == []
    assert rita.get(job["status_url"]).json["status"] == "expired"
    assert rita.get(job["download"]).status_code == 410
    assert [e["detail"] for e in events(db, "export.expire")] == [{"count": 1, "via": "read"}]
    assert events(db, "export.download") == []


def test_a_done_export_whose_file_is_gone_is_410_not_an_error(app, rita, folder):
    job = done(app, rita, post(rita))
    (folder / f"{job['id']}.zip").unlink()
    assert rita.get(job["download"]).status_code == 410
    assert rita.get(job["status_url"]).json["status"] == "expired"


def test_a_new_export_job_purges_expired_files(app, rita, db, folder):
    old = done(app, rita, post(rita))
    backdate(db, old["id"])
    new = done(app, rita, post(rita))
    assert files_in(folder) == [f"{new['id']}.zip"]
    assert db.execute("SELECT status FROM export WHERE id = ?", [old["id"]]).fetchone()[0] == "expired"
    assert [e["detail"] for e in events(db, "export.expire")] == [{"count": 1, "via": "job"}]


def test_purge_exports_command_deletes_expired_and_stray_files_in_one_audit_event(app, rita, db, folder, runner):
    old, older, kept = (done(app, rita, post(rita)) for _ in range(3))
    backdate(db, old["id"])
    backdate(db, older["id"], days=40)
    stray = folder / f"{uuid.uuid4()}.zip"  # e.g. left by an export that timed out before jobs
    stray.write_bytes(b"25 MB of zip")
    unrelated = folder / "notes.txt"
    unrelated.write_text("not ours to delete")
    result = runner.invoke(args=["journal", "purge-exports"])
    assert result.exit_code == 0, result.output
    assert "Expired 2 export(s)" in result.output and "1 stray file(s) deleted" in result.output
    assert files_in(folder) == sorted([f"{kept['id']}.zip", "notes.txt"])
    statuses = dict(db.execute("SELECT id, status FROM export").fetchall())
    assert statuses == {old["id"]: "expired", older["id"]: "expired", kept["id"]: "done"}
    assert [e["detail"] for e in events(db, "export.expire")] == [{"count": 2, "via": "cli"}]
    again = runner.invoke(args=["journal", "purge-exports"])
    assert "Expired 0 export(s)" in again.output and len(events(db, "export.expire")) == 1


# --- the researcher's page ---------------------------------------------------------------------


def test_the_page_shows_each_export_as_it_stands(app, db, world, pilot, monkeypatch):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with factories.known_password_hashes():
        assert web_login(client, world["researcher"].username).status_code == 302
    ids = {}
    for status, progress in (("done", 100), ("running", 42), ("queued", 0), ("failed", 10), ("expired", 100)):
        export_id = exportjobs.create(db, world["researcher"].id, pilot, export.Options(k=4, free_text=True), 30)
        with transaction(db):
            db.execute("UPDATE export SET status = ?, progress = ?, summary = '{}', file_name = 'x.zip', sha256 = 'x' WHERE id = ?",
                       [status, progress, export_id])
        ids[status] = export_id
    page = text(client.get("/research"))
    assert f'href="/api/v1/exports/{ids["done"]}"' in page
    assert re.search(rf'<label for="progress-{ids["running"]}"[^>]*>Progress <span data-percent>42%</span></label>', page)
    assert f'<progress id="progress-{ids["running"]}" max="100" value="42">' in page
    assert f'<progress id="progress-{ids["queued"]}" max="100">' in page  # not started: no value (indeterminate)
    assert "Being made" in page and "Waiting to start" in page
    assert page.count('data-status-url="/api/v1/exports/') == 2
    assert "Failed" in page and "Try again" in page and "Expired" in page
    assert 'src="/static/js/research.js"' in page
    # "Try again" makes a new export with the failed one's options
    retry = re.search(r'<form method="post" action="/research/exports">(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'name="(study|k|free_text|stats_files)" value="([^"]*)"', retry))
    assert fields == {"study": STUDY, "k": "4", "free_text": "1", "stats_files": "0"}
    monkeypatch.setattr(export, "write", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("stop")))
    response = client.post("/research/exports", data=dict(fields, csrf_token=token(client, "/research")))
    assert response.status_code == 302 and response.headers["Location"] == "/research"
    assert "Export started" in text(client.get("/research"))
    assert exportjobs.runner(app).wait(30)
    newest = db.execute("SELECT options FROM export ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    assert json.loads(newest) == {"free_text": True, "k": 4, "stats_files": False}


# --- the OpenAPI document ----------------------------------------------------------------------


def test_the_openapi_document_describes_the_job_flow(client):
    spec = client.get("/api/v1/openapi.json").json
    post_ = spec["paths"]["/api/v1/exports"]["post"]["responses"]
    assert "202" in post_ and "Location" in post_["202"]["headers"] and "422" in post_
    get_ = spec["paths"]["/api/v1/exports/{export_id}"]["get"]["responses"]
    assert "application/zip" in get_["200"]["content"]
    assert {"200", "202", "409", "410"} <= set(get_)
    assert "/api/v1/exports/{export_id}/status" in spec["paths"]
    job = spec["components"]["schemas"]["ExportOut"]["properties"]
    assert job["status"]["enum"] == ["queued", "running", "done", "failed", "expired"]
    assert {"progress", "rows", "expires_at", "download", "status_url", "error"} <= set(job)


def test_progress_counts_tables_done_and_rows_across_tables():
    """export.write's hook: (table index, tables, rows of that table) every 10,000 rows, and
    (table index + 1, tables, rows) when the table is done — here tables of 25,000, 0 and
    12,000 rows. The bar shows the share of tables done and stays below 100 until the job is."""
    held = exportjobs._Held(settings=None)
    seen = []
    for call in [(0, 3, 10_000), (0, 3, 20_000), (1, 3, 25_000), (2, 3, 0), (2, 3, 10_000), (3, 3, 12_000)]:
        held.report(*call)
        seen.append((held.percent, held.rows))
    assert seen == [(0, 10_000), (0, 20_000), (33, 25_000), (66, 25_000), (66, 35_000), (99, 37_000)]
