"""Actions agreed in a sparring session: what, who, by when, done or not.

An action remembers the case owner's view when it was agreed, so the citizen page can show
whether the view moved since (the research: sparring should renew belief, and then act on it).
"""
from flask_babel import gettext as _

from .. import access, audit, clock, expectations, users
from ..db import transaction
from ..errors import Forbidden, Invalid

COLUMNS = "a.id, a.case_id, a.citizen_id, a.text, a.owner_id, a.due_on, a.done_on, a.worker_value_at_creation, a.created_by, a.created_at"


def for_case(db, case_id):
    return list(db.query(f"SELECT {COLUMNS} FROM action a WHERE a.case_id = ? ORDER BY a.id", [case_id]))


def add(db, lead, session, case, data):
    """An action agreed for *case* (a row that sessions.case_for_lead returned)."""
    if not users.active_members(db, session["team_id"], [data["owner_id"]]):
        raise Invalid(errors={"owner_id": [_("The owner must be an active member of your team.")]})
    if access.is_recused(db, case["citizen_id"], data["owner_id"]):
        raise Invalid(errors={"owner_id": [_("That person is recused from this citizen.")]})
    owner = db.execute("SELECT primary_worker_id FROM citizen WHERE id = ?", [case["citizen_id"]]).fetchone()[0]
    worker = expectations.owner_view_now(expectations.for_citizen(db, case["citizen_id"]), owner)
    with transaction(db):
        action_id = db.table("action").insert(
            {
                "case_id": case["id"],
                "citizen_id": case["citizen_id"],
                "text": data["text"],
                "owner_id": data["owner_id"],
                "due_on": data["due_on"].isoformat() if data.get("due_on") else None,
                "worker_value_at_creation": worker.value if worker else None,
                "created_by": lead.id,
                "created_at": clock.timestamp(),
            }
        ).last_pk
        audit.record(db, lead.id, "action.create", "citizen", case["citizen_id"], {"action_id": action_id})
    return get(db, action_id)


def get(db, action_id):
    rows = list(db.query(f"SELECT {COLUMNS}, citizen.case_ref FROM action a JOIN citizen ON citizen.id = a.citizen_id WHERE a.id = ?", [action_id]))
    return rows[0] if rows else None


def _with_due(rows, today):
    for row in rows:
        due = clock.as_date(row["due_on"]) if row["due_on"] else None
        row["overdue"] = bool(due and not row["done_on"] and due < today)
    return rows


def mine(db, user, include_done=False):
    """The user's actions (on citizens they may see), open first by due date."""
    where, params = access.visible_citizens_sql(user)
    done = "" if include_done else " AND a.done_on IS NULL"
    rows = list(
        db.query(
            f"SELECT {COLUMNS}, citizen.case_ref FROM action a JOIN citizen ON citizen.id = a.citizen_id "
            f"WHERE a.owner_id = ?{done} AND {where} ORDER BY a.done_on IS NOT NULL, a.due_on IS NULL, a.due_on, a.id",
            [user.id, *params],
        )
    )
    return _with_due(rows, clock.today())


def team_overdue(db, lead):
    """The team's overdue actions (leads), recusals left out."""
    where, params = access.visible_citizens_sql(lead)
    rows = list(
        db.query(
            f"SELECT {COLUMNS}, citizen.case_ref, user.display_name AS owner_name FROM action a "
            "JOIN citizen ON citizen.id = a.citizen_id JOIN user ON user.id = a.owner_id "
            f"WHERE a.done_on IS NULL AND a.due_on < ? AND {where} ORDER BY a.due_on",
            [clock.today().isoformat(), *params],
        )
    )
    return _with_due(rows, clock.today())


def for_citizen(db, citizen_id, worker_value):
    """A citizen's actions, with whether the worker's view (*worker_value* now) moved since
    each was agreed."""
    rows = list(db.query(f"SELECT {COLUMNS}, user.display_name AS owner_name FROM action a JOIN user ON user.id = a.owner_id WHERE a.citizen_id = ? ORDER BY a.id DESC", [citizen_id]))
    for row in rows:
        before = row["worker_value_at_creation"]
        row["moved"] = None if before is None or worker_value is None else worker_value - before
    return _with_due(rows, clock.today())


def mark_done(db, user, action_id, done=True):
    """The owner (or a lead of the team) marks an action done, or reopens it."""
    action = access.action_for(db, user, action_id)
    if user.id != action["owner_id"] and user.role != "lead":
        raise Forbidden(_("Only the owner or a team lead can mark this action."))
    with transaction(db):
        db.execute("UPDATE action SET done_on = ? WHERE id = ?", [clock.today().isoformat() if done else None, action_id])
        audit.record(db, user.id, "action.done" if done else "action.reopen", "citizen", action["citizen_id"], {"action_id": action_id})
    return _with_due([get(db, action_id)], clock.today())[0]
