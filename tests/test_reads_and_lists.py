"""Every read of a citizen is audited (one helper, every screen), and every list is paginated.

DESIGN.md: "Every citizen page view and every export is in the audit log"; "Lists are
paginated with ?page=&per_page= and return {items, total, page, per_page}".
"""

from journal import audit

from . import factories
from .test_sparring import advance_to, gap_request, start_session
from .test_web import browser_for  # noqa: F401 (a fixture)


def views_of(db, citizen_id, user_id):
    return [e["detail"] for e in audit.events(db, action="citizen.view", object_id=citizen_id, user_id=user_id)]



def test_opening_the_log_meeting_form_is_an_audited_read(browser_for, world, db):
    worker = browser_for("worker")
    assert worker.get(f"/citizens/{world['citizen']}/meetings/new").status_code == 200
    assert views_of(db, world["citizen"], world["worker"].id) == [{"what": "meeting_form"}]


def test_opening_the_recusal_page_is_an_audited_read(browser_for, world, db):
    worker = browser_for("worker")
    assert worker.get(f"/citizens/{world['citizen']}/recusal").status_code == 200
    assert views_of(db, world["citizen"], world["worker"].id) == [{"what": "recusal_form"}]


def test_a_refused_meeting_form_shown_again_is_not_a_second_read(browser_for, world, db):
    """Posting is a write attempt, not a read: only showing the form is audited."""
    worker = browser_for("worker")
    page = worker.get(f"/citizens/{world['citizen']}/meetings/new").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = worker.post(f"/citizens/{world['citizen']}/meetings/new", data={"csrf_token": csrf, "mode": "teleport"})
    assert response.status_code == 422
    assert views_of(db, world["citizen"], world["worker"].id) == [{"what": "meeting_form"}]


def test_api_reads_are_audited_with_what_was_read(auth, world, db):
    worker = auth("worker")
    cid = world["citizen"]
    for path in ("", "/clash", "/meetings", "/expectations", "/outcomes"):
        assert worker.get(f"/api/v1/citizens/{cid}{path}").status_code == 200
    assert [d["what"] for d in views_of(db, cid, world["worker"].id)] == ["outcomes", "expectations", "meetings", "clash", "citizen"]


def test_a_sparring_session_shows_the_citizen_only_after_the_reveal_and_audits_it_once(auth, world, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    session = start_session(lead, [world["worker"].id], [gap_request(db, worker, cid)])
    sid, case_id = session["id"], session["cases"][0]["id"]
    advance_to(lead, sid, case_id, "blind_rating")
    worker.get(f"/api/v1/sparring/sessions/{sid}")
    assert views_of(db, cid, world["worker"].id) == []  # nothing of the citizen shown yet

    advance_to(lead, sid, case_id, "reveal")
    for _ in range(3):  # the session page polls every few seconds
        shown = worker.get(f"/api/v1/sparring/sessions/{sid}").json["cases"][0]
        assert shown["views"] is not None
    assert views_of(db, cid, world["worker"].id) == [{"what": "sparring", "case_id": case_id}]
    assert views_of(db, cid, world["lead"].id) == [{"what": "sparring", "case_id": case_id}]


def test_the_sparring_queue_is_paginated(auth, world, db):
    worker, lead = auth("worker"), auth("lead")
    for n in range(5):
        cid = factories.make_citizen(db, world["team_a"], f"Q-{n}", world["worker"].id)
        assert worker.post("/api/v1/sparring/requests", json={"citizen_id": cid, "question": f"Question {n}"}).status_code == 201
    whole = lead.get("/api/v1/sparring/requests").json
    assert (whole["total"], whole["page"], whole["per_page"], len(whole["items"])) == (5, 1, 50, 5)
    pages = [lead.get(f"/api/v1/sparring/requests?page={p}&per_page=2").json for p in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert {p["total"] for p in pages} == {5}
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in whole["items"]]
    assert lead.get("/api/v1/sparring/requests?per_page=0").status_code == 422


def test_the_actions_list_is_paginated(auth, world, db):
    worker, lead = auth("worker"), auth("lead")
    session = start_session(lead, [world["worker"].id], [gap_request(db, worker, world["citizen"])])
    sid, case_id = session["id"], session["cases"][0]["id"]
    advance_to(lead, sid, case_id, "actions")
    for n in range(3):
        made = lead.post(f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/actions",
                         json={"text": f"Step {n}", "owner_id": world["worker"].id})
        assert made.status_code == 201
    first = worker.get("/api/v1/actions?per_page=2").json
    second = worker.get("/api/v1/actions?per_page=2&page=2").json
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert sorted(i["text"] for i in first["items"] + second["items"]) == ["Step 0", "Step 1", "Step 2"]
    assert worker.get("/api/v1/actions?page=0").status_code == 422
