"""Research exports as background jobs: a request queues one, a thread of the same process
writes it, and the researcher polls it and downloads the zip (DESIGN.md "Research export":
a background job with progress that never fails a web request because it is large).

Why a thread in the web process and not a queue server: docs/decisions.md, "Export jobs".

- Each app (one per gunicorn worker process) has one runner with a one-thread pool: a
  process writes one export at a time, and the next waits as `queued`.
- The job opens its own connection and reads the study inside one read transaction, so the
  zip is one consistent snapshot (WAL lets everyone else go on writing meanwhile).
- The zip is written to a hidden temporary name in instance/exports (folder 0700, file 0600
  from the moment it is created) and renamed when complete: a half-written file never has
  the final name. A failure deletes it.
- While a process holds jobs, a heartbeat thread writes their progress (at most once a
  second) and touches `updated_at` every HEARTBEAT_SECONDS. A queued or running job whose
  heartbeat is older than STALE_AFTER belonged to a process that died (a gunicorn worker
  restart): it is failed when it is read, and audited once.
- Audit: `export.create` when the zip is complete (who, options, columns), `export.failed`
  (the export id, a short code and the error's class name, never its text, which could hold
  data), `export.download`, and `export.expire` (how many files were deleted).
- Files expire after EXPORT_DAYS: reading an expired export deletes its file; every new job
  and `flask journal purge-exports` purge everything that has expired.

The export table is this module's: its SQL lives here (docs/decisions.md, "Layout").
"""
import errno
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app

from . import audit, clock, export, files
from .db import connect, transaction

log = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")
#: A queued or running job whose heartbeat is older than this is failed when read.
STALE_AFTER = timedelta(minutes=5)
#: How often a process touches the jobs it holds, however long a step of the export takes.
HEARTBEAT_SECONDS = 30
#: Progress reaches the database at most this often.
FLUSH_SECONDS = 1.0

#: Short codes in `export.error`, safe to show to the researcher.
INTERRUPTED = "interrupted"  # the process running it stopped (restart, crash)
NO_SPACE = "no_space"  # the disk is full
FAILED = "export_error"  # anything else: the server's log has the traceback

_FILE = re.compile(r"^\.?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.zip(\.part)?$")


@dataclass(frozen=True)
class Settings:
    """What a job needs from the app, read when it is queued (the thread has no app context)."""

    database: str
    secret: str
    folder: Path
    days: int

    @classmethod
    def of(cls, app):
        return cls(app.config["DATABASE"], app.config["SECRET_KEY"], folder_of(app), int(app.config["EXPORT_DAYS"]))


# --- files ----------------------------------------------------------------------------------


def folder_of(app):
    """Where export zips are kept: instance/exports (readable by the app's user only)."""
    return Path(app.instance_path) / "exports"


def ensure_folder(folder):
    """Make the exports folder, mode 0700; a folder made earlier with other modes is tightened."""
    files.private_dir(folder)  # instance/ too, when this makes it
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def _final(folder, export_id):
    return Path(folder) / f"{export_id}.zip"


def _partial(folder, export_id):
    return Path(folder) / f".{export_id}.zip.part"


def _remove(*paths):
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            log.exception("Could not delete %s", path)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- rows -----------------------------------------------------------------------------------

_SELECT = "SELECT e.*, study.name AS study FROM export e JOIN study ON study.id = e.study_id"


def _decoded(row):
    row["options"] = json.loads(row["options"])
    row["summary"] = json.loads(row["summary"]) if row["summary"] else None
    return row


def get(db, export_id):
    """The export row as stored (options and summary decoded), or None."""
    rows = list(db.query(f"{_SELECT} WHERE e.id = ?", [export_id]))
    return _decoded(rows[0]) if rows else None


def create(db, user_id, study_id, options, days):
    """Store a queued export of *study_id* for *user_id*; returns its id."""
    export_id = str(uuid.uuid4())
    now = clock.now_utc()
    public_options = {"free_text": options.free_text, "k": options.k, "stats_files": options.stats_files}
    with transaction(db):
        db.execute(
            "INSERT INTO export (id, study_id, user_id, created_at, options, status, progress, rows_done, updated_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, 'queued', 0, 0, ?, ?)",
            [export_id, study_id, user_id, clock.timestamp(now), json.dumps(public_options),
             clock.timestamp(now), clock.timestamp(now + timedelta(days=days))],
        )
    return export_id


