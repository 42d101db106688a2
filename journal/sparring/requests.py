"""Sparring requests: the team's queue, raised by the rules on every write or asked for by hand.

A request is raised once per cause while one is open or scheduled, and not again within the
team's quiet period after one was handled (rules.causes_to_raise).
"""
import json

from flask_babel import gettext as _

from .. import access, audit, citizens, clock, expectations, users
from ..clashes import summarise
from ..db import insert as insert_row
from ..db import transaction
from ..errors import Invalid
from .rules import causes_to_raise, request_detail

COLUMNS = "id, citizen_id, requested_by, reason, detail, facts, status, created_at, updated_at, handled_by, handled_at, handled_note"


def open_for_citizen(db, citizen_id):
    """Requests on the citizen that are not yet handled (open or scheduled), oldest first."""
    return list(
        db.query(
            f"SELECT {COLUMNS} FROM sparring_request WHERE citizen_id = ? "
            "AND status IN ('open', 'scheduled') ORDER BY id",
            [citizen_id],
        )
    )


def _insert(db, citizen_id, user_id, reason, detail=None, facts=None):
    now = clock.timestamp()
    return insert_row(
        db,
        "sparring_request",
        {
            "citizen_id": citizen_id,
            "requested_by": user_id,
            "reason": reason,
            "detail": detail,
            "facts": json.dumps(facts, default=str) if facts else None,
            "status": "open",
            "created_at": now,
            "updated_at": now,
        },
    )


def raise_prompts(db, user, citizen, prompts=None):
    """Turn the rules' prompts into requests (once per cause). Returns the new request ids.

    Called by journal/casework.py inside the transaction that wrote the expectations, so a
    meeting and the requests it raises are stored together; it passes the *prompts* of the
    summary it has just stored (journal/summaries.py), so the history is not read twice.
    """
    today = clock.today()
    if prompts is None:
        entries = expectations.for_citizen(db, citizen["id"])
        team = users.get_team(db, citizen["team_id"])
        prompts = summarise(entries, team, today, citizens.last_sparring_on(entries), citizen.get("primary_worker_id")).prompts
    if not prompts:
        return []
    team = users.get_team(db, citizen["team_id"])
    earlier = list(db.query(f"SELECT {COLUMNS} FROM sparring_request WHERE citizen_id = ?", [citizen["id"]]))
    raised = []
    for prompt in causes_to_raise(prompts, earlier, today, team["stale_low_days"]):
        request_id = _insert(db, citizen["id"], user.id, prompt.cause, facts=prompt.facts)
        audit.record(db, user.id, "sparring.prompt", "citizen", citizen["id"], {"request_id": request_id, "cause": prompt.cause})
        raised.append(request_id)
    return raised


def create_manual(db, user, citizen, question):
    """A worker's own request for sparring, with a short question for the colleagues."""
    with transaction(db):
        request_id = _insert(db, citizen["id"], user.id, "manual", detail=question)
        audit.record(db, user.id, "sparring.request", "citizen", citizen["id"], {"request_id": request_id})
    return get(db, request_id)


def get(db, request_id):
    rows = list(db.query(f"SELECT {COLUMNS} FROM sparring_request WHERE id = ?", [request_id]))
    return rows[0] if rows else None


def queue(db, user, team):
    """The team's open requests the user may see (recusals left out): largest gap first,
    then oldest, with reason in words and age in days."""
    where, params = access.visible_citizens_sql(user)
    rows = list(
        db.query(
            f"SELECT r.*, citizen.case_ref FROM sparring_request r JOIN citizen ON citizen.id = r.citizen_id "
            f"WHERE r.status = 'open' AND {where} ORDER BY r.created_at",
            params,
        )
    )
    gaps = {c["id"]: c["max_gap"] for c in citizens.visible(db, user, team, status="all")}
    names = users.display_names(db, team["id"])
    today = clock.today()
    for row in rows:
        row["max_gap"] = gaps.get(row["citizen_id"])
        row["age_days"] = (today - clock.local_date(row["created_at"])).days
        row["detail"] = request_detail(row, user.id, names)
    rows.sort(key=lambda r: (-abs(r["max_gap"] or 0), r["created_at"]))
    return rows


def dismiss(db, lead, request_id, reason):
    """A lead dismisses an open request, with a reason (audited)."""
    request = access.request_for(db, lead, request_id)
    if request["status"] != "open":
        raise Invalid(errors={"status": [_("Only open requests can be dismissed.")]})
    now = clock.timestamp()
    with transaction(db):
        db.execute(
            "UPDATE sparring_request SET status = 'dismissed', handled_by = ?, handled_at = ?, handled_note = ?, updated_at = ? WHERE id = ?",
            [lead.id, now, reason, now, request_id],
        )
        audit.record(db, lead.id, "sparring.dismiss", "citizen", request["citizen_id"], {"request_id": request_id})
    return get(db, request_id)


def schedule(db, request_ids, now):
    """Mark requests as taken into a session (inside the session's transaction)."""
    for request_id in request_ids:
        db.execute("UPDATE sparring_request SET status = 'scheduled', updated_at = ? WHERE id = ?", [now, request_id])


def close(db, request_id, lead_id, now):
    """A case is finished: its request is done (inside the phase change's transaction)."""
    db.execute(
        "UPDATE sparring_request SET status = 'done', handled_by = ?, handled_at = ?, updated_at = ? WHERE id = ?",
        [lead_id, now, now, request_id],
    )
