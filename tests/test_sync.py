"""POST /api/v1/sync and GET /api/v1/sync/citizens: the offline outbox's server side.

What a PWA relies on: one result per item, in order; each item applied (or not) on its own;
resending is always safe; access is decided at sync time; nothing is applied when the request
as a whole is refused (auth, CSRF, role, shape, size).
"""
import uuid

import pytest

from journal import clock

from . import factories

SYNC = "/api/v1/sync"
TABLES = ("meeting", "expectation", "outcome", "recusal")


# --- helpers ------------------------------------------------------------------------------


def new_id():
    return str(uuid.uuid4())


def counts(db):
    return {table: db.table(table).count for table in TABLES}


NOTHING = {table: 0 for table in TABLES}


def meeting_item(citizen_id, **overrides):
    return {"op": "create_meeting", "citizen_id": citizen_id, "data": factories.meeting_body(**overrides)}


def expectation_item(citizen_id, **data):
    body = {"id": new_id(), "source": "parent", "value": 4, "confidence": "medium"}
    body.update(data)
    return {"op": "add_expectation", "citizen_id": citizen_id, "data": body}


def outcome_item(citizen_id, **data):
    body = {"id": new_id(), "kind": "education", "observed_on": clock.today().isoformat()}
    body.update(data)
    return {"op": "record_outcome", "citizen_id": citizen_id, "data": body}


def recusal_item(citizen_id, **data):
    return {"op": "declare_recusal", "citizen_id": citizen_id, "data": data}


