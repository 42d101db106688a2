"""Colleague sparring ("flere øjne på sagen"): requests, sessions, blind rating, actions.

Research behind the product found that collegial sparring renews a worker's belief in a
citizen, and that expectations should be rated alone before they are discussed. So a case
in a session moves through fixed phases (present → blind_rating → reveal → questions →
reflections → response → actions), every participant rates on their own phone before anyone
sees another's rating, and the server refuses to show ratings before the reveal.

Pure rules (agreement, which prompts become requests) are at the top; the SQL below them.
"""
import json
import statistics
from datetime import timedelta

from flask_babel import gettext as _

from . import access, audit, citizens, clock, expectations
from .clashes import Prompt, describe, summarise
from .db import transaction
from .errors import Forbidden, Invalid, NotFound

PHASES = ("present", "blind_rating", "reveal", "questions", "reflections", "response", "actions", "done")
#: Phases in which the ratings are visible to everyone in the session.
REVEALED = PHASES[PHASES.index("reveal") :]
DEFAULT_MINUTES = {"present": 5, "blind_rating": 2, "reveal": 3, "questions": 5, "reflections": 10, "response": 5, "actions": 5}
SCALE_POINTS = 11  # A in r_wg: the 0–10 scale has eleven points


# --- pure rules ---------------------------------------------------------------------------


def next_phase(phase):
    """The phase after *phase*; "done" stays done."""
    index = PHASES.index(phase)
    return PHASES[min(index + 1, len(PHASES) - 1)]


def agreement(values):
    """Spread, median and r_wg of a blind round (DESIGN.md "Agreement").

    r_wg = 1 − s² / ((A² − 1) / 12), A = 11 scale points, s² the sample variance of the
    ratings; clamped to 0..1 and undefined (None) for fewer than two ratings.
    """
    values = list(values)
    if not values:
        return {"n": 0, "median": None, "spread": None, "rwg": None}
    result = {"n": len(values), "median": statistics.median(values), "spread": None, "rwg": None}
    if len(values) >= 2:
        result["spread"] = max(values) - min(values)
        expected = (SCALE_POINTS**2 - 1) / 12
        rwg = 1 - statistics.variance(values) / expected
        result["rwg"] = round(min(1.0, max(0.0, rwg)), 3)
    return result


def causes_to_raise(prompts, requests, today, quiet_days):
    """Which prompts become new requests: once per cause while one is open or scheduled,
    and not again within *quiet_days* after one for that cause was handled.

    :param requests: the citizen's earlier requests (reason, status, handled_at)
    """
    blocked = set()
    since = today - timedelta(days=quiet_days)
    for request in requests:
        if request["status"] in ("open", "scheduled"):
            blocked.add(request["reason"])
        elif request.get("handled_at") and clock.local_date(request["handled_at"]) > since:
            blocked.add(request["reason"])
    return [p for p in prompts if p.cause not in blocked]


def request_detail(request, for_team=True):
    """A request's reason in plain words, in the reader's language (worded for colleagues)."""
    if request["reason"] == "manual":
        return request.get("detail") or _("Sparring requested")
    facts = json.loads(request.get("facts") or "{}")
    if request["reason"] == "stale_low":
        facts.setdefault("days", 0)
    if request["reason"] == "gap":
        facts.setdefault("source_label", None)
    try:
        return describe(Prompt(request["reason"], facts), for_team=for_team)
    except KeyError:
        return request.get("detail") or ""


def phase_minutes(team):
    minutes = dict(DEFAULT_MINUTES)
    minutes.update(json.loads(team.get("phase_minutes") or "{}"))
    return minutes


# --- requests -----------------------------------------------------------------------------

COLUMNS = "id, citizen_id, requested_by, reason, detail, facts, status, created_at, updated_at, handled_by, handled_at, handled_note"


def open_for_citizen(db, citizen_id):
    """Requests on the citizen that are not yet handled (open or scheduled), oldest first."""
    return list(
        db.query(
            f"SELECT {COLUMNS} FROM sparring_request WHERE citizen_id = ? "
            "AND status IN ('open', 'scheduled') ORDER BY id",
            [citizen_id],
        )
    )


