"""Throttling behind a proxy, against a real gunicorn with two worker processes (the
production config): the counters are shared by both processes, the address is the one the
trusted proxy reports, and one address cannot keep another user out (issue 13, point 2).

Each request goes on a new connection, so the two worker processes take turns answering."""
import pytest
import requests

from journal import throttle
from journal.db import connect, migrate

from . import factories
from .servers import gunicorn

pytestmark = pytest.mark.server

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "journal.db"
    db = connect(path)
    migrate(db)
    team = factories.make_team(db, "Team S")
    factories.make_user(db, "worker", team, "sam")
    factories.make_user(db, "worker", team, "siv")
    db.close()
    return path


def login(base, address, username="sam", password=factories.PASSWORD, forged=None):
    forwarded = f"{forged}, {address}" if forged else address
    return requests.post(
        base + "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded, "Connection": "close"},
        timeout=30,
    )


def test_failed_logins_are_counted_across_processes_per_forwarded_address(database, tmp_path, figures):
    env = {"JOURNAL_TRUSTED_PROXIES": "1", "JOURNAL_LOGIN_RATE_LIMIT": "1000 per minute"}
    with gunicorn(database, tmp_path, env=env) as (base, _process):
        failures = [login(base, ATTACKER, password="wrong-password").status_code for _ in range(throttle.FREE["pair"])]
        assert failures == [401] * throttle.FREE["pair"]
        # the attacker's next attempts, even with the right password and a forged address in
        # front of the proxy's, are delayed by whichever process answers
        attempts = [login(base, ATTACKER, forged=f"10.9.8.{n}") for n in range(6)]
        assert [r.status_code for r in attempts] == [429] * 6
        assert all(r.json()["code"] == "login_locked" and int(r.headers["Retry-After"]) >= 1 for r in attempts)
        # the owner, at their own address, is not kept out; nor is a colleague
        assert login(base, OWNER).status_code == 200
        assert login(base, ATTACKER, username="siv").status_code == 200
    figures(
        f"throttle behind a proxy (2 processes): {throttle.FREE['pair']} failures, then 6 of 6 attempts from the attacker's "
        "address delayed, the owner's login at another address 200"
    )


def test_the_per_address_rate_limit_holds_across_processes(database, tmp_path, figures):
    env = {"JOURNAL_TRUSTED_PROXIES": "1", "JOURNAL_LOGIN_RATE_LIMIT": "6 per minute"}
    with gunicorn(database, tmp_path, env=env) as (base, _process):
        statuses = [login(base, ATTACKER).status_code for _ in range(10)]
        other = login(base, OWNER).status_code
    # with each process counting for itself, 2 processes would have let 12 through
    assert statuses == [200] * 6 + [429] * 4
    assert other == 200
    figures("login rate limit 6/min behind a proxy (2 processes): 6 of 10 let through (each process counting alone would have let all 10 through); another address 200")


def test_without_a_trusted_proxy_a_forwarded_header_changes_nothing(database, tmp_path):
    with gunicorn(database, tmp_path, env={"JOURNAL_LOGIN_RATE_LIMIT": "1000 per minute"}) as (base, _process):
        for n in range(throttle.FREE["pair"]):
            assert login(base, f"203.0.113.{n}", password="wrong-password").status_code == 401
        # every forged address was the one connection's address: that is what was counted
        assert login(base, OWNER).status_code == 429
