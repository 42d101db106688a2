"""Backup and restore of the journal's SQLite file (DESIGN.md "Operations", docs/operations.md).

Both go through SQLite's backup API, never a file copy: a copy of `journal.db` taken while the
app writes can miss what is still in `journal.db-wal`, and a file copied over the database with
the old `-wal` left beside it is read together with that WAL and is corrupt ("wrong # of
entries in index"). Backups are single files (rollback journal mode), 0600, checked with
`PRAGMA integrity_check` before they get their name.

A restore refuses while another connection has the database open: it takes SQLite's own
EXCLUSIVE lock (`locking_mode=EXCLUSIVE`, then `BEGIN EXCLUSIVE` with a short busy timeout).
In WAL mode every open connection that has read the database holds a SHARED lock on it, so the
lock is refused while a request, an export job or a `sqlite3` shell has it open. The lock is
kept until the restore is done, so nothing can open the database halfway. Every gunicorn
thread keeps its connection open (journal/db.py), so a running app is seen busy or idle;
stopping the app first is still the procedure. The lock means nothing on a network file
system.
"""
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import audit, clock, files
from .db import BUSY_TIMEOUT_MS, transaction
from .errors import JournalError

SQLITE_HEADER = b"SQLite format 3\x00"

#: How long a restore waits for the database to be free before it gives up (milliseconds).
LOCK_TIMEOUT_MS = 500


class BackupError(JournalError):
    code = "backup_error"


class InUse(BackupError):
    code = "database_in_use"


@dataclass
class Copy:
    """What a backup or restore wrote."""

    path: Path
    size: int
    migrations: list
    applied_now: list = field(default_factory=list)
    aside: Path | None = None

    @property
    def schema(self):
        """The schema version: the last migration recorded, and how many there are."""
        if not self.migrations:
            return "no migrations"
        return f"{self.migrations[-1]} ({len(self.migrations)} migrations)"


def code_migrations():
    """The names of the migrations this code knows, in order."""
    from migrations import migrations

    return [m.name for m in migrations.pending(sqlite_utils.Database(memory=True))]


def applied_migrations(conn):
    """The migrations recorded in the database of *conn* (sqlite-utils' `_sqlite_migrations`)."""
    from migrations import migrations

    return [m.name for m in migrations.applied(sqlite_utils.Database(conn))]


def problems(conn):
    """What `integrity_check` and `foreign_key_check` find wrong; empty when all is well."""
    found = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    found += [f"foreign key: {row[0]} row {row[1]} -> {row[2]}" for row in conn.execute("PRAGMA foreign_key_check")]
    return found


def _connect(path, **kwargs):
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, **kwargs)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _open_existing(path):
    """A connection to the existing database file *path* that will not create one."""
    return _connect(f"file:{Path(path).resolve().as_posix()}?mode=rw", uri=True)


def _remove(*paths):
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_into_new_file(source, target):
    """Copy the database of connection *source* into the new file *target* (0600), as one
    self-contained file in rollback-journal mode. Returns the open connection to the copy."""
    files.create_private(target)
    conn = _connect(target)
    try:
        source.backup(conn)
        conn.execute("PRAGMA journal_mode = DELETE")  # the source's WAL flag is copied too
    except BaseException:
        conn.close()
        raise
    return conn


def backup(database, target, force=False):
    """Write a checked copy of *database* to *target*, 0600 from the start.

    The copy is made under a hidden name beside *target*, checked, fsynced and then given its
    name, so a file with the backup's name is always whole.

    :raises BackupError: when *target* exists (and not *force*) or the copy is not sound
    """
    database, target = Path(database), Path(target)
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; name the backup file.")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose a new name or use --force to overwrite it.")
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    source = _open_existing(database)
    try:
        copy = _copy_into_new_file(source, part)
        try:
            found, applied = problems(copy), applied_migrations(copy)
        finally:
            copy.close()
        if found:
            raise BackupError(f"The copy failed its integrity check: {'; '.join(found[:5])}")
        _fsync(part)
        if force:
            os.replace(part, target)
        else:
            try:
                os.link(part, target)  # gives the name only if nobody took it meanwhile
            except FileExistsError:
                raise BackupError(f"{target} exists; choose a new name or use --force to overwrite it.")
            os.unlink(part)
        files.fsync_dir(target.parent)
    finally:
        source.close()
        _remove(part, f"{part}-journal")
    return Copy(target, target.stat().st_size, applied)


