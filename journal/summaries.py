"""Each citizen's current summary, stored: what lists and overviews read instead of history.

A team page used to read every expectation of the team and run the clash rules over each
citizen on every request (issue 14: 5.6 requests a second at 500 citizens). Now the rules run
when something changes, and the result is kept in `citizen_state` (one row per citizen) and
`citizen_week` (the clash flag as of each past Sunday, for the 12-week trend):

- **On write**: the casework write path (journal/casework.py), a change of case owner and a
  change of the team's thresholds call refresh() in the transaction that wrote, so a read right
  after sees the new summary.
- **Whatever writes**: triggers (migration m014) mark a citizen's row stale and drop its weeks
  whenever its expectations, meetings, case owner or team thresholds change, so a write that
  does not come through the casework layer (the demo seed, a test factory, a future import)
  can never leave a wrong summary behind; the next read refreshes a stale row.
- **With time**: a summary also changes when a view ages out of the 180-day window or a
  low view has lasted `stale_low_days`, without any write. valid_until() is the first day that
  can happen; a read refreshes rows whose day has come (a handful a day, not the team).

rebuild() computes a row from history alone; tests/test_summaries.py checks after random
writes, corrections, recusals, retention and time that the stored rows equal it.
"""
import json
from datetime import date, timedelta

from . import clock, expectations
from .clashes import low_since, summarise
from .config import CURRENT_WINDOW_DAYS
from .db import transaction

WEEKS = 12


# --- pure rules -------------------------------------------------------------------------------


def last_sparring_on(entries):
    dates = [clock.as_date(e["observed_on"]) for e in entries if e["context"] == "sparring"]
    return max(dates) if dates else None


def valid_until(entries, team, today, summary, sparred_on=None):
    """The first day after *today* on which the same entries could summarise differently, or
    None (only a write can change it).

    Time changes a summary in four ways: a live entry leaves the 180-day window (the day
    after its last day in it), a low view of the case owner's reaches `stale_low_days`, a
    sparring session stops counting as recent after `stale_low_days`, and a stale-low prompt
    counts its days (so a summary with one is good for today only). Entries observed after
    *today* count from the day they are observed. Every such day is a candidate; the earliest
    one after today is the answer (earlier is always safe: it only costs a refresh).
    """
    days = team["stale_low_days"]
    candidates = []
    for entry in expectations.live_entries(entries):
        observed = clock.as_date(entry["observed_on"])
        candidates.append(observed + timedelta(days=CURRENT_WINDOW_DAYS + 1))
        candidates.append(observed)
    owner = summary.owner
    if owner is not None:
        since = low_since(expectations.worker_histories(entries).get(owner.recorded_by, []))
        if since is not None:
            candidates.append(since + timedelta(days=days))
    if sparred_on is not None:
        candidates.append(sparred_on + timedelta(days=days))
    if any(p.cause == "stale_low" for p in summary.prompts):
        candidates.append(today + timedelta(days=1))  # the prompt says for how many days
    later = [d for d in candidates if d > today]
    return min(later) if later else None


def week_ends(today, weeks=WEEKS):
    """The Sundays of the past weeks of the trend, oldest first (the current week is counted
    as of today, from citizen_state)."""
    last_sunday = today - timedelta(days=today.isoweekday())
    return [last_sunday - timedelta(weeks=k) for k in range(weeks - 2, -1, -1)]


def clash_as_of(entries, team, end, owner_id):
    """Whether the citizen clashed as of *end* (clashes.weekly_clash_counts' rule): entries
    observed by then, corrections applied over all entries."""
    live = expectations.live_entries(entries)
    known = [e for e in live if clock.as_date(e["observed_on"]) <= end]
    return bool(known) and summarise(known, team, end, owner_id=owner_id).clash


def _view(view):
    return None if view is None else {
        "source": view.source, "source_label": view.source_label, "value": view.value,
        "observed_on": view.observed_on.isoformat(), "expectation_id": view.expectation_id,
        "recorded_by": view.recorded_by,
    }


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


