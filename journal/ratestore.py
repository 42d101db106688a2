"""A storage for Flask-Limiter (the `limits` package) in the journal's SQLite database.

Flask-Limiter's memory storage counts per process: with gunicorn's two workers an address
got twice its limit, and more with more workers (issue 13). The journal has no Redis or
memcached, and needs none: the counters live in the same SQLite file (table rate_limit), so
every process, thread and server restart sees the same count. Only the fixed-window strategy
is supported (Flask-Limiter's default); each counted request is one short write, which is
why only the login endpoints are limited this way.

URI: `journal-sqlite:///absolute/path/to/journal.db` (create_app sets it from DATABASE).
"""
import sqlite3
import threading
import time
import urllib.parse

from limits.storage import Storage


class SQLiteStorage(Storage):
    STORAGE_SCHEME = ["journal-sqlite"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urllib.parse.unquote(urllib.parse.urlparse(uri).path)
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA busy_timeout = 10000")
            self._local.conn = conn
        return conn

    def incr(self, key, expiry, amount=1):
        now = time.time()
        row = self._db().execute(
            "INSERT INTO rate_limit (key, count, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ? THEN excluded.count ELSE count + excluded.count END, "
            "expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END "
            "RETURNING count",
            [key, amount, now + expiry, now, now],
        ).fetchone()
        return row[0]

    def get(self, key):
        row = self._db().execute("SELECT count FROM rate_limit WHERE key = ? AND expires > ?", [key, time.time()]).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key):
        row = self._db().execute("SELECT expires FROM rate_limit WHERE key = ?", [key]).fetchone()
        return row[0] if row else time.time()

    def check(self):
        try:
            self._db().execute("SELECT 1 FROM rate_limit LIMIT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self):
        cursor = self._db().execute("DELETE FROM rate_limit")
        return cursor.rowcount

    def clear(self, key):
        self._db().execute("DELETE FROM rate_limit WHERE key = ?", [key])