def _insert_request(db, citizen_id, user_id, reason, detail=None, facts=None):
    now = clock.timestamp()
    return db.table("sparring_request").insert(
        {
            "citizen_id": citizen_id,
            "requested_by": user_id,
            "reason": reason,
            "detail": detail,
            "facts": json.dumps(facts, default=str) if facts else None,
            "status": "open",
            "created_at": now,
            "updated_at": now,
        }
    ).last_pk


def raise_prompts(db, user, citizen):
    """On every write of expectations: turn the rules' prompts into requests (once per cause).

    Runs inside the caller's transaction, so a meeting and the requests it raises are stored
    together. (A revised expectation from sparring does not call this: the session has just
    looked at the case.)
    """
    team = db.table("team").get(citizen["team_id"])
    entries = expectations.for_citizen(db, citizen["id"])
    today = clock.today()
    last = [clock.as_date(e["observed_on"]) for e in entries if e["context"] == "sparring"]
    prompts = summarise(entries, team, today, max(last) if last else None).prompts
    earlier = list(db.query(f"SELECT {COLUMNS} FROM sparring_request WHERE citizen_id = ?", [citizen["id"]]))
    raised = []
    for prompt in causes_to_raise(prompts, earlier, today, team["stale_low_days"]):
        request_id = _insert_request(db, citizen["id"], user.id, prompt.cause, facts=prompt.facts)
        audit.record(db, user.id, "sparring.prompt", "citizen", citizen["id"], {"request_id": request_id, "cause": prompt.cause})
        raised.append(request_id)
    return raised


def request_manual(db, user, citizen, question):
    """A worker's own request for sparring, with a short question for the colleagues."""
    with transaction(db):
        request_id = _insert_request(db, citizen["id"], user.id, "manual", detail=question)
        audit.record(db, user.id, "sparring.request", "citizen", citizen["id"], {"request_id": request_id})
    return get_request(db, request_id)


def get_request(db, request_id):
    rows = list(db.query(f"SELECT {COLUMNS} FROM sparring_request WHERE id = ?", [request_id]))
    return rows[0] if rows else None


def queue(db, user, team):
    """The team's open requests the user may see (recusals left out): largest gap first,
    then oldest, with reason in words and age in days."""
    where, params = access.visible_citizens_sql(user)
    rows = list(
        db.query(
            f"SELECT r.*, citizen.case_ref FROM sparring_request r JOIN citizen ON citizen.id = r.citizen_id "
            f"WHERE r.status = 'open' AND {where} ORDER BY r.created_at",
            params,
        )
    )
    gaps = {c["id"]: c["max_gap"] for c in citizens.visible(db, user, team, status="all")}
    today = clock.today()
    for row in rows:
        row["max_gap"] = gaps.get(row["citizen_id"])
        row["age_days"] = (today - clock.local_date(row["created_at"])).days
        row["detail"] = request_detail(row)
    rows.sort(key=lambda r: (-abs(r["max_gap"] or 0), r["created_at"]))
    return rows


def dismiss(db, lead, request_id, reason):
    """A lead dismisses an open request, with a reason (audited)."""
    request = get_request(db, request_id)
    if request is None or not _same_team(db, lead, request["citizen_id"]) or access.is_recused(db, request["citizen_id"], lead.id):
        raise NotFound()
    if request["status"] != "open":
        raise Invalid(errors={"status": [_("Only open requests can be dismissed.")]})
    now = clock.timestamp()
    with transaction(db):
        db.execute(
            "UPDATE sparring_request SET status = 'dismissed', handled_by = ?, handled_at = ?, handled_note = ?, updated_at = ? WHERE id = ?",
            [lead.id, now, reason, now, request_id],
        )
        audit.record(db, lead.id, "sparring.dismiss", "citizen", request["citizen_id"], {"request_id": request_id})
    return get_request(db, request_id)


