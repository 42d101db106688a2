"""A real gunicorn for the tests that need processes: concurrency, throttling across workers,
slow clients, kill -9. It runs the production configuration (gunicorn.conf.py at the top of the
repository) unless a test asks for something else, so what is tested is what is deployed."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from journal.db import connect

from . import factories

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still booting
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


@contextmanager
def gunicorn(database, instance, *, args=(), env=None):
    """gunicorn 'journal:create_app()' with the production config on a free loopback port,
    serving *database*; yields (base URL, process). *args* come after the config's (so they
    override it), *env* adds to the environment."""
    port = free_port()
    environment = dict(
        os.environ,
        JOURNAL_DATABASE=str(database),
        JOURNAL_SECRET_KEY="server-test-secret",
        JOURNAL_COOKIE_SECURE="0",
        JOURNAL_INSTANCE_PATH=str(instance),
        **(env or {}),
    )
    executable = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [executable, "-c", str(CONFIG), "-b", f"127.0.0.1:{port}", *args, "journal:create_app()"],
        env=environment,
        cwd=instance,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, process
    finally:
        stop(process)


def stop(process, sig=signal.SIGTERM):
    """End gunicorn (master and workers: they share its process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr:
        process.stderr.close()


def count(database, sql, params=()):
    db = connect(database)
    try:
        return db.execute(sql, params).fetchone()[0]
    finally:
        db.close()


def logged_in(base, username="sam", password=factories.PASSWORD, headers=None):
    session = requests.Session()
    session.headers.update(headers or {})
    response = session.post(base + "/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    session.headers["X-CSRFToken"] = response.json()["csrf_token"]
    return session


def fire_concurrently(requests_to_send):
    barrier = threading.Barrier(len(requests_to_send))
    results = [None] * len(requests_to_send)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(requests_to_send)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
