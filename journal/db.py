"""One SQLite connection kept per server thread, the PRAGMAs we rely on, and write transactions.

SQLite is the embedded default: one file per installation. WAL lets readers carry on while
one writer writes; `busy_timeout` plus `BEGIN IMMEDIATE` makes concurrent writers queue
instead of failing with "database is locked" halfway through a transaction.
"""
import os
import sqlite3
import threading
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


_kept = threading.local()


def get_db():
    """The request's database: the connection this thread keeps for the app's database file,
    opened (with its PRAGMAs) on the thread's first request.

    Opening a connection and setting its PRAGMAs cost a seventh of a meeting POST (issue 14);
    gunicorn's threads live as long as their worker, so each keeps one. A connection is never
    shared between threads, and a new process (a fork) opens its own.
    """
    if "db" not in g:
        g.db = _thread_connection(current_app.config["DATABASE"])
    return g.db


def _thread_connection(path):
    kept = getattr(_kept, "connection", None)
    if kept is not None:
        kept_path, pid, db = kept
        if kept_path == path and pid == os.getpid():
            return db
        if pid == os.getpid():
            db.close()  # another database (a test's): one kept connection per thread
    db = connect(path)
    _kept.connection = (path, os.getpid(), db)
    return db


def close_db(exception=None):
    """At the end of a request the connection stays open for the thread's next one, with no
    transaction left open (an error inside one has rolled it back already; this is the
    backstop)."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


@contextmanager
def transaction(db, synced=True):
    """A write transaction that takes the write lock up front (`BEGIN IMMEDIATE`).

    sqlite-utils' `atomic()` begins a deferred transaction, which can fail with SQLITE_BUSY
    when it upgrades to a write lock; IMMEDIATE waits on busy_timeout instead. Nested use
    becomes a savepoint through `atomic()`, so helpers can be composed freely.

    :param synced: False for a commit that need not wait for the disk (`synchronous=NORMAL`
        for this transaction only): it survives a crash of the process, as every commit in
        WAL mode does, but the last such commits can be lost if the machine loses power.
        Only the audit of reads uses it (docs/decisions.md "Read audits").
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    if not synced:
        db.conn.execute("PRAGMA synchronous = NORMAL")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        else:
            db.conn.execute("COMMIT")
    finally:
        if not synced:
            db.conn.execute("PRAGMA synchronous = FULL")


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
