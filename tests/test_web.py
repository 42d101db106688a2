"""The server-rendered app: what a worker or lead sees and can do in a browser (without JS)."""
import re
import uuid

import pytest

from journal import audit, clock, exportjobs

from . import factories


def token(client, url="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def web_login(client, username, password=factories.PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token(client)})


@pytest.fixture
def browser_for(app, world):
    def make(name, locale="en"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
        with factories.known_password_hashes() as matched:  # the real form, minus scrypt
            assert web_login(client, world[name].username).status_code == 302
        assert matched
        return client

    return make


def text(response):
    return response.get_data(as_text=True)


def test_login_page_and_wrong_password(client, world):
    assert "<form" in text(client.get("/login"))
    response = web_login(client, "worker", "wrong-password-1")
    assert response.status_code == 401
    assert "Wrong username or password" in text(response) or "Forkert" in text(response)


def test_locked_login_says_how_long_to_wait(client, world):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(5):
        web_login(client, "worker", "wrong-password-1")
    response = web_login(client, "worker")
    assert response.status_code == 429
    assert re.search(r"Try again in \d+ seconds?", text(response))


def test_pages_need_login_and_come_back_after_it(client, world):
    response = client.get(f"/citizens/{world['citizen']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    after = web_login(client, "worker", next_url=f"/citizens/{world['citizen']}")
    assert after.headers["Location"] == f"/citizens/{world['citizen']}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_redirects_off_site(client, world, target):
    response = web_login(client, "worker", next_url=target)
    assert response.headers["Location"] == "/"


def test_my_citizens_shows_different_expectations_first_and_hides_recusals(browser_for, world, db):
    team, me = world["team_a"], world["worker"].id
    calm = factories.make_citizen(db, team, "A-CALM", me)
    big = factories.make_citizen(db, team, "A-BIG", me, display_name="Birgit Big")
    hidden = factories.make_citizen(db, team, "A-HIDDEN", me)
    factories.make_expectation(db, big, me, "worker", 9)
    factories.make_expectation(db, big, me, "doctor", 2)
    factories.make_expectation(db, calm, me, "worker", 6)
    factories.recuse(db, hidden, me)
    page = text(browser_for("worker").get("/citizens"))
    assert page.index("A-BIG") < page.index("A-CALM")
    assert "Different expectations" in page and "Clash" not in page
    assert "A-HIDDEN" not in page
    found = text(browser_for("worker").get("/citizens?q=birgit"))
    assert "A-BIG" in found and "A-CALM" not in found


def test_citizen_page_shows_views_gaps_band_words_and_is_audited(browser_for, world, db):
    cid, me = world["citizen"], world["worker"].id
    factories.make_expectation(db, cid, me, "worker", 7)
    factories.make_expectation(db, cid, me, "doctor", 2, source_label="egen læge")
    page = text(browser_for("worker").get(f"/citizens/{cid}"))
    assert "Doctor (egen læge)" in page
    assert "expects 5 less" in page and "you expect" not in page
    assert "unlikely" in page and "likely" in page
    assert "<svg" in page and "chart-band" in page
    assert "Doctor (egen læge) 2 vs you 7" in page  # the prompt, in plain words: it is my view
    assert audit.events(db, action="citizen.view", object_id=cid)[0]["detail"] == {"what": "page"}


def test_recused_and_other_team_citizens_are_not_found_pages(browser_for, world, db):
    factories.recuse(db, world["citizen"], world["worker2"].id)
    client = browser_for("worker2")
    for url in (f"/citizens/{world['citizen']}", f"/citizens/{world['citizen']}/meetings/new",
                f"/citizens/{world['citizen_b']}", f"/citizens/{world['citizen']}/recusal"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'class="top"' in text(response)  # the error page in the app's own look


def meeting_form(cid, **fields):
    body = {
        "id": str(uuid.uuid4()),
        "own_id": str(uuid.uuid4()),
        "held_on": clock.today().isoformat(),
        "mode": "home_visit",
        "participants": ["citizen", "doctor"],
        "own_value": "7",
        "own_confidence": "high",
        "c0_id": str(uuid.uuid4()),
        "c0_source": "citizen",
        "c0_value": "6",
        "c0_confidence": "medium",
        "c1_id": str(uuid.uuid4()),
        "c1_source": "doctor",
        "c1_label": "egen læge",
        "c1_value": "2",
        "c1_confidence": "low",
        "c2_id": str(uuid.uuid4()),
        "note": "Vil gerne i praktik.",
        "reflection_different": "Ringe til lægen sammen med borgeren.",
    }
    body.update(fields)
    return body


def test_logging_a_meeting_shows_the_clash_result(browser_for, world, db):
    client = browser_for("worker")
    cid = world["citizen"]
    form = meeting_form(cid, csrf_token=token(client, f"/citizens/{cid}/meetings/new"))
    response = client.post(f"/citizens/{cid}/meetings/new", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/citizens/{cid}?saved={form['id']}#result"
    result = text(client.get(response.headers["Location"]))
    assert "Meeting saved" in result and "Sent to the sparring queue." in result
    assert "Doctor (egen læge) 2 vs you 7" in result
    assert "the largest gap is 5 points" in result
    stored = db.execute("SELECT mode, reflection_different FROM meeting WHERE id = ?", [form["id"]]).fetchone()
    assert stored == ("home_visit", "Ringe til lægen sammen med borgeren.")
    rows = db.execute("SELECT source, value, source_label FROM expectation ORDER BY rowid").fetchall()
    assert rows == [("worker", 7, None), ("citizen", 6, None), ("doctor", 2, "egen læge")]
    # pressing save twice (same ids) stores nothing more
    again = client.post(f"/citizens/{cid}/meetings/new", data=form)
    assert again.status_code == 302
    assert db.table("meeting").count == 1 and db.table("expectation").count == 3


def test_a_meeting_needs_the_workers_own_rating(browser_for, world, db):
    client = browser_for("worker")
    cid = world["citizen"]
    form = meeting_form(cid, own_value="", csrf_token=token(client, f"/citizens/{cid}/meetings/new"))
    response = client.post(f"/citizens/{cid}/meetings/new", data=form)
    assert response.status_code == 422
    assert "Rate the citizen&#39;s chance yourself first." in text(response) or "Rate the citizen's chance yourself first." in text(response)
    assert db.table("meeting").count == 0
    # what was typed is kept
    assert 'value="egen læge"' in text(response)


def test_bad_values_are_shown_next_to_their_fields(browser_for, world, db):
    client = browser_for("worker")
    cid = world["citizen"]
    form = meeting_form(cid, c1_value="11", c1_source="boss", held_on="2999-01-01",
                        csrf_token=token(client, f"/citizens/{cid}/meetings/new"))
    response = client.post(f"/citizens/{cid}/meetings/new", data=form)
    assert response.status_code == 422
    page = text(response)
    assert "Must be between 0 and 10." in page
    assert "Must be one of:" in page
    assert "Must not be in the future." in page
    assert db.table("meeting").count == 0


def test_note_with_deficit_words_shows_the_mirror_question_but_saves(browser_for, world, db):
    client = browser_for("worker")
    cid = world["citizen"]
    form = meeting_form(cid, note="Hun virker helt umotiveret.", csrf_token=token(client, f"/citizens/{cid}/meetings/new"))
    response = client.post(f"/citizens/{cid}/meetings/new", data=form)
    assert response.status_code == 302
    page = text(client.get(f"/citizens/{cid}"))
    assert "What would the citizen say about this?" in page
    assert "umotiveret" in page


def test_declaring_recusal_after_confirmation(browser_for, world, db):
    client = browser_for("worker")
    cid = world["citizen"]
    confirm = text(client.get(f"/citizens/{cid}/recusal"))
    assert "recuse me" in confirm
    response = client.post(f"/citizens/{cid}/recusal", data={"reason": "Nabo", "csrf_token": token(client, f"/citizens/{cid}/recusal")})
    assert response.status_code == 302 and response.headers["Location"] == "/citizens"
    assert client.get(f"/citizens/{cid}").status_code == 404
    assert "A-1" not in text(client.get("/citizens"))


def test_requesting_sparring_from_the_citizen_page(browser_for, world, db):
    client = browser_for("worker")
    cid = world["citizen"]
    response = client.post(
        f"/citizens/{cid}/sparring",
        data={"question": "Hvordan taler vi med lægen?", "csrf_token": token(client, f"/citizens/{cid}")},
    )
    assert response.status_code == 302
    stored = db.execute("SELECT reason, detail, status, requested_by FROM sparring_request").fetchall()
    assert stored == [("manual", "Hvordan taler vi med lægen?", "open", world["worker"].id)]
    assert "Hvordan taler vi med lægen?" in text(client.get(f"/citizens/{cid}"))


def test_team_overview_is_for_leads_sorted_by_gap_with_source_filter(browser_for, world, db):
    team, me = world["team_a"], world["worker"].id
    for ref, source, theirs, mine in (("T-PARENT", "parent", 9, 2), ("T-DOCTOR", "doctor", 2, 8)):
        cid = factories.make_citizen(db, team, ref)
        factories.make_expectation(db, cid, me, "worker", mine)
        factories.make_expectation(db, cid, me, source, theirs)
    assert browser_for("worker").get("/team").status_code == 403
    lead = browser_for("lead")
    page = text(lead.get("/team"))
    assert page.index("T-PARENT") < page.index("T-DOCTOR")
    assert "-7" in page and "+6" in page
    assert "chart-weekly" in page
    doctors = text(lead.get("/team?source=doctor"))
    assert "T-DOCTOR" in doctors and "T-PARENT" not in doctors


def test_language_choice_is_stored_on_the_user(browser_for, world, db):
    client = browser_for("worker", locale="en")
    response = client.post("/language", data={"locale": "sv", "next": "/citizens", "csrf_token": token(client, "/citizens")})
    assert response.headers["Location"] == "/citizens"
    assert db.execute("SELECT locale FROM user WHERE id = ?", [world["worker"].id]).fetchone()[0] == "sv"
    assert 'lang="sv"' in text(client.get("/citizens"))


PAGES = [
    ("worker", "/citizens"),
    ("worker", "/citizens/{citizen}"),
    ("worker", "/citizens/{citizen}/meetings/new"),
    ("worker", "/citizens/{citizen}/recusal"),
    ("lead", "/team"),
    ("researcher", "/research"),
    ("researcher", "/research/about"),
    ("admin", "/admin/studies"),
    ("worker", "/sparring"),
    ("worker", "/actions"),
    ("lead", "/actions"),
    ("worker", "/citizens/999999"),  # the 404 page
    ("worker", "/team"),  # the 403 page
]


@pytest.mark.parametrize("locale", ["da", "sv", "en"])
@pytest.mark.parametrize("who, url", PAGES)
def test_every_page_renders_in_every_language(browser_for, world, db, locale, who, url):
    cid = world["citizen"]
    factories.make_expectation(db, cid, world["worker"].id, "worker", 7)
    factories.make_expectation(db, cid, world["worker"].id, "doctor", 2)
    response = browser_for(who, locale=locale).get(url.format(citizen=cid))
    assert response.status_code in (200, 403, 404)
    page = text(response)
    assert f'<html lang="{locale}">' in page
    if locale != "en":
        # the navigation is translated, not left in English
        for english in (">Log out<", ">My citizens<", ">Research exports<", ">Studies<", ">Actions<"):
            assert english not in page


def test_500_page_is_in_the_same_look_and_language(app, browser_for, world):
    def boom():
        raise RuntimeError("boom")

    from journal.access import allow

    app.add_url_rule("/boom", "boom", allow("worker")(boom))
    response = browser_for("worker", locale="en").get("/boom")
    assert response.status_code == 500
    assert "Nothing was saved." in text(response) and 'class="top"' in text(response)


def test_admin_enrols_teams_and_the_researcher_exports_from_the_page(app, browser_for, world, db):
    admin = browser_for("admin")
    response = admin.post(
        "/admin/studies",
        data={"name": "Pilot", "teams": ["Team A"], "researchers": ["researcher"], "min_k": "2", "csrf_token": token(admin, "/admin/studies")},
    )
    assert response.status_code == 302
    assert "Pilot" in text(admin.get("/admin/studies"))
    researcher = browser_for("researcher")
    page = text(researcher.get("/research"))
    assert "Pilot" in page
    too_small = researcher.post("/research/exports", data={"study": "Pilot", "k": "1", "csrf_token": token(researcher, "/research")})
    assert too_small.status_code == 422 and 'class="field-error"' in text(too_small)
    response = researcher.post("/research/exports", data={"study": "Pilot", "k": "2", "csrf_token": token(researcher, "/research")})
    assert response.status_code == 302 and response.headers["Location"] == "/research"
    assert "Export started" in text(researcher.get("/research"))
    assert exportjobs.runner(app).wait(60)  # the export is written in the background
    listing = text(researcher.get("/research"))
    link = re.search(r'href="(/api/v1/exports/[0-9a-f-]+)"', listing).group(1)
    download = researcher.get(link)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    download.close()
    assert researcher.get(f"/citizens/{world['citizen']}").status_code == 403
    assert [e["action"] for e in audit.events(db, user_id=world["researcher"].id)][:2] == ["export.download", "export.create"]


def test_actions_show_on_my_list_and_the_citizen_page_and_can_be_marked_done(browser_for, world, db):
    from datetime import timedelta

    cid = world["citizen"]
    overdue = (clock.today() - timedelta(days=2)).isoformat()
    with db.conn:
        db.execute(
            "INSERT INTO action (citizen_id, text, owner_id, due_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [cid, "Ring til lægen", world["worker"].id, overdue, world["lead"].id, clock.timestamp()],
        )
    client = browser_for("worker")
    mine = text(client.get("/actions"))
    assert "Ring til lægen" in mine and "Overdue" in mine
    page = text(client.get(f"/citizens/{cid}"))
    assert "Ring til lægen" in page and "Overdue" in page
    action_id = db.execute("SELECT id FROM action").fetchone()[0]
    response = client.post(
        f"/actions/{action_id}/done",
        data={"done": "1", "next": f"/citizens/{cid}#actions", "csrf_token": token(client, f"/citizens/{cid}")},
    )
    assert response.headers["Location"] == f"/citizens/{cid}#actions"
    assert db.execute("SELECT done_on FROM action").fetchone()[0] == clock.today().isoformat()
    assert "Ring til lægen" not in text(client.get("/actions"))
    assert "Done" in text(client.get(f"/citizens/{cid}"))
