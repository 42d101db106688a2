"""Schema migrations: a database made by the first step upgrades to the latest with its data."""
import sqlite3

import pytest

from journal.db import connect
from migrations import migrations


def test_first_migration_database_upgrades_to_latest_and_keeps_data(tmp_path):
    db = connect(tmp_path / "old.db")
    names = [m.name for m in migrations.pending(db)]
    assert names[0] == "m001_core" and len(names) >= 2
    migrations.apply(db, stop_before=names[1])
    assert [m.name for m in migrations.applied(db)] == ["m001_core"]
    db.execute(
        "INSERT INTO team (name, municipality, created_at) VALUES ('Old team', 'Odder', '2025-01-01T00:00:00Z')"
    )
    db.execute(
        "INSERT INTO citizen (team_id, case_ref, goal, created_at, updated_at) "
        "VALUES (1, 'OLD-1', 'job', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')"
    )
    assert "login_failure" not in db.table_names()

    migrations.apply(db)

    assert [m.name for m in migrations.applied(db)] == names
    assert migrations.pending(db) == []
    assert "login_failure" in db.table_names()
    assert db.execute("SELECT case_ref FROM citizen").fetchall() == [("OLD-1",)]
    migrations.apply(db)  # idempotent
    db.close()


def test_pragmas_are_set_on_every_connection(tmp_path):
    db = connect(tmp_path / "p.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.close()


def test_schema_refuses_what_the_rules_refuse(tmp_path):
    """The database is the last line of defence: scale, enums and foreign keys hold there too."""
    db = connect(tmp_path / "s.db")
    migrations.apply(db)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO citizen (team_id, case_ref, goal, created_at, updated_at) VALUES (99, 'X', 'job', 'x', 'x')")
    db.execute("INSERT INTO team (name, municipality, created_at) VALUES ('T', 'M', 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO citizen (team_id, case_ref, goal, created_at, updated_at) VALUES (1, 'X', 'retire', 'x', 'x')")
    db.close()


def test_transaction_rolls_back_everything_on_error(tmp_path):
    from journal.db import transaction

    db = connect(tmp_path / "t.db")
    migrations.apply(db)
    with pytest.raises(RuntimeError):
        with transaction(db):
            db.execute("INSERT INTO team (name, municipality, created_at) VALUES ('T', 'M', 'x')")
            raise RuntimeError("boom")
    assert db.table("team").count == 0
    db.close()


def test_m006_gives_each_met_citizen_the_worker_who_met_them_most_as_case_owner(tmp_path):
    """The case-owner migration: most meetings in the citizen's last 180 days of meetings,
    then the latest; never an inactive user, another team's, or one recused from the case."""
    db = connect(tmp_path / "owners.db")
    migrations.apply(db, stop_before="m006_case_owners")
    stamp = "2026-01-01T00:00:00Z"
    db.execute("INSERT INTO team (id, name, municipality, created_at) VALUES (1, 'A', 'Odder', ?), (2, 'B', 'Malmö', ?)", [stamp, stamp])
    users = [(1, "mads", "worker", 1, 1), (2, "sara", "worker", 1, 1), (3, "gone", "worker", 1, 0), (4, "nils", "worker", 2, 1)]
    for uid, name, role, team, active in users:
        db.execute("INSERT INTO user (id, username, display_name, password_hash, role, team_id, active, created_at) "
                   "VALUES (?, ?, ?, 'x', ?, ?, ?, ?)", [uid, name, name, role, team, active, stamp])
    for cid, ref in enumerate(["MOST", "TIE", "OLD", "GONE", "RECUSED", "NEVER", "OWNED"], start=1):
        db.execute("INSERT INTO citizen (id, team_id, case_ref, goal, created_at, updated_at) VALUES (?, 1, ?, 'job', ?, ?)",
                   [cid, ref, stamp, stamp])
    db.execute("UPDATE citizen SET primary_worker_id = 2 WHERE case_ref = 'OWNED'")
    meetings = [
        (1, 1, "2026-05-01"), (1, 1, "2026-05-10"), (1, 2, "2026-05-20"),  # MOST: mads 2, sara 1
        (2, 1, "2026-05-01"), (2, 2, "2026-05-09"),  # TIE: sara met last
        (3, 1, "2025-01-01"), (3, 1, "2025-02-01"), (3, 1, "2025-03-01"), (3, 2, "2026-04-01"),  # OLD: mads's are > 180 days older
        (4, 3, "2026-05-01"),  # GONE: only an inactive worker met them
        (5, 1, "2026-05-01"), (5, 1, "2026-05-02"), (5, 2, "2026-05-03"),  # RECUSED: mads is recused
        (7, 1, "2026-05-01"),  # OWNED: keeps sara
    ]
    for i, (cid, uid, held) in enumerate(meetings):
        db.execute("INSERT INTO meeting (id, citizen_id, worker_id, held_on, mode, participants, recorded_at, content_hash) "
                   "VALUES (?, ?, ?, ?, 'in_person', '[]', ?, 'h')", [f"m{i}", cid, uid, held, stamp])
    db.execute("INSERT INTO recusal (citizen_id, user_id, declared_by, created_at) VALUES (5, 1, 1, ?)", [stamp])

    migrations.apply(db)

    owners = dict(db.execute("SELECT case_ref, primary_worker_id FROM citizen").fetchall())
    assert owners == {"MOST": 1, "TIE": 2, "OLD": 2, "GONE": None, "RECUSED": 2, "NEVER": None, "OWNED": 2}
    db.close()


def test_m009_makes_existing_exports_done_jobs_that_expire_after_30_days(tmp_path):
    """Exports made before jobs existed are done, kept 30 days from when they were made; a job
    has no file, digest or summary until it is done, and a done one must have all three."""
    db = connect(tmp_path / "jobs.db")
    migrations.apply(db, stop_before="m009_export_jobs")
    db.execute("INSERT INTO study (id, name, created_at) VALUES (1, 'Pilot', '2026-01-01T00:00:00Z')")
    db.execute(
        "INSERT INTO export (id, study_id, user_id, created_at, options, summary, file_name, sha256) "
        "VALUES ('e1', 1, NULL, '2026-01-10T09:30:00Z', '{\"k\": 5}', '{\"rows\": {\"citizens\": 3, \"meetings\": 4}}', 'e1.zip', 'abc')"
    )

    migrations.apply(db)

    row = list(db.query("SELECT * FROM export"))[0]
    assert (row["status"], row["progress"], row["rows_done"]) == ("done", 100, 7)
    assert row["expires_at"] == "2026-02-09T09:30:00Z"
    assert (row["file_name"], row["sha256"], row["options"]) == ("e1.zip", "abc", '{"k": 5}')
    db.execute(
        "INSERT INTO export (id, study_id, created_at, options, updated_at, expires_at) "
        "VALUES ('e2', 1, 'x', '{}', 'x', 'x')"
    )
    assert db.execute("SELECT status, progress, file_name FROM export WHERE id = 'e2'").fetchone() == ("queued", 0, None)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE export SET status = 'done' WHERE id = 'e2'")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE export SET status = 'lost' WHERE id = 'e2'")
    db.close()