def start(db, user_id, study, options):
    """Queue an export of *study* (already authorised and validated) and hand it to this
    process's runner; returns the job's row. Called in a request."""
    app = current_app._get_current_object()
    settings = Settings.of(app)
    export_id = create(db, user_id, study["id"], options, settings.days)
    runner(app).submit(export_id, settings)
    return get(db, export_id)


def job(db, export_id):
    """The export row as it really stands (stale jobs failed, expired files deleted), or None."""
    row = get(db, export_id)
    return settle(db, [row], folder_of(current_app))[0] if row else None


def recent(db, user_id, limit=20):
    """The researcher's latest exports, newest first, as they really stand (the research page)."""
    rows = [_decoded(r) for r in db.query(f"{_SELECT} WHERE e.user_id = ? ORDER BY e.created_at DESC, e.rowid DESC LIMIT ?", [user_id, limit])]
    return settle(db, rows, folder_of(current_app))


def settle(db, rows, folder):
    """*rows* re-read after failing the stale ones and expiring the done ones past expires_at."""
    now = clock.now_utc()
    stale = [r for r in rows if r["status"] in UNFINISHED and clock.parse_timestamp(r["updated_at"]) < now - STALE_AFTER]
    expired = [r for r in rows if r["status"] == "done" and clock.parse_timestamp(r["expires_at"]) <= now]
    if stale:
        fail_stale(db, folder, stale)
    if expired:
        expire(db, folder, expired, via="read")
    if not stale and not expired:
        return rows
    return [get(db, r["id"]) for r in rows]


def file_for_download(db, row, user_id):
    """The path of a done export's zip, with the download audited; None if the file is gone
    (then the export is expired, as if its time had run out)."""
    path = _final(folder_of(current_app), row["id"])
    if not path.is_file():
        expire(db, folder_of(current_app), [row], via="missing")
        return None
    with transaction(db):
        audit.record(db, user_id, "export.download", "study", row["study_id"], {"export_id": row["id"]})
    return path


def _claim(db, export_id):
    """queued → running; False if the job is no longer queued (failed as stale meanwhile)."""
    with transaction(db):
        now = clock.timestamp()
        return db.execute(
            "UPDATE export SET status = 'running', updated_at = ? WHERE id = ? AND status = 'queued'", [now, export_id]
        ).rowcount == 1


def _finish(db, row, summary, digest, file_name):
    """running → done, audited with who, which options and which columns; False if the job
    was failed meanwhile (its heartbeat looked dead), and then its file must go."""
    now = clock.timestamp()
    with transaction(db):
        done = db.execute(
            "UPDATE export SET status = 'done', progress = 100, rows_done = ?, summary = ?, file_name = ?, sha256 = ?, "
            "finished_at = ?, updated_at = ?, error = NULL WHERE id = ? AND status = 'running'",
            [sum(summary["rows"].values()), json.dumps({k: v for k, v in summary.items() if k != "columns"}),
             file_name, digest, now, now, row["id"]],
        ).rowcount == 1
        if done:
            audit.record(
                db, row["user_id"], "export.create", "study", row["study_id"],
                {"export_id": row["id"], "options": row["options"], "columns": summary["columns"]},
            )
    return done


def _fail(db, row, code, error_class=None):
    """queued/running → failed with *code*, audited once (never the error's text)."""
    now = clock.timestamp()
    with transaction(db):
        failed = db.execute(
            "UPDATE export SET status = 'failed', error = ?, finished_at = ?, updated_at = ? "
            "WHERE id = ? AND status IN ('queued', 'running')",
            [code, now, now, row["id"]],
        ).rowcount == 1
        if failed:
            detail = {"export_id": row["id"], "code": code}
            if error_class:
                detail["error"] = error_class
            audit.record(db, row["user_id"], "export.failed", "study", row["study_id"], detail)
    return failed