def _same_team(db, user, citizen_id):
    row = db.execute("SELECT team_id FROM citizen WHERE id = ?", [citizen_id]).fetchone()
    return row is not None and row[0] == user.team_id


# --- sessions -----------------------------------------------------------------------------


def _members(db, team_id, user_ids):
    marks = ",".join("?" * len(user_ids))
    return {
        row["id"]: row
        for row in db.query(
            f"SELECT id, display_name, role FROM user WHERE id IN ({marks}) AND team_id = ? AND active = 1 "
            "AND role IN ('worker', 'lead')",
            [*user_ids, team_id],
        )
    }


def create_session(db, lead, participant_ids, request_ids, title=None):
    """A lead starts a session with team members and cases picked from the queue.

    :raises Invalid: a participant outside the team, a request that is not open in the team
    :returns: (session id, exclusions): exclusions name participants who are recused from a
        case; they stay in the session but never see that case
    """
    participant_ids = sorted(set(participant_ids) | {lead.id})
    members = _members(db, lead.team_id, participant_ids)
    strangers = [uid for uid in participant_ids if uid not in members]
    if strangers:
        raise Invalid(errors={"participant_ids": [_("Only active members of your team can take part.")]})
    requests = [get_request(db, rid) for rid in dict.fromkeys(request_ids)]
    if not requests or any(
        r is None or r["status"] != "open" or not _same_team(db, lead, r["citizen_id"]) or access.is_recused(db, r["citizen_id"], lead.id)
        for r in requests
    ):
        raise Invalid(errors={"request_ids": [_("Pick one or more open requests from your team's queue.")]})
    if len({r["citizen_id"] for r in requests}) != len(requests):
        raise Invalid(errors={"request_ids": [_("One request per citizen in a session.")]})
    exclusions = []
    now = clock.timestamp()
    with transaction(db):
        session_id = db.table("sparring_session").insert(
            {"team_id": lead.team_id, "lead_id": lead.id, "title": title, "status": "running", "created_at": now}
        ).last_pk
        db.table("sparring_participant").insert_all({"session_id": session_id, "user_id": uid} for uid in participant_ids)
        for position, request in enumerate(requests):
            owner = _case_owner(db, request, lead.team_id)
            db.table("sparring_case").insert(
                {
                    "session_id": session_id,
                    "request_id": request["id"],
                    "citizen_id": request["citizen_id"],
                    "owner_id": owner,
                    "position": position,
                    "phase": "present",
                    "phase_started_at": now if position == 0 else None,
                }
            )
            db.execute(
                "UPDATE sparring_request SET status = 'scheduled', updated_at = ? WHERE id = ?", [now, request["id"]]
            )
            for uid in participant_ids:
                if access.is_recused(db, request["citizen_id"], uid):
                    exclusions.append({"user_id": uid, "display_name": members[uid]["display_name"], "citizen_id": request["citizen_id"]})
        audit.record(db, lead.id, "sparring.session", "sparring_session", session_id, {"cases": len(requests), "participants": len(participant_ids)})
    return session_id, exclusions


def _case_owner(db, request, team_id):
    """Who presents the case: for a worker's own question, the worker who asked; for a
    prompt from the rules, the citizen's primary worker. Never someone recused from it, and
    always an active worker or lead of the team."""
    primary = db.execute("SELECT primary_worker_id FROM citizen WHERE id = ?", [request["citizen_id"]]).fetchone()[0]
    order = [request["requested_by"], primary] if request["reason"] == "manual" else [primary, request["requested_by"]]
    for candidate in order:
        if candidate is None or access.is_recused(db, request["citizen_id"], candidate):
            continue
        if _members(db, team_id, [candidate]):
            return candidate
    return None


def get_session(db, session_id):
    rows = list(db.query("SELECT * FROM sparring_session WHERE id = ?", [session_id]))
    return rows[0] if rows else None


def participants(db, session_id):
    return list(
        db.query(
            "SELECT user.id, user.display_name FROM sparring_participant p JOIN user ON user.id = p.user_id "
            "WHERE p.session_id = ? ORDER BY user.display_name",
            [session_id],
        )
    )


