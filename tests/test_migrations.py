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
