"""Citizens: create, change, and the summaries lists and overviews show.

A citizen belongs to one team. The case reference is the team's own short reference and is
unique within the team in every spelling (its key, journal/identifiers.py); national ID
numbers and characters outside the case-reference set are refused by the schema before this
runs.
"""
import json
import sqlite3

from flask_babel import gettext as _

from . import access, audit, clock, expectations, summaries, users
from .clashes import describe, summarise
from .db import transaction
from .errors import Conflict, Forbidden, Invalid, NotFound
from .identifiers import unique_ref_key
from .users import CASE_ROLES

GENDERS = ("female", "male", "other", "unknown")
GOALS = ("job", "education")
STATUSES = ("active", "closed")
#: Why a case was closed: a code, kept in the audit event's detail (never free text there).
#: The words describe what happened to the case, never the citizen.
CLOSE_REASONS = ("goal_reached", "other_support", "moved", "citizen_wish", "other")
FIELDS = ("case_ref", "display_name", "birth_year", "gender", "goal", "status", "primary_worker_id")


def _check_primary_worker(db, team_id, citizen_id, user_id):
    if user_id is None:
        return
    row = db.execute("SELECT role, team_id, active FROM user WHERE id = ?", [user_id]).fetchone()
    ok = row is not None and row[1] == team_id and row[0] in CASE_ROLES and row[2] == 1
    if not ok or (citizen_id is not None and access.is_recused(db, citizen_id, user_id)):
        raise Invalid(errors={"primary_worker_id": [_("Must be an active worker in the team who is not recused.")]})


def _case_ref_taken(error):
    """The Conflict for a case ref already used in the team, in this or a look-alike spelling
    (the key of journal/identifiers.py); any other IntegrityError is a bug."""
    if "citizen.team_id, citizen.case_ref" not in str(error) and "citizen.team_id, citizen.ref_key" not in str(error):
        raise error
    return Conflict(
        _(
            "This case reference, or one that looks the same (only capital letters, separators, O and 0 "
            "or I and 1 differ), is already used in your team."
        ),
        code="case_ref_taken",
    )


def get(db, citizen_id):
    rows = list(db.query("SELECT * FROM citizen WHERE id = ?", [citizen_id]))
    if not rows:
        raise NotFound()
    return rows[0]


def create(db, user, data):
    """Create a citizen in the user's team; the creator is the primary worker unless named."""
    row = {
        "team_id": user.team_id,
        "case_ref": data["case_ref"],
        "ref_key": unique_ref_key(data["case_ref"]),
        "display_name": data.get("display_name"),
        "birth_year": data.get("birth_year"),
        "gender": data.get("gender") or "unknown",
        "goal": data["goal"],
        "status": "active",
        "primary_worker_id": data.get("primary_worker_id", user.id),
        "created_by": user.id,
        "created_at": clock.timestamp(),
        "updated_at": clock.timestamp(),
    }
    if row["primary_worker_id"] != user.id and user.role != "lead":
        raise Forbidden(_("Only a team lead can hand a case to another case owner."))
    _check_primary_worker(db, user.team_id, None, row["primary_worker_id"])
    try:
        with transaction(db):
            citizen_id = db.table("citizen").insert(row).last_pk
            summaries.refresh(db, [citizen_id])
            audit.record(db, user.id, "citizen.create", "citizen", citizen_id)
    except sqlite3.IntegrityError as error:
        raise _case_ref_taken(error) from None
    return get(db, citizen_id)


def update(db, user, citizen, data):
    changes = {k: v for k, v in data.items() if k in FIELDS and v != citizen[k]}
    if "primary_worker_id" in changes:
        if user.role != "lead":
            raise Forbidden(_("Only a team lead can hand a case to another case owner."))
        _check_primary_worker(db, citizen["team_id"], citizen["id"], changes["primary_worker_id"])
    access.check_citizen_change(user, citizen, changes)
    if "case_ref" in data and data["case_ref"] is None:
        raise Invalid(errors={"case_ref": [_("Must not be blank.")]})
    if not changes:
        return citizen
    now = clock.timestamp()
    changes["updated_at"] = now
    if "case_ref" in changes:
        changes["ref_key"] = unique_ref_key(changes["case_ref"])
    if changes.get("status") == "closed":
        changes["closed_at"] = now
    elif changes.get("status") == "active":
        changes["closed_at"] = None
    try:
        with transaction(db):
            db.table("citizen").update(citizen["id"], changes)
            if "primary_worker_id" in changes:
                summaries.refresh(db, [citizen["id"]])
            audit.record(
                db, user.id, "citizen.update", "citizen", citizen["id"],
                {"fields": sorted(k for k in changes if k not in ("updated_at", "closed_at"))},
            )
    except sqlite3.IntegrityError as error:
        raise _case_ref_taken(error) from None
    return get(db, citizen["id"])


