"""`flask journal backup` and `restore` (journal/backup.py), file modes, and seed-demo only in
development (DESIGN.md "Operations", docs/operations.md)."""
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading

import pytest

from journal import audit, backup, create_app
from journal.db import connect, migrate

from . import factories

TABLES = ("team", "user", "citizen", "meeting", "expectation", "audit_event")


def counts(path, tables=TABLES):
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0] for table in tables}
    finally:
        conn.close()


def integrity(path):
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def permissive_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def fresh_runner(tmp_path):
    """A CLI runner for an app whose database does not exist yet."""
    app = create_app({"DATABASE": str(tmp_path / "fresh" / "journal.db"), "SECRET_KEY": "x"})
    return app, app.test_cli_runner()


def test_backup_under_write_load_restores_with_the_backups_rows(app, runner, auth, world, tmp_path, fresh_runner):
    session = auth("worker")
    cid = world["citizen"]
    stop, written, errors = threading.Event(), [], []

    def write_meetings():
        while not stop.is_set():
            response = session.post(f"/api/v1/citizens/{cid}/meetings", json=factories.meeting_body())
            (written if response.status_code == 201 else errors).append(response.status_code)

    writer = threading.Thread(target=write_meetings)
    writer.start()
    try:
        while len(written) < 5 and not errors:
            threading.Event().wait(0.01)
        result = runner.invoke(args=["journal", "backup", str(tmp_path / "under-load.db")])
        before_stop = len(written)
        while len(written) < before_stop + 5 and not errors:  # the writer went on meanwhile
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert not errors
    known = backup.code_migrations()
    assert f"schema {known[-1]} ({len(known)} migrations), integrity ok" in result.output
    backed_up = counts(tmp_path / "under-load.db")
    assert 5 <= backed_up["meeting"] < counts(app.config["DATABASE"])["meeting"]
    assert backed_up["expectation"] == 3 * backed_up["meeting"]

    fresh_app, fresh = fresh_runner
    restored = fresh.invoke(args=["journal", "restore", str(tmp_path / "under-load.db")])
    assert restored.exit_code == 0, restored.output
    database = fresh_app.config["DATABASE"]
    assert integrity(database) == ["ok"]
    after = counts(database)
    assert after["audit_event"] == backed_up["audit_event"] + 1  # database.restore
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in backed_up.items() if k != "audit_event"
    }
    assert "Kept the previous" not in restored.output  # nothing was there to keep
    assert not os.path.exists(f"{database}-wal") and not os.path.exists(f"{database}-shm")


def test_backup_refuses_to_overwrite_unless_forced(runner, world, tmp_path):
    target = tmp_path / "b.db"
    target.write_text("something else")
    refused = runner.invoke(args=["journal", "backup", str(target)])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert target.read_text() == "something else"
    forced = runner.invoke(args=["journal", "backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert counts(target)["citizen"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no .part left


def test_restore_records_the_event_keeps_the_old_database_and_checks_foreign_keys(app, runner, world, db, tmp_path):
    target = tmp_path / "b.db"
    assert runner.invoke(args=["journal", "backup", str(target)]).exit_code == 0
    factories.make_citizen(db, world["team_a"], "A-2", world["worker"].id)  # after the backup
    db.close()
    result = runner.invoke(args=["journal", "restore", str(target)])
    assert result.exit_code == 0, result.output
    assert "foreign keys ok" in result.output
    database = app.config["DATABASE"]
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("journal.db.") and p.name.endswith(".bak")]
    assert len(aside) == 1 and str(aside[0]) in result.output
    assert counts(aside[0])["citizen"] == 3 and counts(database)["citizen"] == 2
    restored = connect(database)
    [event] = audit.events(restored, action="database.restore")
    restored.close()
    assert event["user_id"] is None
    assert event["detail"]["backup"] == "b.db" and event["detail"]["size"] == target.stat().st_size
    assert event["detail"]["previous"] == aside[0].name


@pytest.mark.parametrize("holder", ["idle connection in another process", "open transaction in this process"])
def test_restore_refuses_while_the_database_is_in_use(app, runner, world, db, tmp_path, holder):
    target = tmp_path / "b.db"
    assert runner.invoke(args=["journal", "backup", str(target)]).exit_code == 0
    db.close()  # the test's own connection: only the holder below has the database open
    database = app.config["DATABASE"]
    before = counts(database)
    if holder.startswith("idle"):
        # what a gunicorn worker in the middle of a request, or a sqlite3 shell, looks like
        script = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM team').fetchone(); "
            "print('ready', flush=True); sys.stdin.readline()"
        )
        process = subprocess.Popen([sys.executable, "-c", script, database], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        release = lambda: (process.communicate("\n", timeout=10), process.wait(timeout=10))  # noqa: E731
    else:
        conn = connect(database)
        conn.conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM citizen").fetchone()
        release = conn.close
    try:
        result = runner.invoke(args=["journal", "restore", str(target)])
    finally:
        release()
    assert result.exit_code != 0
    assert "in use" in result.output and "Stop the app" in result.output
    assert counts(database) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".bak", ".restoring"))]
    # and once it is free, the restore goes through
    assert runner.invoke(args=["journal", "restore", str(target)]).exit_code == 0


