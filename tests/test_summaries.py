"""journal/summaries.py: each citizen's current summary stored on write, equal to what its
history gives, whatever was written, by whatever path, and however much time has passed."""
import uuid
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal import casework, citizens, clock, expectations, retention, summaries, users
from journal.clashes import summarise, weekly_clash_counts
from journal.db import connect, migrate, transaction
from journal.errors import Invalid
from journal.schemas.core import ExpectationIn, MeetingIn

from . import factories

TEAM = {"gap_threshold": 4, "drop_threshold": 3, "stale_low_days": 90}
TODAY = date(2026, 11, 25)


def entry(value, observed, source="worker", recorded_by=1, **extra):
    return {
        "id": extra.pop("id", str(uuid.uuid4())), "source": source, "source_label": None, "value": value,
        "observed_on": observed.isoformat(), "recorded_at": f"{observed.isoformat()}T10:00:00Z",
        "recorded_by": recorded_by, "supersedes": None, "context": "meeting", **extra,
    }


# --- valid_until (pure) -------------------------------------------------------------------------


def test_valid_until_is_the_day_after_a_view_leaves_the_window():
    entries = [entry(6, TODAY - timedelta(days=10)), entry(3, TODAY - timedelta(days=100), source="doctor")]
    result = summarise(entries, TEAM, TODAY, owner_id=1)
    assert summaries.valid_until(entries, TEAM, TODAY, result) == TODAY - timedelta(days=100) + timedelta(days=181)


def test_the_summary_is_unchanged_until_valid_until_and_changes_on_it():
    entries = [entry(7, TODAY - timedelta(days=30)), entry(2, TODAY - timedelta(days=170), source="doctor")]
    now = summarise(entries, TEAM, TODAY, owner_id=1)
    until = summaries.valid_until(entries, TEAM, TODAY, now)
    assert summarise(entries, TEAM, until - timedelta(days=1), owner_id=1).clash == now.clash is True
    assert summarise(entries, TEAM, until, owner_id=1).clash is False  # the doctor's view aged out


def test_valid_until_is_when_a_low_view_has_lasted_stale_low_days():
    entries = [entry(1, TODAY - timedelta(days=20))]
    result = summarise(entries, TEAM, TODAY, owner_id=1)
    assert summaries.valid_until(entries, TEAM, TODAY, result) == TODAY - timedelta(days=20) + timedelta(days=90)
    assert [p.cause for p in summarise(entries, TEAM, TODAY + timedelta(days=70), owner_id=1).prompts] == ["stale_low"]


def test_valid_until_counts_a_recent_sparring_running_out():
    entries = [entry(1, TODAY - timedelta(days=2))]
    result = summarise(entries, TEAM, TODAY, TODAY - timedelta(days=5), owner_id=1)
    until = summaries.valid_until(entries, TEAM, TODAY, result, sparred_on=TODAY - timedelta(days=5))
    assert until == TODAY + timedelta(days=85)


def test_a_stale_low_prompt_is_good_for_today_only_because_it_counts_its_days():
    """Found by the property test: the stored prompt said 90 days on the 91st."""
    entries = [entry(0, TODAY - timedelta(days=95))]
    result = summarise(entries, TEAM, TODAY, owner_id=1)
    assert [p.cause for p in result.prompts] == ["stale_low"]
    assert summaries.valid_until(entries, TEAM, TODAY, result) == TODAY + timedelta(days=1)


def test_valid_until_without_entries_is_never():
    result = summarise([], TEAM, TODAY)
    assert summaries.valid_until([], TEAM, TODAY, result) is None


def test_week_ends_are_the_eleven_past_sundays():
    ends = summaries.week_ends(date(2026, 11, 25))  # a Wednesday
    assert len(ends) == 11 and ends[-1] == date(2026, 11, 22) and all(d.isoweekday() == 7 for d in ends)


# --- stored = rebuilt from history (property) ------------------------------------------------------


def rebuilt(db, citizen_id, today):
    citizen = db.execute("SELECT id, team_id, primary_worker_id FROM citizen WHERE id = ?", [citizen_id]).fetchone()
    citizen = {"id": citizen[0], "team_id": citizen[1], "primary_worker_id": citizen[2]}
    team = users.get_team(db, citizen["team_id"])
    last = citizens.last_meetings(db, [citizen_id]).get(citizen_id)
    row, _ = summaries.row_of(citizen, expectations.for_citizen(db, citizen_id), team, today, last)
    return {k: v for k, v in row.items() if k not in ("computed_on", "valid_until")}


