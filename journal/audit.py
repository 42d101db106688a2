"""Append-only audit events: who did what to which object, when (UTC).

Every login, every view of a citizen, every change, recusal and export is recorded. The
table refuses UPDATE and DELETE (triggers in migration m001), so an event, once written,
stays. Events that go with a write are recorded inside the write's transaction, so a change
is never stored without its audit row, nor the other way round.
"""
import json

from . import clock


def record(db, user_id, action, object_type=None, object_id=None, detail=None):
    """Append one event. *detail* is a small JSON-able dict; never put case content in it."""
    db.execute(
        "INSERT INTO audit_event (at, user_id, action, object_type, object_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            clock.timestamp(),
            user_id,
            action,
            object_type,
            None if object_id is None else str(object_id),
            json.dumps(detail, sort_keys=True, default=str) if detail else None,
        ],
    )


def exists(db, user_id, action, object_type, object_id, detail):
    """Whether this user already has an event with exactly this action, object and detail."""
    return db.execute(
        "SELECT 1 FROM audit_event WHERE object_type = ? AND object_id = ? AND user_id = ? AND action = ? AND detail = ?",
        [object_type, str(object_id), user_id, action, json.dumps(detail, sort_keys=True, default=str)],
    ).fetchone() is not None


def events(db, *, action=None, object_type=None, object_id=None, user_id=None, limit=200):
    """The newest events first, optionally filtered (admin audit log, tests)."""
    where, params = [], []
    for column, value in (
        ("action", action),
        ("object_type", object_type),
        ("object_id", None if object_id is None else str(object_id)),
        ("user_id", user_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "SELECT * FROM audit_event"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    rows = list(db.query(sql, params + [limit]))
    for row in rows:
        row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return rows