def _crashed_database(source, folder):
    """A copy of *source* as a crashed app leaves it, some time after a backup: 300 new rows
    checkpointed into the file, and 300 more still only in its -wal."""
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    users = [row[0] for row in conn.execute("SELECT id FROM user")]
    team = conn.execute("SELECT id FROM team").fetchone()[0]
    for batch in range(2):
        conn.execute("BEGIN")
        for n in range(300):
            conn.execute(
                "INSERT INTO citizen (team_id, case_ref, display_name, goal, created_at, updated_at, primary_worker_id) "
                "VALUES (?, ?, ?, 'job', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)",
                [team, f"W-{folder.name}-{batch}-{n}", f"Wal Person {n}", users[1]],
            )
        conn.execute("COMMIT")
        if batch == 0:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    folder.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{source}{suffix}", folder / f"journal.db{suffix}")
    conn.close()
    assert (folder / "journal.db-wal").stat().st_size > 0
    return folder / "journal.db"


def test_copying_a_backup_over_a_database_with_its_old_wal_corrupts_it_and_restore_does_not(app, world, db, tmp_path):
    # a backup as the first `backup` command wrote it: the backup API into a plain file, which
    # keeps the WAL flag of the source's header (the backups now written are rollback-mode
    # files, which SQLite opens without the -wal; the restore must handle both)
    target = tmp_path / "b.db"
    db.close()
    source, copy = sqlite3.connect(app.config["DATABASE"]), sqlite3.connect(target)
    source.backup(copy)
    source.close(), copy.close()
    expected = counts(target)

    # the found bug: cp backup journal.db, with the crashed app's -wal left beside it
    naive = _crashed_database(app.config["DATABASE"], tmp_path / "naive")
    shutil.copyfile(target, naive)
    conn = connect(naive)  # the app opens it as usual (WAL mode)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:  # "database disk image is malformed"
        result = [str(error)]
    conn.close()
    assert result != ["ok"]

    # the same scene, restored
    crashed = _crashed_database(app.config["DATABASE"], tmp_path / "crashed")
    other = create_app({"DATABASE": str(crashed), "SECRET_KEY": "x"})
    result = other.test_cli_runner().invoke(args=["journal", "restore", str(target)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "crashed" / "journal.db-wal").exists()
    assert not (tmp_path / "crashed" / "journal.db-shm").exists()
    assert integrity(crashed) == ["ok"]
    assert counts(crashed)["citizen"] == expected["citizen"]
    [aside] = [p for p in (tmp_path / "crashed").iterdir() if p.name.endswith(".bak")]
    assert counts(aside)["citizen"] == expected["citizen"] + 1200  # both scenes' rows, the -wal's too
    assert integrity(aside) == ["ok"]


def test_restore_refuses_what_is_not_a_journal_backup_this_code_can_run(app, runner, world, db, tmp_path):
    database = app.config["DATABASE"]
    before = counts(database)
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE x (y)").connection.close()
    newer = tmp_path / "newer.db"
    assert runner.invoke(args=["journal", "backup", str(newer)]).exit_code == 0
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('journal', 'm099_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    db.close()
    for path, message in ((text, "not an SQLite database"), (empty, "not a Forventningsjournal database"),
                          (newer, "newer version")):
        result = runner.invoke(args=["journal", "restore", str(path)])
        assert result.exit_code != 0 and message in result.output, result.output
        if path == newer:
            assert "m099_future" in result.output
    assert counts(database) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".bak", ".restoring"))]