def cases(db, session_id):
    return list(
        db.query(
            "SELECT c.*, citizen.case_ref, r.reason, r.detail, r.facts FROM sparring_case c "
            "JOIN citizen ON citizen.id = c.citizen_id LEFT JOIN sparring_request r ON r.id = c.request_id "
            "WHERE c.session_id = ? ORDER BY c.position",
            [session_id],
        )
    )


def get_case(db, session_id, case_id):
    rows = [c for c in cases(db, session_id) if c["id"] == case_id]
    if not rows:
        raise NotFound()
    return rows[0]


def ratings(db, case_id):
    return list(
        db.query(
            "SELECT r.user_id, user.display_name, r.value FROM sparring_rating r JOIN user ON user.id = r.user_id "
            "WHERE r.case_id = ? ORDER BY user.display_name",
            [case_id],
        )
    )


def case_view(db, user, session, case, team):
    """What *user* may see of one case now. Ratings stay secret until the reveal: before it,
    a participant sees only their own rating, and everyone (the lead too) only how many have
    rated."""
    everyone = ratings(db, case["id"])
    mine = next((r["value"] for r in everyone if r["user_id"] == user.id), None)
    minutes = phase_minutes(team)
    view = {
        "id": case["id"],
        "position": case["position"],
        "citizen_id": case["citizen_id"],
        "case_ref": case["case_ref"],
        "owner_id": case["owner_id"],
        "phase": case["phase"],
        "phase_started_at": case["phase_started_at"],
        "phase_minutes": minutes.get(case["phase"]),
        "reason": case["reason"],
        "detail": request_detail(case) if case["reason"] else None,
        "notes": json.loads(case["notes"] or "{}"),
        "my_rating": mine,
        "ratings_count": len(everyone),
        "ratings": None,
        "agreement": None,
        "owner_view": None,
        "views": None,
        "revised_expectation": None,
        "actions": actions_for_case(db, case["id"]),
    }
    if case["phase"] in REVEALED:
        entries = expectations.for_citizen(db, case["citizen_id"])
        views = expectations.current_views(entries, clock.today())
        view["ratings"] = everyone
        view["agreement"] = agreement(r["value"] for r in everyone)
        worker = next((v for v in views if v.source == "worker"), None)
        view["owner_view"] = worker.value if worker else None
        view["views"] = [v.__dict__ for v in views if v.source != "worker"]
    if case["revised_expectation_id"]:
        view["revised_expectation"] = expectations.get(db, case["revised_expectation_id"])
    return view


def session_view(db, user, session_id):
    """The session as *user* sees it; cases they are recused from are left out entirely."""
    session = access.session_for(db, user, session_id)
    team = db.table("team").get(session["team_id"])
    shown, hidden = [], 0
    for case in cases(db, session_id):
        if access.is_recused(db, case["citizen_id"], user.id):
            hidden += 1
            continue
        shown.append(case_view(db, user, session, case, team))
    people = participants(db, session_id)
    current = next((c for c in shown if c["phase"] != "done"), None)
    excluded = []
    if user.id == session["lead_id"]:
        for case in cases(db, session_id):
            for person in people:
                if access.is_recused(db, case["citizen_id"], person["id"]):
                    excluded.append({"user_id": person["id"], "display_name": person["display_name"], "case_id": case["id"]})
    return dict(session, participants=people, cases=shown, current_case_id=current["id"] if current else None,
                hidden_cases=hidden, excluded=excluded, is_lead=user.id == session["lead_id"])


def _case_for(db, user, session_id, case_id):
    access.session_for(db, user, session_id)
    case = get_case(db, session_id, case_id)
    if access.is_recused(db, case["citizen_id"], user.id):
        raise NotFound()
    return case


