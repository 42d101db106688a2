"""Bad input through every web form: the same answer as the API, never a 5xx, nothing stored.

The web forms load through the same marshmallow schemas as the JSON API (journal/web/forms.py).
This posts the bad values of the API's table (tests/test_bad_input.py: national ID numbers in
every spelling, control characters, oversized text, malformed dates and numbers, ids that are
not integers or UUIDs) into every field of every form, each on top of an otherwise valid
form, and checks that the answer is a 4xx (or the form again), that nothing was stored, and
that the first field's message is the schema's own, shown next to the field.
"""
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from journal import clock

from . import factories
from .test_bad_input import MALFORMED_DATES, NATIONAL_IDS, counts, snapshot
from .test_web import token, web_login

HUGE = str(10**20)
BAD_TEXT = [value for _label, value in NATIONAL_IDS] + ["A\x00B", "A\x1bB", "x" * 10_001]
BAD_INT = ["abc", "1.5", "7e3", HUGE, "-", "０", "²"]
BAD_SCALE = BAD_INT + ["11", "-1"]
BAD_UUID = ["not-a-uuid", "42", "x" * 40]
# "{tomorrow}" is filled in when the test runs: a date computed at import would be today's by
# the time a run crosses midnight (in Copenhagen, where the journal's "today" is).
BAD_DATE = [value for _label, value in MALFORMED_DATES if isinstance(value, str)] + ["{tomorrow}", "1999-12-31"]
BAD_BOOL = ["maybe", "2", "yes please"]


@dataclass
class Form:
    role: str
    url: str
    valid: dict  # a valid form (placeholders {name} filled from the world)
    bad: dict  # field → bad values
    lists: tuple = ()  # fields sent as repeated values
    data: dict = field(default_factory=dict)


def u():
    return str(uuid.uuid4())


def meeting_form():
    return {
        "id": u(), "held_on": clock.today().isoformat(), "mode": "in_person", "participants": ["citizen", "doctor"],
        "own_id": u(), "own_value": "7", "own_confidence": "medium", "own_basis": "Good talk",
        "c0_id": u(), "c0_source": "doctor", "c0_label": "egen læge", "c0_value": "3", "c0_confidence": "low",
        "note": "Talked about the internship.",
    }