def test_an_older_backup_is_migrated_when_restored(tmp_path, fresh_runner):
    from migrations import migrations

    old = tmp_path / "old.db"
    conn = connect(old)
    migrations.apply(conn, stop_before="m009_export_jobs")
    missing = [m.name for m in migrations.pending(conn)]  # m009 and whatever came after it
    conn.close()
    fresh_app, fresh = fresh_runner
    result = fresh.invoke(args=["journal", "restore", str(old)])
    assert result.exit_code == 0, result.output
    assert f"Migrated the backup: {', '.join(missing)}" in result.output
    restored = connect(fresh_app.config["DATABASE"])
    assert migrations.pending(restored) == []
    [event] = audit.events(restored, action="database.restore")
    restored.close()
    assert event["detail"]["migrations_applied"] == missing and missing[0] == "m009_export_jobs"


def test_files_the_app_makes_are_private_under_a_permissive_umask(permissive_umask, monkeypatch, tmp_path):
    monkeypatch.delenv("JOURNAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("JOURNAL_DATABASE", raising=False)
    monkeypatch.setenv("JOURNAL_ENV", "development")
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    instance = tmp_path / "instance"
    assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600

    database = app.config["DATABASE"]
    db = connect(database)
    migrate(db)
    db.execute("SELECT count(*) FROM team").fetchone()
    assert {suffix: mode(f"{database}{suffix}") for suffix in ("", "-wal", "-shm")} == dict.fromkeys(("", "-wal", "-shm"), 0o600)
    db.close()

    deep = tmp_path / "var" / "lib" / "journal" / "j.db"
    connect(deep).close()
    assert mode(deep) == 0o600 and mode(deep.parent) == 0o700 and mode(tmp_path / "var") == 0o700

    runner = app.test_cli_runner()
    assert runner.invoke(args=["journal", "backup", str(tmp_path / "b.db")]).exit_code == 0
    assert mode(tmp_path / "b.db") == 0o600
    assert runner.invoke(args=["journal", "restore", str(tmp_path / "b.db")]).exit_code == 0
    assert mode(database) == 0o600
    [aside] = instance.glob("journal.db.*.bak")
    assert mode(aside) == 0o600


def test_backup_is_private_from_the_moment_it_is_created(permissive_umask, runner, world, tmp_path, monkeypatch):
    """The backup file is opened 0600 by os.open, not chmod-ed afterwards: watch every mode it has."""
    seen = []
    real_connect = backup._connect

    def watching(path, **kwargs):
        if os.path.exists(str(path)):
            seen.append((str(path), mode(path)))
        return real_connect(path, **kwargs)

    monkeypatch.setattr(backup, "_connect", watching)
    assert runner.invoke(args=["journal", "backup", str(tmp_path / "b.db")]).exit_code == 0
    parts = [m for path, m in seen if path.endswith(".part")]
    assert parts == [0o600]


def _env_app(monkeypatch, tmp_path, env):
    monkeypatch.setenv("JOURNAL_DATABASE", str(tmp_path / f"{env}.db"))
    monkeypatch.setenv("JOURNAL_SECRET_KEY", "k")
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    if env:
        monkeypatch.setenv("JOURNAL_ENV", env)
    else:
        monkeypatch.delenv("JOURNAL_ENV", raising=False)
    return create_app()


@pytest.mark.parametrize("env", ["", "production", "testing"])
def test_seed_demo_is_refused_outside_development(monkeypatch, tmp_path, env):
    app = _env_app(monkeypatch, tmp_path, env)
    result = app.test_cli_runner().invoke(args=["journal", "seed-demo"])
    assert result.exit_code != 0
    assert "JOURNAL_ENV=development" in result.output
    assert "demo-journal" not in result.output
    assert not os.path.exists(app.config["DATABASE"])


def test_seed_demo_runs_with_journal_env_development(monkeypatch, tmp_path):
    app = _env_app(monkeypatch, tmp_path, "development")
    with factories.shared_password_hashes():
        result = app.test_cli_runner().invoke(args=["journal", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert counts(app.config["DATABASE"], ("citizen",))["citizen"] >= 25


def test_make_run_seeds_with_journal_env_development():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    [line] = [line for line in makefile.splitlines() if "seed-demo" in line and "flask" in line]
    assert "JOURNAL_ENV=development" in line


def test_restore_event_detail_is_plain_json(app, runner, world, db, tmp_path):
    target = tmp_path / "b.db"
    runner.invoke(args=["journal", "backup", str(target)])
    db.close()
    assert runner.invoke(args=["journal", "restore", str(target)]).exit_code == 0
    conn = sqlite3.connect(app.config["DATABASE"])
    [(detail,)] = conn.execute("SELECT detail FROM audit_event WHERE action = 'database.restore'").fetchall()
    conn.close()
    assert set(json.loads(detail)) == {"backup", "size", "migrations_applied", "previous"}