def test_m011_keys_every_case_ref_and_keeps_existing_look_alikes_apart_with_an_audit_event(tmp_path):
    db = connect(tmp_path / "old.db")
    migrations.apply(db, stop_before="m011_case_ref_keys")
    db.execute("INSERT INTO team (id, name, municipality, created_at) VALUES (1, 'A', 'Odder', 'x'), (2, 'B', 'Lund', 'x')")
    for citizen_id, team_id, ref in [(1, 1, "SIL-0001"), (2, 1, "sil 0001"), (3, 1, "SIL-0002"), (4, 2, "sil-0001")]:
        db.execute(
            "INSERT INTO citizen (id, team_id, case_ref, goal, created_at, updated_at) VALUES (?, ?, ?, 'job', 'x', 'x')",
            [citizen_id, team_id, ref],
        )

    migrations.apply(db)

    keys = dict(db.execute("SELECT id, ref_key FROM citizen").fetchall())
    assert keys == {1: "S1L0001", 2: "S1L0001#2", 3: "S1L0002", 4: "S1L0001"}
    events = db.execute("SELECT action, object_id, detail FROM audit_event").fetchall()
    assert events == [("citizen.ref_lookalike", "2", '{"same_as": 1}')]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO citizen (team_id, case_ref, ref_key, goal, created_at, updated_at) VALUES (1, 'S1L-0002', 'S1L0002', 'job', 'x', 'x')"
        )
    db.close()


def test_every_foreign_key_has_an_index(tmp_path):
    """SQLite finds a parent's children by the child's column: without an index that is a
    scan of the child table, on every read by that key and every cascade (issue 14)."""
    db = connect(tmp_path / "fk.db")
    migrations.apply(db)
    missing = []
    for table in db.table_names():
        firsts = {db.execute(f"PRAGMA index_info([{i[1]}])").fetchall()[0][2] for i in db.execute(f"PRAGMA index_list([{table}])").fetchall()}
        pk = [c for c in db.execute(f"PRAGMA table_info([{table}])").fetchall() if c[5]]
        if len(pk) == 1 and pk[0][2].upper() == "INTEGER":  # the rowid itself
            firsts.add(pk[0][1])
        for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            if fk[3] not in firsts:
                missing.append(f"{table}.{fk[3]}")
    assert missing == []
    plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN SELECT * FROM expectation WHERE meeting_id = ?", ["x"]))
    assert "USING INDEX" in plan, plan
    db.close()


def test_an_unsynced_transaction_commits_and_puts_synchronous_back_to_full(tmp_path):
    from journal.db import transaction

    db = connect(tmp_path / "s.db")
    db.execute("CREATE TABLE t (x)")
    with transaction(db, synced=False):
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, for this commit
        db.execute("INSERT INTO t VALUES (1)")
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
    with pytest.raises(RuntimeError):
        with transaction(db, synced=False):
            db.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert db.execute("SELECT x FROM t").fetchall() == [(1,)]
    db.close()
