"""Meetings with their expectations, written in one transaction, idempotent by client UUID
(see journal/idempotency.py)."""
import json
import sqlite3

from flask_babel import gettext as _

from . import audit, clock, expectations
from .db import transaction
from .errors import Conflict
from .idempotency import content_hash, is_id_clash, resolve_clash

COLUMNS = (
    "id, citizen_id, worker_id, held_on, mode, participants, note, "
    "reflection_usual, reflection_different, citizen_explanation, recorded_at"
)
REFLECTIONS = ("reflection_usual", "reflection_different", "citizen_explanation")
SUPERSEDED_BY = "(SELECT s.id FROM expectation s WHERE s.supersedes = e.id) AS superseded_by"


def _row(row):
    row = dict(row)
    row["participants"] = json.loads(row["participants"])
    return row


def get(db, meeting_id):
    rows = list(db.query(f"SELECT {COLUMNS}, content_hash FROM meeting WHERE id = ?", [meeting_id]))
    if not rows:
        return None
    meeting = _row(rows[0])
    meeting["expectations"] = list(
        db.query(
            f"SELECT {expectations.COLUMNS}, {SUPERSEDED_BY} FROM expectation e WHERE meeting_id = ? ORDER BY rowid",
            [meeting_id],
        )
    )
    return meeting


def for_citizen(db, citizen_id):
    """The citizen's meetings, newest first, each with its expectations."""
    meetings = [
        _row(r)
        for r in db.query(
            f"SELECT {COLUMNS} FROM meeting WHERE citizen_id = ? ORDER BY held_on DESC, recorded_at DESC",
            [citizen_id],
        )
    ]
    by_id = {m["id"]: m for m in meetings}
    for m in meetings:
        m["expectations"] = []
    for e in db.query(
        f"SELECT {expectations.COLUMNS}, {SUPERSEDED_BY} FROM expectation e "
        "WHERE citizen_id = ? AND meeting_id IS NOT NULL ORDER BY rowid",
        [citizen_id],
    ):
        if e["meeting_id"] in by_id:
            by_id[e["meeting_id"]]["expectations"].append(e)
    return meetings


def create(db, user, citizen, data):
    """Store a meeting and its expectations. Returns (created, meeting).

    :raises Conflict: the UUID is stored with other content, or an expectation's UUID is
        already used elsewhere
    """
    fingerprint = content_hash({"citizen_id": citizen["id"], **data})
    now = clock.timestamp()
    held_on = data["held_on"].isoformat()
    try:
        with transaction(db):
            db.table("meeting").insert(
                {
                    "id": data["id"],
                    "citizen_id": citizen["id"],
                    "worker_id": user.id,
                    "held_on": held_on,
                    "mode": data["mode"],
                    "participants": json.dumps(data.get("participants") or []),
                    "note": data.get("note"),
                    **{field: data.get(field) for field in REFLECTIONS},
                    "recorded_at": now,
                    "content_hash": fingerprint,
                }
            )
            for entry in data.get("expectations") or []:
                observed = entry.get("observed_on")
                expectations.insert(
                    db,
                    {
                        "id": entry["id"],
                        "citizen_id": citizen["id"],
                        "meeting_id": data["id"],
                        "source": entry["source"],
                        "source_label": entry.get("source_label"),
                        "value": entry["value"],
                        "confidence": entry["confidence"],
                        "basis": entry.get("basis"),
                        "observed_on": observed.isoformat() if observed else held_on,
                        "recorded_by": user.id,
                        "recorded_at": now,
                        "context": "meeting",
                        "supersedes": None,
                        "content_hash": content_hash({"citizen_id": citizen["id"], **entry}),
                    },
                )
            audit.record(
                db, user.id, "meeting.create", "citizen", citizen["id"],
                {"meeting_id": data["id"], "expectations": len(data.get("expectations") or [])},
            )
            from . import sparring  # late import: sparring reads expectations, which meetings write

            sparring.raise_prompts(db, user, citizen)
    except sqlite3.IntegrityError as error:
        if resolve_clash(db, "meeting", data["id"], fingerprint, error, _("A different meeting is already stored under this id.")):
            return False, get(db, data["id"])
        if is_id_clash(error, "expectation"):
            raise Conflict(
                _("An expectation in this meeting uses an id that is already stored."), code="id_conflict"
            ) from None
        raise
    return True, get(db, data["id"])