FORMS = {
    "login": Form("anon", "/login", {"username": "{worker_name}", "password": factories.PASSWORD},
                  {"username": BAD_TEXT, "password": ["", "x" * 300]}),
    "language": Form("worker", "/language", {"locale": "sv", "next": "/citizens"}, {"locale": ["de", "", "da\x00"]}),
    "meeting": Form("worker", "/citizens/{citizen}/meetings/new", meeting_form(), {
        "id": BAD_UUID, "held_on": BAD_DATE, "mode": ["teleport", ""], "participants": ["boss"],
        "own_id": BAD_UUID, "own_value": BAD_SCALE, "own_confidence": ["sure"], "own_basis": BAD_TEXT,
        "c0_source": ["boss"], "c0_label": BAD_TEXT, "c0_value": BAD_SCALE, "c0_id": BAD_UUID,
        "note": BAD_TEXT, "reflection_usual": BAD_TEXT, "citizen_explanation": BAD_TEXT,
    }, lists=("participants",)),
    "recusal": Form("worker", "/citizens/{citizen}/recusal", {"reason": "Neighbour"}, {"reason": BAD_TEXT}),
    "sparring_question": Form("worker", "/citizens/{citizen}/sparring", {"question": "Stuck"},
                              {"question": BAD_TEXT + ["", "   "]}),
    "start_session": Form("lead", "/sparring/sessions",
                          {"participant_ids": ["{worker_id}"], "request_ids": ["{request}"], "title": "Tuesday"},
                          {"participant_ids": BAD_INT + ["{other_id}"], "request_ids": BAD_INT + ["999999"], "title": BAD_TEXT},
                          lists=("participant_ids", "request_ids")),
    "dismiss": Form("lead", "/sparring/requests/{request}/dismiss", {"reason": "Handled at the team meeting"},
                    {"reason": BAD_TEXT + [""]}),
    "advance": Form("lead", "/sparring/sessions/{session}/advance", {"case_id": "{case}"},
                    {"case_id": BAD_INT + ["", "999999"]}),
    "rate": Form("worker", "/sparring/sessions/{rating_session}/rate", {"case_id": "{rating_case}", "value": "6"},
                 {"case_id": BAD_INT + ["", "999999"], "value": BAD_SCALE + [""]}),
    "notes": Form("lead", "/sparring/sessions/{session}/notes", {"case_id": "{case}", "present": "Short note"},
                  {"case_id": BAD_INT + [""], "present": BAD_TEXT, "usual": BAD_TEXT}),
    "revision": Form("worker", "/sparring/sessions/{late_session}/cases/{late_case}/revision",
                     {"id": u(), "value-{late_case}": "6", "confidence": "medium"},
                     {"id": BAD_UUID + [""], "value-{late_case}": BAD_SCALE + [""], "confidence": ["sure"], "basis": BAD_TEXT}),
    "action": Form("lead", "/sparring/sessions/{late_session}/cases/{late_case}/actions",
                   {"text": "Call the GP", "owner_id": "{worker_id}", "due_on": clock.today().isoformat()},
                   {"text": BAD_TEXT + [""], "owner_id": BAD_INT + ["{other_id}", ""], "due_on": ["2026-13-01", "soon"]}),
    "action_done": Form("worker", "/actions/{action}/done", {"done": "1", "next": "/actions"},
                        {"done": BAD_BOOL, "next": ["x" * 3000]}),
    "export": Form("researcher", "/research/exports", {"study": "Troen", "k": "5"},
                   {"study": BAD_TEXT + ["", "No such study"], "k": BAD_INT + ["1", "51"], "free_text": BAD_BOOL}),
    "new_citizen": Form("worker", "/citizens/new",
                        {"case_ref": "N-1", "display_name": "Nina", "birth_year": "1990", "gender": "female", "goal": "job"},
                        {"case_ref": BAD_TEXT + [""], "display_name": BAD_TEXT, "birth_year": BAD_INT + ["1899", "3000"],
                         "gender": ["robot"], "goal": ["pension", ""]}),  # a blank gender is "not stated"
    "edit_citizen": Form("worker", "/citizens/{citizen}/edit",
                         {"display_name": "Anna A.", "birth_year": "1991", "gender": "female", "goal": "education"},
                         {"display_name": BAD_TEXT, "birth_year": BAD_INT + ["1899", "3000"], "gender": ["robot", ""],
                          "goal": ["pension", ""]}),
    "close_citizen": Form("lead", "/citizens/{citizen}/close", {"reason": "moved", "closed_on": clock.today().isoformat()},
                          {"reason": ["bored", ""], "closed_on": BAD_DATE + [""]}),
    "outcome": Form("worker", "/citizens/{citizen}/outcomes",
                    {"id": u(), "kind": "job", "observed_on": clock.today().isoformat(), "note": "Started Monday"},
                    {"id": BAD_UUID, "kind": ["pension", ""], "observed_on": BAD_DATE + [""], "note": BAD_TEXT}),
    "study": Form("admin", "/admin/studies", {"name": "Troen 2", "teams": ["Team A"], "researchers": ["{researcher_name}"]},
                  {"name": BAD_TEXT + [""], "teams": ["No such team", "x" * 200], "researchers": ["nobody", "{worker_name}"]},
                  lists=("teams", "researchers")),
    "user_new": Form("admin", "/admin/users/new",
                     {"username": "nina", "display_name": "Nina", "role": "worker", "team_id": "{team_a}", "locale": "da",
                      "password": "tulip-orbit-harbour"},
                     {"username": BAD_TEXT + ["", "Nina B", "{worker_name}"], "display_name": BAD_TEXT + [""],
                      "role": ["boss", ""], "team_id": BAD_INT + ["", "999999"], "locale": ["xx"],
                      "password": ["short", "", "x" * 300]}),
    "user_role": Form("admin", "/admin/users/{worker_id}/role", {"role": "lead", "team_id": "{team_a}"},
                      {"role": ["boss", ""], "team_id": BAD_INT + ["", "999999"]}),
    "user_password": Form("admin", "/admin/users/{worker_id}/password", {"password": "tulip-orbit-harbour"},
                          {"password": ["short", "", "x" * 300]}),
    "team_new": Form("admin", "/admin/teams", {"name": "Team Z", "municipality": "Aarhus", "locale": "da"},
                     {"name": BAD_TEXT + ["", "Team A"], "municipality": BAD_TEXT + [""], "locale": ["xx", ""]}),
    "team_settings": Form("lead", "/team/settings",
                          {"gap_threshold": "4", "drop_threshold": "3", "stale_low_days": "90", "locale": "da", "phase_reveal": "3"},
                          {"gap_threshold": BAD_INT + ["0", "11"], "drop_threshold": BAD_INT + ["0"],
                           "stale_low_days": BAD_INT + ["0"], "locale": ["xx"], "phase_reveal": BAD_INT + ["0", "61"]}),
}


