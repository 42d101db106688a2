"""Logging in and out, CSRF on unsafe requests, cookies, and the failed-login lockout."""
from datetime import timedelta

import pytest

from journal import audit, clock, throttle
from journal.config import LOGIN_FAILURE_WINDOW

from . import factories


def login(client, username, password=factories.PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_returns_user_and_csrf_token(client, world):
    response = login(client, "worker")
    assert response.status_code == 200
    body = response.json
    assert body["user"]["username"] == "worker"
    assert body["user"]["role"] == "worker"
    assert body["user"]["team_id"] == world["team_a"]
    assert "password_hash" not in body["user"]
    assert len(body["csrf_token"]) > 20


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = login(client, "worker")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_by_default(tmp_path, monkeypatch):
    from journal import create_app

    monkeypatch.delenv("JOURNAL_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("JOURNAL_ENV", "development")
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_wrong_password_is_401_with_error_shape(client, world):
    response = login(client, "worker", "wrong-password")
    assert response.status_code == 401
    assert response.json["code"] == "invalid_credentials"
    assert set(response.json) == {"code", "message", "errors"}


def test_unknown_user_answers_like_a_wrong_password(client, world):
    assert login(client, "nobody", "whatever-1234").json == login(client, "worker", "nope-1234567").json


def test_me_and_logout(client, world):
    token = login(client, "lead").json["csrf_token"]
    me = client.get("/api/v1/me").json
    assert me["user"]["username"] == "lead"
    assert me["team"]["name"] == "Team A"
    assert me["team"]["gap_threshold"] == 4
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": token}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_requests_without_login_are_401(client, world):
    response = client.get(f"/api/v1/citizens/{world['citizen']}")
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized"


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_unsafe_request_without_valid_csrf_token_is_400_and_changes_nothing(client, world, db, token):
    login(client, "worker")
    headers = {"X-CSRFToken": token} if token else {}
    before = db.table("citizen").count
    response = client.post("/api/v1/citizens", json={"case_ref": "X-9", "goal": "job"}, headers=headers)
    assert response.status_code == 400
    assert response.json["code"] == "csrf_failed"
    assert db.table("citizen").count == before


def test_csrf_token_from_me_works(client, world):
    login(client, "worker")
    token = client.get("/api/v1/me").json["csrf_token"]
    response = client.post(
        "/api/v1/citizens", json={"case_ref": "X-9", "goal": "job"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail(client, username, times):
    for _ in range(times):
        assert login(client, username, "wrong-password").status_code == 401


def test_free_failures_then_the_next_attempt_waits_even_with_the_right_password(client, world, frozen):
    fail(client, "worker", throttle.FREE["pair"])
    delayed = client.post(
        "/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD}, headers={"Accept-Language": "en"}
    )
    assert delayed.status_code == 429
    assert delayed.json["code"] == "login_locked"
    assert delayed.headers["Retry-After"] == "2"
    assert "second" in delayed.json["message"]


def test_the_delay_doubles_with_each_failure_and_is_never_a_lock(client, world, frozen):
    fail(client, "worker", throttle.FREE["pair"])
    waits = []
    for _ in range(5):
        waits.append(int(login(client, "worker", "wrong-password").headers["Retry-After"]))
        frozen.move(seconds=waits[-1])
        assert login(client, "worker", "wrong-password").status_code == 401
    assert waits == [2, 4, 8, 16, 32]
    frozen.move(seconds=65)
    assert login(client, "worker").status_code == 200


def test_the_owner_at_another_address_is_not_kept_out(app, world, frozen):
    attacker, owner = from_address(app.test_client(), "203.0.113.9"), from_address(app.test_client(), "198.51.100.7")
    for _ in range(40):  # as many as one address gets through in the window, and more
        login(attacker, "worker", "wrong-password")
        frozen.move(seconds=30)
    assert login(attacker, "worker").status_code == 429
    assert login(owner, "worker").status_code == 200


def test_one_address_trying_many_usernames_is_slowed_down(app, world, frozen):
    sprayer = from_address(app.test_client(), "203.0.113.9")
    for n in range(throttle.FREE["address"]):
        assert login(sprayer, f"user{n}", "wrong-password").status_code == 401
    assert login(sprayer, "someone-else", "wrong-password").status_code == 429
    assert login(from_address(app.test_client(), "198.51.100.7"), "worker").status_code == 200


def test_many_addresses_on_one_username_slow_that_username_down(app, world, frozen):
    """The residual risk, documented in docs/security.md: a guesser with many addresses
    delays the username for everyone, by seconds first (never a lock)."""
    for n in range(throttle.FREE["username"]):
        assert login(from_address(app.test_client(), f"203.0.113.{n}"), "worker", "wrong-password").status_code == 401
    delayed = login(from_address(app.test_client(), "198.51.100.7"), "worker")
    assert delayed.status_code == 429 and delayed.headers["Retry-After"] == "2"
    frozen.move(seconds=2)
    assert login(from_address(app.test_client(), "198.51.100.7"), "worker").status_code == 200


def test_one_ipv6_network_counts_as_one_address(app, world, frozen):
    for n in range(throttle.FREE["pair"]):
        assert login(from_address(app.test_client(), f"2001:db8:1:2::{n + 1:x}"), "worker", "wrong-password").status_code == 401
    assert login(from_address(app.test_client(), "2001:db8:1:2::ffff"), "worker").status_code == 429
    assert login(from_address(app.test_client(), "2001:db8:1:3::1"), "worker").status_code == 200


def test_success_clears_only_its_own_address(app, world, frozen):
    attacker, owner = from_address(app.test_client(), "203.0.113.9"), from_address(app.test_client(), "198.51.100.7")
    fail(attacker, "worker", throttle.FREE["pair"])
    fail(owner, "worker", 2)
    assert login(owner, "worker").status_code == 200
    assert login(attacker, "worker").status_code == 429


def test_failures_older_than_the_window_do_not_count(client, world, db):
    old = clock.timestamp(clock.now_utc() - LOGIN_FAILURE_WINDOW - timedelta(seconds=5))
    for _ in range(60):
        db.execute("INSERT INTO login_failure (username, at, remote_addr) VALUES (?, ?, ?)", ["worker", old, "127.0.0.1"])
    assert login(client, "worker").status_code == 200


def test_the_throttle_is_shared_through_the_database_across_processes(app, world, db):
    """Another server process is another app object on the same file: it sees the failures."""
    from journal import create_app

    fail(app.test_client(), "worker", throttle.FREE["pair"])
    other = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "x", "RATELIMIT_ENABLED": False})
    assert login(other.test_client(), "worker").status_code == 429


def test_username_lookup_is_case_insensitive_for_the_throttle(client, world):
    fail(client, "WORKER", throttle.FREE["pair"])
    assert login(client, "worker").status_code == 429


def test_logins_are_audited(client, world, db):
    login(client, "worker", "wrong-password")
    login(client, "worker")
    actions = [e["action"] for e in audit.events(db, user_id=world["worker"].id)]
    assert actions[:2] == ["login", "login.failed"]


def test_passwords_are_stored_as_scrypt_hashes(db, world):
    stored = db.execute("SELECT password_hash FROM user WHERE username = 'worker'").fetchone()[0]
    assert stored.startswith("scrypt:")
    assert factories.PASSWORD not in stored


def test_inactive_user_cannot_log_in(client, world, db):
    db.execute("UPDATE user SET active = 0 WHERE username = 'worker'")
    assert login(client, "worker").status_code == 401
