"""The core loop through the API: create a citizen, log a meeting, read the clash."""
import uuid
from datetime import timedelta

from journal import audit, clock

from . import factories


def new_id():
    return str(uuid.uuid4())


def test_create_citizen_then_log_meeting_then_read_clash(auth, world):
    s = auth("worker")
    created = s.post(
        "/api/v1/citizens",
        json={"case_ref": "SIL-0042", "display_name": "Mette Madsen", "birth_year": 1998, "gender": "female", "goal": "education"},
    )
    assert created.status_code == 201
    citizen = created.json
    assert citizen["case_ref"] == "SIL-0042"
    assert citizen["primary_worker_id"] == world["worker"].id
    assert citizen["status"] == "active"
    assert citizen["clash"] is False and citizen["views"] == [] and citizen["spread"] is None

    body = factories.meeting_body()
    meeting = s.post(f"/api/v1/citizens/{citizen['id']}/meetings", json=body)
    assert meeting.status_code == 201
    assert meeting.json["id"] == body["id"]
    assert [e["source"] for e in meeting.json["expectations"]] == ["worker", "citizen", "doctor"]
    # expectations inherit the meeting's date and are marked as logged at a meeting
    assert {e["observed_on"] for e in meeting.json["expectations"]} == {body["held_on"]}
    assert {e["context"] for e in meeting.json["expectations"]} == {"meeting"}

    clash = s.get(f"/api/v1/citizens/{citizen['id']}/clash").json
    assert clash["clash"] is True  # worker 7 vs doctor 2: gap 5 >= 4
    assert clash["spread"] == 5
    assert {(g["source"], g["gap"]) for g in clash["gaps"]} == {("citizen", 1), ("doctor", 5)}
    assert [v["source"] for v in clash["views"]] == ["worker", "citizen", "doctor"]
    doctor = next(v for v in clash["views"] if v["source"] == "doctor")
    assert doctor["source_label"] == "egen læge" and doctor["value"] == 2
    assert [p["cause"] for p in clash["prompts"]] == ["gap"]
    assert "2" in clash["prompts"][0]["detail"] and "7" in clash["prompts"][0]["detail"]

    detail = s.get(f"/api/v1/citizens/{citizen['id']}").json
    assert detail["clash"] is True and detail["max_gap"] == 5 and detail["worker_value"] == 7
    assert detail["last_meeting_on"] == body["held_on"]


def test_prompt_detail_is_in_the_users_language(auth, world):
    s = auth("worker")
    cid = world["citizen"]
    s.post(f"/api/v1/citizens/{cid}/meetings", json=factories.meeting_body())
    english = s.get(f"/api/v1/citizens/{cid}/clash", headers={"Accept-Language": "en"}).json
    assert english["prompts"][0]["detail"] == "Doctor (egen læge) 2 vs you 7"


def test_no_worker_view_means_no_gaps_and_no_clash_but_spread(auth, world, db):
    cid = world["citizen"]
    factories.make_expectation(db, cid, world["worker"].id, "doctor", 1)
    factories.make_expectation(db, cid, world["worker"].id, "parent", 9)
    clash = auth("worker").get(f"/api/v1/citizens/{cid}/clash").json
    assert clash["gaps"] == [] and clash["clash"] is False and clash["spread"] == 8


def test_a_correction_supersedes_and_the_old_entry_stops_counting(auth, world):
    s = auth("worker")
    cid = world["citizen"]
    first = s.post(
        f"/api/v1/citizens/{cid}/expectations",
        json={"id": new_id(), "source": "worker", "value": 8, "confidence": "high"},
    ).json
    doctor = {"id": new_id(), "source": "doctor", "value": 2, "confidence": "medium"}
    assert s.post(f"/api/v1/citizens/{cid}/expectations", json=doctor).status_code == 201
    assert s.get(f"/api/v1/citizens/{cid}/clash").json["clash"] is True
    fix = s.post(
        f"/api/v1/citizens/{cid}/expectations",
        json={"id": new_id(), "source": "worker", "value": 4, "confidence": "high", "supersedes": first["id"]},
    )
    assert fix.status_code == 201
    assert fix.json["supersedes"] == first["id"] and fix.json["context"] == "update"
    clash = s.get(f"/api/v1/citizens/{cid}/clash").json
    assert clash["clash"] is False
    assert next(v for v in clash["views"] if v["source"] == "worker")["value"] == 4
    history = s.get(f"/api/v1/citizens/{cid}/expectations").json
    assert history["total"] == 3
    old = next(e for e in history["items"] if e["id"] == first["id"])
    assert old["superseded_by"] == fix.json["id"]
    assert old["value"] == 8  # never edited in place
    # an entry is corrected once; correct the correction instead
    again = s.post(
        f"/api/v1/citizens/{cid}/expectations",
        json={"id": new_id(), "source": "worker", "value": 5, "confidence": "high", "supersedes": first["id"]},
    )
    assert again.status_code == 409 and again.json["code"] == "already_superseded"


