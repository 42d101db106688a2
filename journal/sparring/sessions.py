"""Sparring sessions: a lead, team members and cases from the queue, moving through phases.

Every participant rates on their own phone before anyone sees another's rating, and the
server refuses to show ratings before the reveal (`case_view`).
"""
import json

from flask_babel import gettext as _

from .. import access, audit, clock, expectations, users
from ..db import transaction
from ..errors import Forbidden, Invalid, NotFound
from . import actions, requests
from .rules import REVEALED, agreement, next_phase, phase_minutes, request_detail


def create(db, lead, participant_ids, request_ids, title=None):
    """A lead starts a session with team members and cases picked from the queue.

    :raises Invalid: a participant outside the team, a request that is not open in the team
    :returns: (session id, exclusions): exclusions name participants who are recused from a
        case; they stay in the session but never see that case
    """
    participant_ids = sorted(set(participant_ids) | {lead.id})
    members = users.active_members(db, lead.team_id, participant_ids)
    if any(uid not in members for uid in participant_ids):
        raise Invalid(errors={"participant_ids": [_("Only active members of your team can take part.")]})
    picked = [access.open_request_or_none(db, lead, rid) for rid in dict.fromkeys(request_ids)]
    if not picked or any(r is None for r in picked):
        raise Invalid(errors={"request_ids": [_("Pick one or more open requests from your team's queue.")]})
    if len({r["citizen_id"] for r in picked}) != len(picked):
        raise Invalid(errors={"request_ids": [_("One request per citizen in a session.")]})
    exclusions = []
    now = clock.timestamp()
    with transaction(db):
        session_id = db.table("sparring_session").insert(
            {"team_id": lead.team_id, "lead_id": lead.id, "title": title, "status": "running", "created_at": now}
        ).last_pk
        db.table("sparring_participant").insert_all({"session_id": session_id, "user_id": uid} for uid in participant_ids)
        for position, request in enumerate(picked):
            db.table("sparring_case").insert(
                {
                    "session_id": session_id,
                    "request_id": request["id"],
                    "citizen_id": request["citizen_id"],
                    "owner_id": _case_owner(db, request, lead.team_id),
                    "position": position,
                    "phase": "present",
                    "phase_started_at": now if position == 0 else None,
                }
            )
            for uid in participant_ids:
                if access.is_recused(db, request["citizen_id"], uid):
                    exclusions.append({"user_id": uid, "display_name": members[uid]["display_name"], "citizen_id": request["citizen_id"]})
        requests.schedule(db, [r["id"] for r in picked], now)
        audit.record(db, lead.id, "sparring.session", "sparring_session", session_id, {"cases": len(picked), "participants": len(participant_ids)})
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
        if users.active_members(db, team_id, [candidate]):
            return candidate
    return None


def get(db, session_id):
    rows = list(db.query("SELECT * FROM sparring_session WHERE id = ?", [session_id]))
    return rows[0] if rows else None


def running_for(db, user):
    """Running sessions of the user's team that the user leads or takes part in, newest first."""
    return list(
        db.query(
            "SELECT s.id, s.title, s.created_at, s.lead_id FROM sparring_session s "
            "LEFT JOIN sparring_participant p ON p.session_id = s.id AND p.user_id = ? "
            "WHERE s.team_id = ? AND s.status = 'running' AND (p.user_id IS NOT NULL OR s.lead_id = ?) "
            "ORDER BY s.id DESC",
            [user.id, user.team_id, user.id],
        )
    )


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
            "SELECT c.*, citizen.case_ref, citizen.goal, citizen.primary_worker_id, r.reason, r.detail, r.facts FROM sparring_case c "
            "JOIN citizen ON citizen.id = c.citizen_id LEFT JOIN sparring_request r ON r.id = c.request_id "
            "WHERE c.session_id = ? ORDER BY c.position",
            [session_id],
        )
    )


def ratings(db, case_id):
    return list(
        db.query(
            "SELECT r.user_id, user.display_name, r.value FROM sparring_rating r JOIN user ON user.id = r.user_id "
            "WHERE r.case_id = ? ORDER BY user.display_name",
            [case_id],
        )
    )


