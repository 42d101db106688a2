"""Fixtures: a fresh app and database per test, a client, a CLI runner, and log-in helpers."""
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from journal import clock, create_app
from journal.db import connect, migrate

from . import factories


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A database migrated to the latest schema, made once per test session.

    Each test's `app` gets its own copy of the file, so every test still starts from a fresh,
    fully migrated database, without running the migrations again. The journal runs SQLite in
    WAL mode: the checkpoint and the close fold the write-ahead log into the main file (and
    remove it), so copying that one file copies everything. The template is made read-only so
    that no test can change what the next one starts from.
    """
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    db = connect(path)
    migrate(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert not leftover.exists() or leftover.stat().st_size == 0, leftover
    path.chmod(0o444)
    return path


@pytest.fixture
def app(tmp_path, migrated_template):
    app = create_app(
        {
            "DATABASE": str(tmp_path / "journal.db"),
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
        }
    )
    shutil.copyfile(migrated_template, app.config["DATABASE"])
    app.instance_path = str(tmp_path / "instance")  # export files of a test stay in its tmp_path
    yield app
    # export jobs run in a thread of the app (journal/exportjobs.py): let a running one end
    # before its database and folder are removed
    jobs = app.extensions.get("export_jobs")
    if jobs is not None:
        jobs.shutdown()


_FIGURES = []


@pytest.fixture
def figures():
    """figures(line): print a suite's figure and repeat it in pytest's terminal summary
    (pytest captures the print of a passing test)."""

    def record(line):
        print(line)
        _FIGURES.append(line)

    return record


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def frozen(monkeypatch):
    """A clock the test moves: frozen.move(minutes=...) moves it forward."""

    class Frozen:
        now = clock.now_utc()

        def move(self, **delta):
            self.now = self.now + timedelta(**delta)

    moment = Frozen()
    monkeypatch.setattr(clock, "now_utc", lambda: moment.now)
    return moment


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Session:
    """A logged-in API client: sends the CSRF token on unsafe requests, like the PWA."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.csrf = None

    def login(self, password=factories.PASSWORD):
        response = self.client.post(
            "/api/v1/auth/login", json={"username": self.user.username, "password": password}
        )
        assert response.status_code == 200, response.json
        self.csrf = response.json["csrf_token"]
        return response

    def quick_login(self, password=factories.PASSWORD):
        """The same login through the same view, without paying for scrypt again.

        Everything a login does still happens (lockout check, audit event, a fresh session,
        the CSRF token); only the password check compares the stored hash with the one the
        factories made for *password* (see factories.known_password_hashes). For tests that
        need a logged-in user; tests about logging in use login().
        """
        with factories.known_password_hashes() as matched:
            response = self.login(password)
        assert matched, (
            "the login did not check a password hash made by factories.make_user: has "
            "journal.auth stopped calling users.check_password?"
        )
        return response

    def _send(self, method, url, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.csrf and method in ("post", "patch", "put", "delete"):
            headers.setdefault("X-CSRFToken", self.csrf)
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self._send("get", url, **kwargs)

    def post(self, url, **kwargs):
        return self._send("post", url, **kwargs)

    def patch(self, url, **kwargs):
        return self._send("patch", url, **kwargs)

    def delete(self, url, **kwargs):
        return self._send("delete", url, **kwargs)


@pytest.fixture
def world(app, db):
    """Two teams: team A with a lead and two workers, team B with a worker; plus a researcher
    and an admin; one citizen in each team."""
    team_a = factories.make_team(db, "Team A", "Silkeborg")
    team_b = factories.make_team(db, "Team B", "Malmö", locale="sv")
    w = {
        "team_a": team_a,
        "team_b": team_b,
        "lead": factories.make_user(db, "lead", team_a, "lead"),
        "worker": factories.make_user(db, "worker", team_a, "worker"),
        "worker2": factories.make_user(db, "worker", team_a, "worker2"),
        "other": factories.make_user(db, "worker", team_b, "other"),
        "researcher": factories.make_user(db, "researcher", None, "researcher"),
        "admin": factories.make_user(db, "admin", None, "admin"),
    }
    w["citizen"] = factories.make_citizen(db, team_a, "A-1", w["worker"].id, display_name="Anna Andersen")
    w["citizen_b"] = factories.make_citizen(db, team_b, "B-1", w["other"].id, display_name="Bo Berg")
    return w


@pytest.fixture
def auth(app, world):
    """auth("worker") → a fresh logged-in Session for that user of the world fixture."""

    def login(name):
        session = Session(app.test_client(), world[name])
        session.quick_login()
        return session

    return login


# --- real servers and a real browser ------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port, in a thread of this process."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def demo_server(app, live_server):
    """The live server with the demo data: (base URL, case ref → citizen id)."""
    from journal import demo

    db = connect(app.config["DATABASE"])
    with factories.shared_password_hashes():
        demo.seed(db)
    ids = {row[0]: row[1] for row in db.execute("SELECT case_ref, id FROM citizen")}
    db.close()
    return live_server, ids


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. In CI (JOURNAL_REQUIRE_BROWSER=true) a missing
    browser fails the run instead of skipping the browser tests."""
    import os

    required = os.environ.get("JOURNAL_REQUIRE_BROWSER", "").lower() == "true"
    if not os.path.exists(CHROMIUM):
        if required:
            pytest.fail(f"{CHROMIUM} is missing but browser tests are required (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        if required:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A 360×640 phone-sized page that records console errors in page.console_errors."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2, locale="da-DK")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()

