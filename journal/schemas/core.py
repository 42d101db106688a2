"""Schemas of the casework: auth, citizens, expectations, meetings, outcomes, recusals, teams,
and the offline sync envelope. Used by the API and the web forms alike.

Inputs reject unknown keys, wrong types and oversized text with field errors (422) before
any rule or SQL sees them. Limits are in config.LIMITS and documented in docs/api.md.
"""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from .. import clock
from ..citizens import CLOSE_REASONS, GENDERS, GOALS, STATUSES
from ..meetings import MODES
from ..outcomes import KINDS as OUTCOMES
from ..config import LANGUAGES, LIMITS
from ..expectations import BANDS, CONFIDENCES, CONTEXTS, SOURCES, band, perspective
from ..sparring.rules import TIMED_PHASES, phase_minutes
from ..users import ROLES
from .fields import (
    CaseRef,
    ClientUUID,
    In,
    IsoDate,
    PageArgs,
    StrictInteger,
    Text,
    at_most,
    between,
    one_of,
    page_of,
    past_date,
)



# --- auth ----------------------------------------------------------------------------------


class LoginIn(In):
    username = Text(LIMITS["username"], required=True)
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=LIMITS["password"], error=_l("Between {min} and {max} characters.")),
    )


class ConfirmPasswordIn(In):
    """The password typed again before a sensitive action (lifting a recusal)."""

    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=LIMITS["password"], error=_l("Between {min} and {max} characters.")),
    )


class PasswordChangeIn(In):
    """A user changes their own password: the current one, and the new one (the policy of
    journal/passwords.py is checked with the user's context when it is set)."""

    current_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=LIMITS["password"], error=_l("Between {min} and {max} characters.")),
    )
    new_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=LIMITS["password"], error=_l("Between {min} and {max} characters.")),
    )


class TeamOut(Schema):
    id = fields.Integer()
    name = fields.String()
    municipality = fields.String()
    gap_threshold = fields.Integer()
    drop_threshold = fields.Integer()
    stale_low_days = fields.Integer()
    locale = fields.String()
    phase_minutes = fields.Method("_minutes", metadata={"description": "suggested minutes per sparring phase"})

    def _minutes(self, team):
        return phase_minutes(team)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    team_id = fields.Integer(allow_none=True)
    locale = fields.String(allow_none=True)


class LoginOut(Schema):
    user = fields.Nested(UserOut)
    csrf_token = fields.String()


class MeOut(Schema):
    user = fields.Nested(UserOut)
    team = fields.Nested(TeamOut, allow_none=True)
    csrf_token = fields.String()


# --- citizens -----------------------------------------------------------------------------


def _birth_year(value):
    if not 1900 <= value <= clock.today().year:
        raise ValidationError(str(_l("Must be a year between 1900 and this year.")))


class CitizenIn(In):
    case_ref = CaseRef(required=True)
    display_name = Text(LIMITS["display_name"])
    birth_year = StrictInteger(allow_none=True, validate=_birth_year)
    gender = fields.String(validate=one_of(GENDERS))
    goal = fields.String(required=True, validate=one_of(GOALS))
    primary_worker_id = StrictInteger(allow_none=True)



class CitizenPatch(CitizenIn):
    case_ref = CaseRef()
    goal = fields.String(validate=one_of(GOALS))
    status = fields.String(validate=one_of(STATUSES))


class CitizenEditIn(In):
    """The citizen's details on the web's edit form (lead or case owner); the same fields
    and checks as CitizenPatch. Blank optional fields clear the value."""

    display_name = Text(LIMITS["display_name"])
    birth_year = StrictInteger(allow_none=True, validate=_birth_year)
    gender = fields.String(required=True, validate=one_of(GENDERS))
    goal = fields.String(required=True, validate=one_of(GOALS))


class CitizenCloseIn(In):
    """Closing a case (leads): why, as a code, and on which day (not in the future)."""

    reason = fields.String(required=True, validate=one_of(CLOSE_REASONS))
    closed_on = IsoDate(required=True, validate=past_date)


