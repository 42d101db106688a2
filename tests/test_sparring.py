"""Colleague sparring: prompts become requests on write, the queue, manual requests and
dismissal, sessions with phases, blind ratings and their secrecy, agreement (r_wg), the
outcome of a case (notes, revised expectation, actions), actions due, and who may take part.

DESIGN.md "Domain" (sparring request / session), "Rules" (sparring prompt, agreement).
Data that the tests are about goes through the API (a meeting from factories.meeting_body()
makes a gap clash: worker 7 vs doctor "egen læge" 2); other setup uses the factories.
"""
import uuid
from datetime import date, timedelta

import pytest

from journal import clock
from journal.clashes import Prompt
from journal.db import transaction
from journal.sparring.rules import PHASES, agreement, causes_to_raise, next_phase

from . import factories
from .conftest import Session

EN = {"Accept-Language": "en"}
GAP_DETAIL = "Doctor (egen læge) 2 vs Worker 7"  # for colleagues: the case owner by name, never "you"


# --- helpers ------------------------------------------------------------------------------


def days_ago(n):
    return clock.today() - timedelta(days=n)


def noon_utc(n):
    """A stored timestamp at 12:00 UTC *n* local days ago (the same date in UTC and locally)."""
    return f"{days_ago(n).isoformat()}T12:00:00Z"


