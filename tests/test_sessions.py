"""Sessions end for real (issue 12 point 6): what an attacker with a saved cookie, or a user
who lost a phone, notices. Time is moved by replacing journal.clock.now_utc (no sleeps)."""
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie

from journal import config, throttle, users

from . import factories
from .conftest import Session
from .test_web import token, web_login

COOKIE = "journal_session"


def count(db, sql, params=()):
    return db.execute(sql, params).fetchone()[0]


def replay(app, cookie, csrf=None):
    """A new client that sends only a saved cookie (and the CSRF token it had): the thief."""
    thief = Session(app.test_client(), None)
    thief.client.set_cookie(COOKIE, cookie)
    thief.csrf = csrf
    return thief


def test_a_cookie_saved_before_logout_reads_and_writes_nothing_after_it(app, world, auth, db):
    worker = auth("worker")
    saved = worker.client.get_cookie(COOKIE).value
    csrf = worker.csrf
    assert replay(app, saved, csrf).get("/api/v1/me").status_code == 200  # the copy works, for now
    assert worker.post("/api/v1/auth/logout").status_code == 204

    thief = replay(app, saved, csrf)
    response = thief.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["code"] == "session_expired"
    assert set(response.json) == {"code", "message", "errors"}
    response = thief.post(f"/api/v1/citizens/{world['citizen']}/meetings", json=factories.meeting_body())
    assert response.status_code == 401
    assert count(db, "SELECT count(*) FROM meeting") == 0
    assert count(db, "SELECT count(*) FROM expectation") == 0


def test_logout_on_one_device_ends_the_users_other_sessions_too(app, world, auth):
    phone, desk = auth("worker"), auth("worker")
    other_user = auth("worker2")
    phone.post("/api/v1/auth/logout")
    assert desk.get("/api/v1/me").status_code == 401
    assert other_user.get("/api/v1/me").status_code == 200  # only this user's sessions end
    assert Session(app.test_client(), world["worker"]).quick_login().status_code == 200


def test_a_stale_cookie_on_a_page_goes_to_the_login_with_a_message(app, world, auth):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with factories.known_password_hashes():
        web_login(client, "worker")
    saved = client.get_cookie(COOKIE).value
    client.post("/logout", data={"csrf_token": token(client)})
    thief = app.test_client()
    thief.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    thief.set_cookie(COOKIE, saved)
    response = thief.get(f"/citizens/{world['citizen']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/citizens/")
    page = thief.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session has ended" in page


def test_a_password_change_ends_every_session_of_the_user(app, world, auth, db):
    phone, desk = auth("worker"), auth("worker")
    users.change_password(db, world["admin"].id, world["worker"].id, "tulip-orbit-harbour")
    assert phone.get("/api/v1/me").status_code == 401
    assert desk.get("/api/v1/me").json["code"] == "session_expired"
    assert Session(app.test_client(), world["worker"]).login("tulip-orbit-harbour").status_code == 200
    assert count(db, "SELECT count(*) FROM audit_event WHERE action = 'user.password'") == 1


def test_a_too_short_new_password_changes_nothing(world, auth, db):
    phone = auth("worker")
    with pytest.raises(users.Invalid):
        users.change_password(db, world["admin"].id, world["worker"].id, "short")
    assert phone.get("/api/v1/me").status_code == 200


def test_deactivation_ends_every_session_and_the_user_cannot_log_in(app, world, auth, db):
    phone = auth("worker")
    users.deactivate(db, world["admin"].id, world["worker"].id)
    assert phone.get("/api/v1/me").status_code == 401
    response = app.test_client().post(
        "/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD}
    )
    assert response.status_code == 401


def test_unknown_users_cannot_be_changed(db, world):
    with pytest.raises(users.NotFound):
        users.change_password(db, None, 999999, "long-enough-password")
    with pytest.raises(users.NotFound):
        users.deactivate(db, None, 999999)


def test_an_idle_session_ends_after_the_idle_timeout(app, world, auth, frozen):
    idle = app.config["SESSION_IDLE_MINUTES"]
    phone = auth("worker")
    frozen.move(minutes=idle - 1)
    assert phone.get("/api/v1/me").status_code == 200  # used in time: goes on
    frozen.move(minutes=idle - 1)
    assert phone.get("/api/v1/me").status_code == 200  # counted from the last use, not login
    frozen.move(minutes=idle)
    response = phone.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["code"] == "session_expired"


def test_a_session_in_use_all_day_still_ends_after_the_absolute_lifetime(app, world, auth, frozen):
    hours = app.config["SESSION_MAX_HOURS"]
    phone = auth("worker")
    for _ in range(hours * 2 - 1):
        frozen.move(minutes=30)
        assert phone.get("/api/v1/me").status_code == 200
    frozen.move(minutes=30)
    assert phone.get("/api/v1/me").status_code == 401


def test_the_timeouts_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNAL_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("JOURNAL_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("JOURNAL_FRESH_LOGIN_MINUTES", "5")
    settings = config.from_environment(str(tmp_path))
    assert settings["SESSION_IDLE_MINUTES"] == 30
    assert settings["SESSION_MAX_HOURS"] == 8
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)
    assert settings["FRESH_LOGIN_MINUTES"] == 5
    monkeypatch.setenv("JOURNAL_SESSION_IDLE_MINUTES", "two hours")
    with pytest.raises(RuntimeError, match="JOURNAL_SESSION_IDLE_MINUTES must be a whole number of minutes"):
        config.from_environment(str(tmp_path))


def test_last_seen_rewrites_the_cookie_at_most_once_a_minute(app, world, auth, frozen):
    phone = auth("worker")
    frozen.move(seconds=30)
    assert "Set-Cookie" not in phone.get("/api/v1/me").headers
    frozen.move(seconds=31)
    assert COOKIE in phone.get("/api/v1/me").headers.get("Set-Cookie", "")