@pytest.fixture
def place(app, world, db, auth):
    """A team with a gap request, three sessions (case in present, blind rating, response),
    an action, and a study: ids for every form's url and fields."""
    worker, lead = auth("worker"), auth("lead")

    def gap_request(ref):
        cid = factories.make_citizen(db, world["team_a"], ref, world["worker"].id)
        body = factories.meeting_body()
        assert worker.post(f"/api/v1/citizens/{cid}/meetings", json=body).status_code == 201
        rows = db.execute("SELECT id FROM sparring_request WHERE citizen_id = ? AND status = 'open'", [cid]).fetchall()
        return rows[0][0]

    def session(ref, advances):
        request_id = gap_request(ref)
        made = lead.post("/api/v1/sparring/sessions", json={"participant_ids": [world["worker"].id], "request_ids": [request_id]}).json
        for _ in range(advances):
            assert lead.patch(f"/api/v1/sparring/sessions/{made['id']}", json={"case_id": made["cases"][0]["id"], "advance": True}).status_code == 200
        return made["id"], made["cases"][0]["id"]

    ids = {"citizen": world["citizen"], "request": gap_request("Q-1"), "worker_id": world["worker"].id,
           "tomorrow": (clock.today() + timedelta(days=1)).isoformat(),
           "other_id": world["other"].id, "worker_name": world["worker"].username,
           "researcher_name": world["researcher"].username, "team_a": world["team_a"]}
    ids["session"], ids["case"] = session("S-1", 0)
    ids["rating_session"], ids["rating_case"] = session("S-2", 1)
    ids["late_session"], ids["late_case"] = session("S-3", 6)  # actions: revision and action forms shown
    action = lead.post(f"/api/v1/sparring/sessions/{ids['late_session']}/cases/{ids['late_case']}/actions",
                       json={"text": "Call", "owner_id": world["worker"].id})
    ids["action"] = action.json["id"]
    admin_client = app.test_client()
    assert web_login(admin_client, world["admin"].username).status_code == 302
    assert admin_client.post("/admin/studies", data={"csrf_token": token(admin_client, "/admin/studies"), "name": "Troen",
                                                     "teams": ["Team A"], "researchers": [world["researcher"].username]}).status_code == 302
    return ids


def fill(value, ids):
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value.format(**{k: str(v) for k, v in ids.items()}) if isinstance(value, str) and "{" in value else value


def client_for(app, world, role):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role != "anon":
        assert web_login(client, world[role].username).status_code == 302
    return client


#: A page with a form (and so a CSRF token) that each role may open.
TOKEN_PAGES = {"anon": "/login", "worker": "/citizens", "lead": "/citizens", "researcher": "/research", "admin": "/admin/studies"}


def post(client, form, ids, data):
    url = fill(form.url, ids)
    payload = {fill(k, ids): fill(v, ids) for k, v in data.items()}
    payload["csrf_token"] = token(client, TOKEN_PAGES[form.role])
    return client.post(url, data=payload)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_valid_form_is_accepted(name, app, world, db, place):
    """The forms the bad values are put into are good: each refusal is due to the bad value."""
    form = FORMS[name]
    response = post(client_for(app, world, form.role), form, place, form.valid)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_bad_values_in_every_field_are_refused_and_store_nothing(name, app, world, db, place):
    form = FORMS[name]
    client = client_for(app, world, form.role)
    problems = []
    for key, values in form.bad.items():
        for value in values:
            data = dict(form.valid)
            data[key] = [value] if key in form.lists else value
            before = snapshot(db)
            response = post(client, form, place, data)
            after = snapshot(db)
            status = response.status_code
            if status >= 500 or status < 400 and not (status == 302 and name in ("language", "login")):
                problems.append(f"{key}={value[:40]!r}: {status}")
            if after != before:
                changed = {t for t in after if after[t] != before[t]}
                problems.append(f"{key}={value[:40]!r}: stored something in {sorted(changed)} ({counts(after)})")
    assert problems == []


@pytest.mark.parametrize("name, key", [
    ("recusal", "reason"), ("sparring_question", "question"), ("dismiss", "reason"), ("notes", "present"),
    ("action", "text"), ("study", "name"), ("meeting", "note"), ("new_citizen", "case_ref"),
    ("edit_citizen", "display_name"), ("outcome", "note"),
])
def test_a_national_id_gets_the_apis_message_next_to_the_field(name, key, app, world, db, place):
    form = FORMS[name]
    client = client_for(app, world, form.role)
    response = post(client, form, place, dict(form.valid, **{key: "Sag 010190-1234"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "National ID numbers (CPR or personnummer) are never stored" in html
    assert 'class="field-error"' in html


def test_a_web_form_answers_in_the_users_language(app, world, db, place):
    client = client_for(app, world, "worker")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    response = post(client, FORMS["recusal"], place, {"reason": "A\x00B"})
    assert response.status_code == 422
    assert "Contains control characters." not in response.get_data(as_text=True)
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_line_breaks_are_stored_alike_from_a_form_and_from_the_outbox(app, world, db, place, auth):
    """A browser posts a textarea's line breaks as CRLF, the offline outbox as LF: one note."""
    client = client_for(app, world, "worker")
    form = dict(meeting_form(), note="line one\r\nline two\rthree")
    assert post(client, FORMS["meeting"], place, form).status_code == 302
    body = factories.meeting_body(note="line one\nline two\nthree")
    assert auth("worker").post(f"/api/v1/citizens/{world['citizen']}/meetings", json=body).status_code == 201
    notes = [row[0] for row in db.execute("SELECT note FROM meeting WHERE id IN (?, ?)", [form["id"], body["id"]])]
    assert notes == ["line one\nline two\nthree"] * 2
