"""Meetings and the expectations logged at each: reading them, and the meeting row itself.

Writing a meeting with its expectations is one use case in journal/casework.py.
"""
import json

from . import expectations
from .db import insert as insert_row
from .expectations import SUPERSEDED_BY

COLUMNS = (
    "id, citizen_id, worker_id, held_on, mode, participants, note, "
    "reflection_usual, reflection_different, citizen_explanation, recorded_at"
)
MODES = ("in_person", "video", "phone", "home_visit", "written")
REFLECTIONS = ("reflection_usual", "reflection_different", "citizen_explanation")


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


def for_citizen(db, citizen_id, entries=None):
    """The citizen's meetings, newest first, each with its expectations.

    :param entries: the citizen's expectation rows if the caller has them already
        (expectations.for_citizen); otherwise they are read here
    """
    meetings = [
        _row(r)
        for r in db.query(
            f"SELECT {COLUMNS} FROM meeting WHERE citizen_id = ? ORDER BY held_on DESC, recorded_at DESC",
            [citizen_id],
        )
    ]
    if entries is None:
        entries = expectations.for_citizen(db, citizen_id)
    by_id = {m["id"]: dict(m, expectations=[]) for m in meetings}
    for entry in sorted(entries, key=lambda e: e["seq"]):
        if entry["meeting_id"] in by_id:
            by_id[entry["meeting_id"]]["expectations"].append(entry)
    return [by_id[m["id"]] for m in meetings]


def insert(db, user, citizen, data, fingerprint, recorded_at):
    """Insert the meeting row (journal/casework.py adds its expectations in the same
    transaction). Raises sqlite3.IntegrityError when the id (client UUID) exists."""
    insert_row(
        db,
        "meeting",
        {
            "id": data["id"],
            "citizen_id": citizen["id"],
            "worker_id": user.id,
            "held_on": data["held_on"].isoformat(),
            "mode": data["mode"],
            "participants": json.dumps(data.get("participants") or []),
            "note": data.get("note"),
            **{field: data.get(field) for field in REFLECTIONS},
            "recorded_at": recorded_at,
            "content_hash": fingerprint,
        },
    )
