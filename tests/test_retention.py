"""Retention (DESIGN.md "Operations"): citizens closed longer than the period are deleted with
everything that belongs to them; the audit keeps the fact, not the content."""
import json
from datetime import timedelta

import pytest

from journal import clock, demo, retention
from journal.db import connect, transaction

MARKER = "kolibri-2026"  # a word in every text of the citizen that goes: no trace may remain


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    demo.seed(database)
    yield database
    database.close()


def citizen(db, case_ref):
    rows = list(db.query("SELECT * FROM citizen WHERE case_ref = ?", [case_ref]))
    return rows[0] if rows else None


def close(db, case_ref, days_ago):
    closed = clock.timestamp(clock.now_utc() - timedelta(days=days_ago))
    with transaction(db):
        db.execute("UPDATE citizen SET status = 'closed', closed_at = ? WHERE case_ref = ?", [closed, case_ref])


def give_everything(db, citizen_id):
    """Rows of every kind that belongs to a citizen, each text with MARKER in it."""
    now = clock.timestamp()
    users = dict(db.execute("SELECT username, id FROM user").fetchall())
    team = db.execute("SELECT team_id FROM citizen WHERE id = ?", [citizen_id]).fetchone()[0]
    with transaction(db):
        db.execute("UPDATE citizen SET display_name = ? WHERE id = ?", [f"Borger {MARKER}", citizen_id])
        db.execute("UPDATE meeting SET note = ? WHERE citizen_id = ?", [MARKER, citizen_id])
        db.execute("UPDATE expectation SET basis = ?, source_label = ? WHERE citizen_id = ?", [MARKER, MARKER, citizen_id])
        db.execute(
            "INSERT INTO outcome (id, citizen_id, kind, observed_on, note, recorded_by, recorded_at, content_hash) "
            "VALUES ('0a0b0c0d-0000-4000-8000-00000000abcd', ?, 'job', '2024-01-01', ?, ?, ?, 'x')",
            [citizen_id, MARKER, users["mads"], now],
        )
        db.execute(
            "INSERT INTO recusal (citizen_id, user_id, declared_by, reason, created_at) VALUES (?, ?, ?, ?, ?)",
            [citizen_id, users["sara"], users["lea"], MARKER, now],
        )
        request = db.table("sparring_request").insert({
            "citizen_id": citizen_id, "requested_by": users["mads"], "reason": "manual", "detail": MARKER,
            "status": "done", "created_at": now, "updated_at": now,
        }).last_pk
        session = db.table("sparring_session").insert({
            "team_id": team, "lead_id": users["lea"], "title": "Fredag", "status": "done", "created_at": now,
        }).last_pk
        case = db.table("sparring_case").insert({
            "session_id": session, "request_id": request, "citizen_id": citizen_id, "owner_id": users["mads"],
            "position": 0, "phase": "done", "notes": json.dumps({"questions": MARKER}),
        }).last_pk
        db.table("sparring_rating").insert({"case_id": case, "user_id": users["lea"], "value": 4, "rated_at": now})
        db.table("action").insert({
            "case_id": case, "citizen_id": citizen_id, "text": MARKER, "owner_id": users["mads"],
            "due_on": "2024-02-01", "created_by": users["lea"], "created_at": now,
        })
    return case


def everything_but_the_audit(db):
    """Every row of every table except the append-only audit log, as one text."""
    tables = [t for t in db.table_names() if t != "audit_event"]
    return "\n".join(repr(tuple(row)) for t in tables for row in db.execute(f"SELECT * FROM [{t}]"))


def test_retention_deletes_a_citizen_closed_longer_than_the_period_and_leaves_nothing_of_it(db):
    gone = citizen(db, "SIL-0001")
    case = give_everything(db, gone["id"])
    close(db, "SIL-0001", 731)
    close(db, "SIL-0002", 729)  # closed, but not long enough
    kept_before = {r[0] for r in db.execute("SELECT id FROM citizen WHERE case_ref != 'SIL-0001'")}
    counts_before = {t: db.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in ("meeting", "expectation")}

    listed = retention.run(db, 730, dry_run=True)
    assert [c["case_ref"] for c in listed] == ["SIL-0001"]
    assert citizen(db, "SIL-0001") is not None  # a dry run changes nothing

    deleted = retention.run(db, 730)
    assert [c["case_ref"] for c in deleted] == ["SIL-0001"]
    assert citizen(db, "SIL-0001") is None
    for table in db.table_names():
        columns = [c.name for c in db[table].columns]
        if "citizen_id" in columns:
            assert db.execute(f"SELECT COUNT(*) FROM [{table}] WHERE citizen_id = ?", [gone["id"]]).fetchone()[0] == 0, table
    assert db.execute("SELECT COUNT(*) FROM sparring_rating WHERE case_id = ?", [case]).fetchone()[0] == 0
    left = everything_but_the_audit(db)
    assert MARKER not in left and "SIL-0001" not in left and gone["public_id"] not in left
    # everyone else is untouched
    assert {r[0] for r in db.execute("SELECT id FROM citizen")} == kept_before
    assert db.execute("SELECT COUNT(*) FROM meeting").fetchone()[0] < counts_before["meeting"]
    # the audit keeps the fact, not the content
    (event,) = db.query("SELECT * FROM audit_event WHERE action = 'citizen.retention_delete'")
    assert (event["object_type"], event["object_id"], event["user_id"]) == ("citizen", str(gone["id"]), None)
    detail = json.loads(event["detail"])
    assert detail["rows"]["meetings"] > 0 and detail["rows"]["actions"] == 1 and detail["retention_days"] == 730
    audit_text = "\n".join(repr(tuple(r)) for r in db.execute("SELECT * FROM audit_event"))
    assert MARKER not in audit_text and "SIL-0001" not in audit_text and (gone["display_name"] or "-") not in audit_text
    assert retention.run(db, 730) == []  # nothing left to do


def test_retention_keeps_active_and_reopened_citizens(db):
    close(db, "SIL-0003", 2000)
    with transaction(db):  # reopened: active again, the old closing date still stored
        db.execute("UPDATE citizen SET status = 'active' WHERE case_ref = 'SIL-0003'")
    assert retention.run(db, 730) == []
    assert citizen(db, "SIL-0003") is not None


def test_retention_cli_lists_on_a_dry_run_then_deletes(app, db, runner):
    close(db, "SIL-0004", 800)
    dry = runner.invoke(args=["journal", "retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete 1 citizen(s) closed more than 730 days ago." in dry.output and "SIL-0004" in dry.output
    assert citizen(db, "SIL-0004") is not None
    app.config["RETENTION_DAYS"] = 900  # the period is the operator's (JOURNAL_RETENTION_DAYS)
    assert "Deleted 0 citizen(s)" in runner.invoke(args=["journal", "retention"]).output
    app.config["RETENTION_DAYS"] = 730
    real = runner.invoke(args=["journal", "retention"])
    assert real.exit_code == 0, real.output
    assert "Deleted 1 citizen(s)" in real.output
    assert citizen(db, "SIL-0004") is None
