"""Changing your own password (ASVS V2.1.5/2.1.6): the current one first, the policy on the
new one, every other session ends and this one goes on; on the web and through the API."""
from journal import throttle

from . import factories
from .test_web import token, web_login

NEW = "tusindfryd cykler langsomt hjem"


def change(session, current, new, **headers):
    return session.post("/api/v1/auth/password", json={"current_password": current, "new_password": new}, headers=headers)


def test_a_user_changes_their_password_and_only_their_other_sessions_end(app, auth, world, db):
    phone, laptop = auth("worker"), auth("worker")
    assert change(phone, factories.PASSWORD, NEW).status_code == 204
    # this session goes on, with a fresh cookie and token; the other one has ended
    me = phone.client.get("/api/v1/me")
    assert me.status_code == 200
    assert laptop.get("/api/v1/me").json["code"] == "session_expired"
    assert app.test_client().post("/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD}).status_code == 401
    assert app.test_client().post("/api/v1/auth/login", json={"username": "worker", "password": NEW}).status_code == 200
    assert db.execute("SELECT count(*) FROM audit_event WHERE action = 'user.password'").fetchone()[0] == 1


def test_the_wrong_current_password_changes_nothing_and_counts_as_a_failure(app, auth, world, db):
    worker = auth("worker")
    response = change(worker, "not-my-password", NEW, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["errors"] == {"current_password": ["Wrong password."]}
    assert db.execute("SELECT count(*) FROM login_failure WHERE username = 'worker'").fetchone()[0] == 1
    assert worker.get("/api/v1/me").status_code == 200
    assert app.test_client().post("/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD}).status_code == 200


def test_guessing_the_current_password_is_throttled(auth, world):
    worker = auth("worker")
    for _ in range(throttle.FREE["pair"]):
        assert change(worker, "guess-guess-guess", NEW).status_code == 422
    assert change(worker, factories.PASSWORD, NEW).status_code == 429


def test_a_weak_new_password_is_refused_with_the_policys_message(app, auth, world):
    worker = auth("worker")
    response = change(worker, factories.PASSWORD, "Password123!", **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert "too easy to guess" in response.json["errors"]["new_password"][0]
    assert app.test_client().post("/api/v1/auth/login", json={"username": "worker", "password": factories.PASSWORD}).status_code == 200


def test_the_web_form_changes_the_password_and_keeps_you_logged_in(app, world):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with factories.known_password_hashes():
        web_login(client, "lead")
    page = client.get("/citizens").get_data(as_text=True)
    assert 'href="/account/password"' in page
    weak = client.post("/account/password", data={"current_password": factories.PASSWORD, "new_password": "lead-lead-lead-1", "csrf_token": token(client, "/account/password")})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    done = client.post("/account/password", data={"current_password": factories.PASSWORD, "new_password": NEW, "csrf_token": token(client, "/account/password")})
    assert done.status_code == 302
    assert "Your password is changed" in client.get(done.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert client.get("/citizens").status_code == 200
