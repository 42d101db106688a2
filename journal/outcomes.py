"""Outcomes: what happened to the citizen (job, flex job, education ...), for research.

Idempotent by an optional client UUID so that the offline outbox can resend safely.
"""
import sqlite3
import uuid

from flask_babel import gettext as _

from . import audit, clock
from .db import insert as insert_row
from .db import transaction
from .idempotency import content_hash, resolve_clash

KINDS = ("job", "flex_job", "education", "none", "other")
COLUMNS = "id, citizen_id, kind, observed_on, note, recorded_by, recorded_at"


def get(db, outcome_id):
    rows = list(db.query(f"SELECT {COLUMNS} FROM outcome WHERE id = ?", [outcome_id]))
    return rows[0] if rows else None


def for_citizen(db, citizen_id):
    return list(
        db.query(f"SELECT {COLUMNS} FROM outcome WHERE citizen_id = ? ORDER BY observed_on DESC", [citizen_id])
    )


def record(db, user, citizen, data):
    """Returns (created, outcome). :raises Conflict: the id holds other content."""
    outcome_id = data.get("id") or str(uuid.uuid4())
    fingerprint = content_hash({"citizen_id": citizen["id"], **data})
    try:
        with transaction(db):
            insert_row(
                db,
                "outcome",
                {
                    "id": outcome_id,
                    "citizen_id": citizen["id"],
                    "kind": data["kind"],
                    "observed_on": data["observed_on"].isoformat(),
                    "note": data.get("note"),
                    "recorded_by": user.id,
                    "recorded_at": clock.timestamp(),
                    "content_hash": fingerprint,
                },
            )
            audit.record(db, user.id, "outcome.create", "citizen", citizen["id"], {"outcome_id": outcome_id})
    except sqlite3.IntegrityError as error:
        if resolve_clash(db, "outcome", outcome_id, fingerprint, error, _("A different outcome is already stored under this id.")):
            return False, get(db, outcome_id)
        raise
    return True, get(db, outcome_id)
