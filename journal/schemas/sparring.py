"""Schemas of colleague sparring: requests, sessions, blind ratings, revisions and actions."""
from marshmallow import Schema, fields, validate

from ..config import LIMITS
from ..expectations import CONFIDENCES
from ..sparring.rules import NOTE_KEYS, PHASES, REASONS, REQUEST_STATUSES
from .core import ExpectationOut, ViewOut
from .fields import ClientUUID, In, IsoDate, PageArgs, StrictBoolean, StrictInteger, Text, between, one_of, page_of


class RequestOut(Schema):
    id = fields.Integer()
    citizen_id = fields.Integer()
    case_ref = fields.String()
    requested_by = fields.Integer(allow_none=True)
    reason = fields.String(metadata={"enum": list(REASONS)})
    detail = fields.String(allow_none=True, metadata={"description": "the reason in plain words"})
    status = fields.String(metadata={"enum": list(REQUEST_STATUSES)})
    created_at = fields.String()
    age_days = fields.Integer()
    max_gap = fields.Integer(allow_none=True)


class SparringQuestionIn(In):
    """A worker's question for colleagues (the citizen page's "ask for sparring" form)."""

    question = Text(LIMITS["reason"], required=True)


class ManualRequestIn(SparringQuestionIn):
    citizen_id = StrictInteger(required=True)


class DismissReasonIn(In):
    """Why a lead dismisses a request (the queue page's form)."""

    reason = Text(LIMITS["reason"], required=True)


class DismissIn(DismissReasonIn):
    status = fields.String(required=True, validate=one_of(("dismissed",)))


class SessionIn(In):
    title = Text(LIMITS["session_title"])
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
    phase = fields.String(metadata={"enum": list(PHASES)})
    phase_started_at = fields.String(allow_none=True)
    phase_minutes = fields.Integer(allow_none=True)
    goal = fields.String(metadata={"enum": ["job", "education"]})
    owner_name = fields.String(allow_none=True, metadata={"description": "who presents the case"})
    reason = fields.String(allow_none=True)
    detail = fields.String(allow_none=True, metadata={"description": "why it was raised, in words; null until the reveal (it names the anchors)"})
    notes = fields.Dict()
    my_rating = fields.Integer(allow_none=True)
    ratings_count = fields.Integer()
    ratings = fields.List(fields.Nested(RatingOut), allow_none=True, metadata={"description": "null until the reveal"})
    agreement = fields.Nested(AgreementOut, allow_none=True)
    owner_view = fields.Integer(allow_none=True, metadata={"description": "the case owner's current view; null until the reveal"})
    owner_view_by = fields.Integer(allow_none=True, metadata={"description": "whose view owner_view is (the case owner, or the latest worker view by anyone)"})
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
    notes = fields.Dict(keys=fields.String(validate=one_of(NOTE_KEYS)), values=Text(LIMITS["session_note"]))


class CaseIn(In):
    """Which case of the session a lead's button acts on (web: "next phase")."""

    case_id = StrictInteger(required=True)


#: The lead's notes on a case (web form): one optional field per phase or reflection question.
NotesIn = type("NotesIn", (CaseIn,), {key: Text(LIMITS["session_note"]) for key in NOTE_KEYS})


class RatingIn(In):
    case_id = StrictInteger(required=True)
    value = StrictInteger(required=True, validate=between(0, 10))


class RevisionIn(In):
    id = ClientUUID(required=True, metadata={"description": "client-made UUID, the idempotency key"})
    value = StrictInteger(required=True, validate=between(0, 10))
    confidence = fields.String(load_default="medium", validate=one_of(CONFIDENCES))
    basis = Text(LIMITS["basis"])


class ActionIn(In):
    text = Text(LIMITS["action"], required=True)
    owner_id = StrictInteger(required=True)
    due_on = IsoDate(allow_none=True)


class ActionsArgs(PageArgs):
    scope = fields.String(load_default="mine", validate=one_of(("mine", "team")))


ActionPage = page_of(ActionOut, "ActionPage")
RequestPage = page_of(RequestOut, "RequestPage")


class ActionDoneIn(In):
    """The web's "done" / "not done" button on an action, and the page to go back to."""

    done = StrictBoolean(load_default=True)
    next = fields.String(load_default=None, validate=validate.Length(max=2000))


class ActionPatch(In):
    done = StrictBoolean(required=True)


