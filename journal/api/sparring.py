"""Sparring: the queue, manual requests, sessions with phases and blind ratings, actions."""
from flask_login import current_user
from marshmallow import Schema, fields

from .. import sparring
from ..access import allow, citizen_for, require_lead
from ..config import LIMITS
from ..db import get_db
from ..schemas import (
    ExpectationOut,
    ViewOut,
    In,
    IsoDate,
    StrictBoolean,
    StrictInteger,
    Text,
    between,
    one_of,
)
from ..users import CASE_ROLES, get_team
from .parsing import Blueprint

blp = Blueprint("api_sparring", __name__, url_prefix="/api/v1", description="Colleague sparring")


class RequestOut(Schema):
    id = fields.Integer()
    citizen_id = fields.Integer()
    case_ref = fields.String()
    requested_by = fields.Integer(allow_none=True)
    reason = fields.String(metadata={"enum": ["gap", "drop", "stale_low", "manual"]})
    detail = fields.String(allow_none=True, metadata={"description": "the reason in plain words"})
    status = fields.String(metadata={"enum": ["open", "scheduled", "done", "dismissed"]})
    created_at = fields.String()
    age_days = fields.Integer()
    max_gap = fields.Integer(allow_none=True)


class RequestList(Schema):
    items = fields.List(fields.Nested(RequestOut))


class ManualRequestIn(In):
    citizen_id = StrictInteger(required=True)
    question = Text(LIMITS["reason"], required=True)


class DismissIn(In):
    status = fields.String(required=True, validate=one_of(("dismissed",)))
    reason = Text(LIMITS["reason"], required=True)


class SessionIn(In):
    title = Text(120)
    participant_ids = fields.List(StrictInteger(), required=True)
    request_ids = fields.List(StrictInteger(), required=True)


class RatingOut(Schema):
    user_id = fields.Integer()
    display_name = fields.String()
    value = fields.Integer()


class AgreementOut(Schema):
    n = fields.Integer()
    median = fields.Float(allow_none=True)
    spread = fields.Integer(allow_none=True)
    rwg = fields.Float(allow_none=True, metadata={"description": "1 − s²/((A²−1)/12), A = 11"})


class ActionOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    citizen_id = fields.Integer()
    case_ref = fields.String()
    text = fields.String()
    owner_id = fields.Integer()
    due_on = IsoDate(allow_none=True)
    done_on = IsoDate(allow_none=True)
    overdue = fields.Boolean()
    created_at = fields.String()


class CaseOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    citizen_id = fields.Integer()
    case_ref = fields.String()
    owner_id = fields.Integer(allow_none=True)
    phase = fields.String(metadata={"enum": list(sparring.PHASES)})
    phase_started_at = fields.String(allow_none=True)
    phase_minutes = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    notes = fields.Dict()
    my_rating = fields.Integer(allow_none=True)
    ratings_count = fields.Integer()
    ratings = fields.List(fields.Nested(RatingOut), allow_none=True, metadata={"description": "null until the reveal"})
    agreement = fields.Nested(AgreementOut, allow_none=True)
    owner_view = fields.Integer(allow_none=True)
    views = fields.List(fields.Nested(ViewOut), allow_none=True, metadata={"description": "collaborators' current views, after the reveal"})
    revised_expectation = fields.Nested(ExpectationOut, allow_none=True)
    actions = fields.List(fields.Nested(ActionOut))


class ParticipantOut(Schema):
    id = fields.Integer()
    display_name = fields.String()


class SessionOut(Schema):
    id = fields.Integer()
    team_id = fields.Integer()
    lead_id = fields.Integer()
    title = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.String()
    participants = fields.List(fields.Nested(ParticipantOut))
    cases = fields.List(fields.Nested(CaseOut))
    current_case_id = fields.Integer(allow_none=True)
    hidden_cases = fields.Integer(metadata={"description": "cases left out because you are recused"})
    excluded = fields.List(fields.Dict(), metadata={"description": "(lead) who is recused from which case"})


class SessionPatch(In):
    case_id = StrictInteger(required=True)
    advance = StrictBoolean()
    notes = fields.Dict(keys=fields.String(validate=one_of(sparring.PHASES + ("usual", "could"))), values=Text(1000))


class RatingIn(In):
    case_id = StrictInteger(required=True)
    value = StrictInteger(required=True, validate=between(0, 10))