def advance(db, lead, session_id, case_id):
    """The lead moves a case to its next phase; after actions the request is done."""
    session = get_session(db, session_id)
    if session is None or session["lead_id"] != lead.id:
        raise Forbidden(_("Only the lead who runs the session can move it on."))
    case = _case_for(db, lead, session_id, case_id)
    if case["phase"] == "done":
        raise Invalid(errors={"phase": [_("This case is finished.")]})
    new = next_phase(case["phase"])
    now = clock.timestamp()
    with transaction(db):
        db.execute("UPDATE sparring_case SET phase = ?, phase_started_at = ? WHERE id = ?", [new, now, case_id])
        if new == "done":
            if case["request_id"]:
                db.execute(
                    "UPDATE sparring_request SET status = 'done', handled_by = ?, handled_at = ?, updated_at = ? WHERE id = ?",
                    [lead.id, now, now, case["request_id"]],
                )
            following = db.execute(
                "SELECT id FROM sparring_case WHERE session_id = ? AND phase != 'done' AND id != ? ORDER BY position LIMIT 1",
                [session_id, case_id],
            ).fetchone()
            if following:
                db.execute("UPDATE sparring_case SET phase_started_at = ? WHERE id = ?", [now, following[0]])
            else:
                db.execute("UPDATE sparring_session SET status = 'done', ended_at = ? WHERE id = ?", [now, session_id])
        audit.record(db, lead.id, "sparring.phase", "citizen", case["citizen_id"], {"session_id": session_id, "phase": new})
    return new


def rate(db, user, session_id, case_id, value):
    """A participant's blind rating, only during the blind_rating phase; changeable until then."""
    case = _case_for(db, user, session_id, case_id)
    if case["phase"] != "blind_rating":
        raise Invalid(errors={"phase": [_("Ratings are given during the blind rating only.")]})
    with transaction(db):
        db.execute(
            "INSERT INTO sparring_rating (case_id, user_id, value, rated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (case_id, user_id) DO UPDATE SET value = excluded.value, rated_at = excluded.rated_at",
            [case_id, user.id, value, clock.timestamp()],
        )
        audit.record(db, user.id, "sparring.rating", "citizen", case["citizen_id"], {"session_id": session_id})


def set_notes(db, lead, session_id, case_id, notes):
    """The lead's short notes per phase (and the reflection prompts' answers)."""
    session = get_session(db, session_id)
    if session is None or session["lead_id"] != lead.id:
        raise Forbidden(_("Only the lead who runs the session writes its notes."))
    case = _case_for(db, lead, session_id, case_id)
    merged = json.loads(case["notes"] or "{}")
    merged.update({k: v for k, v in notes.items() if v is not None})
    with transaction(db):
        db.execute("UPDATE sparring_case SET notes = ? WHERE id = ?", [json.dumps(merged, ensure_ascii=False), case_id])
    return merged


def revise(db, user, session_id, case_id, data):
    """The case owner's revised expectation, stored as an expectation with context=sparring."""
    case = _case_for(db, user, session_id, case_id)
    session = get_session(db, session_id)
    if user.id not in (case["owner_id"], session["lead_id"]):
        raise Forbidden(_("The case owner or the lead records the revised expectation."))
    if case["phase"] not in ("response", "actions", "done"):
        raise Invalid(errors={"phase": [_("The revised expectation comes after the reflections.")]})
    citizen = db.table("citizen").get(case["citizen_id"])
    entry = dict(data, source="worker")
    created, stored = expectations.add(db, user, citizen, entry, context="sparring")
    with transaction(db):
        db.execute("UPDATE sparring_case SET revised_expectation_id = ? WHERE id = ?", [stored["id"], case_id])
    return created, stored


# --- actions ------------------------------------------------------------------------------

ACTION_COLUMNS = "a.id, a.case_id, a.citizen_id, a.text, a.owner_id, a.due_on, a.done_on, a.worker_value_at_creation, a.created_by, a.created_at"


def actions_for_case(db, case_id):
    return list(db.query(f"SELECT {ACTION_COLUMNS} FROM action a WHERE a.case_id = ? ORDER BY a.id", [case_id]))