def post_meeting(s, citizen_id, **overrides):
    response = s.post(f"/api/v1/citizens/{citizen_id}/meetings", json=factories.meeting_body(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def post_expectation(s, citizen_id, source="worker", value=5, **fields):
    body = {"id": str(uuid.uuid4()), "source": source, "value": value, "confidence": "medium", **fields}
    response = s.post(f"/api/v1/citizens/{citizen_id}/expectations", json=body)
    assert response.status_code == 201, response.json
    return response.json


def requests_of(db, citizen_id):
    return list(db.query("SELECT * FROM sparring_request WHERE citizen_id = ? ORDER BY id", [citizen_id]))


def request_row(db, request_id):
    return next(iter(db.query("SELECT * FROM sparring_request WHERE id = ?", [request_id])))


def insert_request(db, citizen_id, user_id, reason="manual", status="open", created_at=None, detail=None, handled_at=None):
    created_at = created_at or clock.timestamp()
    with transaction(db):
        return db.table("sparring_request").insert(
            {
                "citizen_id": citizen_id,
                "requested_by": user_id,
                "reason": reason,
                "detail": detail,
                "status": status,
                "created_at": created_at,
                "updated_at": created_at,
                "handled_at": handled_at,
            }
        ).last_pk


def set_handled_at(db, request_id, timestamp):
    with transaction(db):
        db.execute("UPDATE sparring_request SET handled_at = ? WHERE id = ?", [timestamp, request_id])


def queue(s, headers=EN):
    response = s.get("/api/v1/sparring/requests", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def gap_request(db, s, citizen_id):
    """A worker logs the standard meeting (worker 7 vs doctor 2): the open gap request's id."""
    post_meeting(s, citizen_id)
    rows = [r for r in requests_of(db, citizen_id) if r["reason"] == "gap" and r["status"] == "open"]
    assert len(rows) == 1
    return rows[0]["id"]


def start_session(lead, participant_ids, request_ids, title=None):
    body = {"participant_ids": participant_ids, "request_ids": request_ids}
    if title is not None:
        body["title"] = title
    response = lead.post("/api/v1/sparring/sessions", json=body)
    assert response.status_code == 201, response.json
    return response.json


def get_session(s, session_id):
    response = s.get(f"/api/v1/sparring/sessions/{session_id}")
    assert response.status_code == 200, response.json
    return response.json


def case_in(session, case_id):
    return next(c for c in session["cases"] if c["id"] == case_id)


def advance(lead, session_id, case_id):
    response = lead.patch(f"/api/v1/sparring/sessions/{session_id}", json={"case_id": case_id, "advance": True})
    assert response.status_code == 200, response.json
    return response.json


def advance_to(lead, session_id, case_id, phase):
    current = case_in(get_session(lead, session_id), case_id)["phase"]
    session = None
    while current != phase:
        session = advance(lead, session_id, case_id)
        current = case_in(session, case_id)["phase"]
    return session


def rate(s, session_id, case_id, value):
    return s.post(f"/api/v1/sparring/sessions/{session_id}/ratings", json={"case_id": case_id, "value": value})


def login(app, user):
    session = Session(app.test_client(), user)
    session.login()
    return session


@pytest.fixture
def lead2(app, db, world):
    """A second lead in team A (not the one who runs the sessions below)."""
    return factories.make_user(db, "lead", world["team_a"], "lead2")


# --- pure rules ---------------------------------------------------------------------------

TODAY = date(2026, 3, 15)
QUIET = 90
GAP = Prompt("gap", {"source": "doctor", "source_label": None, "value": 2, "worker_value": 7, "gap": 5})
DROP = Prompt("drop", {"before": 7, "after": 3})
STALE = Prompt("stale_low", {"value": 2, "since": date(2025, 11, 1), "days": 134})


def handled(reason, status, days, time="12:00:00"):
    return {"reason": reason, "status": status, "handled_at": f"{(TODAY - timedelta(days=days)).isoformat()}T{time}Z"}


def pending(reason, status="open"):
    return {"reason": reason, "status": status, "handled_at": None}


@pytest.mark.parametrize(
    "prompts, requests, quiet, expected",
    [
        pytest.param([GAP], [], QUIET, ["gap"], id="first-gap"),
        pytest.param([GAP, DROP, STALE], [], QUIET, ["gap", "drop", "stale_low"], id="all-three-causes"),
        pytest.param([], [], QUIET, [], id="no-prompts"),
        pytest.param([GAP], [pending("gap")], QUIET, [], id="gap-open"),
        pytest.param([GAP], [pending("gap", "scheduled")], QUIET, [], id="gap-scheduled"),
        pytest.param([GAP, DROP], [pending("drop")], QUIET, ["gap"], id="open-drop-blocks-only-drop"),
        pytest.param([GAP, STALE], [pending("stale_low", "scheduled")], QUIET, ["gap"], id="scheduled-stale-blocks-only-stale"),
        pytest.param([GAP], [pending("manual")], QUIET, ["gap"], id="open-manual-blocks-nothing"),
        pytest.param([GAP], [handled("gap", "done", 0)], QUIET, [], id="gap-done-today"),
        pytest.param([GAP], [handled("gap", "done", 10)], QUIET, [], id="gap-done-10-days-ago"),
        pytest.param([GAP], [handled("gap", "dismissed", 10)], QUIET, [], id="gap-dismissed-10-days-ago"),
        pytest.param([GAP], [handled("gap", "dismissed", 89)], QUIET, [], id="gap-dismissed-89-days-ago"),
        pytest.param([GAP], [handled("gap", "dismissed", 90)], QUIET, ["gap"], id="gap-dismissed-90-days-ago"),
        pytest.param([GAP], [handled("gap", "done", 91)], QUIET, ["gap"], id="gap-done-91-days-ago"),
        pytest.param([GAP], [handled("gap", "dismissed", 400)], QUIET, ["gap"], id="gap-dismissed-long-ago"),
        pytest.param([GAP, DROP], [handled("drop", "dismissed", 5)], QUIET, ["gap"], id="handled-drop-quiets-only-drop"),
        pytest.param([GAP], [handled("gap", "done", 200), pending("gap")], QUIET, [], id="old-done-and-open"),
        pytest.param([GAP], [handled("gap", "done", 200), handled("gap", "dismissed", 3)], QUIET, [], id="old-and-recent-handled"),
        pytest.param([GAP], [handled("gap", "dismissed", 31)], 30, ["gap"], id="quiet-30-after"),
        pytest.param([GAP], [handled("gap", "dismissed", 29)], 30, [], id="quiet-30-within"),
        pytest.param([STALE], [handled("stale_low", "done", 45)], QUIET, [], id="stale-done-45-days-ago"),
        pytest.param([STALE], [handled("stale_low", "done", 120)], QUIET, ["stale_low"], id="stale-done-120-days-ago"),
        pytest.param(
            # 2025-12-15T23:30Z is 2025-12-16 00:30 in Copenhagen: 89 local days before TODAY.
            [GAP], [handled("gap", "dismissed", 90, time="23:30:00")], QUIET, [],
            id="handled-late-evening-utc-is-next-local-day",
        ),
    ],
)
def test_causes_to_raise(prompts, requests, quiet, expected):
    raised = causes_to_raise(prompts, requests, TODAY, quiet)
    assert [p.cause for p in raised] == expected
    assert all(isinstance(p, Prompt) for p in raised)


def test_causes_to_raise_keeps_the_prompts_facts():
    assert causes_to_raise([GAP, DROP], [pending("gap")], TODAY, QUIET) == [DROP]


@pytest.mark.parametrize("phase, following", list(zip(PHASES, PHASES[1:])) + [("done", "done")])
def test_next_phase(phase, following):
    assert next_phase(phase) == following


def test_phases_are_in_the_designed_order():
    assert PHASES == ("present", "blind_rating", "reveal", "questions", "reflections", "response", "actions", "done")


@pytest.mark.parametrize(
    "values, n, median, spread, rwg",
    [
        pytest.param([5, 5], 2, 5, 0, 1.0, id="same"),
        pytest.param([6, 8], 2, 7, 2, 0.8, id="6-8: 1-2/10"),
        pytest.param([0, 10], 2, 5, 10, 0.0, id="0-10: 1-50/10 clamped"),
        pytest.param([4, 5, 6], 3, 5, 2, 0.9, id="4-5-6: 1-1/10"),
        pytest.param([1, 2, 3, 4], 4, 2.5, 3, 0.833, id="1-2-3-4: 1-(5/3)/10, even median"),
        pytest.param([7, 8, 8, 9], 4, 8, 2, 0.933, id="7-8-8-9: 1-(2/3)/10"),
        pytest.param([2, 5, 9], 3, 5, 7, 0.0, id="2-5-9: 1-(37/3)/10 clamped"),
        pytest.param([3, 3, 3, 3, 3], 5, 3, 0, 1.0, id="five-same"),
        pytest.param([7], 1, 7, None, None, id="one-rating"),
        pytest.param([], 0, None, None, None, id="no-ratings"),
    ],
)
def test_agreement_against_hand_computed_rwg(values, n, median, spread, rwg):
    result = agreement(values)
    assert result["n"] == n
    assert result["median"] == median
    assert result["spread"] == spread
    if rwg is None:
        assert result["rwg"] is None
    else:
        assert result["rwg"] == pytest.approx(rwg, abs=0.0005)
        assert 0.0 <= result["rwg"] <= 1.0


def test_agreement_accepts_a_generator():
    assert agreement(v for v in [6, 8])["rwg"] == pytest.approx(0.8)


# --- prompts become requests on write -----------------------------------------------------


def test_a_meeting_with_a_gap_raises_one_open_gap_request_with_plain_words(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    post_meeting(worker, cid)

    rows = requests_of(db, cid)
    assert [(r["reason"], r["status"], r["requested_by"]) for r in rows] == [("gap", "open", world["worker"].id)]

    items = queue(lead)
    assert len(items) == 1
    item = items[0]
    assert item["citizen_id"] == cid
    assert item["reason"] == "gap"
    assert item["status"] == "open"
    assert item["detail"] == GAP_DETAIL
    assert item["age_days"] == 0
    assert item["max_gap"] == 5


def test_the_detail_follows_the_language_and_a_stored_locale_wins(app, world, auth, db):
    cid = world["citizen"]
    post_meeting(auth("worker"), cid)
    assert queue(auth("lead"), headers={"Accept-Language": "da"})[0]["detail"] == "Læge (egen læge) 2 mod Worker 7"
    danish = login(app, factories.make_user(db, "lead", world["team_a"], "dalead", locale="da"))
    assert queue(danish, headers=EN)[0]["detail"] == "Læge (egen læge) 2 mod Worker 7"
    english = login(app, factories.make_user(db, "lead", world["team_a"], "enlead", locale="en"))
    assert queue(english, headers={"Accept-Language": "da"})[0]["detail"] == GAP_DETAIL


def test_no_second_request_while_one_for_the_cause_is_open(world, auth, db):
    worker = auth("worker")
    cid = world["citizen"]
    post_meeting(worker, cid)
    post_meeting(worker, cid)
    post_expectation(worker, cid, source="parent", value=1)
    auth("worker2").post(f"/api/v1/citizens/{cid}/meetings", json=factories.meeting_body())
    assert [(r["reason"], r["status"]) for r in requests_of(db, cid)] == [("gap", "open")]


def test_no_second_request_while_one_for_the_cause_is_scheduled(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    start_session(lead, [world["worker"].id], [request_id])
    post_meeting(worker, cid)
    assert [(r["reason"], r["status"]) for r in requests_of(db, cid)] == [("gap", "scheduled")]
    assert queue(lead) == []


def test_a_fall_in_the_workers_view_raises_a_drop_request(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    post_meeting(worker, cid)  # worker 7, doctor 2: gap
    post_expectation(worker, cid, value=3)  # 7 → 3 (drop_threshold 3); 3 vs 2 is no gap
    assert [(r["reason"], r["status"]) for r in requests_of(db, cid)] == [("gap", "open"), ("drop", "open")]
    details = {i["reason"]: i["detail"] for i in queue(lead)}
    assert details["drop"] == "Worker's view fell from 7 to 3"
    # the worker whose view fell reads it as their own
    assert {i["reason"]: i["detail"] for i in queue(worker)}["drop"] == "Your view fell from 7 to 3"
    # the same fall is not raised again while its request is open
    post_expectation(worker, cid, source="citizen", value=4)
    assert [r["reason"] for r in requests_of(db, cid)] == ["gap", "drop"]


def test_a_long_low_view_raises_a_stale_low_request_on_the_next_write(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    factories.make_expectation(db, cid, world["worker"].id, "worker", 2, days_ago=100)
    assert requests_of(db, cid) == []  # setup through SQL raises nothing
    post_expectation(worker, cid, source="citizen", value=2)
    assert [(r["reason"], r["status"]) for r in requests_of(db, cid)] == [("stale_low", "open")]
    item = queue(lead)[0]
    assert item["reason"] == "stale_low"
    assert item["detail"] == "Worker's view has been 2 or lower for 100 days without sparring"


def test_a_worker_view_low_for_less_than_stale_low_days_raises_nothing(world, auth, db):
    cid = world["citizen"]
    factories.make_expectation(db, cid, world["worker"].id, "worker", 2, days_ago=60)
    post_expectation(auth("worker"), cid, source="citizen", value=2)
    assert requests_of(db, cid) == []


def test_after_a_dismissal_quiet_for_stale_low_days_then_raised_again(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    response = lead.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed", "reason": "Discussed at the team meeting"})
    assert response.status_code == 200, response.json

    post_meeting(worker, cid)
    assert [r["status"] for r in requests_of(db, cid)] == ["dismissed"]

    set_handled_at(db, request_id, noon_utc(89))
    post_meeting(worker, cid)
    assert [r["status"] for r in requests_of(db, cid)] == ["dismissed"]

    set_handled_at(db, request_id, noon_utc(91))
    post_meeting(worker, cid)
    assert [(r["reason"], r["status"]) for r in requests_of(db, cid)] == [("gap", "dismissed"), ("gap", "open")]


def test_the_quiet_period_follows_the_teams_stale_low_days(world, auth, db):
    with transaction(db):
        db.execute("UPDATE team SET stale_low_days = 30 WHERE id = ?", [world["team_a"]])
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    assert lead.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed", "reason": "Later"}).status_code == 200
    set_handled_at(db, request_id, noon_utc(29))
    post_meeting(worker, cid)
    assert len(requests_of(db, cid)) == 1
    set_handled_at(db, request_id, noon_utc(31))
    post_meeting(worker, cid)
    assert [r["status"] for r in requests_of(db, cid)] == ["dismissed", "open"]


def test_reading_never_creates_requests(world, auth, db):
    cid, team = world["citizen"], world["team_a"]
    factories.make_expectation(db, cid, world["worker"].id, "worker", 7)
    factories.make_expectation(db, cid, world["worker"].id, "doctor", 2, source_label="egen læge")
    stale = factories.make_citizen(db, team, "A-2", world["worker"].id)
    factories.make_expectation(db, stale, world["worker"].id, "worker", 1, days_ago=120)
    fell = factories.make_citizen(db, team, "A-3", world["worker"].id)
    factories.make_expectation(db, fell, world["worker"].id, "worker", 8, days_ago=10)
    factories.make_expectation(db, fell, world["worker"].id, "worker", 2, days_ago=1)

    for name in ("worker", "lead"):
        s = auth(name)
        clash = s.get(f"/api/v1/citizens/{cid}/clash", headers=EN)
        assert clash.status_code == 200
        assert [p["cause"] for p in clash.json["prompts"]] == ["gap"]  # the rules do see a cause
        for url in (
            "/api/v1/citizens",
            "/api/v1/citizens?clashing=true",
            f"/api/v1/citizens/{cid}",
            f"/api/v1/citizens/{cid}/expectations",
            f"/api/v1/citizens/{cid}/meetings",
            f"/api/v1/citizens/{stale}",
            f"/api/v1/citizens/{stale}/clash",
            f"/api/v1/citizens/{fell}",
            f"/api/v1/citizens/{fell}/clash",
            f"/api/v1/teams/{team}/clashes",
            "/api/v1/sparring/requests",
            "/api/v1/actions",
        ):
            assert s.get(url, headers=EN).status_code == 200, url
    assert list(db.query("SELECT * FROM sparring_request")) == []


# --- manual requests and dismissal --------------------------------------------------------


def test_a_worker_asks_for_sparring_with_a_question(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    response = worker.post("/api/v1/sparring/requests", json={"citizen_id": cid, "question": "How do I start the talk about hours?"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["reason"] == "manual"
    assert body["detail"] == "How do I start the talk about hours?"
    assert body["status"] == "open"
    assert body["citizen_id"] == cid
    assert body["requested_by"] == world["worker"].id
    [item] = queue(lead)
    assert (item["id"], item["reason"], item["detail"]) == (body["id"], "manual", "How do I start the talk about hours?")


def test_a_manual_request_does_not_block_a_prompted_one(world, auth, db):
    worker = auth("worker")
    cid = world["citizen"]
    assert worker.post("/api/v1/sparring/requests", json={"citizen_id": cid, "question": "Help?"}).status_code == 201
    post_meeting(worker, cid)
    assert [(r["reason"], r["status"]) for r in requests_of(db, cid)] == [("manual", "open"), ("gap", "open")]


def test_no_manual_request_on_a_citizen_one_may_not_see(world, auth, db):
    factories.recuse(db, world["citizen"], world["worker2"].id)
    assert auth("worker").post("/api/v1/sparring/requests", json={"citizen_id": world["citizen_b"], "question": "?"}).status_code == 404
    assert auth("worker2").post("/api/v1/sparring/requests", json={"citizen_id": world["citizen"], "question": "?"}).status_code == 404
    assert list(db.query("SELECT * FROM sparring_request")) == []


def test_a_lead_dismisses_an_open_request_with_a_reason(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    request_id = gap_request(db, worker, world["citizen"])
    response = lead.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed", "reason": "Doctor's view is from an old record"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "dismissed"
    row = request_row(db, request_id)
    assert row["status"] == "dismissed"
    assert row["handled_by"] == world["lead"].id
    assert row["handled_note"] == "Doctor's view is from an old record"
    assert row["handled_at"]
    assert queue(lead) == []

    again = lead.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed", "reason": "again"})
    assert again.status_code == 422


def test_a_worker_cannot_dismiss(world, auth, db):
    worker = auth("worker")
    request_id = gap_request(db, worker, world["citizen"])
    response = worker.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed", "reason": "not needed"})
    assert response.status_code == 403
    assert request_row(db, request_id)["status"] == "open"


@pytest.mark.parametrize("status", ["scheduled", "done", "dismissed"])
def test_only_open_requests_can_be_dismissed(world, auth, db, status):
    request_id = insert_request(db, world["citizen"], world["worker"].id, status=status)
    response = auth("lead").patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed", "reason": "no"})
    assert response.status_code == 422
    assert request_row(db, request_id)["status"] == status


def test_a_dismissal_needs_a_reason_and_another_teams_request_is_not_found(world, auth, db):
    lead = auth("lead")
    request_id = insert_request(db, world["citizen"], world["worker"].id)
    assert lead.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "dismissed"}).status_code == 422
    assert lead.patch(f"/api/v1/sparring/requests/{request_id}", json={"status": "done", "reason": "x"}).status_code == 422
    theirs = insert_request(db, world["citizen_b"], world["other"].id)
    assert lead.patch(f"/api/v1/sparring/requests/{theirs}", json={"status": "dismissed", "reason": "x"}).status_code == 404
    assert request_row(db, request_id)["status"] == "open"
    assert request_row(db, theirs)["status"] == "open"


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_is_the_teams_open_requests_largest_gap_first_then_oldest(world, auth, db):
    team, me = world["team_a"], world["worker"].id

    def citizen(ref, worker=None, doctor=None):
        cid = factories.make_citizen(db, team, ref, me)
        if worker is not None:
            factories.make_expectation(db, cid, me, "worker", worker)
            factories.make_expectation(db, cid, me, "doctor", doctor)
        return cid

    gap5_new = citizen("A-5new", 7, 2)
    gap6 = citizen("A-6", 2, 8)
    gap5_old = citizen("A-5old", 6, 1)
    none_old = citizen("A-old")
    none_new = citizen("A-new")
    small = citizen("A-small", 5, 4)
    ids = {
        "gap5_new": insert_request(db, gap5_new, me, "gap", created_at=noon_utc(2)),
        "gap6": insert_request(db, gap6, me, "manual", created_at=noon_utc(1), detail="Parent pulls back"),
        "gap5_old": insert_request(db, gap5_old, me, "manual", created_at=noon_utc(4), detail="Why so low?"),
        "none_old": insert_request(db, none_old, me, "manual", created_at=noon_utc(9)),
        "none_new": insert_request(db, none_new, me, "manual", created_at=noon_utc(3), detail="Fresh eyes"),
        "small": insert_request(db, small, me, "manual", created_at=noon_utc(6), detail="Small gap"),
    }
    insert_request(db, gap6, me, "manual", status="scheduled", created_at=noon_utc(20))
    insert_request(db, gap6, me, "gap", status="done", created_at=noon_utc(20))
    insert_request(db, gap5_new, me, "manual", status="dismissed", created_at=noon_utc(20))
    other_team = insert_request(db, world["citizen_b"], world["other"].id, "manual", created_at=noon_utc(30))

    items = queue(auth("lead"))
    assert [i["id"] for i in items] == [ids[k] for k in ("gap6", "gap5_old", "gap5_new", "small", "none_old", "none_new")]
    assert other_team not in [i["id"] for i in items]
    by_id = {i["id"]: i for i in items}
    assert by_id[ids["gap6"]]["age_days"] == 1
    assert by_id[ids["gap5_old"]]["age_days"] == 4
    assert by_id[ids["none_old"]]["age_days"] == 9
    assert by_id[ids["gap6"]]["max_gap"] == -6
    assert by_id[ids["gap6"]]["detail"] == "Parent pulls back"
    assert by_id[ids["none_old"]]["detail"] == "Sparring requested"
    assert by_id[ids["gap5_new"]]["reason"] == "gap"
    assert all(set(i) >= {"reason", "detail", "age_days", "citizen_id", "case_ref"} for i in items)
    assert all(i["status"] == "open" for i in items)

    # the other team sees only its own
    assert [i["id"] for i in queue(auth("other"))] == [other_team]
    # a worker sees the same queue as the lead
    assert [i["id"] for i in queue(auth("worker"))] == [i["id"] for i in items]


def test_age_days_counts_local_days(world, auth, db):
    # yesterday 23:30 UTC is today 00:30 (winter) or 01:30 (summer) in Copenhagen
    created = f"{days_ago(1).isoformat()}T23:30:00Z"
    insert_request(db, world["citizen"], world["worker"].id, created_at=created)
    assert queue(auth("lead"))[0]["age_days"] == 0


def test_a_recused_worker_never_sees_requests_on_that_citizen(world, auth, db):
    worker = auth("worker")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    other = factories.make_citizen(db, world["team_a"], "A-2", world["worker2"].id)
    manual = insert_request(db, other, world["worker2"].id)
    factories.recuse(db, cid, world["worker2"].id)
    assert [i["id"] for i in queue(auth("worker2"))] == [manual]
    assert {i["id"] for i in queue(auth("lead"))} == {request_id, manual}


# --- sessions -----------------------------------------------------------------------------


def test_a_lead_starts_a_session_and_the_requests_leave_the_queue(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    second = factories.make_citizen(db, world["team_a"], "A-2", world["worker2"].id)
    manual = auth("worker2").post("/api/v1/sparring/requests", json={"citizen_id": second, "question": "Stuck"}).json["id"]

    response = lead.post(
        "/api/v1/sparring/sessions",
        json={"participant_ids": [world["worker"].id, world["worker2"].id], "request_ids": [request_id, manual], "title": "Tuesday"},
        headers=EN,
    )
    assert response.status_code == 201, response.json
    session = response.json
    assert session["title"] == "Tuesday"
    assert session["status"] == "running"
    assert session["lead_id"] == world["lead"].id
    assert {p["id"] for p in session["participants"]} == {world["lead"].id, world["worker"].id, world["worker2"].id}
    assert [(c["citizen_id"], c["phase"], c["reason"]) for c in session["cases"]] == [(cid, "present", "gap"), (second, "present", "manual")]
    first, other = session["cases"]
    assert first["owner_id"] == world["worker"].id
    assert other["owner_id"] == world["worker2"].id
    # blind means blind: until the reveal nobody sees why it was raised (it names the anchors)
    assert first["detail"] is None and other["detail"] is None
    assert (first["goal"], first["owner_name"]) == ("job", "Worker")
    assert session["current_case_id"] == first["id"]
    assert session["hidden_cases"] == 0
    assert session["excluded"] == []

    assert request_row(db, request_id)["status"] == "scheduled"
    assert request_row(db, manual)["status"] == "scheduled"
    assert queue(lead) == []


def test_a_session_without_a_title(world, auth, db):
    request_id = gap_request(db, auth("worker"), world["citizen"])
    session = start_session(auth("lead"), [world["worker"].id], [request_id])
    assert session["title"] is None


def test_session_participants_come_from_the_team(world, auth, db):
    lead = auth("lead")
    request_id = gap_request(db, auth("worker"), world["citizen"])
    for participants in ([world["other"].id], [world["worker"].id, world["other"].id], [world["researcher"].id], [world["admin"].id], [99999]):
        response = lead.post("/api/v1/sparring/sessions", json={"participant_ids": participants, "request_ids": [request_id]})
        assert response.status_code == 422, participants
    assert request_row(db, request_id)["status"] == "open"
    assert list(db.query("SELECT * FROM sparring_session")) == []


@pytest.mark.parametrize("status", ["scheduled", "done", "dismissed"])
def test_a_session_takes_only_open_requests(world, auth, db, status):
    request_id = insert_request(db, world["citizen"], world["worker"].id, status=status)
    response = auth("lead").post("/api/v1/sparring/sessions", json={"participant_ids": [world["worker"].id], "request_ids": [request_id]})
    assert response.status_code == 422
    assert request_row(db, request_id)["status"] == status
    assert list(db.query("SELECT * FROM sparring_session")) == []


def test_a_session_takes_no_other_teams_request_and_needs_one(world, auth, db):
    lead = auth("lead")
    theirs = insert_request(db, world["citizen_b"], world["other"].id)
    ours = insert_request(db, world["citizen"], world["worker"].id)
    for request_ids in ([theirs], [ours, theirs], [], [99999]):
        response = lead.post("/api/v1/sparring/sessions", json={"participant_ids": [world["worker"].id], "request_ids": request_ids})
        assert response.status_code == 422, request_ids
    assert request_row(db, ours)["status"] == "open"
    assert request_row(db, theirs)["status"] == "open"


def test_a_worker_cannot_start_a_session(world, auth, db):
    worker = auth("worker")
    request_id = gap_request(db, worker, world["citizen"])
    response = worker.post("/api/v1/sparring/sessions", json={"participant_ids": [world["worker2"].id], "request_ids": [request_id]})
    assert response.status_code == 403
    assert request_row(db, request_id)["status"] == "open"


def test_phases_advance_in_order_and_finish_the_request_and_the_session(world, auth, db, app, lead2):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    second = factories.make_citizen(db, world["team_a"], "A-2", world["worker"].id)
    manual = worker.post("/api/v1/sparring/requests", json={"citizen_id": second, "question": "?"}).json["id"]
    session = start_session(lead, [world["worker"].id, lead2.id], [request_id, manual])
    sid = session["id"]
    first_id, second_id = (c["id"] for c in session["cases"])

    # only the lead who runs the session moves it on
    assert worker.patch(f"/api/v1/sparring/sessions/{sid}", json={"case_id": first_id, "advance": True}).status_code == 403
    assert login(app, lead2).patch(f"/api/v1/sparring/sessions/{sid}", json={"case_id": first_id, "advance": True}).status_code == 403
    assert case_in(get_session(lead, sid), first_id)["phase"] == "present"

    seen = ["present"]
    for _ in range(len(PHASES) - 1):
        view = advance(lead, sid, first_id)
        seen.append(case_in(view, first_id)["phase"])
        if seen[-1] != "done":
            assert request_row(db, request_id)["status"] == "scheduled"
    assert seen == list(PHASES)
    assert request_row(db, request_id)["status"] == "done"
    assert request_row(db, request_id)["handled_at"]
    assert request_row(db, manual)["status"] == "scheduled"
    view = get_session(lead, sid)
    assert view["status"] == "running"
    assert view["current_case_id"] == second_id

    # a finished case cannot be moved on
    finished = lead.patch(f"/api/v1/sparring/sessions/{sid}", json={"case_id": first_id, "advance": True})
    assert finished.status_code == 422

    advance_to(lead, sid, second_id, "done")
    view = get_session(lead, sid)
    assert view["status"] == "done"
    assert view["current_case_id"] is None
    assert request_row(db, manual)["status"] == "done"

    # a cause handled in sparring is not raised again right away
    post_meeting(worker, cid)
    assert [r["status"] for r in requests_of(db, cid)] == ["done"]
    assert queue(lead) == []


def test_advancing_an_unknown_case_is_not_found(world, auth, db):
    lead = auth("lead")
    session = start_session(lead, [world["worker"].id], [gap_request(db, auth("worker"), world["citizen"])])
    response = lead.patch(f"/api/v1/sparring/sessions/{session['id']}", json={"case_id": 99999, "advance": True})
    assert response.status_code == 404


# --- blind rating -------------------------------------------------------------------------


@pytest.fixture
def rating_round(world, auth, db):
    """A session on the gap request (worker 7, citizen 6, doctor "egen læge" 2) with the lead,
    worker and worker2, its case in blind_rating."""
    worker, worker2, lead = auth("worker"), auth("worker2"), auth("lead")
    request_id = gap_request(db, worker, world["citizen"])
    session = start_session(lead, [world["worker"].id, world["worker2"].id], [request_id])
    sid, case_id = session["id"], session["cases"][0]["id"]
    advance(lead, sid, case_id)
    return {"sid": sid, "case_id": case_id, "worker": worker, "worker2": worker2, "lead": lead, "request_id": request_id}


def test_no_rating_outside_the_blind_round(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    session = start_session(lead, [world["worker"].id], [gap_request(db, worker, world["citizen"])])
    sid, case_id = session["id"], session["cases"][0]["id"]
    assert rate(worker, sid, case_id, 5).status_code == 422  # present
    advance(lead, sid, case_id)
    assert rate(worker, sid, case_id, 5).status_code == 200  # blind_rating
    advance(lead, sid, case_id)
    assert rate(worker, sid, case_id, 9).status_code == 422  # reveal
    assert case_in(get_session(worker, sid), case_id)["my_rating"] == 5


@pytest.mark.parametrize("value", [11, -1, 5.5, "7", None, True])
def test_a_rating_is_a_whole_number_from_0_to_10(rating_round, value):
    r = rating_round
    response = rate(r["worker"], r["sid"], r["case_id"], value)
    assert response.status_code == 422
    assert case_in(get_session(r["worker"], r["sid"]), r["case_id"])["ratings_count"] == 0


@pytest.mark.parametrize("value", [0, 10])
def test_the_ends_of_the_scale_are_ratings(rating_round, value):
    r = rating_round
    assert rate(r["worker"], r["sid"], r["case_id"], value).status_code == 200


def test_ratings_stay_secret_until_the_reveal(world, rating_round):
    r = rating_round
    sid, case_id = r["sid"], r["case_id"]
    first = rate(r["worker"], sid, case_id, 6)
    assert first.status_code == 200, first.json
    mine = case_in(first.json, case_id)
    assert (mine["my_rating"], mine["ratings"], mine["ratings_count"]) == (6, None, 1)

    response = rate(r["worker2"], sid, case_id, 8)
    case = case_in(response.json, case_id)
    assert case["my_rating"] == 8
    assert case["ratings"] is None
    assert case["ratings_count"] == 2

    for s, own in ((r["worker"], 6), (r["worker2"], 8), (r["lead"], None)):
        case = case_in(get_session(s, sid), case_id)
        assert case["phase"] == "blind_rating"
        assert case["my_rating"] == own
        assert case["ratings"] is None
        assert case["ratings_count"] == 2
        assert case["agreement"] is None
        assert case["owner_view"] is None
        assert case["views"] is None
        text = str(case)
        if own is not None:
            other = 8 if own == 6 else 6
            assert f"'value': {other}" not in text

    # a rating can be changed until the reveal
    assert case_in(rate(r["worker"], sid, case_id, 5).json, case_id)["my_rating"] == 5
    assert case_in(rate(r["worker"], sid, case_id, 6).json, case_id)["ratings_count"] == 2

    advance(r["lead"], sid, case_id)  # reveal
    expected = {world["worker"].id: 6, world["worker2"].id: 8}
    for s, own in ((r["worker"], 6), (r["worker2"], 8), (r["lead"], None)):
        case = case_in(get_session(s, sid), case_id)
        assert case["phase"] == "reveal"
        assert {x["user_id"]: x["value"] for x in case["ratings"]} == expected
        assert case["my_rating"] == own
        assert case["agreement"]["n"] == 2
        assert case["agreement"]["median"] == 7
        assert case["agreement"]["spread"] == 2
        assert case["agreement"]["rwg"] == pytest.approx(0.8)
        assert case["owner_view"] == 7
        assert {(v["source"], v["source_label"], v["value"]) for v in case["views"]} == {("citizen", None, 6), ("doctor", "egen læge", 2)}
        assert all(v["source"] != "worker" for v in case["views"])

    # still visible in later phases
    advance(r["lead"], sid, case_id)
    case = case_in(get_session(r["worker2"], sid), case_id)
    assert case["phase"] == "questions"
    assert len(case["ratings"]) == 2


def test_agreement_after_reveal_with_three_raters(world, rating_round):
    r = rating_round
    for s, value in ((r["worker"], 4), (r["worker2"], 5), (r["lead"], 6)):
        assert rate(s, r["sid"], r["case_id"], value).status_code == 200
    advance(r["lead"], r["sid"], r["case_id"])
    agreement_shown = case_in(get_session(r["worker"], r["sid"]), r["case_id"])["agreement"]
    assert agreement_shown == {"n": 3, "median": 5, "spread": 2, "rwg": pytest.approx(0.9)}


def test_agreement_after_reveal_with_one_rater(world, rating_round):
    r = rating_round
    assert rate(r["worker"], r["sid"], r["case_id"], 7).status_code == 200
    advance(r["lead"], r["sid"], r["case_id"])
    shown = case_in(get_session(r["lead"], r["sid"]), r["case_id"])["agreement"]
    assert shown == {"n": 1, "median": 7, "spread": None, "rwg": None}


# --- the outcome of a case ----------------------------------------------------------------


def test_notes_revision_and_actions_make_the_outcome(world, auth, db):
    worker, worker2, lead = auth("worker"), auth("worker2"), auth("lead")
    cid = world["citizen"]
    session = start_session(lead, [world["worker"].id, world["worker2"].id], [gap_request(db, worker, cid)])
    sid, case_id = session["id"], session["cases"][0]["id"]
    base = f"/api/v1/sparring/sessions/{sid}/cases/{case_id}"
    revision = {"id": str(uuid.uuid4()), "value": 5, "confidence": "high", "basis": "The internship went well"}

    advance_to(lead, sid, case_id, "questions")
    notes = {"questions": "What does the doctor base it on?", "usual": "I would wait", "could": "Ask for a work test"}
    response = lead.patch(f"/api/v1/sparring/sessions/{sid}", json={"case_id": case_id, "notes": notes})
    assert response.status_code == 200, response.json
    assert case_in(response.json, case_id)["notes"] == notes
    assert case_in(response.json, case_id)["phase"] == "questions"  # notes alone do not move the case
    more = lead.patch(f"/api/v1/sparring/sessions/{sid}", json={"case_id": case_id, "notes": {"reflections": "Try a mentor"}})
    assert case_in(more.json, case_id)["notes"] == dict(notes, reflections="Try a mentor")
    assert case_in(get_session(worker, sid), case_id)["notes"] == dict(notes, reflections="Try a mentor")
    # only the lead writes notes
    assert worker.patch(f"/api/v1/sparring/sessions/{sid}", json={"case_id": case_id, "notes": {"usual": "x"}}).status_code == 403

    # the revised expectation comes after the reflections
    assert worker.post(f"{base}/revision", json=revision).status_code == 422
    advance_to(lead, sid, case_id, "reflections")
    assert worker.post(f"{base}/revision", json=revision).status_code == 422
    advance_to(lead, sid, case_id, "response")
    # a participant who is neither owner nor lead
    assert worker2.post(f"{base}/revision", json=dict(revision, id=str(uuid.uuid4()))).status_code == 403

    response = worker.post(f"{base}/revision", json=revision)
    assert response.status_code == 201, response.json
    stored = response.json
    assert (stored["id"], stored["value"], stored["source"], stored["context"]) == (revision["id"], 5, "worker", "sparring")
    assert stored["confidence"] == "high"
    assert stored["basis"] == "The internship went well"
    assert stored["recorded_by"] == world["worker"].id

    history = worker.get(f"/api/v1/citizens/{cid}/expectations").json["items"]
    entry = next(e for e in history if e["id"] == revision["id"])
    assert (entry["context"], entry["source"], entry["value"]) == ("sparring", "worker", 5)
    clash = worker.get(f"/api/v1/citizens/{cid}/clash").json
    worker_views = [v for v in clash["views"] if v["source"] == "worker"]
    assert [(v["value"], v["expectation_id"]) for v in worker_views] == [(5, revision["id"])]
    case = case_in(get_session(lead, sid), case_id)
    assert case["owner_view"] == 5
    assert case["revised_expectation"]["id"] == revision["id"]

    # re-sending the same revision creates nothing
    assert worker.post(f"{base}/revision", json=revision).status_code == 200
    assert sum(1 for e in worker.get(f"/api/v1/citizens/{cid}/expectations").json["items"] if e["context"] == "sparring") == 1

    advance_to(lead, sid, case_id, "actions")
    due = days_ago(-14).isoformat()
    action = lead.post(f"{base}/actions", json={"text": "Book a work test", "owner_id": world["worker"].id, "due_on": due})
    assert action.status_code == 201, action.json
    assert (action.json["text"], action.json["owner_id"], action.json["due_on"], action.json["done_on"]) == ("Book a work test", world["worker"].id, due, None)
    assert action.json["citizen_id"] == cid
    assert action.json["case_id"] == case_id
    # only the lead records actions
    assert worker.post(f"{base}/actions", json={"text": "x", "owner_id": world["worker"].id, "due_on": due}).status_code == 403
    # the owner must be in the team
    assert lead.post(f"{base}/actions", json={"text": "x", "owner_id": world["other"].id, "due_on": due}).status_code == 422
    case = case_in(get_session(worker, sid), case_id)
    assert [a["text"] for a in case["actions"]] == ["Book a work test"]


def test_the_revision_is_also_allowed_in_the_actions_phase(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    session = start_session(lead, [world["worker"].id], [gap_request(db, worker, world["citizen"])])
    sid, case_id = session["id"], session["cases"][0]["id"]
    advance_to(lead, sid, case_id, "actions")
    response = worker.post(f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/revision", json={"id": str(uuid.uuid4()), "value": 8})
    assert response.status_code == 201, response.json
    assert response.json["context"] == "sparring"
    assert response.json["confidence"] == "medium"


# --- actions ------------------------------------------------------------------------------


@pytest.fixture
def actions(world, auth, db):
    """Four actions from one session: three for worker, one for worker2."""
    worker, lead = auth("worker"), auth("lead")
    session = start_session(lead, [world["worker"].id, world["worker2"].id], [gap_request(db, worker, world["citizen"])])
    sid, case_id = session["id"], session["cases"][0]["id"]
    advance_to(lead, sid, case_id, "actions")
    url = f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/actions"

    def add(text, owner, due):
        response = lead.post(url, json={"text": text, "owner_id": world[owner].id, "due_on": due})
        assert response.status_code == 201, response.json
        return response.json["id"]

    return {
        "late": add("Call the doctor", "worker", days_ago(3).isoformat()),
        "soon": add("Book a work test", "worker", days_ago(-7).isoformat()),
        "undated": add("Read the file", "worker", None),
        "late2": add("Find a mentor", "worker2", days_ago(1).isoformat()),
        "worker": worker,
        "lead": lead,
    }


def test_my_actions_are_open_ones_by_due_date_with_overdue_marked(world, auth, actions):
    items = actions["worker"].get("/api/v1/actions").json["items"]
    assert [i["id"] for i in items] == [actions["late"], actions["soon"], actions["undated"]]
    assert [i["overdue"] for i in items] == [True, False, False]
    assert all(i["owner_id"] == world["worker"].id for i in items)
    assert [i["id"] for i in auth("worker2").get("/api/v1/actions").json["items"]] == [actions["late2"]]


def test_the_owner_marks_an_action_done_and_it_leaves_the_list(world, auth, actions):
    worker = actions["worker"]
    # another worker who is not the owner
    assert auth("worker2").patch(f"/api/v1/actions/{actions['late']}", json={"done": True}).status_code == 403
    response = worker.patch(f"/api/v1/actions/{actions['late']}", json={"done": True})
    assert response.status_code == 200, response.json
    assert response.json["done_on"] == clock.today().isoformat()
    assert response.json["overdue"] is False
    assert actions["late"] not in [i["id"] for i in worker.get("/api/v1/actions").json["items"]]
    # and it leaves the lead's overdue list
    assert [i["id"] for i in actions["lead"].get("/api/v1/actions?scope=team").json["items"]] == [actions["late2"]]


def test_done_must_be_a_boolean(actions):
    assert actions["worker"].patch(f"/api/v1/actions/{actions['late']}", json={"done": "yes"}).status_code == 422
    assert actions["worker"].patch(f"/api/v1/actions/{actions['late']}", json={}).status_code == 422


def test_the_lead_sees_the_teams_overdue_actions(world, auth, db, actions):
    theirs = factories.make_citizen(db, world["team_b"], "B-2", world["other"].id)
    with transaction(db):
        db.table("action").insert(
            {"citizen_id": theirs, "text": "Elsewhere", "owner_id": world["other"].id, "due_on": days_ago(5).isoformat(),
             "created_by": world["other"].id, "created_at": clock.timestamp()}
        )
    response = actions["lead"].get("/api/v1/actions?scope=team")
    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert [i["id"] for i in items] == [actions["late"], actions["late2"]]
    assert all(i["overdue"] for i in items)
    assert actions["worker"].get("/api/v1/actions?scope=team").status_code == 403
    assert actions["lead"].get("/api/v1/actions?scope=everyone").status_code == 422


def test_another_team_cannot_mark_an_action(auth, actions):
    assert auth("other").patch(f"/api/v1/actions/{actions['late']}", json={"done": True}).status_code == 404
    assert [i["id"] for i in actions["worker"].get("/api/v1/actions").json["items"]][0] == actions["late"]


# --- access -------------------------------------------------------------------------------


@pytest.fixture
def running(world, auth, db):
    """A session (lead + worker) on the gap request, with one action; for access checks."""
    worker, lead = auth("worker"), auth("lead")
    session = start_session(lead, [world["worker"].id], [gap_request(db, worker, world["citizen"])])
    sid, case_id = session["id"], session["cases"][0]["id"]
    advance_to(lead, sid, case_id, "actions")
    action = lead.post(
        f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/actions",
        json={"text": "Call", "owner_id": world["worker"].id, "due_on": days_ago(1).isoformat()},
    ).json["id"]
    request_id = insert_request(db, world["citizen"], world["worker"].id)
    return {"sid": sid, "case_id": case_id, "action": action, "request_id": request_id, "lead": lead}


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_researchers_and_admins_are_refused_every_sparring_and_actions_route(world, auth, db, running, role):
    s = auth(role)
    sid, case_id = running["sid"], running["case_id"]
    calls = [
        ("get", "/api/v1/sparring/requests", None),
        ("post", "/api/v1/sparring/requests", {"citizen_id": world["citizen"], "question": "?"}),
        ("patch", f"/api/v1/sparring/requests/{running['request_id']}", {"status": "dismissed", "reason": "x"}),
        ("post", "/api/v1/sparring/sessions", {"participant_ids": [world["worker"].id], "request_ids": [running["request_id"]]}),
        ("get", f"/api/v1/sparring/sessions/{sid}", None),
        ("patch", f"/api/v1/sparring/sessions/{sid}", {"case_id": case_id, "advance": True}),
        ("post", f"/api/v1/sparring/sessions/{sid}/ratings", {"case_id": case_id, "value": 5}),
        ("post", f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/revision", {"id": str(uuid.uuid4()), "value": 5}),
        ("post", f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/actions", {"text": "x", "owner_id": world["worker"].id}),
        ("get", "/api/v1/actions", None),
        ("get", "/api/v1/actions?scope=team", None),
        ("patch", f"/api/v1/actions/{running['action']}", {"done": True}),
    ]
    for method, url, body in calls:
        response = getattr(s, method)(url, json=body) if body is not None else getattr(s, method)(url)
        assert response.status_code == 403, (method, url, response.status_code)
    assert request_row(db, running["request_id"])["status"] == "open"
    assert get_session(running["lead"], sid)["cases"][0]["phase"] == "actions"
    assert next(iter(db.query("SELECT done_on FROM action WHERE id = ?", [running["action"]])))["done_on"] is None


def test_only_the_teams_participants_see_a_session(world, auth, db, running):
    sid, case_id = running["sid"], running["case_id"]
    other = auth("other")
    assert other.get(f"/api/v1/sparring/sessions/{sid}").status_code == 404
    assert rate(other, sid, case_id, 5).status_code == 404
    assert other.post(f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/revision", json={"id": str(uuid.uuid4()), "value": 5}).status_code == 404
    bystander = auth("worker2")  # team A, not a participant
    assert bystander.get(f"/api/v1/sparring/sessions/{sid}").status_code == 404
    assert rate(bystander, sid, case_id, 5).status_code == 404
    assert bystander.post(f"/api/v1/sparring/sessions/{sid}/cases/{case_id}/revision", json={"id": str(uuid.uuid4()), "value": 5}).status_code == 404
    assert auth("worker").get(f"/api/v1/sparring/sessions/{sid}").status_code == 200
    assert auth("lead").get("/api/v1/sparring/sessions/99999").status_code == 404


def test_a_recused_participant_never_sees_that_case(world, auth, db):
    worker, lead = auth("worker"), auth("lead")
    cid = world["citizen"]
    request_id = gap_request(db, worker, cid)
    second = factories.make_citizen(db, world["team_a"], "A-2", world["worker"].id)
    manual = worker.post("/api/v1/sparring/requests", json={"citizen_id": second, "question": "?"}).json["id"]
    factories.recuse(db, cid, world["worker2"].id)
    worker2 = auth("worker2")
    assert [i["id"] for i in queue(worker2)] == [manual]

    session = start_session(lead, [world["worker"].id, world["worker2"].id], [request_id, manual])
    sid = session["id"]
    hidden_id, shown_id = (c["id"] for c in session["cases"])
    assert session["excluded"] == [{"user_id": world["worker2"].id, "display_name": world["worker2"].display_name, "case_id": hidden_id}]
    assert session["hidden_cases"] == 0  # the lead is not recused

    view = get_session(worker2, sid)
    assert [c["id"] for c in view["cases"]] == [shown_id]
    assert view["hidden_cases"] == 1
    assert view["excluded"] == []
    assert view["current_case_id"] == shown_id
    assert "A-1" not in str(view) and "Anna" not in str(view)

    advance(lead, sid, hidden_id)  # blind_rating
    assert rate(worker2, sid, hidden_id, 3).status_code == 404
    assert rate(worker, sid, hidden_id, 6).status_code == 200
    advance(lead, sid, hidden_id)  # reveal
    view = get_session(worker2, sid)
    assert [c["id"] for c in view["cases"]] == [shown_id]
    assert case_in(get_session(lead, sid), hidden_id)["ratings_count"] == 1
    assert get_session(lead, sid)["excluded"][0]["user_id"] == world["worker2"].id

    advance_to(lead, sid, hidden_id, "response")
    assert worker2.post(
        f"/api/v1/sparring/sessions/{sid}/cases/{hidden_id}/revision", json={"id": str(uuid.uuid4()), "value": 5}
    ).status_code == 404


def test_a_recused_requester_is_not_made_the_case_owner(world, auth, db):
    cid = world["citizen"]  # primary worker: worker
    request_id = auth("worker2").post("/api/v1/sparring/requests", json={"citizen_id": cid, "question": "?"}).json["id"]
    factories.recuse(db, cid, world["worker2"].id)
    session = start_session(auth("lead"), [world["worker"].id, world["worker2"].id], [request_id])
    assert session["cases"][0]["owner_id"] != world["worker2"].id


def test_a_prompted_case_is_presented_by_the_citizens_primary_worker(world, auth, db):
    """The lead's own meeting raised the gap, but the primary worker owns the case."""
    lead = auth("lead")
    request_id = gap_request(db, lead, world["citizen"])
    session = start_session(lead, [world["worker"].id], [request_id])
    assert session["cases"][0]["owner_id"] == world["worker"].id


def test_a_revised_expectation_does_not_raise_a_new_request(world, auth, db):
    """Sparring has just looked at the case: a revision that falls 7 → 3 is no new 'drop'."""
    worker, lead = auth("worker"), auth("lead")
    request_id = gap_request(db, worker, world["citizen"])
    session = start_session(lead, [world["worker"].id], [request_id])
    case_id = session["cases"][0]["id"]
    advance_to(lead, session["id"], case_id, "response")
    before = len(requests_of(db, world["citizen"]))
    response = worker.post(
        f"/api/v1/sparring/sessions/{session['id']}/cases/{case_id}/revision",
        json={"id": "3f2c1d9e-7b6a-4c5d-8e9f-0a1b2c3d4e5f", "value": 3},
    )
    assert response.status_code == 201
    assert len(requests_of(db, world["citizen"])) == before


def test_leads_set_the_phase_time_boxes_for_their_team(world, auth, db):
    lead = auth("lead")
    url = f"/api/v1/teams/{world['team_a']}"
    assert lead.get(url).json["phase_minutes"]["reflections"] == 10
    response = lead.patch(url, json={"phase_minutes": {"reflections": 8}})
    assert response.status_code == 200
    assert response.json["phase_minutes"]["reflections"] == 8 and response.json["phase_minutes"]["present"] == 5
    assert lead.patch(url, json={"phase_minutes": {"reflections": 0}}).status_code == 422
    assert lead.patch(url, json={"phase_minutes": {"coffee": 5}}).status_code == 422
    request_id = gap_request(db, auth("worker"), world["citizen"])
    session = start_session(lead, [world["worker"].id], [request_id])
    case_id = session["cases"][0]["id"]
    advance_to(lead, session["id"], case_id, "reflections")
    assert case_in(get_session(lead, session["id"]), case_id)["phase_minutes"] == 8
