"""Recusal (jæv/inhabilitet): a worker with a private relation to a citizen is kept out.

From the moment a recusal is declared the worker cannot read or write anything about the
citizen (access.citizen_for answers 404), the citizen leaves their lists and overviews, and
they cannot take part in sparring on the case. A worker declares their own; a lead may
record one for any team member. Only a lead may lift one, with a reason, and it is audited.
"""
from flask_babel import gettext as _

from . import audit, clock
from .db import transaction
from .errors import Forbidden, Invalid, NotFound

COLUMNS = "id, citizen_id, user_id, declared_by, reason, created_at, lifted_at, lifted_by, lift_reason"


def get(db, recusal_id):
    rows = list(db.query(f"SELECT {COLUMNS} FROM recusal WHERE id = ?", [recusal_id]))
    return rows[0] if rows else None


def for_citizen(db, citizen_id):
    return list(db.query(f"SELECT {COLUMNS} FROM recusal WHERE citizen_id = ? ORDER BY id", [citizen_id]))


def active(db, citizen_id, user_id):
    rows = list(
        db.query(
            f"SELECT {COLUMNS} FROM recusal WHERE citizen_id = ? AND user_id = ? AND lifted_at IS NULL",
            [citizen_id, user_id],
        )
    )
    return rows[0] if rows else None


def declare(db, actor, citizen, user_id=None, reason=None):
    """Recuse *user_id* (default: the actor) from *citizen*. Returns (created, recusal).

    Declaring an existing recusal again returns it unchanged. If the recused worker was the
    citizen's primary worker, the citizen is left without one so a lead can reassign.
    """
    user_id = actor.id if user_id is None else user_id
    if user_id != actor.id and actor.role != "lead":
        raise Forbidden(_("Only a team lead can record a recusal for someone else."))
    rows = list(db.query("SELECT team_id FROM user WHERE id = ?", [user_id]))
    if not rows or rows[0]["team_id"] != citizen["team_id"]:
        raise Invalid(errors={"user_id": [_("Must be a member of the citizen's team.")]})
    existing = active(db, citizen["id"], user_id)
    if existing:
        return False, existing
    with transaction(db):
        recusal_id = db.table("recusal").insert(
            {
                "citizen_id": citizen["id"],
                "user_id": user_id,
                "declared_by": actor.id,
                "reason": reason,
                "created_at": clock.timestamp(),
            }
        ).last_pk
        if citizen["primary_worker_id"] == user_id:
            db.execute(
                "UPDATE citizen SET primary_worker_id = NULL, updated_at = ? WHERE id = ?",
                [clock.timestamp(), citizen["id"]],
            )
        audit.record(
            db, actor.id, "recusal.declare", "citizen", citizen["id"],
            {"recusal_id": recusal_id, "user_id": user_id},
        )
    return True, get(db, recusal_id)


def lift(db, actor, citizen, recusal_id, reason):
    """Lift a recusal (leads only). :raises NotFound: no such active recusal on this citizen."""
    if actor.role != "lead":
        raise Forbidden(_("Only a team lead can lift a recusal."))
    recusal = get(db, recusal_id)
    if recusal is None or recusal["citizen_id"] != citizen["id"] or recusal["lifted_at"]:
        raise NotFound()
    with transaction(db):
        db.execute(
            "UPDATE recusal SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE id = ?",
            [clock.timestamp(), actor.id, reason, recusal_id],
        )
        audit.record(
            db, actor.id, "recusal.lift", "citizen", citizen["id"],
            {"recusal_id": recusal_id, "user_id": recusal["user_id"]},
        )
    return get(db, recusal_id)