def _closing_stamp(closed_on):
    """closed_at for a case closed on *closed_on*: now if that is today, else midday of that
    day (10:00 UTC is 11 or 12 in Copenhagen), so its local date is the date given."""
    if closed_on >= clock.today():
        return clock.timestamp()
    return f"{closed_on.isoformat()}T10:00:00Z"


def close(db, user, citizen, data):
    """Close the case on a date (not in the future) for a reason (a code of CLOSE_REASONS).

    The reason goes in the audit event as a code: the citizen table has no column for it and
    the audit log holds no free text. :raises Invalid: the case is closed already
    """
    access.check_citizen_change(user, citizen, {"status"})
    if citizen["status"] == "closed":
        raise Invalid(_("The case is closed already."))
    now = clock.timestamp()
    with transaction(db):
        db.table("citizen").update(
            citizen["id"], {"status": "closed", "closed_at": _closing_stamp(data["closed_on"]), "updated_at": now}
        )
        audit.record(
            db, user.id, "citizen.close", "citizen", citizen["id"],
            {"reason": data["reason"], "closed_on": data["closed_on"].isoformat()},
        )
    return get(db, citizen["id"])


def reopen(db, user, citizen):
    """Make a closed case active again (it is back on the lists; retention no longer applies)."""
    access.check_citizen_change(user, citizen, {"status"})
    if citizen["status"] != "closed":
        raise Invalid(_("The case is not closed."))
    with transaction(db):
        db.table("citizen").update(citizen["id"], {"status": "active", "closed_at": None, "updated_at": clock.timestamp()})
        audit.record(db, user.id, "citizen.reopen", "citizen", citizen["id"])
    return get(db, citizen["id"])


def closing_reason(db, citizen):
    """The reason code the case was last closed with, or None (open, or closed by the API)."""
    if citizen["status"] != "closed":
        return None
    events = audit.events(db, action="citizen.close", object_type="citizen", object_id=citizen["id"], limit=1)
    return events[0]["detail"].get("reason") if events and events[0]["detail"] else None


def last_sparring_on(entries):
    dates = [clock.as_date(e["observed_on"]) for e in entries if e["context"] == "sparring"]
    return max(dates) if dates else None


def summary(team, citizen, entries, today=None):
    """The clash summary of *citizen* (gaps measured from its case owner's view)."""
    today = today or clock.today()
    return summarise(entries, team, today, last_sparring_on(entries), citizen.get("primary_worker_id"))


def view_dict(view, owner, names=None):
    """A current view in the API's shape; a worker view says whose it is."""
    out = {
        "source": view.source,
        "source_label": view.source_label,
        "value": view.value,
        "observed_on": view.observed_on,
        "expectation_id": view.expectation_id,
    }
    if view.source == "worker":
        out.update(
            recorded_by=view.recorded_by,
            worker_name=(names or {}).get(view.recorded_by),
            case_owner_view=view is owner,
        )
    return out


def clash_dict(result, viewer_id=None, names=None):
    """The clash shape of the API contract, from a clashes.Summary.

    :param viewer_id: who reads it ("you" in the prompts' words only for their own views)
    :param names: user id → display name inside the team, to name workers
    """
    return {
        "views": [view_dict(v, result.owner, names) for v in result.views],
        "gaps": [{"source": g.source, "source_label": g.source_label, "gap": g.gap} for g in result.gaps],
        "spread": result.spread,
        "clash": result.clash,
        "prompts": [{"cause": p.cause, "detail": describe(p, viewer_id, names)} for p in result.prompts],
        "owner_view": view_dict(result.owner, result.owner, names) if result.owner else None,
        "owner_fallback": result.owner_fallback,
    }


def last_meetings(db, citizen_ids):
    if not citizen_ids:
        return {}
    ids = list(citizen_ids)
    out = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(
            f"SELECT citizen_id, MAX(held_on) AS last FROM meeting WHERE citizen_id IN ({marks}) GROUP BY citizen_id",
            chunk,
        ):
            out[row["citizen_id"]] = row["last"]
    return out


