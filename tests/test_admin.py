"""Admin screens (issue 12 point 1): users, teams, the audit log; a lead's team settings.

Through the web test client, as a browser without JavaScript would use them."""
import csv
import io
import json

import pytest

from journal import audit

from . import factories
from .test_web import browser_for, text, token, web_login  # noqa: F401  (browser_for is a fixture)

NEW_PASSWORD = "tulip-orbit-harbour"


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": token(client, page or url)})


def events(db, action):
    return audit.events(db, action=action)


def user_row(db, username):
    return db.execute("SELECT id, role, team_id, active FROM user WHERE username = ?", [username]).fetchone()


def new_user(world, **overrides):
    body = {"username": "nina", "display_name": "Nina Nielsen", "role": "worker",
            "team_id": str(world["team_a"]), "locale": "da", "password": NEW_PASSWORD}
    body.update(overrides)
    return body


def test_the_admin_creates_a_user_who_can_then_log_in(app, browser_for, world, db):
    admin = browser_for("admin")
    response = post(admin, "/admin/users/new", new_user(world))
    assert response.status_code == 302
    user_id, role, team_id, active = user_row(db, "nina")
    assert response.headers["Location"] == f"/admin/users/{user_id}"
    assert (role, team_id, active) == ("worker", world["team_a"], 1)
    assert "nina" in text(admin.get("/admin/users"))
    [event] = events(db, "user.create")
    assert event["user_id"] == world["admin"].id and event["object_id"] == str(user_id)
    assert NEW_PASSWORD not in json.dumps(event)
    assert web_login(app.test_client(), "nina", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("field, value, message", [
    ("username", "Nina B", "lowercase"),
    ("display_name", "", "blank"),
    ("password", "short", "Between 10"),
    ("role", "boss", "Must be one of"),
    ("team_id", "", "belong to a team"),
    ("username", "worker", "taken"),
])
def test_bad_input_is_422_with_the_message_next_to_the_field_and_nothing_stored(browser_for, world, db, field, value, message):
    admin = browser_for("admin")
    before = db.execute("SELECT count(*) FROM user").fetchone()[0]
    response = post(admin, "/admin/users/new", new_user(world, **{field: value}))
    assert response.status_code in (409, 422)
    assert response.status_code == (409 if message == "taken" else 422)
    page = text(response)
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error">')[1].split("<")[0]
    assert message in error
    assert db.execute("SELECT count(*) FROM user").fetchone()[0] == before
    assert events(db, "user.create") == []


def test_deactivation_ends_the_users_session_and_reactivation_lets_them_in(app, browser_for, world, db):
    worker = browser_for("worker")
    assert worker.get("/citizens").status_code == 200
    saved = worker.get_cookie("journal_session").value
    admin = browser_for("admin")
    url = f"/admin/users/{world['worker'].id}"
    assert post(admin, url + "/deactivate", {}, url).status_code == 302
    assert user_row(db, "worker")[3] == 0
    thief = app.test_client()
    thief.set_cookie("journal_session", saved)
    assert thief.get("/citizens").status_code == 302  # to the login
    assert worker.get("/citizens").status_code == 302
    with factories.known_password_hashes():
        assert web_login(app.test_client(), "worker").status_code != 302
    assert len(events(db, "user.deactivate")) == 1
    assert "Deactivated" in text(admin.get("/admin/users"))

    assert post(admin, url + "/reactivate", {}, url).status_code == 302
    assert user_row(db, "worker")[3] == 1
    assert len(events(db, "user.reactivate")) == 1
    with factories.known_password_hashes():
        assert web_login(app.test_client(), "worker").status_code == 302


def test_an_admin_cannot_deactivate_themselves_nor_demote_the_last_admin(browser_for, world, db):
    admin = browser_for("admin")
    url = f"/admin/users/{world['admin'].id}"
    response = post(admin, url + "/deactivate", {}, url)
    assert response.status_code == 409
    assert "your own user" in text(response)
    response = post(admin, url + "/role", {"role": "researcher"}, url)
    assert response.status_code == 409
    assert user_row(db, "admin")[1:] == ("admin", None, 1)

    second = factories.make_user(db, "admin", None, "second")
    assert post(admin, f"/admin/users/{second.id}/deactivate", {}, url).status_code == 302
    # now "admin" is the last active admin: another admin may not demote them either
    from journal import users
    with pytest.raises(Exception) as refused:
        users.change_role(db, second.id, world["admin"].id, "worker", world["team_a"])
    assert getattr(refused.value, "code", None) == "last_admin"


def test_the_admin_resets_a_password_which_ends_the_users_sessions(app, browser_for, world, db):
    worker = browser_for("worker")
    admin = browser_for("admin")
    url = f"/admin/users/{world['worker'].id}"
    short = post(admin, url + "/password", {"password": "short"}, url)
    assert short.status_code == 422
    assert 'id="password-error"' in text(short)
    assert post(admin, url + "/password", {"password": NEW_PASSWORD}, url).status_code == 302
    assert worker.get("/citizens").status_code == 302
    [event] = events(db, "user.password_reset")
    assert event["object_id"] == str(world["worker"].id) and NEW_PASSWORD not in json.dumps(event)
    assert web_login(app.test_client(), "worker", NEW_PASSWORD).status_code == 302


def test_the_admin_changes_role_and_team(browser_for, world, db):
    admin = browser_for("admin")
    url = f"/admin/users/{world['worker'].id}"
    assert post(admin, url + "/role", {"role": "lead", "team_id": str(world["team_b"])}, url).status_code == 302
    assert user_row(db, "worker")[1:3] == ("lead", world["team_b"])
    [event] = events(db, "user.role")
    assert event["detail"] == {"role": ["worker", "lead"], "team_id": [world["team_a"], world["team_b"]]}
    refused = post(admin, url + "/role", {"role": "worker", "team_id": ""}, url)
    assert refused.status_code == 422 and 'id="team_id-error"' in text(refused)


def test_changes_to_users_need_a_fresh_password(app, browser_for, world, db, frozen):  # noqa: F811
    admin = browser_for("admin")
    url = f"/admin/users/{world['worker'].id}"
    csrf = token(admin, url)
    assert admin.get("/admin/users").status_code == 200  # the list needs no fresh password
    frozen.move(minutes=app.config["FRESH_LOGIN_MINUTES"] + 1)
    for target in (url, "/admin/users/new"):
        response = admin.get(target)
        assert response.status_code == 302 and response.headers["Location"] == f"/confirm-password?next={target}"
    response = admin.post(url + "/deactivate", data={"csrf_token": csrf})
    assert response.headers["Location"] == f"/confirm-password?next={url}/deactivate"
    assert user_row(db, "worker")[3] == 1
    with factories.known_password_hashes():
        confirmed = admin.post(response.headers["Location"], data={"password": factories.PASSWORD, "csrf_token": csrf})
    assert confirmed.headers["Location"] == f"{url}/deactivate"
    assert admin.get(confirmed.headers["Location"]).headers["Location"] == url  # back to the user's page
    assert post(admin, url + "/deactivate", {}, url).status_code == 302
    assert user_row(db, "worker")[3] == 0


ADMIN_ROUTES = [
    ("get", "/admin/users"), ("get", "/admin/users/new"), ("post", "/admin/users/new"),
    ("get", "/admin/users/{worker}"), ("post", "/admin/users/{worker}/role"), ("post", "/admin/users/{worker}/password"),
    ("post", "/admin/users/{worker}/deactivate"), ("post", "/admin/users/{worker}/reactivate"),
    ("get", "/admin/teams"), ("post", "/admin/teams"), ("get", "/admin/teams/{team_a}"), ("post", "/admin/teams/{team_a}"),
    ("get", "/admin/audit"), ("get", "/admin/audit.csv"),
]


@pytest.mark.parametrize("role", ["worker", "lead", "researcher"])
def test_non_admins_get_403_on_every_admin_route(browser_for, world, db, role):
    client = browser_for(role)
    csrf = token(client, "/login")
    for method, url in ADMIN_ROUTES:
        url = url.format(worker=world["worker"].id, team_a=world["team_a"])
        response = getattr(client, method)(url, data={"csrf_token": csrf} if method == "post" else None)
        assert response.status_code == 403, (method, url)
    assert user_row(db, "worker")[3] == 1


def test_a_lead_edits_their_own_team_settings_and_no_other_team(browser_for, world, db):
    lead = browser_for("lead")
    page = text(lead.get("/team/settings"))
    assert "Team A" in page and 'href="/team/settings"' in page
    form = {"gap_threshold": "3", "drop_threshold": "2", "stale_low_days": "60", "locale": "sv", "phase_reflections": "8"}
    assert post(lead, "/team/settings", form).status_code == 302
    team = db.execute("SELECT gap_threshold, drop_threshold, stale_low_days, locale, phase_minutes FROM team WHERE id = ?", [world["team_a"]]).fetchone()
    assert team[:4] == (3, 2, 60, "sv")
    assert json.loads(team[4])["reflections"] == 8
    [event] = events(db, "team.update")
    assert event["object_id"] == str(world["team_a"])
    bad = post(lead, "/team/settings", {**form, "gap_threshold": "11", "phase_reveal": "0"})
    assert bad.status_code == 422
    assert 'id="gap_threshold-error"' in text(bad) and 'id="phase_reveal-error"' in text(bad)
    assert lead.get(f"/admin/teams/{world['team_b']}").status_code == 403
    assert browser_for("worker").get("/team/settings").status_code == 403


def test_the_admin_creates_a_team_and_edits_any_teams_settings(browser_for, world, db):
    admin = browser_for("admin")
    assert post(admin, "/admin/teams", {"name": "Team C", "municipality": "Aarhus", "locale": "da"}).status_code == 302
    assert "Team C" in text(admin.get("/admin/teams"))
    assert len(events(db, "team.create")) == 1
    taken = post(admin, "/admin/teams", {"name": "Team C", "municipality": "Aarhus", "locale": "da"})
    assert taken.status_code == 409 and 'id="name-error"' in text(taken)
    url = f"/admin/teams/{world['team_b']}"
    assert post(admin, url, {"gap_threshold": "5", "drop_threshold": "3", "stale_low_days": "90", "locale": "sv"}).status_code == 302
    assert db.execute("SELECT gap_threshold FROM team WHERE id = ?", [world["team_b"]]).fetchone()[0] == 5


@pytest.fixture
def logged(world, db, auth):
    """Some events: the worker reads citizen A-1, the lead reads it too, the other worker B-1."""
    auth("worker").get(f"/api/v1/citizens/{world['citizen']}")
    auth("lead").get(f"/api/v1/citizens/{world['citizen']}")
    auth("other").get(f"/api/v1/citizens/{world['citizen_b']}")


def test_the_audit_log_filters_by_who_what_citizen_and_date(browser_for, world, db, logged):
    admin = browser_for("admin")
    page = text(admin.get("/admin/audit?username=worker&action=citizen"))
    assert "citizen.view" in page and "login" not in page.split('id="audit-table"')[1].split("citizen.view")[0].replace("login.", "")
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 1 and f"citizen {world['citizen']}" in rows
    by_ref = text(admin.get(f"/admin/audit?case_ref=A-1&team_id={world['team_a']}&action=citizen.view"))
    assert by_ref.split("<tbody>")[1].count("<tr>") == 2
    assert text(admin.get(f"/admin/audit?citizen_id={world['citizen_b']}")).split("<tbody>")[1].count("<tr>") == 1
    assert text(admin.get("/admin/audit?username=nobody")).split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 0
    assert text(admin.get("/admin/audit?date_to=2001-01-01")).split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 0
    bad = admin.get("/admin/audit?case_ref=A-1&date_from=2026-02-01&date_to=2026-01-01")
    assert bad.status_code == 422
    assert 'id="f-team_id-error"' in text(bad)


def test_the_audit_log_is_paginated_newest_first(browser_for, world, db):
    from journal.db import transaction
    with transaction(db):
        for n in range(60):
            audit.record(db, world["worker"].id, "test.event", "user", n)
    admin = browser_for("admin")
    first = text(admin.get("/admin/audit?action=test.event"))
    assert "user 59" in first and "user 9<" not in first
    second = text(admin.get("/admin/audit?action=test.event&page=2"))
    assert "user 9<" in second and "user 59" not in second
    assert 'href="/admin/audit?page=2&amp;action=test.event"' in first or "page=2" in first


def test_the_audit_csv_holds_the_filtered_events_and_is_audited(browser_for, world, db, logged):
    admin = browser_for("admin")
    response = admin.get(f"/admin/audit.csv?action=citizen.view&case_ref=A-1&team_id={world['team_a']}")
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert len(rows) == 2
    assert {r["action"] for r in rows} == {"citizen.view"} and {r["object_id"] for r in rows} == {str(world["citizen"])}
    assert rows[0]["id"] > rows[1]["id"] or int(rows[0]["id"]) > int(rows[1]["id"])
    [event] = events(db, "audit.export")
    assert event["user_id"] == world["admin"].id
    assert event["detail"] == {"action": "citizen.view", "citizen_id": world["citizen"]}
    assert "A-1" not in json.dumps(event)


def test_an_admin_never_sees_case_content(browser_for, world, db, auth):
    marker = "PLANTED-NOTE-MARKER"
    body = factories.meeting_body(note=f"Talked about {marker}")
    assert auth("worker").post(f"/api/v1/citizens/{world['citizen']}/meetings", json=body).status_code == 201
    admin = browser_for("admin")
    pages = ["/admin/users", "/admin/users/new", f"/admin/users/{world['worker'].id}", "/admin/teams",
             f"/admin/teams/{world['team_a']}", "/admin/audit", f"/admin/audit?citizen_id={world['citizen']}",
             "/admin/studies"]
    for url in pages:
        page = text(admin.get(url))
        for secret in (marker, "Anna Andersen", "A-1"):
            assert secret not in page, (url, secret)
    assert marker not in text(admin.get("/admin/audit.csv"))
    assert admin.get(f"/citizens/{world['citizen']}").status_code == 403


@pytest.mark.parametrize("locale", ["da", "sv", "en"])
def test_every_admin_page_renders_in_every_language(browser_for, world, locale):
    admin = browser_for("admin", locale=locale)
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{world['worker'].id}", "/admin/teams",
                f"/admin/teams/{world['team_a']}", "/admin/audit"):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{locale}">' in text(response)
    lead = browser_for("lead", locale=locale)
    assert lead.get("/team/settings").status_code == 200
