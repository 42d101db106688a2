"""Bugs the attack suites found (docs/security-tests.md), each pinned by an ordinary test."""
from . import factories


def bad_participants():
    """A meeting whose participants fail twice over: one unknown kind (an error keyed by its
    index, 2) and a kind listed twice (an error on the list itself, "_schema")."""
    return factories.meeting_body(participants=["citizen", "citizen", "nobody"])


def test_errors_keyed_by_list_index_and_by_name_answer_422_not_500(auth, world):
    """schemathesis: the error handler sorted the keys of {2: [...], "_schema": [...]} into
    JSON and failed on comparing an int with a str, which answered 500."""
    response = auth("worker").post(f"/api/v1/citizens/{world['citizen']}/meetings", json=bad_participants())
    assert response.status_code == 422, response.data
    assert response.json["code"] == "validation_error"
    assert set(response.json["errors"]["participants"]) == {"2", "_schema"}


def test_a_queued_meeting_with_such_errors_is_invalid_not_a_failed_batch(auth, world, db):
    items = [
        {"op": "create_meeting", "citizen_id": world["citizen"], "data": bad_participants()},
        {"op": "create_meeting", "citizen_id": world["citizen"], "data": factories.meeting_body()},
    ]
    response = auth("worker").post("/api/v1/sync", json={"items": items})
    assert response.status_code == 200, response.data
    first, second = response.json["results"]
    assert first["status"] == "invalid"
    assert set(first["errors"]["participants"]) == {"2", "_schema"}
    assert second["status"] == "created"
    assert db.table("meeting").count == 1
