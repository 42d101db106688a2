"""Sparring: the queue, manual requests, sessions with phases and blind ratings, actions."""
from flask_login import current_user

from .. import casework
from ..access import allow, citizen_for, require_lead
from ..citizens import paginate
from ..db import get_db
from ..schemas.core import ExpectationOut
from ..schemas.fields import PageArgs
from ..schemas.sparring import (
    ActionIn,
    ActionOut,
    ActionPage,
    ActionPatch,
    ActionsArgs,
    DismissIn,
    ManualRequestIn,
    RatingIn,
    RequestOut,
    RequestPage,
    RevisionIn,
    SessionIn,
    SessionOut,
    SessionPatch,
)
from ..sparring import actions, requests, sessions
from ..users import CASE_ROLES, get_team
from .parsing import Blueprint

blp = Blueprint("api_sparring", __name__, url_prefix="/api/v1", description="Colleague sparring")


@blp.route("/sparring/requests", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(PageArgs, location="query")
@blp.response(200, RequestPage)
def list_requests(args):
    """The team's queue: open requests, largest gap first, then oldest (recusals left out)."""
    db = get_db()
    queue = requests.queue(db, current_user, get_team(db, current_user.team_id))
    return paginate(queue, args["page"], args["per_page"])


@blp.route("/sparring/requests", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(ManualRequestIn)
@blp.response(201, RequestOut)
def create_request(data):
    """Ask for sparring on a citizen, with a short question."""
    db = get_db()
    citizen = citizen_for(db, current_user, data["citizen_id"])
    request = casework.request_sparring(db, current_user, citizen, data["question"])
    return dict(request, case_ref=citizen["case_ref"], age_days=0)


@blp.route("/sparring/requests/<int:request_id>", methods=["PATCH"])
@allow("lead")
@blp.arguments(DismissIn)
@blp.response(200, RequestOut)
def dismiss_request(data, request_id):
    """Dismiss an open request, with a reason (leads)."""
    return requests.dismiss(get_db(), current_user, request_id, data["reason"])


@blp.route("/sparring/sessions", methods=["POST"])
@allow("lead")
@blp.arguments(SessionIn)
@blp.response(201, SessionOut)
def create_session(data):
    """Start a session: participants from the team and cases from the queue (leads).

    A participant recused from a case stays in the session but never sees that case;
    `excluded` names them for the lead.
    """
    db = get_db()
    require_lead(current_user)
    session_id, _excluded = sessions.create(db, current_user, data["participant_ids"], data["request_ids"], data.get("title"))
    return sessions.session_view(db, current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, SessionOut)
def get_session(session_id):
    """The session as you may see it: ratings only after the reveal (before it, your own)."""
    return sessions.session_view(get_db(), current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>", methods=["PATCH"])
@allow("lead")
@blp.arguments(SessionPatch)
@blp.response(200, SessionOut)
def patch_session(data, session_id):
    """Move a case to its next phase (`advance: true`) and/or write notes (the lead)."""
    db = get_db()
    if data.get("notes"):
        sessions.set_notes(db, current_user, session_id, data["case_id"], data["notes"])
    if data.get("advance"):
        sessions.advance(db, current_user, session_id, data["case_id"])
    return sessions.session_view(db, current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>/ratings", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(RatingIn)
@blp.response(200, SessionOut)
def rate(data, session_id):
    """Your blind rating (0–10) during the blind_rating phase; nobody sees it before the reveal."""
    db = get_db()
    sessions.rate(db, current_user, session_id, data["case_id"], data["value"])
    return sessions.session_view(db, current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/revision", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(RevisionIn)
@blp.response(201, ExpectationOut)
def revise(data, session_id, case_id):
    """The case owner's revised expectation (stored with context=sparring)."""
    created, entry = casework.revise_after_sparring(get_db(), current_user, session_id, case_id, data)
    return entry, 201 if created else 200


@blp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/actions", methods=["POST"])
@allow("lead")
@blp.arguments(ActionIn)
@blp.response(201, ActionOut)
def add_action(data, session_id, case_id):
    """An action agreed for the case: text, owner, due date (the lead)."""
    return sessions.add_action(get_db(), current_user, session_id, case_id, data)


@blp.route("/actions", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(ActionsArgs, location="query")
@blp.response(200, ActionPage)
def list_actions(args):
    """Your open actions by due date (`overdue` marked); `?scope=team`: the team's overdue (leads)."""
    db = get_db()
    if args["scope"] == "team":
        require_lead(current_user)
        items = actions.team_overdue(db, current_user)
    else:
        items = actions.mine(db, current_user)
    return paginate(items, args["page"], args["per_page"])


@blp.route("/actions/<int:action_id>", methods=["PATCH"])
@allow(*CASE_ROLES)
@blp.arguments(ActionPatch)
@blp.response(200, ActionOut)
def patch_action(data, action_id):
    """Mark an action done (or not done again): its owner or a lead."""
    return actions.mark_done(get_db(), current_user, action_id, data["done"])
