"""Worker views are personal (DESIGN.md): "you" means you.

Each worker's current view is their own latest entry; gaps and the clash are measured from
the case owner's view (or, without one, the latest worker view by anyone, shown with who gave
it); other workers' views are shown by name and count in the spread; a drop is measured
within one worker's own entries; "you" appears only for the viewer's own entries.
"""
import re
import uuid


from journal import clock

from . import factories
from .test_web import browser_for  # noqa: F401 (a fixture)


def entry(source, value, **extra):
    return {"id": str(uuid.uuid4()), "source": source, "value": value, "confidence": "medium", **extra}


def meeting(s, citizen_id, *entries):
    body = {"id": str(uuid.uuid4()), "held_on": clock.today().isoformat(), "mode": "in_person",
            "participants": [], "expectations": list(entries)}
    response = s.post(f"/api/v1/citizens/{citizen_id}/meetings", json=body)
    assert response.status_code == 201, response.json
    return response



def page_text(response):
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_colleagues_rating_is_theirs_and_the_gap_is_measured_from_the_case_owner(auth, world, db):
    owner, colleague = auth("worker"), auth("worker2")  # world["citizen"] is owned by "worker"
    cid = world["citizen"]
    meeting(owner, cid, entry("worker", 7), entry("doctor", 2, source_label="egen læge"))
    meeting(colleague, cid, entry("worker", 9))
    clash = owner.get(f"/api/v1/citizens/{cid}/clash").json
    workers = {v["recorded_by"]: v for v in clash["views"] if v["source"] == "worker"}
    assert {uid: v["value"] for uid, v in workers.items()} == {world["worker"].id: 7, world["worker2"].id: 9}
    assert workers[world["worker"].id]["case_owner_view"] is True
    assert workers[world["worker2"].id]["case_owner_view"] is False
    assert workers[world["worker2"].id]["worker_name"] == "Worker2"
    assert clash["owner_view"]["value"] == 7 and clash["owner_fallback"] is False
    assert clash["gaps"] == [{"source": "doctor", "source_label": "egen læge", "gap": 5}]  # 7 − 2, not 9 − 2
    assert clash["spread"] == 7  # 9 − 2: the colleague's view counts in the spread
    detail = owner.get(f"/api/v1/citizens/{cid}").json
    assert detail["worker_value"] == 7  # the existing field keeps its meaning: the case owner's view


def test_a_colleagues_lower_rating_raises_no_drop(auth, world, db):
    """The issue's example: Sara rated 9, Mads rates 5 — not a drop, two people."""
    sara, mads = auth("worker2"), auth("worker")
    cid = world["citizen"]
    meeting(sara, cid, entry("worker", 9))
    meeting(mads, cid, entry("worker", 5))
    reasons = [r[0] for r in db.execute("SELECT reason FROM sparring_request WHERE citizen_id = ?", [cid])]
    assert "drop" not in reasons
    meeting(sara, cid, entry("worker", 5))  # Sara's own 9 → 5 is a drop
    rows = db.execute("SELECT reason, facts FROM sparring_request WHERE citizen_id = ?", [cid]).fetchall()
    assert [r[0] for r in rows] == ["drop"]
    assert f'"worker_id": {world["worker2"].id}' in rows[0][1]


def test_without_a_case_owner_view_gaps_come_from_the_latest_worker_view_and_say_whose(auth, browser_for, world, db):
    cid = factories.make_citizen(db, world["team_a"], "A-NOBODY", None)
    meeting(auth("worker2"), cid, entry("worker", 8), entry("parent", 3, source_label="far"))
    clash = auth("worker").get(f"/api/v1/citizens/{cid}/clash").json
    assert clash["owner_fallback"] is True and clash["owner_view"]["recorded_by"] == world["worker2"].id
    assert clash["gaps"] == [{"source": "parent", "source_label": "far", "gap": 5}]
    text = page_text(browser_for("worker").get(f"/citizens/{cid}"))
    assert "Gaps are measured from the latest caseworker view, given by Worker2." in text
    assert "No case owner" in text