def row_of(citizen, entries, team, today, last_meeting_on):
    """The citizen_state row of a citizen from its history: (row, Summary)."""
    sparred = last_sparring_on(entries)
    result = summarise(entries, team, today, sparred, citizen["primary_worker_id"])
    until = valid_until(entries, team, today, result, sparred)
    row = {
        "citizen_id": citizen["id"],
        "computed_on": today.isoformat(),
        "valid_until": until.isoformat() if until else None,
        "stale": 0,
        "clash": int(result.clash),
        "max_gap": result.max_gap,
        "abs_gap": abs(result.max_gap) if result.max_gap is not None else None,
        "spread": result.spread,
        "worker_value": result.worker_value,
        "owner_fallback": int(result.owner_fallback),
        "owner_view": json.dumps(_view(result.owner)),
        "views": json.dumps([_view(v) for v in result.views]),
        "gaps": json.dumps([{"source": g.source, "source_label": g.source_label, "gap": g.gap} for g in result.gaps]),
        "prompts": json.dumps([{"cause": p.cause, "facts": p.facts} for p in result.prompts], default=_json_default),
        "last_meeting_on": last_meeting_on,
    }
    return row, result


# --- data layer ------------------------------------------------------------------------------

STATE_COLUMNS = (
    "citizen_id", "computed_on", "valid_until", "stale", "clash", "max_gap", "abs_gap", "spread", "worker_value",
    "owner_fallback", "owner_view", "views", "gaps", "prompts", "last_meeting_on",
)
_UPSERT = (
    f"INSERT OR REPLACE INTO citizen_state ({', '.join(STATE_COLUMNS)}) VALUES ({', '.join('?' * len(STATE_COLUMNS))})"
)


def _teams(db, team_ids):
    """The thresholds the rules need, per team (plain SQL: users.py, which changes them,
    calls this module, so this one does not import it)."""
    out = {}
    for team_id in team_ids:
        row = db.execute("SELECT gap_threshold, drop_threshold, stale_low_days FROM team WHERE id = ?", [team_id]).fetchone()
        out[team_id] = {"id": team_id, "gap_threshold": row[0], "drop_threshold": row[1], "stale_low_days": row[2]}
    return out


def _in_chunks(db, sql, ids):
    """Rows of *sql* (with one `{marks}` for an IN list) over *ids*, 500 ids at a time
    (SQLite's limit on parameters)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        yield from db.query(sql.format(marks=",".join("?" * len(chunk))), chunk)


def _citizens(db, citizen_ids):
    """id → the citizen's id, team and case owner: what the rules need of it."""
    sql = "SELECT id, team_id, primary_worker_id FROM citizen WHERE id IN ({marks})"
    return {row["id"]: row for row in _in_chunks(db, sql, citizen_ids)}


def _last_meetings(db, citizen_ids):
    sql = "SELECT citizen_id, MAX(held_on) AS last FROM meeting WHERE citizen_id IN ({marks}) GROUP BY citizen_id"
    return {row["citizen_id"]: row["last"] for row in _in_chunks(db, sql, citizen_ids)}


def refresh(db, citizen_ids, today=None):
    """Recompute and store the rows of *citizen_ids* (in the caller's transaction, if any).
    Returns {citizen id: clashes.Summary}."""
    today = today or clock.today()
    ids = list(citizen_ids)
    if not ids:
        return {}
    citizens = _citizens(db, ids)
    entries = expectations.for_citizens(db, list(citizens))
    meetings = _last_meetings(db, list(citizens))
    teams = _teams(db, {c["team_id"] for c in citizens.values()})
    results, rows = {}, []
    for cid, citizen in citizens.items():
        row, results[cid] = row_of(citizen, entries[cid], teams[citizen["team_id"]], today, meetings.get(cid))
        rows.append([row[c] for c in STATE_COLUMNS])
    with transaction(db):
        db.conn.executemany(_UPSERT, rows)
        db.execute(f"DELETE FROM citizen_week WHERE citizen_id IN ({','.join('?' * len(citizens))})", list(citizens))
    return results


