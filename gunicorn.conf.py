"""Production gunicorn settings (docs/operations.md "Serving"). gunicorn reads this file from
the working directory; the tests start gunicorn with it too (tests/servers.py).

Threaded workers (gthread): a request whose client is slow to send its body holds one thread,
not a whole process, so a handful of slow phones on a bad connection cannot stall the journal
(issue 13). Each worker process keeps its own SQLite connections; SQLite's WAL and
busy_timeout serialise the writes (journal/db.py).
"""
import os

bind = os.environ.get("JOURNAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("JOURNAL_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("JOURNAL_THREADS", "8"))
# a worker silent this long is restarted; long exports run in their own thread (exportjobs.py)
timeout = 60
graceful_timeout = 30
keepalive = 5
# the request line and headers are small in this app; refuse floods of them early
limit_request_line = 8190
limit_request_fields = 60
accesslog = None
errorlog = "-"