def stored(db, citizen_id):
    row = db.execute(
        f"SELECT {', '.join(summaries.STATE_COLUMNS)} FROM citizen_state WHERE citizen_id = ?", [citizen_id]
    ).fetchone()
    return {k: v for k, v in zip(summaries.STATE_COLUMNS, row) if k not in ("computed_on", "valid_until")}


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("meeting"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 10), st.integers(0, 10), st.integers(0, 400)),
        st.tuples(st.just("correct"), st.integers(0, 2), st.integers(0, 10)),
        st.tuples(st.just("owner"), st.integers(0, 2), st.integers(0, 1)),
        st.tuples(st.just("thresholds"), st.integers(1, 6), st.integers(1, 5), st.integers(30, 200)),
        st.tuples(st.just("recuse"), st.integers(0, 2)),
        st.tuples(st.just("factory"), st.integers(0, 2), st.integers(0, 10), st.integers(0, 300)),
        st.tuples(st.just("retention"), st.integers(0, 2)),
        st.tuples(st.just("time"), st.integers(1, 40)),
        st.tuples(st.just("time"), st.integers(41, 200)),
    ),
    min_size=1,
    max_size=14,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("summaries") / "t.db"
    db = connect(path)
    migrate(db)
    db.close()
    return path


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_stored_summaries_equal_history_after_any_writes_and_time(ops, app, template, tmp_path_factory, monkeypatch):
    import shutil

    path = tmp_path_factory.mktemp("run") / "s.db"
    shutil.copyfile(template, path)
    db = connect(path)
    now = [TODAY]
    monkeypatch.setattr(clock, "today", lambda: now[0])
    monkeypatch.setattr(clock, "now_utc", lambda: clock.datetime(now[0].year, now[0].month, now[0].day, 12, tzinfo=clock.timezone.utc))
    team_id = factories.make_team(db, "Team P")
    lead = factories.make_user(db, "lead", team_id, "plead")
    workers = [factories.make_user(db, "worker", team_id, f"pw{n}") for n in range(2)]
    with app.test_request_context():
        ids = [citizens.create(db, lead, {"case_ref": f"P-{n}", "goal": "job", "primary_worker_id": workers[n % 2].id})["id"] for n in range(3)]
        for op in ops:
            kind, *args = op
            alive = {r[0] for r in db.execute("SELECT id FROM citizen")}
            if kind == "time":
                now[0] = now[0] + timedelta(days=args[0])
                continue
            if kind == "thresholds":
                users.update_team(db, lead, users.get_team(db, team_id), {"gap_threshold": args[0], "drop_threshold": args[1], "stale_low_days": args[2]})
                continue
            cid = ids[args[0]]
            if cid not in alive:
                continue
            citizen = citizens.get(db, cid)
            if kind == "meeting":
                _, who, own, other, back = args
                worker = workers[who % 2] if who < 2 else lead
                body = factories.meeting_body(
                    held_on=(now[0] - timedelta(days=back)).isoformat(),
                    expectations=[
                        {"id": str(uuid.uuid4()), "source": "worker", "value": own, "confidence": "medium"},
                        {"id": str(uuid.uuid4()), "source": "doctor", "value": other, "confidence": "low"},
                    ],
                )
                casework.log_meeting(db, worker, citizen, MeetingIn().load(body))
            elif kind == "correct":
                live = [e for e in expectations.live_entries(expectations.for_citizen(db, cid)) if e["source"] == "doctor"]
                if live:
                    target = live[-1]
                    user = users.get(db, target["recorded_by"])
                    data = ExpectationIn().load({"id": str(uuid.uuid4()), "source": "doctor", "value": args[1], "confidence": "low", "supersedes": target["id"]})
                    casework.add_expectation(db, user, citizen, data)
            elif kind == "owner":
                try:
                    citizens.update(db, lead, citizen, {"primary_worker_id": workers[args[1]].id})
                except Invalid:  # a recused worker cannot be the case owner: refused, nothing written
                    pass
            elif kind == "recuse":
                with transaction(db):
                    db.execute("DELETE FROM recusal WHERE citizen_id = ?", [cid])
                factories.recuse(db, cid, workers[0].id, declared_by=lead.id)
            elif kind == "factory":  # a write that bypasses the casework layer
                factories.make_expectation(db, cid, workers[0].id, source="parent", value=args[1], days_ago=args[2])
            elif kind == "retention":
                with transaction(db):
                    db.execute("UPDATE citizen SET status = 'closed', closed_at = '2020-01-01T10:00:00Z' WHERE id = ?", [cid])
                retention.run(db, 30)
        where, params = "citizen.team_id = ?", [team_id]
        summaries.ensure_fresh(db, where, params)
        for cid in [r[0] for r in db.execute("SELECT id FROM citizen")]:
            assert stored(db, cid) == rebuilt(db, cid, now[0]), (cid, ops)
        active = [r[0] for r in db.execute("SELECT id FROM citizen WHERE status = 'active'")]
        entries = expectations.for_citizens(db, active)
        owners = dict(db.execute("SELECT id, primary_worker_id FROM citizen").fetchall())
        expected = weekly_clash_counts(entries, users.get_team(db, team_id), now[0], owners=owners)
        got = summaries.weekly_counts(db, "citizen.team_id = ? AND citizen.status = 'active'", [team_id])
        assert got == expected, ops
    db.close()


