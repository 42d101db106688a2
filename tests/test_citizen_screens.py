"""The citizen's case on the web: create, edit, close and reopen a citizen, record an outcome,
and the recusal history — who may do which, and bad input refused with nothing stored."""
from datetime import timedelta

import pytest

from journal import audit, clock

from . import factories
from .test_bad_input import counts, snapshot
from .test_web import token, web_login


@pytest.fixture
def web(app, world):
    """web("lead") → a test client logged in through the login form, in English."""

    def make(name, locale="en"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
        with factories.known_password_hashes():
            assert web_login(client, world[name].username).status_code == 302
        return client

    return make


def send(client, url, data):
    return client.post(url, data=dict(data, csrf_token=token(client, "/citizens")))


def text(response):
    return response.get_data(as_text=True)


def citizen_row(db, case_ref):
    rows = list(db.query("SELECT * FROM citizen WHERE case_ref = ?", [case_ref]))
    return rows[0] if rows else None


NEW = {"case_ref": "A-77", "display_name": "Karin Kjær", "birth_year": "1990", "gender": "female", "goal": "education"}


def test_a_worker_creates_a_citizen_becomes_case_owner_and_sees_it_on_my_citizens(web, world, db):
    worker = web("worker")
    page = text(worker.get("/citizens"))
    assert 'href="/citizens/new"' in page
    assert worker.get("/citizens/new").status_code == 200
    response = send(worker, "/citizens/new", NEW)
    assert response.status_code == 302
    row = citizen_row(db, "A-77")
    assert response.headers["Location"].endswith(f"/citizens/{row['id']}")
    assert (row["team_id"], row["primary_worker_id"], row["birth_year"], row["gender"], row["goal"], row["status"]) == (
        world["team_a"], world["worker"].id, 1990, "female", "education", "active")
    assert "A-77" in text(worker.get("/citizens?scope=mine"))
    assert [e["action"] for e in audit.events(db, object_type="citizen", object_id=row["id"])][-1] == "citizen.create"


def test_a_lead_creates_a_citizen_for_a_worker_of_the_team(web, world, db):
    lead = web("lead")
    assert 'name="primary_worker_id"' in text(lead.get("/citizens/new"))
    assert send(lead, "/citizens/new", dict(NEW, primary_worker_id=str(world["worker2"].id))).status_code == 302
    assert citizen_row(db, "A-77")["primary_worker_id"] == world["worker2"].id


def test_a_lead_cannot_make_another_teams_worker_the_case_owner(web, world, db):
    response = send(web("lead"), "/citizens/new", dict(NEW, primary_worker_id=str(world["other"].id)))
    assert response.status_code == 422
    assert 'id="primary_worker_id-error"' in text(response)
    assert citizen_row(db, "A-77") is None


@pytest.mark.parametrize("field, value", [
    ("case_ref", ""), ("case_ref", "010190-1234"), ("birth_year", "1850"), ("birth_year", "19x0"),
    ("gender", "robot"), ("goal", "pension"), ("display_name", "x" * 121),
])
def test_bad_input_on_create_is_422_next_to_the_field_and_stores_nothing(web, db, field, value):
    worker = web("worker")
    before = snapshot(db)
    response = send(worker, "/citizens/new", dict(NEW, **{field: value}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in text(response)
    assert snapshot(db) == before, counts(snapshot(db))


def test_a_duplicate_case_ref_is_refused_next_to_the_field(web, db):
    response = send(web("worker"), "/citizens/new", dict(NEW, case_ref="A-1"))
    assert response.status_code == 422
    page = text(response)
    assert 'id="case_ref-error"' in page and "already used in your team" in page
    assert len(list(db.query("SELECT id FROM citizen WHERE case_ref = 'A-1'"))) == 1


def test_the_same_case_ref_is_fine_in_another_team(web, db):
    assert send(web("other"), "/citizens/new", dict(NEW, case_ref="A-1")).status_code == 302


def test_the_case_owner_and_the_lead_edit_the_details_another_worker_may_not(web, world, db):
    cid = world["citizen"]
    worker, lead, worker2 = web("worker"), web("lead"), web("worker2")
    assert "Anna Andersen" in text(worker.get(f"/citizens/{cid}/edit"))
    data = {"display_name": "", "birth_year": "1985", "gender": "male", "goal": "education"}
    assert send(worker, f"/citizens/{cid}/edit", data).status_code == 302
    row = citizen_row(db, "A-1")
    assert (row["display_name"], row["birth_year"], row["gender"], row["goal"]) == (None, 1985, "male", "education")
    assert send(lead, f"/citizens/{cid}/edit", dict(data, goal="job")).status_code == 302
    assert citizen_row(db, "A-1")["goal"] == "job"
    assert worker2.get(f"/citizens/{cid}/edit").status_code == 403
    assert send(worker2, f"/citizens/{cid}/edit", dict(data, goal="education")).status_code == 403
    assert citizen_row(db, "A-1")["goal"] == "job"
    assert 'id="edit-citizen"' not in text(worker2.get(f"/citizens/{cid}"))
    bad = send(worker, f"/citizens/{cid}/edit", dict(data, birth_year="2999"))
    assert bad.status_code == 422 and 'id="birth_year-error"' in text(bad)


def test_a_worker_cannot_close_a_case_on_the_web_or_through_the_api(web, world, auth):
    cid = world["citizen"]
    worker = web("worker")
    assert 'id="close-citizen"' not in text(worker.get(f"/citizens/{cid}"))
    assert worker.get(f"/citizens/{cid}/close").status_code == 403
    assert send(worker, f"/citizens/{cid}/close", {"reason": "moved", "closed_on": clock.today().isoformat()}).status_code == 403
    assert auth("worker").patch(f"/api/v1/citizens/{cid}", json={"status": "closed"}).status_code == 403


def test_a_lead_closes_with_a_reason_and_a_date_and_reopens(web, world, db):
    cid = world["citizen"]
    lead, worker = web("lead"), web("worker")
    assert "A-1" in text(worker.get("/citizens?scope=mine"))
    day = clock.today() - timedelta(days=3)
    assert lead.get(f"/citizens/{cid}/close").status_code == 200
    assert send(lead, f"/citizens/{cid}/close", {"reason": "moved", "closed_on": day.isoformat()}).status_code == 302
    row = citizen_row(db, "A-1")
    assert row["status"] == "closed" and clock.local_date(row["closed_at"]) == day
    event = audit.events(db, action="citizen.close", object_id=cid)[0]
    assert event["detail"] == {"reason": "moved", "closed_on": day.isoformat()}
    assert "A-1" not in text(worker.get("/citizens?scope=mine"))
    page = text(lead.get(f"/citizens/{cid}"))
    assert 'id="closed-note"' in page and "Moved to another municipality" in page
    assert 'id="reopen-citizen"' in page
    again = send(lead, f"/citizens/{cid}/close", {"reason": "moved", "closed_on": day.isoformat()})
    assert again.status_code == 422
    assert send(lead, f"/citizens/{cid}/reopen", {}).status_code == 302
    row = citizen_row(db, "A-1")
    assert row["status"] == "active" and row["closed_at"] is None
    assert "A-1" in text(worker.get("/citizens?scope=mine"))
    assert send(worker, f"/citizens/{cid}/reopen", {}).status_code == 403


@pytest.mark.parametrize("data, field", [
    ({"reason": "moved", "closed_on": "{tomorrow}"}, "closed_on"),
    ({"reason": "moved", "closed_on": "1999-12-31"}, "closed_on"),
    ({"reason": "moved", "closed_on": "31-12-2025"}, "closed_on"),
    ({"reason": "bored", "closed_on": "{today}"}, "reason"),
    ({"closed_on": "{today}"}, "reason"),
])
def test_closing_refuses_future_dates_and_unknown_reasons(web, world, db, data, field):
    dates = {"tomorrow": (clock.today() + timedelta(days=1)).isoformat(), "today": clock.today().isoformat()}
    data = {k: v.format(**dates) for k, v in data.items()}
    response = send(web("lead"), f"/citizens/{world['citizen']}/close", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in text(response)
    assert citizen_row(db, "A-1")["status"] == "active"


@pytest.mark.parametrize("who", ["worker", "worker2", "lead"])
def test_workers_and_leads_record_an_outcome_that_shows_on_the_citizen_page(web, world, db, who):
    cid = world["citizen"]
    client = web(who)
    page = text(client.get(f"/citizens/{cid}"))
    assert 'id="outcome-form"' in page
    day = clock.today() - timedelta(days=2)
    data = {"id": "6f1c3a52-4a9b-4f0e-9a4e-5d2c1b3a4f10", "kind": "flex_job", "observed_on": day.isoformat(), "note": "Ten hours a week"}
    response = send(client, f"/citizens/{cid}/outcomes", data)
    assert response.status_code == 302 and response.headers["Location"].endswith("#outcomes")
    assert send(client, f"/citizens/{cid}/outcomes", data).status_code == 302  # a double submit
    rows = list(db.query("SELECT kind, observed_on, note, recorded_by FROM outcome WHERE citizen_id = ?", [cid]))
    assert rows == [{"kind": "flex_job", "observed_on": day.isoformat(), "note": "Ten hours a week", "recorded_by": world[who].id}]
    page = text(client.get(f"/citizens/{cid}"))
    assert "Flex job" in page and "Ten hours a week" in page


@pytest.mark.parametrize("field, value", [
    ("observed_on", "{tomorrow}"), ("observed_on", ""), ("kind", "pension"), ("kind", ""), ("note", "CPR 010190-1234"),
    ("id", "not-a-uuid"),
])
def test_a_refused_outcome_is_422_on_the_citizen_page_and_stores_nothing(web, world, db, field, value):
    cid = world["citizen"]
    value = value.format(tomorrow=(clock.today() + timedelta(days=1)).isoformat())
    data = dict({"kind": "job", "observed_on": clock.today().isoformat(), "note": "Fine"}, **{field: value})
    before = snapshot(db)
    response = send(web("worker"), f"/citizens/{cid}/outcomes", data)
    assert response.status_code == 422
    page = text(response)
    if field == "id":
        assert 'class="error"' in page
    else:
        assert f'id="outcome-{field}-error"' in page
    assert "<details open" in page
    after = snapshot(db)
    assert after["outcome"] == before["outcome"]


def test_another_teams_citizen_is_not_found_on_every_new_screen(web, world):
    cid = world["citizen_b"]
    lead = web("lead")
    for url in (f"/citizens/{cid}/edit", f"/citizens/{cid}/close"):
        assert lead.get(url).status_code == 404
    for url, data in ((f"/citizens/{cid}/edit", {"gender": "male", "goal": "job"}),
                      (f"/citizens/{cid}/close", {"reason": "moved", "closed_on": clock.today().isoformat()}),
                      (f"/citizens/{cid}/reopen", {}),
                      (f"/citizens/{cid}/outcomes", {"kind": "job", "observed_on": clock.today().isoformat()})):
        assert send(lead, url, data).status_code == 404


def test_a_recused_case_owner_cannot_see_edit_or_record_outcomes(web, world, db, auth):
    cid = world["citizen"]
    assert auth("worker").post(f"/api/v1/citizens/{cid}/recusals", json={"reason": "Neighbour"}).status_code == 201
    worker = web("worker")
    assert worker.get(f"/citizens/{cid}/edit").status_code == 404
    assert send(worker, f"/citizens/{cid}/edit", {"gender": "male", "goal": "job"}).status_code == 404
    assert send(worker, f"/citizens/{cid}/outcomes", {"kind": "job", "observed_on": clock.today().isoformat()}).status_code == 404
    assert list(db.query("SELECT id FROM outcome")) == []


def test_a_recused_lead_cannot_close(web, world, auth):
    cid = world["citizen"]
    assert auth("lead").post(f"/api/v1/citizens/{cid}/recusals", json={}).status_code == 201
    lead = web("lead")
    assert lead.get(f"/citizens/{cid}/close").status_code == 404
    assert send(lead, f"/citizens/{cid}/close", {"reason": "moved", "closed_on": clock.today().isoformat()}).status_code == 404


def test_the_lead_sees_the_recusal_history_with_who_declared_and_lifted_it(web, world, db, auth, app):
    cid = world["citizen"]
    assert auth("worker2").post(f"/api/v1/citizens/{cid}/recusals", json={"reason": "Cousin"}).status_code == 201
    lead_api = auth("lead")
    made = lead_api.post(f"/api/v1/citizens/{cid}/recusals", json={"user_id": world["worker"].id, "reason": "Neighbour"}).json
    lead_api.post("/api/v1/auth/confirm", json={"password": factories.PASSWORD})
    assert lead_api.post(f"/api/v1/citizens/{cid}/recusals/{made['id']}/lift", json={"reason": "Moved away"}).status_code == 200
    page = text(web("lead").get(f"/citizens/{cid}"))
    section = page[page.index('id="recusals"'):page.index('id="views-title"')]
    names = {u: world[u].display_name for u in ("worker", "worker2", "lead")}
    assert names["worker2"] in section and "Cousin" in section and "recused now" in section
    assert f"by {names['lead']}: Neighbour" in section
    assert f"by {names['lead']}: Moved away" in section and "lifted" in section
    assert section.count("/lift") == 1  # only the active recusal can be lifted
    assert 'id="recusals"' not in text(web("worker").get(f"/citizens/{cid}"))


def test_the_new_screens_render_in_every_language(web, world):
    cid = world["citizen"]
    for locale in ("da", "sv", "en"):
        lead = web("lead", locale)
        for url in ("/citizens/new", f"/citizens/{cid}/edit", f"/citizens/{cid}/close", f"/citizens/{cid}"):
            response = lead.get(url)
            assert response.status_code == 200
            assert f'<html lang="{locale}">' in text(response)


@pytest.mark.browser
def test_a_lead_creates_a_citizen_logs_a_meeting_records_an_outcome_and_closes_it_at_360_px(demo_server, phone):
    from .test_browser import log_in, no_overflow

    base, _ids = demo_server
    log_in(phone, base, "lea")
    phone.click("#new-citizen")
    phone.wait_for_selector("#citizen-form")
    no_overflow(phone)
    phone.fill("#case_ref", "SIL-0900")
    phone.fill("#birth_year", "1994")
    phone.click("label[for=gender-female]")
    phone.click("label[for=goal-education]")
    phone.click("#citizen-form button.primary")
    phone.wait_for_selector("h1:has-text('SIL-0900')")
    no_overflow(phone)
    phone.click("text=Registrér møde")
    phone.wait_for_selector("#meeting-form")
    phone.click("label[for=own_value-6]")
    phone.click("#save")
    phone.wait_for_selector("#result")
    phone.click("#outcomes summary")
    phone.click("label[for=outcome-education]")
    phone.fill("#outcome-note", "Optaget på SOSU-uddannelsen")
    phone.click("#outcome-form button[type=submit]")
    phone.wait_for_selector("#outcomes li")
    assert "Uddannelse" in phone.inner_text("#outcomes")
    no_overflow(phone)
    phone.click("#close-citizen")
    phone.wait_for_selector("#close-form")
    no_overflow(phone)
    phone.click("label[for=reason-goal_reached]")
    phone.click("#close-form button.primary")
    phone.wait_for_selector("#closed-note")
    assert "Kommet i job eller uddannelse" in phone.inner_text("#closed-note")
    assert phone.is_visible("#reopen-citizen")
    phone.goto(base + "/citizens?scope=team")
    assert "SIL-0900" not in phone.inner_text("main")
    assert phone.console_errors == []