def fail_stale(db, folder, rows=None):
    """Fail queued or running jobs whose heartbeat is older than STALE_AFTER (all, or those of
    *rows*): the process that held them has died. Each is audited once, its partial file
    deleted. Returns how many were failed."""
    limit = clock.timestamp(clock.now_utc() - STALE_AFTER)
    if rows is None:
        rows = list(db.query("SELECT id, user_id, study_id FROM export WHERE status IN ('queued', 'running') AND updated_at < ?", [limit]))
    count = 0
    for row in rows:
        with transaction(db):
            still = db.execute(
                "SELECT 1 FROM export WHERE id = ? AND status IN ('queued', 'running') AND updated_at < ?", [row["id"], limit]
            ).fetchone()
            if still and _fail(db, row, INTERRUPTED):
                count += 1
        _remove(_partial(folder, row["id"]))
    return count


def expire(db, folder, rows, via):
    """Mark the done exports of *rows* expired and delete their files; one `export.expire`
    audit event with the count. Returns how many were expired."""
    with transaction(db):
        gone = [r["id"] for r in rows
                if db.execute("UPDATE export SET status = 'expired', updated_at = ? WHERE id = ? AND status = 'done'",
                              [clock.timestamp(), r["id"]]).rowcount == 1]
        if gone:
            audit.record(db, None, "export.expire", None, None, {"count": len(gone), "via": via})
    for export_id in gone:
        _remove(_final(folder, export_id))
    return len(gone)


def purge(db, folder, via):
    """Expire every done export past its expires_at (deleting its file), fail stale jobs, and
    delete export files that belong to no export that could still be downloaded or written
    (left by a crash, or by versions before export jobs). Returns the counts."""
    failed = fail_stale(db, folder)
    due = list(db.query("SELECT id FROM export WHERE status = 'done' AND expires_at <= ?", [clock.timestamp()]))
    expired = expire(db, folder, due, via) if due else 0
    orphans = 0
    if Path(folder).is_dir():
        for path in Path(folder).iterdir():
            match = _FILE.match(path.name)
            if not match:
                continue
            row = db.execute("SELECT status FROM export WHERE id = ?", [match.group(1)]).fetchone()
            # a running job renames its file before it is marked done: keep a zip while running
            keep = ("queued", "running") if match.group(2) else ("queued", "running", "done")
            if row is None or row[0] not in keep:
                _remove(path)
                orphans += 1
    if orphans:
        log.info("Deleted %s export file(s) that belonged to no export", orphans)
    return {"expired": expired, "failed": failed, "orphans": orphans}


# --- the job --------------------------------------------------------------------------------


def run(export_id, settings, progress=None):
    """Write the export *export_id* (queued) to its zip: the job's body, in a worker thread.

    Never raises: a failure is recorded on the row and audited.
    """
    db = connect(settings.database)
    try:
        try:
            purge(db, settings.folder, via="job")
        except Exception:  # housekeeping must not stop the export
            log.exception("Purging expired exports failed")
        if not _claim(db, export_id):
            return
        _write(db, get(db, export_id), settings, progress)
    except Exception:
        log.exception("Export job %s could not be recorded", export_id)
    finally:
        db.close()


def _write(db, row, settings, progress):
    folder = ensure_folder(settings.folder)
    part, final = _partial(folder, row["id"]), _final(folder, row["id"])
    options = export.Options(**row["options"])
    try:
        # 0600 from the start (not chmod afterwards), and never an existing file or a link
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as out:
            db.conn.execute("BEGIN")  # one read transaction: the zip is one consistent snapshot
            try:
                summary = export.write(db, row["study_id"], options, out, settings.secret, progress=progress)
            finally:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")  # it only read (and filled a temporary table)
            out.flush()
            os.fsync(out.fileno())
        digest = _sha256(part)
        os.replace(part, final)
        if not _finish(db, row, summary, digest, final.name):
            _remove(final)
    except Exception as error:
        _remove(part, final)
        code = NO_SPACE if isinstance(error, OSError) and error.errno == errno.ENOSPC else FAILED
        log.error("Export %s failed (%s)", row["id"], type(error).__name__, exc_info=error)
        _fail(db, row, code, type(error).__name__)


def percent(tables_done, table_count):
    """The progress bar's value while running: the share of tables written, below 100 until
    the job is done (the codebook, data package and README come after the last table)."""
    if not table_count:
        return 0
    return max(0, min(99, int(100 * tables_done / table_count)))