def test_a_correction_must_keep_the_source_and_the_citizen(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    target = factories.make_expectation(db, cid, world["worker"].id, "doctor", 3)
    wrong_source = s.post(
        f"/api/v1/citizens/{cid}/expectations",
        json={"id": new_id(), "source": "parent", "value": 4, "confidence": "low", "supersedes": target},
    )
    assert wrong_source.status_code == 422 and "supersedes" in wrong_source.json["errors"]
    other_citizen = factories.make_citizen(db, world["team_a"], "A-9")
    elsewhere = s.post(
        f"/api/v1/citizens/{other_citizen}/expectations",
        json={"id": new_id(), "source": "doctor", "value": 4, "confidence": "low", "supersedes": target},
    )
    assert elsewhere.status_code == 422


def test_expectation_observed_on_defaults_to_today(auth, world):
    entry = auth("worker").post(
        f"/api/v1/citizens/{world['citizen']}/expectations",
        json={"id": new_id(), "source": "citizen", "value": 6, "confidence": "medium"},
    ).json
    assert entry["observed_on"] == clock.today().isoformat()
    assert entry["band"] == "uncertain"


def test_list_search_clashing_filter_and_order(auth, world, db):
    team, worker = world["team_a"], world["worker"].id
    calm = factories.make_citizen(db, team, "A-CALM", display_name="Carl Calm")
    small = factories.make_citizen(db, team, "A-SMALL")
    big = factories.make_citizen(db, team, "A-BIG", display_name="Birgit Big")
    for cid, mine, theirs in ((calm, 6, 5), (small, 6, 2), (big, 9, 1)):
        factories.make_expectation(db, cid, worker, "worker", mine, days_ago=3)
        factories.make_expectation(db, cid, worker, "doctor", theirs, days_ago=3)
    s = auth("worker")
    items = s.get("/api/v1/citizens").json["items"]
    assert [i["case_ref"] for i in items][:2] == ["A-BIG", "A-SMALL"]  # clashes first, largest gap first
    assert {i["case_ref"]: i["max_gap"] for i in items}["A-BIG"] == 8
    assert [i["case_ref"] for i in s.get("/api/v1/citizens?clashing=true").json["items"]] == ["A-BIG", "A-SMALL"]
    assert [i["case_ref"] for i in s.get("/api/v1/citizens?q=birgit").json["items"]] == ["A-BIG"]
    assert [i["case_ref"] for i in s.get("/api/v1/citizens?q=a-c").json["items"]] == ["A-CALM"]
    assert s.get("/api/v1/citizens?q=%25").json["total"] == 0  # % is a literal, not a wildcard


def test_pagination_envelope(auth, world, db):
    for n in range(7):
        factories.make_citizen(db, world["team_a"], f"P-{n}")
    s = auth("worker")
    page = s.get("/api/v1/citizens?page=2&per_page=3").json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (8, 2, 3, 3)
    last = s.get("/api/v1/citizens?page=3&per_page=3").json
    assert len(last["items"]) == 2
    assert s.get("/api/v1/citizens?per_page=0").status_code == 422
    assert s.get("/api/v1/citizens?per_page=201").status_code == 422


def test_patch_citizen_closes_and_reassigns(auth, world):
    s = auth("lead")
    cid = world["citizen"]
    response = s.patch(f"/api/v1/citizens/{cid}", json={"status": "closed", "primary_worker_id": world["worker2"].id})
    assert response.status_code == 200
    assert response.json["status"] == "closed" and response.json["closed_at"]
    assert response.json["primary_worker_id"] == world["worker2"].id
    assert s.get("/api/v1/citizens").json["total"] == 0  # active only by default
    assert s.get("/api/v1/citizens?status=closed").json["total"] == 1


def test_primary_worker_must_be_in_the_team(auth, world):
    response = auth("lead").patch(f"/api/v1/citizens/{world['citizen']}", json={"primary_worker_id": world["other"].id})
    assert response.status_code == 422 and "primary_worker_id" in response.json["errors"]


def test_case_ref_is_unique_within_the_team_only(auth, world):
    assert auth("worker").post("/api/v1/citizens", json={"case_ref": "A-1", "goal": "job"}).status_code == 409
    assert auth("other").post("/api/v1/citizens", json={"case_ref": "A-1", "goal": "job"}).status_code == 201


def test_team_overview_is_sorted_by_gap_and_filters_by_source(auth, world, db):
    team, worker = world["team_a"], world["worker"].id
    rows = {"T-PARENT": ("parent", 9, 2), "T-DOCTOR": ("doctor", 2, 8), "T-CALM": ("doctor", 5, 5)}
    for ref, (source, theirs, mine) in rows.items():
        cid = factories.make_citizen(db, team, ref)
        factories.make_expectation(db, cid, worker, "worker", mine)
        factories.make_expectation(db, cid, worker, source, theirs)
    s = auth("lead")
    items = s.get(f"/api/v1/teams/{team}/clashes").json["items"]
    assert [i["case_ref"] for i in items][:3] == ["T-PARENT", "T-DOCTOR", "T-CALM"]
    assert [i["max_gap"] for i in items][:3] == [-7, 6, 0]
    doctors = s.get(f"/api/v1/teams/{team}/clashes?source=doctor").json["items"]
    assert [i["case_ref"] for i in doctors] == ["T-DOCTOR", "T-CALM"]
    clashing = s.get(f"/api/v1/teams/{team}/clashes?clashing=true").json["items"]
    assert [i["case_ref"] for i in clashing] == ["T-PARENT", "T-DOCTOR"]


def test_team_threshold_changes_the_clash(auth, world, db):
    cid = world["citizen"]
    factories.make_expectation(db, cid, world["worker"].id, "worker", 6)
    factories.make_expectation(db, cid, world["worker"].id, "doctor", 3)
    s = auth("lead")
    assert s.get(f"/api/v1/citizens/{cid}/clash").json["clash"] is False
    s.patch(f"/api/v1/teams/{world['team_a']}", json={"gap_threshold": 3})
    assert s.get(f"/api/v1/citizens/{cid}/clash").json["clash"] is True


def test_views_older_than_180_days_do_not_count(auth, world, db):
    cid = world["citizen"]
    factories.make_expectation(db, cid, world["worker"].id, "worker", 8, days_ago=10)
    factories.make_expectation(db, cid, world["worker"].id, "doctor", 1, days_ago=181)
    clash = auth("worker").get(f"/api/v1/citizens/{cid}/clash").json
    assert [v["source"] for v in clash["views"]] == ["worker"] and clash["clash"] is False


def test_drop_and_stale_low_prompts(auth, world, db):
    cid = world["citizen"]
    worker = world["worker"].id
    factories.make_expectation(db, cid, worker, "worker", 6, days_ago=120)
    factories.make_expectation(db, cid, worker, "worker", 2, days_ago=100)
    causes = [p["cause"] for p in auth("worker").get(f"/api/v1/citizens/{cid}/clash").json["prompts"]]
    assert causes == ["drop", "stale_low"]


def test_outcomes_are_recorded_and_listed(auth, world):
    s = auth("worker")
    cid = world["citizen"]
    day = (clock.today() - timedelta(days=2)).isoformat()
    response = s.post(f"/api/v1/citizens/{cid}/outcomes", json={"kind": "flex_job", "observed_on": day})
    assert response.status_code == 201
    assert response.json["kind"] == "flex_job" and response.json["recorded_by"] == world["worker"].id
    assert [o["kind"] for o in s.get(f"/api/v1/citizens/{cid}/outcomes").json] == ["flex_job"]


def test_meetings_list_newest_first_with_expectations(auth, world):
    s = auth("worker")
    cid = world["citizen"]
    old = factories.meeting_body(held_on=(clock.today() - timedelta(days=30)).isoformat(), mode="phone")
    new = factories.meeting_body()
    s.post(f"/api/v1/citizens/{cid}/meetings", json=old)
    s.post(f"/api/v1/citizens/{cid}/meetings", json=new)
    listing = s.get(f"/api/v1/citizens/{cid}/meetings").json
    assert [m["id"] for m in listing["items"]] == [new["id"], old["id"]]
    assert listing["items"][1]["mode"] == "phone"
    assert len(listing["items"][1]["expectations"]) == 3
    assert listing["items"][0]["participants"] == ["citizen", "doctor"]


def test_every_read_and_write_of_a_citizen_is_audited(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    s.get(f"/api/v1/citizens/{cid}")
    s.get(f"/api/v1/citizens/{cid}/clash")
    s.get(f"/api/v1/citizens/{cid}/expectations")
    s.post(f"/api/v1/citizens/{cid}/meetings", json=factories.meeting_body())
    s.patch(f"/api/v1/citizens/{cid}", json={"goal": "education"})
    s.post(f"/api/v1/citizens/{cid}/recusals", json={})
    events = audit.events(db, object_type="citizen", object_id=cid)
    assert [e["action"] for e in reversed(events)] == [
        "citizen.view", "citizen.view", "citizen.view", "meeting.create",
        "sparring.prompt",  # the meeting made a clash: a sparring request was raised with it
        "citizen.update", "recusal.declare",
    ]
    assert {e["user_id"] for e in events} == {world["worker"].id}
    assert all(e["at"].endswith("Z") for e in events)


def test_audit_events_cannot_be_changed_or_deleted(db, world):
    import sqlite3

    import pytest

    audit.record(db, None, "test.event")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE audit_event SET action = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM audit_event")


def test_a_correction_keeps_the_date_of_the_entry_it_corrects(auth, world, db):
    cid = world["citizen"]
    old = factories.make_expectation(db, cid, world["worker"].id, "doctor", 3, days_ago=40)
    fix = auth("worker").post(
        f"/api/v1/citizens/{cid}/expectations",
        json={"id": new_id(), "source": "doctor", "value": 2, "confidence": "low", "supersedes": old},
    ).json
    assert fix["observed_on"] == (clock.today() - timedelta(days=40)).isoformat()