class RevisionIn(In):
    id = fields.UUID(required=True)
    value = StrictInteger(required=True, validate=between(0, 10))
    confidence = fields.String(load_default="medium", validate=one_of(("low", "medium", "high")))
    basis = Text(LIMITS["basis"])


class ActionIn(In):
    text = Text(300, required=True)
    owner_id = StrictInteger(required=True)
    due_on = IsoDate(allow_none=True)


class ActionsArgs(Schema):
    scope = fields.String(load_default="mine", validate=one_of(("mine", "team")))


class ActionList(Schema):
    items = fields.List(fields.Nested(ActionOut))


class ActionPatch(In):
    done = StrictBoolean(required=True)


@blp.route("/sparring/requests", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, RequestList)
def list_requests():
    """The team's queue: open requests, largest gap first, then oldest (recusals left out)."""
    db = get_db()
    return {"items": sparring.queue(db, current_user, get_team(db, current_user.team_id))}


@blp.route("/sparring/requests", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(ManualRequestIn)
@blp.response(201, RequestOut)
def create_request(data):
    """Ask for sparring on a citizen, with a short question."""
    db = get_db()
    citizen = citizen_for(db, current_user, data["citizen_id"])
    request = sparring.request_manual(db, current_user, citizen, data["question"])
    return dict(request, case_ref=citizen["case_ref"], age_days=0)


@blp.route("/sparring/requests/<int:request_id>", methods=["PATCH"])
@allow("lead")
@blp.arguments(DismissIn)
@blp.response(200, RequestOut)
def dismiss_request(data, request_id):
    """Dismiss an open request, with a reason (leads)."""
    return sparring.dismiss(get_db(), current_user, request_id, data["reason"])


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
    session_id, _excluded = sparring.create_session(db, current_user, data["participant_ids"], data["request_ids"], data.get("title"))
    return sparring.session_view(db, current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, SessionOut)
def get_session(session_id):
    """The session as you may see it: ratings only after the reveal (before it, your own)."""
    return sparring.session_view(get_db(), current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>", methods=["PATCH"])
@allow("lead")
@blp.arguments(SessionPatch)
@blp.response(200, SessionOut)
def patch_session(data, session_id):
    """Move a case to its next phase (`advance: true`) and/or write notes (the lead)."""
    db = get_db()
    if data.get("notes"):
        sparring.set_notes(db, current_user, session_id, data["case_id"], data["notes"])
    if data.get("advance"):
        sparring.advance(db, current_user, session_id, data["case_id"])
    return sparring.session_view(db, current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>/ratings", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(RatingIn)
@blp.response(200, SessionOut)
def rate(data, session_id):
    """Your blind rating (0–10) during the blind_rating phase; nobody sees it before the reveal."""
    db = get_db()
    sparring.rate(db, current_user, session_id, data["case_id"], data["value"])
    return sparring.session_view(db, current_user, session_id)


@blp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/revision", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(RevisionIn)
@blp.response(201, ExpectationOut)
def revise(data, session_id, case_id):
    """The case owner's revised expectation (stored with context=sparring)."""
    created, entry = sparring.revise(get_db(), current_user, session_id, case_id, dict(data, id=str(data["id"])))
    return entry, 201 if created else 200


@blp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/actions", methods=["POST"])
@allow("lead")
@blp.arguments(ActionIn)
@blp.response(201, ActionOut)
def add_action(data, session_id, case_id):
    """An action agreed for the case: text, owner, due date (the lead)."""
    return sparring.add_action(get_db(), current_user, session_id, case_id, data)


@blp.route("/actions", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(ActionsArgs, location="query")
@blp.response(200, ActionList)
def list_actions(args):
    """Your open actions by due date (`overdue` marked); `?scope=team`: the team's overdue (leads)."""
    db = get_db()
    if args["scope"] == "team":
        require_lead(current_user)
        return {"items": sparring.team_overdue(db, current_user)}
    return {"items": sparring.my_actions(db, current_user)}


@blp.route("/actions/<int:action_id>", methods=["PATCH"])
@allow(*CASE_ROLES)
@blp.arguments(ActionPatch)
@blp.response(200, ActionOut)
def patch_action(data, action_id):
    """Mark an action done (or not done again): its owner or a lead."""
    return sparring.mark_done(get_db(), current_user, action_id, data["done"])