class _Held:
    """A job this process holds: its latest progress, and whether it is yet to be written.

    export.write calls progress(table_index, table_count, rows) every 10,000 rows of the table
    it is writing (table_index counting from 0, rows of that table so far), and
    progress(table_index + 1, table_count, rows) when the table is done: the first argument
    is always the number of tables done, and a larger one than before means a table ended.
    """

    def __init__(self, settings):
        self.settings = settings
        self.percent = 0
        self.rows = 0
        self.dirty = False
        self._tables = 0  # tables done
        self._before = 0  # rows of the tables done

    def report(self, tables_done, table_count, rows):
        if tables_done > self._tables:  # a table ended with *rows* rows
            self._tables, self._before = tables_done, self._before + rows
            total = self._before
        else:  # a checkpoint inside the table being written
            total = self._before + rows
        self.percent = max(self.percent, percent(tables_done, table_count))
        self.rows = max(self.rows, total)
        self.dirty = True


class Runner:
    """One per app (so one per server process): a one-thread pool for the jobs, and a heartbeat
    thread that writes their progress and keeps them from looking dead."""

    def __init__(self):
        self._lock = threading.Lock()
        self._executor = None
        self._held = {}
        self._futures = set()
        self._heart = None
        self._stop = threading.Event()

    def submit(self, export_id, settings):
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-job")
            self._held[export_id] = _Held(settings)
            future = self._executor.submit(self._run, export_id, settings)
            self._futures.add(future)
            future.add_done_callback(self._done)
            if self._heart is None:
                self._stop.clear()
                self._heart = threading.Thread(target=self._beat, name="export-heartbeat", daemon=True)
                self._heart.start()
        return future

    def _run(self, export_id, settings):
        try:
            run(export_id, settings, progress=lambda index, count, rows: self._progress(export_id, index, count, rows))
        finally:
            with self._lock:
                self._held.pop(export_id, None)

    def _done(self, future):
        with self._lock:
            self._futures.discard(future)

    def _progress(self, export_id, tables_done, table_count, rows):
        with self._lock:
            held = self._held.get(export_id)
            if held is not None:
                held.report(tables_done, table_count, rows)

    def _beat(self):
        """Write dirty progress every FLUSH_SECONDS, touch every held job every
        HEARTBEAT_SECONDS; end when the process holds no job."""
        touched = time.monotonic()
        while True:
            with self._lock:
                if not self._held or self._stop.is_set():
                    self._heart = None
                    return
                touch = time.monotonic() - touched >= HEARTBEAT_SECONDS
                work = [(i, h.settings.database, h.percent, h.rows, h.dirty or touch) for i, h in self._held.items()]
                for held in self._held.values():
                    held.dirty = False
            work = [w for w in work if w[-1]]
            if work:
                try:
                    self._write_progress(work)
                except Exception:  # a busy database must not end the heartbeat
                    log.exception("Could not record export progress")
                if touch:
                    touched = time.monotonic()
            self._stop.wait(FLUSH_SECONDS)

    @staticmethod
    def _write_progress(work):
        for database in {w[1] for w in work}:
            db = connect(database)
            try:
                with transaction(db):
                    now = clock.timestamp()
                    for export_id, _, value, rows, _ in (w for w in work if w[1] == database):
                        db.execute(
                            "UPDATE export SET progress = MAX(progress, ?), rows_done = MAX(rows_done, ?), updated_at = ? "
                            "WHERE id = ? AND status IN ('queued', 'running')",
                            [value, rows, now, export_id],
                        )
            finally:
                db.close()

    def wait(self, timeout=None):
        """Wait until every job handed to this runner has finished; True if they all did."""
        with self._lock:
            futures = set(self._futures)
        done, pending = wait_for(futures, timeout=timeout)
        return not pending

    def shutdown(self):
        """Let the running job finish, drop the queued ones, stop the heartbeat (tests)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self._stop.set()
        heart = self._heart
        if heart is not None:
            heart.join(timeout=10)


def runner(app):
    """The app's runner, made on first use."""
    with _runners_lock:
        return app.extensions.setdefault("export_jobs", Runner())


_runners_lock = threading.Lock()