def test_a_meeting_stores_the_new_summary_in_its_own_transaction(auth, world, db):
    """No read needed: right after the POST the row is fresh (not stale, not missing)."""
    worker = auth("worker")
    body = factories.meeting_body()
    assert worker.post(f"/api/v1/citizens/{world['citizen']}/meetings", json=body).status_code == 201
    row = db.execute("SELECT stale, worker_value, clash FROM citizen_state WHERE citizen_id = ?", [world["citizen"]]).fetchone()
    assert row == (0, 7, 1)


def test_a_write_past_the_casework_layer_marks_the_summary_stale(auth, world, db):
    worker = auth("worker")
    worker.post(f"/api/v1/citizens/{world['citizen']}/meetings", json=factories.meeting_body())
    factories.make_expectation(db, world["citizen"], world["worker"].id, source="parent", value=0)
    assert db.execute("SELECT stale FROM citizen_state WHERE citizen_id = ?", [world["citizen"]]).fetchone() == (1,)
    listed = worker.get("/api/v1/citizens").json["items"]
    assert [c["max_gap"] for c in listed if c["id"] == world["citizen"]] == [7]  # the parent (0) against 7


def test_a_stored_summary_changes_when_a_view_ages_out_without_any_write(auth, world, db, frozen):
    """The doctor's view is 170 days old: in 11 days it leaves the window, and the clash with it
    ends, though nothing was written."""
    factories.make_expectation(db, world["citizen"], world["worker"].id, source="worker", value=8, days_ago=1)
    factories.make_expectation(db, world["citizen"], world["worker"].id, source="doctor", value=2, days_ago=170)

    def clash():  # a new login each time: days pass, and sessions end
        listed = auth("worker").get("/api/v1/citizens").json["items"]
        return [c["clash"] for c in listed if c["id"] == world["citizen"]]

    assert clash() == [True]
    frozen.move(days=10)
    assert clash() == [True]
    frozen.move(days=1)
    assert clash() == [False]


def test_the_team_page_and_my_citizens_come_in_pages_of_fifty(auth, world, db):
    for n in range(55):
        factories.make_citizen(db, world["team_a"], f"P-{n:03d}", world["worker"].id)
    lead, worker = auth("lead"), auth("worker")
    first = lead.get("/team", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page 1 of 2 (56 citizens)" in first and 'rel="next"' in first and first.count('<tr class=') == 50
    second = lead.get("/team?page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert second.count('<tr class=') == 6 and 'rel="prev"' in second
    mine = worker.get("/citizens?scope=mine&page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page 2 of 2 (56 citizens)" in mine and mine.count('class="card ') == 6
    api = lead.get(f"/api/v1/teams/{world['team_a']}/clashes?per_page=20&page=3").json
    assert (api["total"], len(api["items"])) == (56, 16)
