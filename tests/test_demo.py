"""The demo loader (journal/demo.py) and `flask journal seed-demo`: the story the demo tells."""
import json
from datetime import timedelta

import pytest

from journal import citizens, clock, demo, expectations, users
from journal.db import connect, migrate
from journal.national_id import contains_national_id

from . import factories

TABLES = ("team", "user", "citizen", "meeting", "expectation", "outcome", "recusal", "audit_event")


def counts(db):
    return {table: db.table(table).count for table in TABLES}


@pytest.fixture
def seeded(db):
    with factories.shared_password_hashes():  # the demo users' hashes: scrypt once per run
        assert demo.seed(db) == demo.LOGINS
    return db


def user(db, username):
    return users.get(db, users.by_username(db, username)["id"])


def team(db, name):
    return users.team_by_name(db, name)


def team1(db):
    return team(db, demo.TEAMS[0]["name"])


def summaries(db, team_row):
    out = {}
    for row in db.query("SELECT * FROM citizen WHERE team_id = ? AND status = 'active'", [team_row["id"]]):
        out[row["case_ref"]] = citizens.summary(team_row, row, expectations.for_citizen(db, row["id"]))
    return out


def test_seed_demo_command_prints_logins_and_runs_once(app, runner, db):
    app.config["JOURNAL_ENV"] = "development"  # seed-demo runs in development only (test_backup.py)
    result = runner.invoke(args=["journal", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert demo.PASSWORD in result.output
    for username, _role, _team in demo.LOGINS:
        assert username in result.output
    before = counts(db)
    assert before["citizen"] >= 25

    again = runner.invoke(args=["journal", "seed-demo"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert demo.PASSWORD in again.output
    assert counts(db) == before


def test_seed_returns_none_and_changes_nothing_the_second_time(seeded):
    before = counts(seeded)
    assert demo.seed(seeded) is None
    assert counts(seeded) == before


def test_password_is_long_enough_and_logins_are_in_order():
    assert len(demo.PASSWORD) >= 10
    assert [u for u, _r, _t in demo.LOGINS] == ["lea", "mads", "sara", "nils", "rita", "adam"]


def test_teams_users_and_citizens(seeded):
    teams = list(seeded.query("SELECT * FROM team ORDER BY id"))
    assert [(t["name"], t["municipality"], t["locale"]) for t in teams] == [
        ("Unge Silkeborg", "Silkeborg", "da"),
        ("Etablering Malmö", "Malmö", "sv"),
    ]
    assert all((t["gap_threshold"], t["drop_threshold"], t["stale_low_days"]) == (4, 3, 90) for t in teams)
    roles = {r["role"]: r["n"] for r in seeded.query("SELECT role, COUNT(*) AS n FROM user GROUP BY role")}
    assert roles == {"lead": 1, "worker": 3, "researcher": 1, "admin": 1}
    by_team = {
        r["team_id"]: r["n"]
        for r in seeded.query("SELECT team_id, COUNT(*) AS n FROM user WHERE role = 'worker' GROUP BY team_id")
    }
    assert by_team[teams[0]["id"]] >= 2 and sum(by_team.values()) == 3
    assert user(seeded, "rita").team_id is None and user(seeded, "adam").team_id is None
    per_team = {
        r["team_id"]: r["n"] for r in seeded.query("SELECT team_id, COUNT(*) AS n FROM citizen GROUP BY team_id")
    }
    assert per_team == {teams[0]["id"]: 20, teams[1]["id"]: 10}
    rows = list(seeded.query("SELECT * FROM citizen"))
    assert all(1965 <= r["birth_year"] <= 2007 for r in rows)
    assert all(r["primary_worker_id"] is not None and r["display_name"] for r in rows)
    assert {r["goal"] for r in rows} == {"job", "education"}
    closed = [r for r in rows if r["status"] == "closed"]
    assert closed and all(r["closed_at"] for r in closed)


def test_no_national_ids(seeded):
    for row in seeded.query("SELECT case_ref, display_name FROM citizen"):
        assert not contains_national_id(row["case_ref"])
        assert not contains_national_id(row["display_name"])
    for row in seeded.query("SELECT basis AS text FROM expectation UNION ALL SELECT note FROM meeting"):
        assert not contains_national_id(row["text"])


def test_nothing_is_dated_in_the_future(seeded):
    today = clock.today().isoformat()
    now = clock.timestamp()
    dates = [
        "SELECT held_on FROM meeting",
        "SELECT observed_on FROM expectation",
        "SELECT observed_on FROM outcome",
    ]
    for sql in dates:
        assert max(next(iter(r.values())) for r in seeded.query(sql)) <= today
    stamps = [
        "SELECT recorded_at FROM meeting",
        "SELECT recorded_at FROM expectation",
        "SELECT recorded_at FROM outcome",
        "SELECT created_at FROM citizen",
        "SELECT closed_at FROM citizen WHERE closed_at IS NOT NULL",
    ]
    for sql in stamps:
        assert max(next(iter(r.values())) for r in seeded.query(sql)) <= now
    oldest = min(r["held_on"] for r in seeded.query("SELECT held_on FROM meeting"))
    assert oldest >= (clock.today() - timedelta(days=400)).isoformat()


def test_every_citizen_has_a_history_of_meetings(seeded):
    for c in seeded.query("SELECT id, team_id, primary_worker_id FROM citizen"):
        meetings = list(seeded.query("SELECT * FROM meeting WHERE citizen_id = ?", [c["id"]]))
        assert 2 <= len(meetings) <= 6
        for m in meetings:
            assert m["content_hash"]
            entries = list(seeded.query("SELECT * FROM expectation WHERE meeting_id = ?", [m["id"]]))
            workers = [e for e in entries if e["source"] == "worker"]
            assert len(workers) == 1 and 0 <= len(entries) - 1 <= 3
            participants = json.loads(m["participants"])
            assert {e["source"] for e in entries if e["source"] != "worker"} <= set(participants)
            assert all(e["observed_on"] == m["held_on"] and e["context"] == "meeting" for e in entries)


def test_updates_and_a_correction(seeded):
    updates = list(seeded.query("SELECT * FROM expectation WHERE context = 'update'"))
    assert len(updates) >= 3
    corrections = [e for e in updates if e["supersedes"]]
    assert len(corrections) >= 1
    for fix in corrections:
        wrong = expectations.get(seeded, fix["supersedes"])
        assert (wrong["citizen_id"], wrong["source"]) == (fix["citizen_id"], fix["source"])
        assert fix["recorded_at"] >= wrong["recorded_at"]


def test_lead_sees_at_least_six_clashes_and_calm_citizens(seeded):
    lea = user(seeded, "lea")
    items = citizens.visible(seeded, lea, team1(seeded))
    clashing = [i for i in items if i["clash"]]
    assert len(clashing) >= 6
    assert len(items) - len(clashing) >= 5
    sources = {g["source"] for i in clashing for g in i["gaps"] if abs(g["gap"]) >= 4}
    assert {"doctor", "parent", "other_department"} <= sources


def test_swedish_team_has_clashes_of_its_own(seeded):
    nils = user(seeded, "nils")
    items = citizens.visible(seeded, nils, team(seeded, demo.TEAMS[1]["name"]))
    assert items and all(i["case_ref"].startswith("MAL-") for i in items)
    assert sum(i["clash"] for i in items) >= 2


def test_prompts_for_drop_and_stale_low(seeded):
    causes = [p.cause for s in summaries(seeded, team1(seeded)).values() for p in s.prompts]
    assert causes.count("drop") >= 1
    assert causes.count("stale_low") >= 1


def test_one_recusal_keeps_sara_out(seeded):
    rows = list(seeded.query("SELECT * FROM recusal"))
    assert len(rows) == 1
    recusal = rows[0]
    sara = user(seeded, "sara")
    assert recusal["user_id"] == recusal["declared_by"] == sara.id
    assert recusal["lifted_at"] is None
    citizen = seeded.table("citizen").get(recusal["citizen_id"])
    assert citizen["team_id"] == sara.team_id
    assert citizen["primary_worker_id"] not in (None, sara.id)
    assert not list(seeded.query("SELECT 1 FROM expectation WHERE citizen_id = ? AND recorded_by = ?", [citizen["id"], sara.id]))
    ids = lambda u: {i["id"] for i in citizens.visible(seeded, u, team1(seeded))}  # noqa: E731
    assert citizen["id"] not in ids(sara)
    assert citizen["id"] in ids(user(seeded, "mads"))
    assert citizen["id"] in ids(user(seeded, "lea"))


def test_outcomes(seeded):
    kinds = [r["kind"] for r in seeded.query("SELECT kind FROM outcome")]
    assert len(kinds) >= 3
    assert set(kinds) <= {"job", "flex_job", "education", "none", "other"}
    closed = list(seeded.query("SELECT id FROM citizen WHERE status = 'closed'"))
    for c in closed:
        assert list(seeded.query("SELECT 1 FROM outcome WHERE citizen_id = ?", [c["id"]]))


def test_data_is_deterministic_apart_from_dates(app):
    def load():
        database = connect(":memory:")
        migrate(database)
        demo.seed(database)
        return (
            sorted(r["id"] for r in database.query("SELECT id FROM expectation")),
            sorted(r["id"] for r in database.query("SELECT id FROM meeting")),
        )

    assert load() == load()


def test_every_demo_user_can_log_in(app, seeded):
    for username, role, team_name in demo.LOGINS:
        client = app.test_client()
        response = client.post("/api/v1/auth/login", json={"username": username, "password": demo.PASSWORD})
        assert response.status_code == 200, (username, response.json)
        assert response.json["user"]["role"] == role
        if username == "lea":
            listing = client.get("/api/v1/citizens?clashing=true&per_page=100").json
            assert listing["total"] >= 6
