"""Sparring requests: a worker asks colleagues to look at a case ("flere øjne på sagen").

This module holds the requests; the queue and the session runner build on them. A manual
request carries the worker's short question; prompted requests (gap, drop, stale_low) come
from the rules in journal/clashes.py.
"""
from . import audit, clock
from .db import transaction

COLUMNS = "id, citizen_id, requested_by, reason, detail, status, created_at, updated_at"


def open_for_citizen(db, citizen_id):
    """Requests on the citizen that are not yet handled (open or scheduled), oldest first."""
    return list(
        db.query(
            f"SELECT {COLUMNS} FROM sparring_request WHERE citizen_id = ? "
            "AND status IN ('open', 'scheduled') ORDER BY id",
            [citizen_id],
        )
    )


def request_manual(db, user, citizen, question):
    """A worker's own request for sparring, with a short question for the colleagues."""
    now = clock.timestamp()
    with transaction(db):
        request_id = db.table("sparring_request").insert(
            {
                "citizen_id": citizen["id"],
                "requested_by": user.id,
                "reason": "manual",
                "detail": question,
                "status": "open",
                "created_at": now,
                "updated_at": now,
            }
        ).last_pk
        audit.record(db, user.id, "sparring.request", "citizen", citizen["id"], {"request_id": request_id})
    return request_id
