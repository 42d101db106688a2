"""Slow clients cannot stall the journal (issue 13, point 5): with the production gunicorn
config (threaded workers), phones that open an upload and send its body slowly hold a thread
each, not a process, and everyone else is still answered."""
import socket
import time

import pytest
import requests

from journal.db import connect, migrate

from .servers import gunicorn

pytestmark = pytest.mark.server

SLOW_UPLOADS = 4


def open_slow_upload(base):
    """A login POST that announces 100 kB of JSON and sends one byte of it."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    )
    return sock


def test_four_slow_uploads_do_not_keep_the_health_check_waiting(tmp_path, figures):
    database = tmp_path / "journal.db"
    db = connect(database)
    migrate(db)
    db.close()
    with gunicorn(database, tmp_path) as (base, _process):
        uploads = [open_slow_upload(base) for _ in range(SLOW_UPLOADS)]
        try:
            # every worker process has taken an upload by now, and is waiting for its body
            answers = []
            for _ in range(4):  # new connections: both processes are asked
                started = time.monotonic()
                response = requests.get(base + "/healthz", timeout=1, headers={"Connection": "close"})
                answers.append((response.status_code, time.monotonic() - started))
            assert [status for status, _ in answers] == [200] * 4
        finally:
            for sock in uploads:
                sock.close()
    slowest = max(seconds for _, seconds in answers)
    figures(f"slow clients: {SLOW_UPLOADS} uploads held open, /healthz answered 4 of 4 times, slowest {slowest * 1000:.0f} ms")