def detail(db, team, citizen, entries=None, last_meeting_on=None, viewer_id=None, names=None):
    """One citizen with current views, gaps, spread, clash flag and prompts.

    :param entries: the citizen's expectation rows if the caller has read them already
    :param viewer_id: who reads it: their own view is "yours", others' are named
    """
    if entries is None:
        entries = expectations.for_citizen(db, citizen["id"])
        last_meeting_on = last_meetings(db, [citizen["id"]]).get(citizen["id"])
    result = summary(team, citizen, entries)
    out = dict(citizen)
    if names is None:
        names = users.display_names(db, citizen["team_id"])
    out.update(clash_dict(result, viewer_id, names))
    out.update(worker_value=result.worker_value, max_gap=result.max_gap, last_meeting_on=last_meeting_on, summary=result)
    return out


def _visible_where(user, *, q=None, status="active", owner_id=None):
    """WHERE (over `citizen`) and params for the citizens *user* may see, filtered."""
    where, params = access.visible_citizens_sql(user)
    params = list(params)
    if owner_id is not None:
        where += " AND citizen.primary_worker_id = ?"
        params.append(owner_id)
    if status and status != "all":
        where += " AND citizen.status = ?"
        params.append(status)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where += (
            " AND (citizen.case_ref LIKE ? ESCAPE '\\' OR IFNULL(citizen.display_name, '') LIKE ? ESCAPE '\\')"
        )
        params += [pattern, pattern]
    return where, params


def _item(row, user):
    """A list item: the citizen, its stored summary, and the viewer's own current view."""
    mine = next((v for v in row["views"] if v["source"] == "worker" and v["recorded_by"] == user.id), None)
    row["my_value"] = mine["value"] if mine else None
    return row


def visible(db, user, team, *, q=None, status="active", owner_id=None):
    """The citizens *user* may see (own team, minus recusals), each with its clash summary
    and the user's own current view (`my_value`), ordered by case ref.

    The summaries are the stored ones (journal/summaries.py): no history is read here.

    :param owner_id: only citizens this worker is the case owner of (a caseload)
    """
    where, params = _visible_where(user, q=q, status=status, owner_id=owner_id)
    summaries.ensure_fresh(db, where, params)
    return [_item(row, user) for row in summaries.rows(db, where, params)]


#: My citizens' order in SQL (attention_order): clashes first, then the largest gap, then
#: those never met, then by case ref.
ATTENTION_ORDER = (
    "s.clash DESC, IFNULL(s.abs_gap, 0) DESC, (s.last_meeting_on IS NOT NULL), citizen.case_ref COLLATE NOCASE"
)


def count_visible(db, user, *, q=None, status="active", owner_id=None):
    """How many citizens a list would show (the tabs' counts), without reading them."""
    where, params = _visible_where(user, q=q, status=status, owner_id=owner_id)
    return db.execute(f"SELECT count(*) FROM citizen WHERE {where}", params).fetchone()[0]


def _page(db, user, where, params, order, order_params, page, per_page):
    """{"items", "total", "page", "per_page"}: one page of stored summaries, counted and cut in SQL."""
    total = db.execute(
        f"SELECT count(*) FROM citizen JOIN citizen_state s ON s.citizen_id = citizen.id WHERE ({where})", params
    ).fetchone()[0]
    rows = summaries.rows(db, where, params, order=order, order_params=order_params, limit=per_page, offset=(page - 1) * per_page)
    return {"items": [_item(row, user) for row in rows], "total": total, "page": page, "per_page": per_page}


def list_page(db, user, *, q=None, status="active", owner_id=None, clashing=None, page=1, per_page=50):
    """One page of the citizens *user* may see, what needs attention first (the API's list
    and My citizens), sorted and cut in SQL over the stored summaries.

    :returns: {"items", "total", "page", "per_page"}
    """
    where, params = _visible_where(user, q=q, status=status, owner_id=owner_id)
    summaries.ensure_fresh(db, where, params)
    if clashing is not None:
        where += " AND s.clash = ?"
        params.append(int(clashing))
    return _page(db, user, where, params, ATTENTION_ORDER, (), page, per_page)