def sync(session, items):
    """Send a batch; assert the 200 envelope and one result per item, indexed in order."""
    response = session.post(SYNC, json={"items": items})
    assert response.status_code == 200, response.json
    assert set(response.json) == {"results"}
    results = response.json["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    return results


def statuses(results):
    return [r["status"] for r in results]


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.json
    assert set(response.json) == {"code", "message", "errors"}
    assert response.json["code"] == code
    assert isinstance(response.json["message"], str) and response.json["message"]


def ids_in(db, table):
    return {row["id"] for row in db.query(f"SELECT id FROM [{table}]")}


# --- 1. a mixed batch, in order, every status ---------------------------------------------


def test_mixed_batch_is_applied_in_order_with_one_result_per_item(auth, world, db):
    s = auth("lead")
    cid = world["citizen"]
    meeting = meeting_item(cid)
    worker_entry = meeting["data"]["expectations"][0]["id"]
    # a correction of the meeting's worker view: only valid if item 0 was applied first
    correction = expectation_item(cid, source="worker", value=5, supersedes=worker_entry)
    outcome = outcome_item(cid, kind="flex_job", note="Started 15 h/week")
    recusal = recusal_item(cid, user_id=world["worker2"].id, reason="Neighbour")
    conflicting = expectation_item(cid, id=correction["data"]["id"], value=9)  # same UUID, other content
    items = [
        meeting,
        correction,
        outcome,
        recusal,
        dict(meeting),  # the same meeting again in the same batch
        conflicting,
        meeting_item(cid, mode="by_pigeon"),
        expectation_item(world["citizen_b"]),
        expectation_item(987654),
    ]

    results = sync(s, items)

    assert statuses(results) == [
        "created", "created", "created", "created",
        "duplicate", "conflict", "invalid", "not_found", "not_found",
    ]
    # created: the id and the stored record
    assert results[0]["id"] == meeting["data"]["id"] == results[0]["record"]["id"]
    assert [e["id"] for e in results[0]["record"]["expectations"]] == [
        e["id"] for e in meeting["data"]["expectations"]
    ]
    assert results[1]["record"]["supersedes"] == worker_entry
    assert results[1]["record"]["value"] == 5
    assert results[2]["record"]["kind"] == "flex_job"
    assert results[2]["id"] == outcome["data"]["id"]
    assert results[3]["record"]["user_id"] == world["worker2"].id
    assert results[3]["record"]["declared_by"] == world["lead"].id
    # duplicate: the stored record as it is now: the same meeting, and its worker view now
    # shows the correction that item 1 made
    def without_corrections(record):
        return dict(record, expectations=[dict(e, superseded_by=None) for e in record["expectations"]])

    assert without_corrections(results[4]["record"]) == without_corrections(results[0]["record"])
    corrected = {e["id"]: e["superseded_by"] for e in results[4]["record"]["expectations"]}
    assert corrected[worker_entry] == results[1]["id"]
    # conflict: a 409-style message and code, no record
    assert results[5]["code"] == "id_conflict" and results[5]["message"]
    assert "record" not in results[5]
    # invalid: field errors for that item
    assert set(results[6]["errors"]) == {"mode"}
    # another team's citizen and one that does not exist get the same answer, with no record
    assert set(results[7]) == {"index", "status"}
    assert set(results[8]) == {"index", "status"}

    assert counts(db) == {"meeting": 1, "expectation": 4, "outcome": 1, "recusal": 1}
    stored = db.execute("SELECT value FROM expectation WHERE id = ?", [correction["data"]["id"]]).fetchone()
    assert stored[0] == 5  # the conflicting copy changed nothing


def test_a_worker_may_not_recuse_a_colleague_forbidden_for_that_item_only(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    items = [recusal_item(cid, user_id=world["worker2"].id), expectation_item(cid)]
    results = sync(s, items)
    assert statuses(results) == ["forbidden", "created"]
    assert results[0]["message"]
    assert counts(db) == {"meeting": 0, "expectation": 1, "outcome": 0, "recusal": 0}


def test_a_correction_of_an_unknown_entry_is_invalid_with_field_errors(auth, world, db):
    s = auth("worker")
    results = sync(s, [expectation_item(world["citizen"], source="worker", supersedes=new_id())])
    assert statuses(results) == ["invalid"]
    assert set(results[0]["errors"]) == {"supersedes"}
    assert counts(db) == NOTHING


def test_an_empty_batch_answers_no_results(auth, world):
    assert sync(auth("worker"), []) == []


# --- 2. one bad item never blocks the others; each item is its own transaction -------------


def test_an_invalid_item_between_two_good_ones_blocks_nothing(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    good = meeting_item(cid)
    bad = meeting_item(cid)
    bad["data"]["expectations"][1]["value"] = 11
    outcome = outcome_item(cid)

    results = sync(s, [good, bad, outcome])

    assert statuses(results) == ["created", "invalid", "created"]
    assert list(results[1]["errors"]) == ["expectations"]
    assert list(results[1]["errors"]["expectations"]) == ["1"]
    assert list(results[1]["errors"]["expectations"]["1"]) == ["value"]
    assert ids_in(db, "meeting") == {good["data"]["id"]}
    assert ids_in(db, "expectation") == {e["id"] for e in good["data"]["expectations"]}
    assert ids_in(db, "outcome") == {outcome["data"]["id"]}


def test_a_meeting_failing_halfway_leaves_nothing_of_itself(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    first = meeting_item(cid)
    second = meeting_item(cid)
    # its 2nd expectation reuses a UUID stored by item 0: the meeting row and its 1st
    # expectation are written before the clash is hit
    second["data"]["expectations"][1]["id"] = first["data"]["expectations"][0]["id"]
    after = expectation_item(cid)

    results = sync(s, [first, second, after])

    assert statuses(results) == ["created", "conflict", "created"]
    assert results[1]["code"] == "id_conflict" and results[1]["message"]
    assert second["data"]["id"] not in ids_in(db, "meeting")
    assert second["data"]["expectations"][0]["id"] not in ids_in(db, "expectation")
    assert counts(db) == {"meeting": 1, "expectation": 4, "outcome": 0, "recusal": 0}
    audited = db.execute("SELECT count(*) FROM audit_event WHERE action = 'meeting.create'").fetchone()[0]
    assert audited == 1


# --- 3. size ------------------------------------------------------------------------------


def test_exactly_500_items_are_accepted(auth, world, db):
    s = auth("worker")
    items = [expectation_item(world["citizen"], value=i % 11) for i in range(500)]
    results = sync(s, items)
    assert len(results) == 500
    assert set(statuses(results)) == {"created"}
    assert [r["id"] for r in results] == [i["data"]["id"] for i in items]
    assert counts(db)["expectation"] == 500


def test_501_items_are_413_and_nothing_is_applied(auth, world, db):
    s = auth("worker")
    items = [expectation_item(world["citizen"]) for _ in range(501)]
    response = s.post(SYNC, json={"items": items})
    assert_error_shape(response, 413, "payload_too_large")
    assert "500" in response.json["message"]
    assert counts(db) == NOTHING


# --- 4 & 8. exactly once ------------------------------------------------------------------


def test_the_same_batch_twice_is_all_duplicates_with_the_same_records(auth, world, db):
    s = auth("lead")
    cid = world["citizen"]
    items = [
        meeting_item(cid),
        expectation_item(cid, source="employer", source_label="Netto", basis="Offered a trial"),
        outcome_item(cid),
        recusal_item(cid, user_id=world["worker2"].id, reason="Family"),
    ]
    first = sync(s, items)
    before = counts(db)
    again = sync(s, items)

    assert statuses(first) == ["created"] * 4
    assert statuses(again) == ["duplicate"] * 4
    for created, duplicate in zip(first, again):
        assert duplicate["id"] == created["id"]
        assert duplicate["record"] == created["record"]
    assert len(again[0]["record"]["expectations"]) == 3
    assert again[0]["record"]["expectations"] == first[0]["record"]["expectations"]
    assert counts(db) == before == {"meeting": 1, "expectation": 4, "outcome": 1, "recusal": 1}


def test_a_duplicate_answers_what_the_first_created_answered(auth, world, db):
    """Also across requests and users of the team: the outbox of another tab or phone."""
    cid = world["citizen"]
    items = [meeting_item(cid), expectation_item(cid), outcome_item(cid)]
    first = sync(auth("worker"), items)
    again = sync(auth("worker2"), items)
    assert statuses(again) == ["duplicate"] * 3
    assert [r["record"] for r in again] == [r["record"] for r in first]
    assert again[0]["record"]["worker_id"] == world["worker"].id  # the stored record, not rewritten


def test_resending_with_keys_in_another_order_is_still_a_duplicate(auth, world, db):
    s = auth("worker")
    item = meeting_item(world["citizen"])
    first = sync(s, [item])
    reordered = {
        "data": dict(reversed(list(item["data"].items()))),
        "citizen_id": item["citizen_id"],
        "op": item["op"],
    }
    again = sync(s, [reordered])
    assert statuses(again) == ["duplicate"]
    assert again[0]["record"] == first[0]["record"]


def test_same_uuid_with_other_content_is_a_conflict_and_changes_nothing(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    meeting, entry, outcome = meeting_item(cid), expectation_item(cid), outcome_item(cid)
    sync(s, [meeting, entry, outcome])
    before = counts(db)

    changed_meeting = {**meeting, "data": dict(meeting["data"], note="Another note")}
    changed_entry = {**entry, "data": dict(entry["data"], value=9)}
    changed_outcome = {**outcome, "data": dict(outcome["data"], kind="job")}
    other_citizen = factories.make_citizen(db, world["team_a"], "A-2")
    moved_entry = {**entry, "citizen_id": other_citizen}
    results = sync(s, [changed_meeting, changed_entry, changed_outcome, moved_entry])

    assert statuses(results) == ["conflict"] * 4
    for result in results:
        assert result["code"] == "id_conflict"
        assert isinstance(result["message"], str) and result["message"]
        assert "record" not in result
    assert counts(db) == before
    assert db.execute("SELECT note FROM meeting").fetchone()[0] == meeting["data"]["note"]
    assert db.execute("SELECT value FROM expectation WHERE id = ?", [entry["data"]["id"]]).fetchone()[0] == 4
    assert db.execute("SELECT kind FROM outcome").fetchone()[0] == "education"


def test_an_outcome_without_client_id_is_not_stored_twice_on_resend(auth, world, db):
    s = auth("worker")
    item = {"op": "record_outcome", "citizen_id": world["citizen"], "data": {"kind": "job", "observed_on": "2024-01-01"}}
    first = sync(s, [item])
    again = sync(s, [item])
    assert db.table("outcome").count <= 1
    assert again[0]["status"] != "created", (first, again)


def test_resending_my_own_recusal_is_a_duplicate(auth, world, db):
    s = auth("worker")
    item = recusal_item(world["citizen"], reason="My cousin")
    first = sync(s, [item])
    assert statuses(first) == ["created"]
    again = sync(s, [item])
    assert statuses(again) == ["duplicate"]
    assert again[0]["record"] == first[0]["record"]
    assert db.table("recusal").count == 1


# --- 5. CSRF and authentication ----------------------------------------------------------


def one_of_each(cid):
    return [meeting_item(cid), expectation_item(cid), outcome_item(cid), recusal_item(cid)]


def test_without_csrf_token_the_batch_is_400_and_nothing_is_applied(auth, world, db):
    s = auth("worker")
    response = s.client.post(SYNC, json={"items": one_of_each(world["citizen"])})
    assert_error_shape(response, 400, "csrf_failed")
    wrong = s.post(SYNC, json={"items": one_of_each(world["citizen"])}, headers={"X-CSRFToken": "forged"})
    assert_error_shape(wrong, 400, "csrf_failed")
    assert counts(db) == NOTHING


def test_not_logged_in_is_401_and_nothing_is_applied(app, world, db):
    fresh = app.test_client()
    response = fresh.post(SYNC, json={"items": one_of_each(world["citizen"])}, headers={"X-CSRFToken": "x"})
    assert_error_shape(response, 401, "unauthorized")
    assert fresh.get(f"{SYNC}/citizens").status_code == 401
    assert counts(db) == NOTHING


def test_after_the_session_ended_the_outbox_gets_401_and_nothing_is_applied(auth, world, db):
    s = auth("worker")
    assert s.post("/api/v1/auth/logout").status_code in (200, 204)
    response = s.post(SYNC, json={"items": one_of_each(world["citizen"])})  # the old token is still sent
    assert_error_shape(response, 401, "unauthorized")
    assert counts(db) == NOTHING


# --- 6. access is decided at sync time ----------------------------------------------------


def test_a_batch_for_a_team_a_citizen_sent_by_a_team_b_worker_is_not_found(auth, world, db):
    """Exactly the answer for a citizen that does not exist: the outbox must not tell a
    worker which ids belong to other teams (issue 13)."""
    items = one_of_each(world["citizen"])
    results = sync(auth("other"), items)
    assert statuses(results) == ["not_found"] * 4
    missing = sync(auth("other"), one_of_each(987654))
    assert [sorted(r) for r in results] == [sorted(r) for r in missing]
    for result in results:
        assert "record" not in result and "id" not in result
    assert counts(db) == NOTHING


def test_a_worker_recused_after_capturing_gets_not_found_at_sync_time(auth, world, db):
    s = auth("worker")
    captured = [meeting_item(world["citizen"]), expectation_item(world["citizen"]), outcome_item(world["citizen"])]
    factories.recuse(db, world["citizen"], world["worker"].id, declared_by=world["lead"].id)
    results = sync(s, captured)
    assert statuses(results) == ["not_found"] * 3
    assert counts(db) == {"meeting": 0, "expectation": 0, "outcome": 0, "recusal": 1}


def test_items_after_my_own_recusal_in_the_same_batch_are_not_found(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    results = sync(s, [expectation_item(cid), recusal_item(cid, reason="Old friend"), expectation_item(cid)])
    assert statuses(results) == ["created", "created", "not_found"]
    assert counts(db) == {"meeting": 0, "expectation": 1, "outcome": 0, "recusal": 1}


def test_a_citizen_that_does_not_exist_is_not_found(auth, world, db):
    results = sync(auth("worker"), [meeting_item(424242), expectation_item(0), outcome_item(-1)])
    assert statuses(results) == ["not_found"] * 3
    assert counts(db) == NOTHING


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_researchers_and_admins_get_403_for_the_whole_request(auth, world, db, role):
    s = auth(role)
    response = s.post(SYNC, json={"items": one_of_each(world["citizen"])})
    assert_error_shape(response, 403, "forbidden")
    assert s.get(f"{SYNC}/citizens").status_code == 403
    assert counts(db) == NOTHING


# --- 7. malformed items and bodies --------------------------------------------------------


def test_malformed_items_are_invalid_and_the_others_still_applied(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    good_before = expectation_item(cid)
    good_after = outcome_item(cid)
    entry = expectation_item(cid)["data"]
    items = [
        good_before,
        "create_meeting",                                               # not an object
        {"op": "delete_citizen", "citizen_id": cid, "data": {}},        # unknown op
        {"op": "add_expectation", "data": entry},                       # citizen_id missing
        {"op": "add_expectation", "citizen_id": str(cid), "data": entry},  # citizen_id a string
        {"op": "add_expectation", "citizen_id": cid},                   # data missing
        {"op": "add_expectation", "citizen_id": cid, "data": dict(entry, colour="red")},  # unknown key
        {"op": "add_expectation", "citizen_id": cid, "data": entry, "priority": 1},  # unknown item key
        {"op": "add_expectation", "citizen_id": cid, "data": [entry]},  # data not an object
        {"op": "add_expectation", "citizen_id": True, "data": entry},   # a boolean is no id
        good_after,
    ]
    results = sync(s, items)

    assert statuses(results) == ["created"] + ["invalid"] * 9 + ["created"]
    for result in results[1:-1]:
        assert result["errors"], result
        assert "record" not in result
    assert results[1]["errors"]
    assert set(results[2]["errors"]) == {"op"}
    assert set(results[3]["errors"]) == {"citizen_id"}
    assert set(results[4]["errors"]) == {"citizen_id"}
    assert set(results[5]["errors"]) == {"data"}
    assert set(results[6]["errors"]) == {"colour"}
    assert set(results[7]["errors"]) == {"priority"}
    assert set(results[8]["errors"]) == {"data"}
    assert set(results[9]["errors"]) == {"citizen_id"}
    assert ids_in(db, "expectation") == {good_before["data"]["id"]}  # entry (reused above) was never stored
    assert ids_in(db, "outcome") == {good_after["data"]["id"]}


def test_a_null_item_is_invalid_on_its_own(auth, world, db):
    s = auth("worker")
    cid = world["citizen"]
    before, after = expectation_item(cid), outcome_item(cid)
    results = sync(s, [before, None, after])
    assert statuses(results) == ["created", "invalid", "created"]
    assert results[1]["errors"]
    assert counts(db) == {"meeting": 0, "expectation": 1, "outcome": 1, "recusal": 0}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "items"),
        ({"items": {"0": {}}}, "items"),
        ({"items": "create_meeting"}, "items"),
        ({"items": None}, "items"),
        ({"items": [], "since": "2024-01-01"}, "since"),
    ],
)
def test_a_malformed_body_is_422_for_the_request(auth, world, db, body, field):
    s = auth("worker")
    if body.get("items") == []:
        body = dict(body, items=one_of_each(world["citizen"]))  # good items, still refused
    response = s.post(SYNC, json=body)
    assert_error_shape(response, 422, "validation_error")
    assert field in response.json["errors"]
    assert counts(db) == NOTHING


def test_a_body_that_is_not_an_object_is_422(auth, world, db):
    response = auth("worker").post(SYNC, json=one_of_each(world["citizen"]))
    assert_error_shape(response, 422, "validation_error")
    assert counts(db) == NOTHING


def test_item_errors_are_in_the_users_language_like_the_rest_api(auth, world):
    s = auth("worker")
    body = factories.meeting_body()
    del body["mode"]
    rest = s.post(f"/api/v1/citizens/{world['citizen']}/meetings", json=body)
    assert rest.status_code == 422
    results = sync(s, [{"op": "create_meeting", "citizen_id": world["citizen"], "data": body}])
    assert results[0]["status"] == "invalid"
    assert results[0]["errors"] == rest.json["errors"]


# --- 9. what the phone may keep offline ---------------------------------------------------


def test_offline_citizens_hold_no_names_and_only_what_the_user_may_see(auth, world, db):
    cid = world["citizen"]
    recused = factories.make_citizen(db, world["team_a"], "A-9", display_name="Rita Recused")
    factories.recuse(db, recused, world["worker"].id)
    quiet = factories.make_citizen(db, world["team_a"], "A-3", display_name="Quiet Quist")
    s = auth("worker")
    sync(s, [meeting_item(cid)])  # worker 7, doctor 2: a gap of 5 ≥ 4 → clash

    response = s.get(f"{SYNC}/citizens")

    assert response.status_code == 200
    assert set(response.json) == {"items"}
    items = response.json["items"]
    for item in items:
        assert set(item) == {"id", "case_ref", "worker_value", "clash"}
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {cid, quiet}  # neither the recused citizen nor team B's
    assert by_id[cid] == {"id": cid, "case_ref": "A-1", "worker_value": 7, "clash": True}
    assert by_id[quiet] == {"id": quiet, "case_ref": "A-3", "worker_value": None, "clash": False}
    text = response.get_data(as_text=True)
    for secret in ("Anna", "Rita", "Quiet", "Bo Berg", "internship"):
        assert secret not in text

    other = auth("other").get(f"{SYNC}/citizens").json["items"]
    assert [item["id"] for item in other] == [world["citizen_b"]]