class ViewOut(Schema):
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_label = fields.String(allow_none=True)
    value = fields.Integer()
    observed_on = IsoDate()
    expectation_id = fields.String()
    recorded_by = fields.Integer(metadata={"description": "worker views: whose view it is (user id)"})
    worker_name = fields.String(allow_none=True, metadata={"description": "worker views: the worker's name (inside the team)"})
    case_owner_view = fields.Boolean(metadata={"description": "worker views: the view gaps are measured from"})


class GapOut(Schema):
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_label = fields.String(allow_none=True)
    gap = fields.Integer(metadata={"description": "worker value minus this source's value"})


class PromptOut(Schema):
    cause = fields.String(metadata={"enum": ["gap", "drop", "stale_low"]})
    detail = fields.String()


class ClashOut(Schema):
    views = fields.List(fields.Nested(ViewOut), metadata={"description": "current views; one per worker who rated"})
    gaps = fields.List(fields.Nested(GapOut), metadata={"description": "the case owner's view against each collaborator's"})
    spread = fields.Integer(allow_none=True)
    clash = fields.Boolean()
    prompts = fields.List(fields.Nested(PromptOut))
    owner_view = fields.Nested(ViewOut, allow_none=True, metadata={"description": "the worker view gaps are measured from"})
    owner_fallback = fields.Boolean(metadata={
        "description": "true when owner_view is not the case owner's own (no owner, or no current view of theirs): "
        "then it is the latest worker view by anyone"})