def lock(database):
    """Open *database* (made 0600 if missing) and hold SQLite's exclusive lock on it.

    :raises InUse: when another connection has the database open
    """
    database = Path(database)
    files.private_dir(database.parent)
    files.ensure_private(database)
    conn = _connect(database, timeout=LOCK_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_MS}")
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # the lock stays: locking_mode EXCLUSIVE keeps it until close
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as error:
        conn.close()
        if "locked" in str(error) or "busy" in str(error):
            raise InUse(
                f"The database {database} is in use (the app, an export job or another program "
                "has it open). Stop the app and try again."
            ) from None
        raise BackupError(f"The database {database} cannot be opened: {error}") from None
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _is_sqlite(path):
    try:
        with open(path, "rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def restore(database, source):
    """Replace *database* with the backup *source*; see the module docstring and
    docs/operations.md for the steps. Returns a Copy describing the restored database.

    :raises InUse: when another connection has *database* open
    :raises BackupError: when *source* is not a sound journal backup this code can run
    """
    from .db import migrate

    database, source = Path(database), Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if not _is_sqlite(source):
        raise BackupError(f"{source} is not an SQLite database.")
    size = source.stat().st_size
    stamp = clock.now_utc().strftime("%Y%m%dT%H%M%SZ")
    staging = database.with_name(f".{database.name}.{stamp}.restoring")
    aside = database.with_name(f"{database.name}.{stamp}.bak")
    had_data = database.is_file() and database.stat().st_size > 0

    live = lock(database)
    try:
        # 1. copy the backup beside the database and check it there, before anything changes
        backup_conn = _connect(f"file:{source.resolve().as_posix()}?mode=ro", uri=True)
        try:
            stage = _copy_into_new_file(backup_conn, staging)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} cannot be read as a database: {error}") from None
        finally:
            backup_conn.close()
        try:
            found = problems(stage)
            if found:
                raise BackupError(f"{source} fails the integrity check: {'; '.join(found[:5])}")
            recorded, known = applied_migrations(stage), code_migrations()
            if not recorded:
                raise BackupError(f"{source} is not a Forventningsjournal database (no migrations recorded).")
            newer = [name for name in recorded if name not in known]
            if newer:
                raise BackupError(
                    f"{source} was made by a newer version of the journal (migrations {', '.join(newer)} "
                    "are unknown here). Install that version, then restore."
                )
            # 2. an older backup is brought up to this code's schema, then the restore is audited
            stage.execute("PRAGMA foreign_keys = ON")
            stage_db = sqlite_utils.Database(stage)
            applied_now = migrate(stage_db)
            with transaction(stage_db):
                audit.record(
                    stage_db, None, "database.restore", "database", None,
                    {"backup": source.name, "size": size, "migrations_applied": applied_now,
                     "previous": aside.name if had_data else None},
                )
            found = problems(stage)
            if found:  # pragma: no cover - a migration that breaks integrity is a bug
                raise BackupError(f"After migrating, {source} fails the integrity check: {'; '.join(found[:5])}")
            # 3. the old database (its WAL included) is kept beside it, 0600
            if had_data:
                _copy_into_new_file(live, aside).close()
                _fsync(aside)
            # 4. the checked copy goes in through the locked connection: SQLite writes it as one
            #    transaction into the database and its WAL, so no old -wal can be read with it
            stage.backup(live)
        finally:
            stage.close()
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        found = problems(live)
        if found:  # pragma: no cover - the backup API wrote what we checked
            raise BackupError(f"The restored database fails the integrity check: {'; '.join(found[:5])}")
        # a -shm left by a crashed process is stale: nothing else can use it while we hold the lock
        _remove(f"{database}-shm")
        migrations = applied_migrations(live)
    finally:
        live.close()  # the last connection: SQLite folds and removes the -wal
        _remove(staging, f"{staging}-journal")
    _fsync(database)
    files.fsync_dir(database.parent)
    return Copy(database, database.stat().st_size, migrations, applied_now, aside if had_data else None)