def case_view(db, user, case, team, names=None):
    """What *user* may see of one case now (DESIGN.md "Blind means blind").

    From the presentation until the reveal nobody in the session — the lead included — sees
    the citizen's current views, gaps, the request's detail (it names the anchors: "parent 2
    vs caseworker 8") or the case owner's rating; only the case ref, the goal, the phase and
    who presents it, and how many have rated (a participant also sees their own rating). From
    the reveal on the case shows the blind ratings, the owner's view and the collaborators'
    views, and that read of the citizen is audited.
    """
    everyone = ratings(db, case["id"])
    mine = next((r["value"] for r in everyone if r["user_id"] == user.id), None)
    revealed = case["phase"] in REVEALED
    view = {
        "id": case["id"],
        "position": case["position"],
        "citizen_id": case["citizen_id"],
        "case_ref": case["case_ref"],
        "owner_id": case["owner_id"],
        "phase": case["phase"],
        "phase_started_at": case["phase_started_at"],
        "phase_minutes": phase_minutes(team).get(case["phase"]),
        "goal": case["goal"],
        "owner_name": (names or {}).get(case["owner_id"]),
        "reason": case["reason"],
        "detail": request_detail(case, user.id, names) if case["reason"] and revealed else None,
        "notes": json.loads(case["notes"] or "{}"),
        "my_rating": mine,
        "ratings_count": len(everyone),
        "ratings": None,
        "agreement": None,
        "owner_view": None,
        "owner_view_by": None,
        "views": None,
        "revised_expectation": None,
        "actions": actions.for_case(db, case["id"]),
    }
    if revealed:
        access.record_citizen_read(db, user, case["citizen_id"], "sparring", once_per={"case_id": case["id"]})
        views = expectations.current_views(expectations.for_citizen(db, case["citizen_id"]), clock.today())
        owner = expectations.owner_view(views, case["primary_worker_id"])
        view["ratings"] = everyone
        view["agreement"] = agreement(r["value"] for r in everyone)
        view["owner_view"] = owner.value if owner else None
        view["owner_view_by"] = owner.recorded_by if owner else None
        view["views"] = [v.__dict__ for v in views if v.source != "worker"]
    if case["revised_expectation_id"]:
        view["revised_expectation"] = expectations.get(db, case["revised_expectation_id"])
    return view


def session_view(db, user, session_id):
    """The session as *user* sees it; cases they are recused from are left out entirely."""
    session = access.session_for(db, user, session_id)
    team = users.get_team(db, session["team_id"])
    names = users.display_names(db, session["team_id"])
    people = participants(db, session_id)
    shown, hidden, excluded = [], 0, []
    for case in cases(db, session_id):
        if user.id == session["lead_id"]:
            excluded += [
                {"user_id": p["id"], "display_name": p["display_name"], "case_id": case["id"]}
                for p in people if access.is_recused(db, case["citizen_id"], p["id"])
            ]
        if access.is_recused(db, case["citizen_id"], user.id):
            hidden += 1
            continue
        shown.append(case_view(db, user, case, team, names))
    current = next((c for c in shown if c["phase"] != "done"), None)
    return dict(session, participants=people, cases=shown, current_case_id=current["id"] if current else None,
                hidden_cases=hidden, excluded=excluded, is_lead=user.id == session["lead_id"])


def case_for(db, user, session_id, case_id):
    """One case of a session the user takes part in and is not recused from.

    :raises NotFound: no such session or case for this user
    """
    access.session_for(db, user, session_id)
    found = [c for c in cases(db, session_id) if c["id"] == case_id]
    if not found or access.is_recused(db, found[0]["citizen_id"], user.id):
        raise NotFound()
    return found[0]


def _lead_of(db, user, session_id, message):
    session = get(db, session_id)
    if session is None or session["lead_id"] != user.id:
        raise Forbidden(message)
    return session


def advance(db, lead, session_id, case_id):
    """The lead moves a case to its next phase; after actions the request is done."""
    _lead_of(db, lead, session_id, _("Only the lead who runs the session can move it on."))
    case = case_for(db, lead, session_id, case_id)
    if case["phase"] == "done":
        raise Invalid(errors={"phase": [_("Sparring on this case is finished.")]})
    new = next_phase(case["phase"])
    now = clock.timestamp()
    with transaction(db):
        db.execute("UPDATE sparring_case SET phase = ?, phase_started_at = ? WHERE id = ?", [new, now, case_id])
        if new == "done":
            if case["request_id"]:
                requests.close(db, case["request_id"], lead.id, now)
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
    case = case_for(db, user, session_id, case_id)
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
    _lead_of(db, lead, session_id, _("Only the lead who runs the session writes its notes."))
    case = case_for(db, lead, session_id, case_id)
    merged = json.loads(case["notes"] or "{}")
    merged.update({k: v for k, v in notes.items() if v is not None})
    with transaction(db):
        db.execute("UPDATE sparring_case SET notes = ? WHERE id = ?", [json.dumps(merged, ensure_ascii=False), case_id])
    return merged


def case_for_revision(db, user, session_id, case_id):
    """The case whose owner (or lead) may now record a revised expectation.

    :raises Forbidden: the user is neither the case owner nor the lead
    :raises Invalid: the case has not reached the response yet
    """
    case = case_for(db, user, session_id, case_id)
    if user.id not in (case["owner_id"], get(db, session_id)["lead_id"]):
        raise Forbidden(_("The case owner or the lead records the revised expectation."))
    if case["phase"] not in ("response", "actions", "done"):
        raise Invalid(errors={"phase": [_("The revised expectation comes after the reflections.")]})
    return case


def link_revision(db, case_id, expectation_id):
    """Remember which expectation was the case's revision (inside casework's transaction)."""
    db.execute("UPDATE sparring_case SET revised_expectation_id = ? WHERE id = ?", [expectation_id, case_id])


def add_action(db, lead, session_id, case_id, data):
    """An action agreed in the session: what, who, by when (the lead who runs it)."""
    session = _lead_of(db, lead, session_id, _("Only the lead who runs the session records its actions."))
    return actions.add(db, lead, session, case_for(db, lead, session_id, case_id), data)