class CitizenOut(Schema):
    id = fields.Integer()
    team_id = fields.Integer()
    case_ref = fields.String()
    display_name = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    gender = fields.String(metadata={"enum": list(GENDERS)})
    goal = fields.String(metadata={"enum": list(GOALS)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    primary_worker_id = fields.Integer(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    closed_at = fields.String(allow_none=True)
    last_meeting_on = IsoDate(allow_none=True)
    worker_value = fields.Integer(allow_none=True, metadata={"description": "the case owner's view (see owner_view)"})
    max_gap = fields.Integer(allow_none=True)
    views = fields.List(fields.Nested(ViewOut))
    gaps = fields.List(fields.Nested(GapOut))
    spread = fields.Integer(allow_none=True)
    clash = fields.Boolean()
    prompts = fields.List(fields.Nested(PromptOut))
    owner_view = fields.Nested(ViewOut, allow_none=True)
    owner_fallback = fields.Boolean()


class CitizenListArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=LIMITS["display_name"], error=_l("Longer than {max} characters.")))
    clashing = fields.Boolean()
    status = fields.String(validate=one_of(STATUSES + ("all",)), load_default="active")


class CaseOwnerIn(In):
    """A lead hands the case to another case owner (the citizen page's form)."""

    primary_worker_id = StrictInteger(required=True)


class TeamPageIn(Schema):
    """The team overview's query: a source kind to rank by, and the page. Bad values are
    dropped, not refused (a link someone may have typed)."""

    class Meta:
        unknown = EXCLUDE

    source = fields.String(validate=one_of(SOURCES))
    page = fields.Integer(validate=between(1, 100_000))


class CitizenListPageIn(Schema):
    """The My citizens page's query: a search, and whose citizens (mine or the whole team).
    Bad values are dropped, not refused: it is a link someone may have typed."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=LIMITS["display_name"]))
    scope = fields.String(validate=one_of(("mine", "team")))
    page = fields.Integer(validate=between(1, 100_000))

    @pre_load
    def _drop_bad(self, data, **kwargs):
        data = {k: v.strip() for k, v in data.items() if k in ("q", "scope", "page") and isinstance(v, str)}
        if data.get("scope") not in ("mine", "team"):
            data.pop("scope", None)
        if not (data.get("page", "").isdigit() and 1 <= int(data["page"]) <= 100_000):
            data.pop("page", None)
        data["q"] = data.get("q", "")[: LIMITS["display_name"]]
        return data


class CitizenItemOut(Schema):
    id = fields.Integer()
    case_ref = fields.String()
    display_name = fields.String(allow_none=True)
    goal = fields.String()
    status = fields.String()
    primary_worker_id = fields.Integer(allow_none=True)
    last_meeting_on = IsoDate(allow_none=True)
    worker_value = fields.Integer(allow_none=True, metadata={"description": "the case owner's view"})
    my_value = fields.Integer(allow_none=True, metadata={"description": "your own current view, if you rated"})
    owner_fallback = fields.Boolean()
    max_gap = fields.Integer(allow_none=True)
    spread = fields.Integer(allow_none=True)
    clash = fields.Boolean()


CitizenPage = page_of(CitizenItemOut, "CitizenPage")


class TeamClashItemOut(CitizenItemOut):
    gaps = fields.List(fields.Nested(GapOut))


class TeamClashArgs(PageArgs):
    source = fields.String(validate=one_of(SOURCES))
    clashing = fields.Boolean()


TeamClashPage = page_of(TeamClashItemOut, "TeamClashPage")


# --- expectations and meetings ------------------------------------------------------------


class _ExpectationFields(In):
    id = ClientUUID(required=True, metadata={"description": "client-made UUID, the idempotency key"})
    source = fields.String(required=True, validate=one_of(SOURCES))
    source_label = Text(LIMITS["source_label"])
    value = StrictInteger(required=True, validate=between(0, 10))
    confidence = fields.String(required=True, validate=one_of(CONFIDENCES))
    basis = Text(LIMITS["basis"])
    observed_on = IsoDate(validate=past_date)


class ExpectationIn(_ExpectationFields):
    supersedes = ClientUUID(allow_none=True, metadata={"description": "id of the entry this corrects"})


class MeetingExpectationIn(_ExpectationFields):
    """An expectation inside a meeting: observed_on defaults to the meeting's date."""


class ExpectationOut(Schema):
    id = fields.String()
    citizen_id = fields.Integer()
    meeting_id = fields.String(allow_none=True)
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_label = fields.String(allow_none=True)
    value = fields.Integer()
    band = fields.Function(
        lambda entry: band(entry["value"]),
        metadata={"enum": [b[2] for b in BANDS], "description": "the scale band the value falls in"},
    )
    confidence = fields.String(metadata={"enum": list(CONFIDENCES)})
    basis = fields.String(allow_none=True)
    observed_on = IsoDate()
    recorded_by = fields.Integer()
    recorded_at = fields.String()
    context = fields.String(metadata={"enum": list(CONTEXTS)})
    supersedes = fields.String(allow_none=True)
    superseded_by = fields.String(allow_none=True)


ExpectationPage = page_of(ExpectationOut, "ExpectationPage")


class MeetingIn(In):
    id = ClientUUID(required=True, metadata={"description": "client-made UUID, the idempotency key"})
    held_on = IsoDate(required=True, validate=past_date)
    mode = fields.String(required=True, validate=one_of(MODES))
    participants = fields.List(
        fields.String(validate=one_of(SOURCES)),
        load_default=list,
        validate=at_most(LIMITS["participants"]),
    )
    note = Text(LIMITS["note"])
    reflection_usual = Text(LIMITS["reflection"], metadata={"description": "What do I usually do here?"})
    reflection_different = Text(LIMITS["reflection"], metadata={"description": "What could I do differently?"})
    citizen_explanation = Text(
        LIMITS["reflection"], metadata={"description": "How does the citizen explain their own situation?"}
    )
    expectations = fields.List(
        fields.Nested(MeetingExpectationIn),
        load_default=list,
        validate=at_most(LIMITS["expectations_per_meeting"]),
    )

    @validates("participants")
    def _unique_participants(self, value, data_key):
        if len(set(value)) != len(value):
            raise ValidationError(str(_l("List each kind of participant only once.")))

    @validates_schema
    def _consistent(self, data, **kwargs):
        entries = data.get("expectations") or []
        ids = [e["id"] for e in entries]
        if len(set(ids)) != len(ids) or data.get("id") in ids:
            raise ValidationError(str(_l("Every expectation needs its own id.")), "expectations")
        if sum(1 for e in entries if e["source"] == "worker") > 1:
            raise ValidationError(str(_l("A meeting can hold only one caseworker view.")), "expectations")
        keys = [perspective(e) for e in entries]
        if len(set(keys)) != len(keys):
            raise ValidationError(str(_l("Each source (and label) once per meeting.")), "expectations")
        held = data.get("held_on")
        for e in entries:
            if held and e.get("observed_on") and e["observed_on"] > held:
                raise ValidationError(
                    str(_l("A view cannot be dated after the meeting.")), "expectations"
                )


class MeetingOut(Schema):
    id = fields.String()
    citizen_id = fields.Integer()
    worker_id = fields.Integer()
    held_on = IsoDate()
    mode = fields.String(metadata={"enum": list(MODES)})
    participants = fields.List(fields.String())
    note = fields.String(allow_none=True)
    reflection_usual = fields.String(allow_none=True)
    reflection_different = fields.String(allow_none=True)
    citizen_explanation = fields.String(allow_none=True)
    recorded_at = fields.String()
    expectations = fields.List(fields.Nested(ExpectationOut))


MeetingPage = page_of(MeetingOut, "MeetingPage")


# --- outcomes and recusals ----------------------------------------------------------------


class OutcomeIn(In):
    id = ClientUUID(metadata={"description": "optional client-made UUID, the idempotency key"})
    kind = fields.String(required=True, validate=one_of(OUTCOMES))
    observed_on = IsoDate(required=True, validate=past_date)
    note = Text(LIMITS["note"])


class OutcomeOut(Schema):
    id = fields.String()
    citizen_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(OUTCOMES)})
    observed_on = IsoDate()
    note = fields.String(allow_none=True)
    recorded_by = fields.Integer()
    recorded_at = fields.String()


