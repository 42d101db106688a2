"""One SQLite connection per request, the PRAGMAs we rely on, and write transactions.

SQLite is the embedded default: one file per installation. WAL lets readers carry on while
one writer writes; `busy_timeout` plus `BEGIN IMMEDIATE` makes concurrent writers queue
instead of failing with "database is locked" halfway through a transaction.
"""
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from flask import current_app, g

from . import files

BUSY_TIMEOUT_MS = 10_000


def connect(path):
    """Open the database at *path* with the journal's PRAGMAs and return a sqlite-utils Database."""
    if str(path) != ":memory:" and not os.path.exists(path):
        # a new database is made 0600 (its folder 0700) before SQLite opens it; SQLite gives
        # the -wal and -shm files the database file's mode, so they are 0600 too
        files.private_dir(Path(path).parent)
        files.ensure_private(path)
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,  # we issue BEGIN ourselves; see transaction()
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)


def get_db():
    """The request's database, opened on first use and closed on teardown."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exception=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextmanager
def transaction(db):
    """A write transaction that takes the write lock up front (`BEGIN IMMEDIATE`).

    sqlite-utils' `atomic()` begins a deferred transaction, which can fail with SQLITE_BUSY
    when it upgrades to a write lock; IMMEDIATE waits on busy_timeout instead. Nested use
    becomes a savepoint through `atomic()`, so helpers can be composed freely.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def insert(db, table, row):
    """INSERT one row (a dict) and return its rowid.

    Plain SQL rather than sqlite-utils' `table().insert()`, which looks the table up in
    sqlite_master twice per call: on the write path (a meeting with its expectations) that
    doubled the statements per request.
    """
    columns = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" * len(row))
    return db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({marks})", list(row.values())).lastrowid


def insert_many(db, table, rows):
    """INSERT several rows with the same keys in one executemany."""
    rows = list(rows)
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", [[r[c] for c in columns] for r in rows])


def migrate(db):
    """Apply pending migrations. Returns the names applied."""
    from migrations import migrations

    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def init_app(app):
    app.teardown_appcontext(close_db)