def add_action(db, user, session_id, case_id, data):
    """An action agreed in the session: what, who, by when (lead)."""
    session = get_session(db, session_id)
    if session is None or session["lead_id"] != user.id:
        raise Forbidden(_("Only the lead who runs the session records its actions."))
    case = _case_for(db, user, session_id, case_id)
    if data["owner_id"] not in _members(db, session["team_id"], [data["owner_id"]]):
        raise Invalid(errors={"owner_id": [_("The owner must be an active member of your team.")]})
    if access.is_recused(db, case["citizen_id"], data["owner_id"]):
        raise Invalid(errors={"owner_id": [_("That person is recused from this citizen.")]})
    entries = expectations.for_citizen(db, case["citizen_id"])
    worker = next((v for v in expectations.current_views(entries, clock.today()) if v.source == "worker"), None)
    with transaction(db):
        action_id = db.table("action").insert(
            {
                "case_id": case_id,
                "citizen_id": case["citizen_id"],
                "text": data["text"],
                "owner_id": data["owner_id"],
                "due_on": data["due_on"].isoformat() if data.get("due_on") else None,
                "worker_value_at_creation": worker.value if worker else None,
                "created_by": user.id,
                "created_at": clock.timestamp(),
            }
        ).last_pk
        audit.record(db, user.id, "action.create", "citizen", case["citizen_id"], {"action_id": action_id})
    return get_action(db, action_id)


def get_action(db, action_id):
    rows = list(db.query(f"SELECT {ACTION_COLUMNS}, citizen.case_ref FROM action a JOIN citizen ON citizen.id = a.citizen_id WHERE a.id = ?", [action_id]))
    return rows[0] if rows else None


def _with_due(rows, today):
    for row in rows:
        due = clock.as_date(row["due_on"]) if row["due_on"] else None
        row["overdue"] = bool(due and not row["done_on"] and due < today)
    return rows


def my_actions(db, user, include_done=False):
    """The user's actions (on citizens they may see), open first by due date."""
    where, params = access.visible_citizens_sql(user)
    done = "" if include_done else " AND a.done_on IS NULL"
    rows = list(
        db.query(
            f"SELECT {ACTION_COLUMNS}, citizen.case_ref FROM action a JOIN citizen ON citizen.id = a.citizen_id "
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
            f"SELECT {ACTION_COLUMNS}, citizen.case_ref, user.display_name AS owner_name FROM action a "
            "JOIN citizen ON citizen.id = a.citizen_id JOIN user ON user.id = a.owner_id "
            f"WHERE a.done_on IS NULL AND a.due_on < ? AND {where} ORDER BY a.due_on",
            [clock.today().isoformat(), *params],
        )
    )
    return _with_due(rows, clock.today())


def for_citizen(db, citizen_id):
    """A citizen's actions, with whether the worker's view moved since each was agreed."""
    rows = list(db.query(f"SELECT {ACTION_COLUMNS}, user.display_name AS owner_name FROM action a JOIN user ON user.id = a.owner_id WHERE a.citizen_id = ? ORDER BY a.id DESC", [citizen_id]))
    entries = expectations.for_citizen(db, citizen_id)
    worker = next((v for v in expectations.current_views(entries, clock.today()) if v.source == "worker"), None)
    for row in rows:
        before, now = row["worker_value_at_creation"], worker.value if worker else None
        row["moved"] = None if before is None or now is None else now - before
    return _with_due(rows, clock.today())


def mark_done(db, user, action_id, done=True):
    """The owner (or a lead of the team) marks an action done, or reopens it."""
    action = get_action(db, action_id)
    if action is None or not _same_team(db, user, action["citizen_id"]) or access.is_recused(db, action["citizen_id"], user.id):
        raise NotFound()
    if user.id != action["owner_id"] and user.role != "lead":
        raise Forbidden(_("Only the owner or a team lead can mark this action."))
    with transaction(db):
        db.execute("UPDATE action SET done_on = ? WHERE id = ?", [clock.today().isoformat() if done else None, action_id])
        audit.record(db, user.id, "action.done" if done else "action.reopen", "citizen", action["citizen_id"], {"action_id": action_id})
    return _with_due([get_action(db, action_id)], clock.today())[0]
