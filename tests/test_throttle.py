"""journal/throttle.py (the failed-login delays, pure), journal/ratestore.py (Flask-Limiter's
counters in SQLite) and ProxyFix: whose address is counted."""
import pytest
from flask import request

from journal import create_app, throttle
from journal.access import public
from journal.ratestore import SQLiteStorage
from journal.throttle import DELAY_CAP, FREE, Failures, address_key, delay_after, wait_seconds

from . import factories


# --- delay_after, wait_seconds ----------------------------------------------------------------


@pytest.mark.parametrize(
    "failures, delay", [(0, 0), (4, 0), (5, 2), (6, 4), (7, 8), (10, 64), (14, 900), (40, DELAY_CAP)]
)
def test_delay_after_doubles_past_the_free_failures_up_to_the_cap(failures, delay):
    assert delay_after(failures, free=5) == delay


def test_wait_seconds_counts_from_the_last_failure_and_takes_the_longest_scope():
    now = 1000.0
    scopes = {
        "pair": Failures(6, last=998.0),  # 4 s delay, 2 s left
        "address": Failures(FREE["address"] + 2, last=995.0),  # 8 s delay, 3 s left
        "username": Failures(1, last=999.0),
    }
    assert wait_seconds(now, scopes) == 3.0
    assert wait_seconds(now + 10, scopes) == 0.0


def test_wait_seconds_is_zero_without_failures():
    assert wait_seconds(5.0, {s: Failures(0, None) for s in FREE}) == 0.0


def test_one_address_cannot_use_up_the_username_allowance_within_the_window():
    """The claim the module makes: at the fastest an address may go (every delay waited out),
    its failures within the window stay below the username scope's free allowance, so the
    owner at another address never meets a delay because of it."""
    from journal.config import LOGIN_FAILURE_WINDOW

    elapsed, failures = 0.0, 0
    while True:
        wait = max(delay_after(failures, FREE["pair"]), delay_after(failures, FREE["address"]))
        if elapsed + wait > LOGIN_FAILURE_WINDOW.total_seconds():
            break
        elapsed += wait
        failures += 1
    assert failures < FREE["username"], failures


@pytest.mark.parametrize(
    "address, key",
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("", "unknown"),
        (None, "unknown"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_address_key_counts_an_ipv6_network_as_one_address(address, key):
    assert address_key(address) == key


# --- the shared Flask-Limiter storage ------------------------------------------------------------


def test_the_sqlite_storage_counts_a_fixed_window_for_every_connection(app, monkeypatch):
    uri = app.config["RATELIMIT_STORAGE_URI"]
    assert uri.startswith("journal-sqlite://")
    one, two = SQLiteStorage(uri), SQLiteStorage(uri)  # two processes' storages
    clock = [1000.0]
    monkeypatch.setattr("journal.ratestore.time.time", lambda: clock[0])
    assert [one.incr("k", 60), two.incr("k", 60), one.incr("k", 60)] == [1, 2, 3]
    assert two.get("k") == 3 and two.get_expiry("k") == 1060.0
    clock[0] = 1061.0  # the window has ended: a new one starts
    assert one.get("k") == 0
    assert two.incr("k", 60) == 1 and one.get_expiry("k") == 1121.0
    one.clear("k")
    assert two.get("k") == 0 and one.check()


def test_the_login_rate_limit_is_shared_by_two_apps_on_one_database(app, world):
    """Two server processes are two app objects on the same file: together they allow the
    limit once, not once each."""
    config = {"DATABASE": app.config["DATABASE"], "SECRET_KEY": "x", "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "4 per minute"}
    first, second = create_app(config).test_client(), create_app(config).test_client()
    statuses = [
        (first if n % 2 else second).post("/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD}).status_code
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    refused = first.post("/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD})
    assert refused.json["code"] == "too_many_requests" and 1 <= int(refused.headers["Retry-After"]) <= 61


def test_only_a_refusal_carries_retry_after_and_it_is_the_throttles_own(app, world):
    """Flask-Limiter's headers are off: they put a Retry-After on every answer (a 401 too)
    and over the failed-login delay's."""
    config = {"DATABASE": app.config["DATABASE"], "SECRET_KEY": "x", "RATELIMIT_ENABLED": True}
    client = create_app(config).test_client()
    answers = [client.post("/api/v1/auth/login", json={"username": "worker", "password": "wrong-password"}) for _ in range(FREE["pair"] + 1)]
    assert [a.status_code for a in answers] == [401] * FREE["pair"] + [429]
    assert [a.headers.get("Retry-After") for a in answers] == [None] * FREE["pair"] + ["2"]


# --- ProxyFix ---------------------------------------------------------------------------------


def _address_seen(trusted, headers):
    app = create_app({"DATABASE": ":memory:", "SECRET_KEY": "x", "TRUSTED_PROXIES": trusted})
    app.add_url_rule("/whoami", "whoami", public(lambda: request.remote_addr))
    return app.test_client().get("/whoami", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)


def test_without_trusted_proxies_a_forwarded_header_is_ignored():
    assert _address_seen(0, {"X-Forwarded-For": "203.0.113.9"}) == "10.0.0.2"


def test_with_one_trusted_proxy_the_address_it_adds_is_used_and_what_a_client_forged_is_not():
    assert _address_seen(1, {"X-Forwarded-For": "203.0.113.9"}) == "203.0.113.9"
    assert _address_seen(1, {"X-Forwarded-For": "1.2.3.4, 203.0.113.9"}) == "203.0.113.9"


def test_trusted_proxies_come_from_the_environment(tmp_path, monkeypatch):
    from journal import config

    monkeypatch.setenv("JOURNAL_TRUSTED_PROXIES", "1")
    assert config.from_environment(str(tmp_path))["TRUSTED_PROXIES"] == 1
    monkeypatch.setenv("JOURNAL_TRUSTED_PROXIES", "one")
    with pytest.raises(RuntimeError, match="JOURNAL_TRUSTED_PROXIES"):
        config.from_environment(str(tmp_path))


def test_the_throttle_module_names_every_scope_it_counts():
    assert set(throttle.FREE) == {"pair", "address", "username"}