#: The team overview's order in SQL: the largest gap first, then the widest spread,
#: citizens without a gap after those with one.
GAP_ORDER = "(s.max_gap IS NULL), s.abs_gap DESC, s.spread DESC, citizen.case_ref COLLATE NOCASE"
_SOURCE_GAP = (
    "(SELECT max(abs(json_extract(g.value, '$.gap'))) FROM json_each(s.gaps) g "
    "WHERE json_extract(g.value, '$.source') = ?)"
)


def team_page(db, user, team, *, page=1, per_page=50, source=None, clashing=None):
    """One page of the team's active citizens by largest gap (the clashes API and /team),
    sorted and cut in SQL over the stored summaries: the page costs its rows, not the team.

    :param source: only citizens with a current gap to this source kind, ranked by it
    :param clashing: only clashing (True) or not clashing (False) citizens
    :returns: {"items", "total", "page", "per_page"}
    """
    where, params = _visible_where(user)
    summaries.ensure_fresh(db, where, params)
    order = GAP_ORDER
    if source is not None:
        where += f" AND {_SOURCE_GAP} IS NOT NULL"
        params.append(source)
        order = f"{_SOURCE_GAP} DESC, s.spread DESC, citizen.case_ref COLLATE NOCASE"
        if clashing is not None:
            where += f" AND ({_SOURCE_GAP} >= ?) = ?"
            params += [source, team["gap_threshold"], int(clashing)]
    elif clashing is not None:
        where += " AND s.clash = ?"
        params.append(int(clashing))
    found = _page(db, user, where, params, order, [source] if source is not None else [], page, per_page)
    if source is not None:
        found["items"] = filter_by_source(found["items"], source, team["gap_threshold"])
    return found


def team_counts(db, user, team):
    """The team overview's headline: active citizens, clashing ones, and per source kind the
    clashes split by direction (source_directions), from the stored summaries."""
    where, params = _visible_where(user)
    summaries.ensure_fresh(db, where, params)
    total, clashing = db.execute(
        f"SELECT count(*), IFNULL(sum(s.clash), 0) FROM citizen JOIN citizen_state s ON s.citizen_id = citizen.id WHERE ({where})",
        params,
    ).fetchone()
    gapped = [
        {"gaps": json.loads(g)}
        for (g,) in db.execute(
            f"SELECT s.gaps FROM citizen JOIN citizen_state s ON s.citizen_id = citizen.id WHERE ({where}) AND s.abs_gap >= ?",
            [*params, team["gap_threshold"]],
        )
    ]
    return total, clashing, source_directions(gapped, team["gap_threshold"])


def attention_order(item):
    """My citizens: clashes first, then the largest gap, then those never met, then by ref."""
    return (
        not item["clash"],
        -abs(item["max_gap"] or 0),
        item["last_meeting_on"] is not None,
        item["case_ref"].casefold(),
    )


def paginate(items, page, per_page):
    start = (page - 1) * per_page
    return {"items": items[start : start + per_page], "total": len(items), "page": page, "per_page": per_page}


def source_directions(items, threshold):
    """Per source kind, how many citizens it clashes with, split by direction: `less` when
    that source expects less than the case owner (gap > 0), `more` when it expects more.

    The research: doctors tend to pull expectations down, parents both ways — the split shows
    which way each kind of collaborator pulls in this team. A citizen with two views of one
    kind counts once, in the direction of the larger gap.

    :returns: list of (source, {"less": n, "more": n}), the kinds with the most clashes first
    """
    counts = {}
    for item in items:
        by_source = {}
        for g in item["gaps"]:
            if abs(g["gap"]) >= threshold:
                current = by_source.get(g["source"])
                if current is None or (abs(g["gap"]), -g["gap"]) > (abs(current), -current):
                    by_source[g["source"]] = g["gap"]
        for source, gap in by_source.items():
            split = counts.setdefault(source, {"less": 0, "more": 0})
            split["less" if gap > 0 else "more"] += 1
    return sorted(counts.items(), key=lambda kv: (-(kv[1]["less"] + kv[1]["more"]), expectations.SOURCES.index(kv[0])))


def filter_by_source(items, source, threshold):
    """Keep citizens with a current gap to *source*; rank and flag them by that gap."""
    kept = []
    for item in items:
        mine = [g for g in item["gaps"] if g["source"] == source]
        if mine:
            top = max(mine, key=lambda g: (abs(g["gap"]), -g["gap"]))
            kept.append(dict(item, max_gap=top["gap"], clash=abs(top["gap"]) >= threshold, gaps=mine))
    return kept