def refresh_team(db, team_id, today=None):
    """Every citizen of a team (its thresholds changed)."""
    ids = [r[0] for r in db.execute("SELECT id FROM citizen WHERE team_id = ?", [team_id])]
    return refresh(db, ids, today)


def ensure_fresh(db, where, params, today=None):
    """Refresh the rows a read is about to use that are missing, marked stale, or whose
    valid_until has come. *where* selects citizens (over `citizen`), as the read does."""
    today = (today or clock.today()).isoformat()
    due = [
        r[0]
        for r in db.execute(
            f"SELECT citizen.id FROM citizen LEFT JOIN citizen_state s ON s.citizen_id = citizen.id WHERE ({where}) "
            "AND (s.citizen_id IS NULL OR s.stale = 1 OR s.valid_until <= ? OR s.computed_on > ?)",
            [*params, today, today],
        )
    ]
    if due:
        refresh(db, due)
    return len(due)


def weekly_counts(db, where, params, today=None):
    """(week end, clashing citizens) for the 12-week trend, oldest first: past weeks from
    citizen_week (filled here for citizens that lack a week), the current week from
    citizen_state as of today. *where* selects the citizens counted (over `citizen`)."""
    today = today or clock.today()
    ends = week_ends(today)
    wanted = [e.isoformat() for e in ends]
    have = len(wanted)
    missing = [
        r[0]
        for r in db.execute(
            f"SELECT citizen.id FROM citizen WHERE ({where}) AND "
            f"(SELECT count(*) FROM citizen_week w WHERE w.citizen_id = citizen.id AND w.week_end IN ({','.join('?' * have)})) < ?",
            [*params, *wanted, have],
        )
    ]
    if missing:
        _fill_weeks(db, missing, ends)
    counts = dict.fromkeys(wanted, 0)
    for week_end, clashing in db.execute(
        f"SELECT w.week_end, sum(w.clash) FROM citizen_week w JOIN citizen ON citizen.id = w.citizen_id "
        f"WHERE ({where}) AND w.week_end IN ({','.join('?' * have)}) GROUP BY w.week_end",
        [*params, *wanted],
    ):
        counts[week_end] = clashing
    now = db.execute(
        f"SELECT count(*) FROM citizen JOIN citizen_state s ON s.citizen_id = citizen.id WHERE ({where}) AND s.clash = 1",
        params,
    ).fetchone()[0]
    return [(end, counts[end.isoformat()]) for end in ends] + [(today, now)]


def _fill_weeks(db, citizen_ids, ends):
    citizens = _citizens(db, citizen_ids)
    entries = expectations.for_citizens(db, list(citizens))
    teams = _teams(db, {c["team_id"] for c in citizens.values()})
    rows = []
    for cid, citizen in citizens.items():
        for end in ends:
            rows.append([cid, end.isoformat(), int(clash_as_of(entries[cid], teams[citizen["team_id"]], end, citizen["primary_worker_id"]))])
    with transaction(db):
        db.conn.executemany("INSERT OR REPLACE INTO citizen_week (citizen_id, week_end, clash) VALUES (?, ?, ?)", rows)


def rows(db, where, params, order="citizen.case_ref", order_params=(), limit=None, offset=0):
    """Citizens with their stored summary (fresh: call ensure_fresh first), as dicts with
    the summary's JSON parts parsed."""
    sql = (
        f"SELECT citizen.*, {', '.join('s.' + c for c in STATE_COLUMNS[1:])} FROM citizen "
        f"JOIN citizen_state s ON s.citizen_id = citizen.id WHERE ({where}) ORDER BY {order}"
    )
    args = [*params, *order_params]
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    out = []
    for row in db.query(sql, args):
        for key in ("owner_view", "views", "gaps", "prompts"):
            row[key] = json.loads(row[key])
        row["clash"] = bool(row["clash"])
        row["owner_fallback"] = bool(row["owner_fallback"])
        out.append(row)
    return out