class RecusalIn(In):
    user_id = StrictInteger(metadata={"description": "who is recused; default: you. Others: leads only"})
    reason = Text(LIMITS["reason"])


class RecusalLiftIn(In):
    reason = Text(LIMITS["reason"], required=True)


class RecusalOut(Schema):
    id = fields.Integer()
    citizen_id = fields.Integer()
    user_id = fields.Integer()
    declared_by = fields.Integer()
    reason = fields.String(allow_none=True)
    created_at = fields.String()
    lifted_at = fields.String(allow_none=True)
    lifted_by = fields.Integer(allow_none=True)
    lift_reason = fields.String(allow_none=True)


class RecusalListOut(Schema):
    items = fields.List(fields.Nested(RecusalOut))


class TeamPatch(In):
    phase_minutes = fields.Dict(
        keys=fields.String(validate=one_of(TIMED_PHASES)),
        values=StrictInteger(validate=between(1, 60)),
        metadata={"description": "suggested minutes per sparring phase, e.g. {\"reflections\": 8}"},
    )
    gap_threshold = StrictInteger(validate=between(1, 10))
    drop_threshold = StrictInteger(validate=between(1, 10))
    stale_low_days = StrictInteger(validate=between(1, 3650))
    locale = fields.String(validate=one_of(LANGUAGES))


class LanguageIn(In):
    """The language picker (web): the chosen language and the page to return to."""

    locale = fields.String(required=True, validate=one_of(LANGUAGES))
    next = fields.String(load_default="/", validate=validate.Length(max=2000))


# --- offline sync -------------------------------------------------------------------------


class SyncOutcomeIn(OutcomeIn):
    """Queued outcomes must carry their client UUID: without it a resend would be a second outcome."""

    id = ClientUUID(required=True, metadata={"description": "client-made UUID, the idempotency key"})


SYNC_OPERATIONS = ("create_meeting", "add_expectation", "record_outcome", "declare_recusal")


class SyncItemIn(In):
    op = fields.String(required=True, validate=one_of(SYNC_OPERATIONS))
    citizen_id = StrictInteger(required=True)
    data = fields.Dict(required=True)


class SyncIn(In):
    items = fields.List(
        fields.Raw(allow_none=True), required=True,
        metadata={"description": f"at most {LIMITS['sync_items']} operations"},
    )


class SyncResultOut(Schema):
    index = fields.Integer()
    status = fields.String(metadata={"enum": ["created", "duplicate", "conflict", "invalid", "forbidden", "not_found"]})
    id = fields.Raw(metadata={"description": "the record's id (a UUID, or a number for recusals)"})
    record = fields.Dict()
    errors = fields.Dict()
    message = fields.String()
    code = fields.String()


class SyncOut(Schema):
    results = fields.List(fields.Nested(SyncResultOut))


class OfflineCitizenOut(Schema):
    id = fields.Integer()
    case_ref = fields.String()
    worker_value = fields.Integer(allow_none=True)
    clash = fields.Boolean()


class OfflineListOut(Schema):
    items = fields.List(fields.Nested(OfflineCitizenOut))
