"""Re-sending is always safe: same UUID + same content → the stored record; other content → 409."""
import uuid

from . import factories


def count(db, table):
    return db.table(table).count


def test_resending_a_meeting_returns_the_stored_record_and_creates_nothing(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/meetings"
    body = factories.meeting_body()
    first = s.post(url, json=body)
    again = s.post(url, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert count(db, "meeting") == 1 and count(db, "expectation") == 3


def test_resent_meeting_with_keys_in_another_order_is_still_a_duplicate(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/meetings"
    body = factories.meeting_body()
    s.post(url, json=body)
    reordered = dict(reversed(list(body.items())))
    assert s.post(url, json=reordered).status_code == 200


def test_same_meeting_uuid_with_other_content_is_409_and_changes_nothing(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/meetings"
    body = factories.meeting_body()
    s.post(url, json=body)
    changed = dict(body, note="Something else entirely")
    response = s.post(url, json=changed)
    assert response.status_code == 409
    assert response.json["code"] == "id_conflict"
    assert set(response.json) == {"code", "message", "errors"}
    stored = s.get(f"/api/v1/citizens/{world['citizen']}/meetings").json["items"][0]
    assert stored["note"] == body["note"]


def test_same_meeting_uuid_for_another_citizen_is_409(auth, world, db):
    s = auth("worker")
    body = factories.meeting_body()
    s.post(f"/api/v1/citizens/{world['citizen']}/meetings", json=body)
    other = factories.make_citizen(db, world["team_a"], "A-2")
    assert s.post(f"/api/v1/citizens/{other}/meetings", json=body).status_code == 409
    assert count(db, "meeting") == 1


def test_a_meeting_reusing_a_stored_expectation_uuid_is_409_and_stores_nothing(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/meetings"
    first = factories.meeting_body()
    s.post(url, json=first)
    second = factories.meeting_body()
    second["expectations"][2]["id"] = first["expectations"][0]["id"]
    response = s.post(url, json=second)
    assert response.status_code == 409
    # one transaction: neither the meeting nor its first two expectations were kept
    assert count(db, "meeting") == 1 and count(db, "expectation") == 3


def test_resending_an_expectation(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/expectations"
    body = {"id": str(uuid.uuid4()), "source": "parent", "value": 9, "confidence": "high", "basis": "Says so"}
    first = s.post(url, json=body)
    again = s.post(url, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    conflict = s.post(url, json=dict(body, value=8))
    assert conflict.status_code == 409
    assert count(db, "expectation") == 1


def test_uuid_case_does_not_make_a_new_record(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/expectations"
    body = {"id": str(uuid.uuid4()), "source": "parent", "value": 9, "confidence": "high"}
    s.post(url, json=body)
    assert s.post(url, json=dict(body, id=body["id"].upper())).status_code == 200
    assert count(db, "expectation") == 1


def test_resending_an_outcome_with_its_id(auth, world, db):
    s = auth("worker")
    url = f"/api/v1/citizens/{world['citizen']}/outcomes"
    body = {"id": str(uuid.uuid4()), "kind": "job", "observed_on": "2026-02-01"}
    assert [s.post(url, json=body).status_code for _ in range(2)] == [201, 200]
    assert s.post(url, json=dict(body, kind="none")).status_code == 409
    assert count(db, "outcome") == 1