def test_a_worker_who_never_rated_sees_no_you_on_the_citizen(auth, browser_for, world, db):
    cid = world["citizen"]
    meeting(auth("worker"), cid, entry("worker", 7), entry("doctor", 2))
    text = page_text(browser_for("worker2").get(f"/citizens/{cid}"))
    assert "Worker 7" in text and "Doctor 2 vs Worker 7" in text
    assert not re.search(r"\b(you|your|You|Your)\b", text.split("Log out")[1].split("Logged in as")[0].replace("Your question for colleagues", ""))
    mine = page_text(browser_for("worker").get(f"/citizens/{cid}"))
    assert "Doctor 2 vs you 7" in mine and "You 7" in mine


def test_my_citizens_is_my_caseload_and_the_whole_team_is_one_remembered_tap_away(auth, browser_for, world, db):
    factories.make_citizen(db, world["team_a"], "A-SARAS", world["worker2"].id)
    client = browser_for("worker")
    mine = page_text(client.get("/citizens"))
    assert "A-1" in mine and "A-SARAS" not in mine and "Mine (1)" in mine and "Whole team (2)" in mine
    team = page_text(client.get("/citizens?scope=team"))
    assert "A-1" in team and "A-SARAS" in team
    again = page_text(client.get("/citizens"))
    assert "A-SARAS" in again  # the choice is remembered
    html = client.get("/citizens").get_data(as_text=True)
    assert f'href="/citizens/{world["citizen"]}/meetings/new"' in html  # log meeting straight from the card


def test_the_list_says_your_view_only_for_your_own_rating(auth, browser_for, world, db):
    meeting(auth("worker2"), world["citizen"], entry("worker", 9))
    text = page_text(browser_for("worker").get("/citizens"))
    assert "You have not rated yet" in text and "Your view: 9" not in text
    text = page_text(browser_for("worker2").get("/citizens?scope=team"))
    assert "Your view: 9" in text


def test_creating_a_citizen_makes_you_case_owner_and_only_a_lead_hands_it_over(auth, browser_for, world, db):
    worker = auth("worker")
    made = worker.post("/api/v1/citizens", json={"case_ref": "NEW-1", "goal": "job"}).json
    assert made["primary_worker_id"] == world["worker"].id
    assert worker.patch(f"/api/v1/citizens/{made['id']}", json={"primary_worker_id": world["worker2"].id}).status_code == 403
    lead = browser_for("lead")
    page = lead.get(f"/citizens/{made['id']}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = lead.post(f"/citizens/{made['id']}/owner", data={"csrf_token": csrf, "primary_worker_id": str(world["worker2"].id)})
    assert response.status_code == 302
    assert db.execute("SELECT primary_worker_id FROM citizen WHERE id = ?", [made["id"]]).fetchone()[0] == world["worker2"].id
    refused = lead.post(f"/citizens/{made['id']}/owner", data={"csrf_token": csrf, "primary_worker_id": str(world["other"].id)})
    assert refused.status_code == 422 and 'class="field-error"' in refused.get_data(as_text=True)


def test_an_unlabelled_doctor_next_to_a_labelled_one_asks_which_one(auth, browser_for, world, db):
    cid = world["citizen"]
    meeting(auth("worker"), cid, entry("worker", 6), entry("doctor", 3, source_label="egen læge"))
    client = browser_for("worker")
    page = client.get(f"/citizens/{cid}/meetings/new").get_data(as_text=True)
    assert 'data-source="doctor" data-label="egen læge"' in page  # a one-tap chip
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": csrf, "id": str(uuid.uuid4()), "held_on": clock.today().isoformat(), "mode": "phone",
            "own_id": str(uuid.uuid4()), "own_value": "6", "c0_id": str(uuid.uuid4()), "c0_source": "doctor", "c0_value": "4"}
    response = client.post(f"/citizens/{cid}/meetings/new", data=form)
    assert response.status_code == 422
    assert "Which one? This citizen has egen læge." in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM meeting").fetchone()[0] == 1
    labelled = dict(form, c0_label="egen læge", id=str(uuid.uuid4()))
    assert client.post(f"/citizens/{cid}/meetings/new", data=labelled).status_code == 302
    other = dict(form, c0_label="speciallæge", id=str(uuid.uuid4()), own_id=str(uuid.uuid4()), c0_id=str(uuid.uuid4()))
    assert client.post(f"/citizens/{cid}/meetings/new", data=other).status_code == 302