def test_a_remember_me_cookie_logs_nobody_in(app, world):
    with app.test_request_context():
        remember = encode_cookie(str(world["worker"].id))
    client = app.test_client()
    client.set_cookie("remember_token", remember)
    assert client.get("/api/v1/me").status_code == 401


def test_a_cookie_without_session_times_is_refused(app, world, auth):
    phone = auth("worker")
    with phone.client.session_transaction() as session:
        del session["_login_at"]
    assert phone.get("/api/v1/me").status_code == 401


# --- a fresh password for sensitive actions -----------------------------------------------


@pytest.fixture
def recusal(db, world):
    return factories.recuse(db, world["citizen"], world["worker2"].id)


def lift_url(world, recusal_id):
    return f"/api/v1/citizens/{world['citizen']}/recusals/{recusal_id}/lift"


def is_lifted(db, recusal_id):
    return db.execute("SELECT lifted_at FROM recusal WHERE id = ?", [recusal_id]).fetchone()[0] is not None


def test_lifting_a_recusal_needs_the_password_typed_in_the_last_minutes(app, world, auth, db, recusal, frozen):
    lead = auth("lead")
    frozen.move(minutes=app.config["FRESH_LOGIN_MINUTES"] + 1)
    response = lead.post(lift_url(world, recusal), json={"reason": "Moved away"})
    assert response.status_code == 401
    assert response.json["code"] == "fresh_login_required"
    assert not is_lifted(db, recusal)
    assert lead.get("/api/v1/me").status_code == 200  # the session itself goes on

    wrong = lead.post("/api/v1/auth/confirm", json={"password": "not-my-password"})
    assert wrong.status_code == 422
    assert wrong.json["code"] == "wrong_password"
    assert "password" in wrong.json["errors"]
    assert lead.post(lift_url(world, recusal), json={"reason": "Moved away"}).status_code == 401

    with factories.known_password_hashes():
        assert lead.post("/api/v1/auth/confirm", json={"password": factories.PASSWORD}).status_code == 204
    response = lead.post(lift_url(world, recusal), json={"reason": "Moved away"})
    assert response.status_code == 200
    assert is_lifted(db, recusal)
    assert count(db, "SELECT count(*) FROM audit_event WHERE action = 'login.confirm'") == 1


def test_a_fresh_login_lifts_a_recusal_without_asking_again(world, auth, db, recusal):
    lead = auth("lead")
    assert lead.post(lift_url(world, recusal), json={"reason": "Moved away"}).status_code == 200


def test_confirming_the_password_is_throttled_like_logging_in(world, auth, db):
    lead = auth("lead")
    for _ in range(throttle.FREE["pair"]):
        assert lead.post("/api/v1/auth/confirm", json={"password": "guess-guess"}).status_code == 422
    response = lead.post("/api/v1/auth/confirm", json={"password": factories.PASSWORD})
    assert response.status_code == 429


def test_the_web_form_to_lift_a_recusal_asks_for_the_password_then_works(app, world, db, recusal, frozen):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with factories.known_password_hashes():
        web_login(client, "lead")
    citizen_page = client.get(f"/citizens/{world['citizen']}").get_data(as_text=True)
    form_url = f"/citizens/{world['citizen']}/recusals/{recusal}/lift"
    assert form_url in citizen_page  # the lead finds the recusal and its "Lift" link

    frozen.move(minutes=app.config["FRESH_LOGIN_MINUTES"] + 1)
    response = client.get(form_url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/confirm-password?next={form_url}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Confirm your password" in page

    wrong = client.post(response.headers["Location"], data={"password": "not-it-at-all", "csrf_token": token(client)})
    assert wrong.status_code == 422
    assert "Wrong password" in wrong.get_data(as_text=True)
    with factories.known_password_hashes():
        confirmed = client.post(
            response.headers["Location"], data={"password": factories.PASSWORD, "csrf_token": token(client)}
        )
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == form_url

    assert "Lift recusal" in client.get(form_url).get_data(as_text=True)
    empty = client.post(form_url, data={"reason": "", "csrf_token": token(client)})
    assert empty.status_code == 422
    assert not is_lifted(db, recusal)
    done = client.post(form_url, data={"reason": "Moved away", "csrf_token": token(client)})
    assert done.status_code == 302
    assert done.headers["Location"] == f"/citizens/{world['citizen']}"
    assert is_lifted(db, recusal)
    assert "is lifted" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_a_lift_posted_after_the_fresh_minutes_goes_to_confirm_and_back_to_the_form(app, world, db, recusal, frozen):
    client = app.test_client()
    with factories.known_password_hashes():
        web_login(client, "lead")
    form_url = f"/citizens/{world['citizen']}/recusals/{recusal}/lift"
    csrf = token(client)
    frozen.move(minutes=app.config["FRESH_LOGIN_MINUTES"] + 1)
    response = client.post(form_url, data={"reason": "Moved away", "csrf_token": csrf})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/confirm-password?next={form_url}"
    assert not is_lifted(db, recusal)


def test_only_a_lead_reaches_the_lift_form_and_only_for_an_active_recusal(app, world, db, recusal, auth):
    worker = auth("worker")
    assert worker.get(f"/citizens/{world['citizen']}/recusals/{recusal}/lift").status_code == 403
    lead = auth("lead")
    assert lead.get(f"/citizens/{world['citizen']}/recusals/999999/lift").status_code == 404
    assert lead.get(f"/citizens/{world['citizen_b']}/recusals/{recusal}/lift").status_code == 404
