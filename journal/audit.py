"""Append-only audit events: who did what to which object, when (UTC).

Every login, every view of a citizen, every change, recusal and export is recorded. The
table refuses UPDATE and DELETE (triggers in migration m001), so an event, once written,
stays. Events that go with a write are recorded inside the write's transaction, so a change
is never stored without its audit row, nor the other way round.
"""
import csv
import io
import json
from datetime import datetime, time, timedelta

from . import clock
from .db import transaction


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


# --- the admin's audit-log viewer ----------------------------------------------------------
#: Columns of the CSV download, in order: what the audit row holds, with the actor's username.
CSV_COLUMNS = ("id", "at", "username", "action", "object_type", "object_id", "detail")


def _day_start(day):
    """The UTC timestamp at which *day* (a local date) begins."""
    return clock.timestamp(datetime.combine(day, time.min, tzinfo=clock.LOCAL_ZONE))


def citizen_id_for_ref(db, team_id, case_ref):
    """The id of the team's citizen with this case reference, or None (the viewer's filter
    takes a case ref + team and shows only the id; docs/decisions.md "Admin screens")."""
    row = db.execute("SELECT id FROM citizen WHERE team_id = ? AND case_ref = ?", [team_id, case_ref]).fetchone()
    return row[0] if row else None


def _where(filters):
    """WHERE clause and params for the viewer's filters (a loaded AuditFilterIn, ids resolved)."""
    where, params = [], []
    if "user_id" in filters:
        where.append("e.user_id IS ?")
        params.append(filters["user_id"])
    if filters.get("action"):
        where.append("(e.action = ? OR e.action LIKE ?)")
        params += [filters["action"], filters["action"] + ".%"]
    if "citizen_id" in filters:
        where.append("e.object_type = 'citizen' AND e.object_id = ?")
        params.append(str(filters["citizen_id"]))
    if filters.get("date_from"):
        where.append("e.at >= ?")
        params.append(_day_start(filters["date_from"]))
    if filters.get("date_to"):
        where.append("e.at < ?")
        params.append(_day_start(filters["date_to"] + timedelta(days=1)))
    return (" WHERE " + " AND ".join(where)) if where else "", params


_SELECT = (
    "SELECT e.id, e.at, e.user_id, u.username, e.action, e.object_type, e.object_id, e.detail "
    "FROM audit_event e LEFT JOIN user u ON u.id = e.user_id"
)


def search(db, filters, page=1, per_page=50):
    """One page of events matching *filters*, newest first, and how many match in all.

    Only the audit row and the actor's username: never a citizen's name, case ref or text.
    """
    where, params = _where(filters)
    total = db.execute(f"SELECT count(*) FROM audit_event e{where}", params).fetchone()[0]
    rows = list(db.query(f"{_SELECT}{where} ORDER BY e.id DESC LIMIT ? OFFSET ?", params + [per_page, (page - 1) * per_page]))
    return rows, total


def csv_text(db, filters):
    """The matching events as CSV, header first, newest first."""
    return "".join(_csv_lines(db, filters))


def _csv_lines(db, filters):
    where, params = _where(filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for row in db.query(f"{_SELECT}{where} ORDER BY e.id DESC", params):
        writer.writerow([_safe_cell(row[c]) for c in CSV_COLUMNS])
        yield flush()


def _safe_cell(value):
    """A cell a spreadsheet will not run as a formula (a username cannot start with "=", but
    a detail might)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def record_export(db, user_id, filters):
    """The CSV download is itself audited, with the filters used (ids, never a case ref)."""
    with transaction(db):
        record(db, user_id, "audit.export", None, None, {k: v for k, v in filters.items() if v is not None} or {"all": True})


def resolve_filters(db, data):
    """The viewer's loaded filters with the username and the case ref + team turned into ids.

    A username or case ref that matches nothing gives an id that matches no event (0), so the
    answer is an empty list, not every event.
    """
    filters = {k: data.get(k) for k in ("action", "date_from", "date_to")}
    if data.get("username"):
        row = db.execute("SELECT id FROM user WHERE username = ?", [data["username"]]).fetchone()
        filters["user_id"] = row[0] if row else 0
    citizen_id = data.get("citizen_id")
    if data.get("case_ref"):
        found = citizen_id_for_ref(db, data["team_id"], data["case_ref"]) or 0
        citizen_id = found if citizen_id in (None, found) else 0
    if citizen_id is not None:
        filters["citizen_id"] = citizen_id
    return filters
