"""marshmallow schemas: every input is loaded through one, every output dumped through one.

Inputs reject unknown keys, wrong types and oversized text with field errors (422) before
any rule or SQL sees them. Limits are in config.LIMITS and documented in docs/api.md.
"""
import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from . import clock
from .config import LIMITS
from .expectations import BANDS, CONFIDENCES, CONTEXTS, SOURCES, band
from .national_id import contains_national_id
from .users import ROLES

GENDERS = ("female", "male", "other", "unknown")
GOALS = ("job", "education")
STATUSES = ("active", "closed")
MODES = ("in_person", "video", "phone", "home_visit", "written")
OUTCOMES = ("job", "flex_job", "education", "none", "other")
EARLIEST_DATE = date(2000, 1, 1)


# --- fields -------------------------------------------------------------------------------


MAX_INT = 2**63 - 1


class _TranslatedErrors:
    """Let fields keep lazy (translatable) messages: resolve and format them when raised."""

    def make_error(self, key, **kwargs):
        return ValidationError(str(self.error_messages[key]).format(**kwargs))


class StrictInteger(_TranslatedErrors, fields.Integer):
    """An integer that must arrive as a JSON number: "7", 7.5 and true are refused, and so is
    anything beyond SQLite's 64-bit integers."""

    default_error_messages = {"range": _l("Number out of range.")}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        number = super()._deserialize(value, attr, data, **kwargs)
        if abs(number) > MAX_INT:
            raise self.make_error("range")
        return number


class StrictBoolean(_TranslatedErrors, fields.Boolean):
    """A JSON true or false: "yes", 1 and "true" are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Text(_TranslatedErrors, fields.String):
    """Trimmed free text with a maximum length; blank optional text becomes null.

    National ID numbers are refused in every free-text field, not only in case references:
    the journal never stores them (DESIGN.md), and a note is where one would slip in.
    """

    default_error_messages = {
        "blank": _l("Must not be blank."),
        "control": _l("Contains control characters."),
        "too_long": _l("Longer than {max} characters."),
    }

    def __init__(self, max_length, *, required=False, **kwargs):
        self.max_length = max_length
        metadata = dict(kwargs.pop("metadata", {}), maxLength=max_length)
        super().__init__(required=required, allow_none=not required, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
            raise self.make_error("control")
        if not text:
            if self.required:
                raise self.make_error("blank")
            return None
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        if contains_national_id(text):
            raise ValidationError(
                str(_l("National ID numbers (CPR or personnummer) are never stored. Use the team's own case reference."))
            )
        return text


class ClientUUID(fields.UUID):
    """A UUID made on the client (idempotency key), stored as its canonical lowercase string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid_uuid")
        return str(super()._deserialize(value, attr, data, **kwargs))


class IsoDate(fields.Date):
    """A date; dumps stored ISO strings as they are."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def past_date(value):
    """Dates of things that happened: not in the future, not before 2000."""
    if value > clock.today():
        raise ValidationError(str(_l("Must not be in the future.")))
    if value < EARLIEST_DATE:
        raise ValidationError(str(_l("Must not be before 2000-01-01.")))


def one_of(choices):
    return validate.OneOf(choices, error=_l("Must be one of: {choices}."))


def between(low, high):
    return validate.Range(min=low, max=high, error=_l("Must be between {min} and {max}."))


def at_most(count):
    return validate.Length(max=count, error=_l("At most {max} items."))


class In(Schema):
    """Base for inputs: unknown keys are an error, not silently dropped."""

    class Meta:
        unknown = RAISE


# --- auth ----------------------------------------------------------------------------------


class LoginIn(In):
    username = Text(LIMITS["username"], required=True)
    password = fields.String(
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
        from .sparring import phase_minutes

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


# --- pagination ---------------------------------------------------------------------------


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=between(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=between(1, LIMITS["per_page"]))


def page_of(item_schema, name):
    """The list envelope {items, total, page, per_page} around *item_schema*."""
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
    )


# --- citizens -----------------------------------------------------------------------------


def _birth_year(value):
    if not 1900 <= value <= clock.today().year:
        raise ValidationError(str(_l("Must be a year between 1900 and this year.")))


class CitizenIn(In):
    case_ref = Text(LIMITS["case_ref"], required=True)
    display_name = Text(LIMITS["display_name"])
    birth_year = StrictInteger(allow_none=True, validate=_birth_year)
    gender = fields.String(validate=one_of(GENDERS))
    goal = fields.String(required=True, validate=one_of(GOALS))
    primary_worker_id = StrictInteger(allow_none=True)



class CitizenPatch(CitizenIn):
    case_ref = Text(LIMITS["case_ref"])
    goal = fields.String(validate=one_of(GOALS))
    status = fields.String(validate=one_of(STATUSES))


class ViewOut(Schema):
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_label = fields.String(allow_none=True)
    value = fields.Integer()
    observed_on = IsoDate()
    expectation_id = fields.String()


class GapOut(Schema):
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_label = fields.String(allow_none=True)
    gap = fields.Integer(metadata={"description": "worker value minus this source's value"})


class PromptOut(Schema):
    cause = fields.String(metadata={"enum": ["gap", "drop", "stale_low"]})
    detail = fields.String()


class ClashOut(Schema):
    views = fields.List(fields.Nested(ViewOut))
    gaps = fields.List(fields.Nested(GapOut))
    spread = fields.Integer(allow_none=True)
    clash = fields.Boolean()
    prompts = fields.List(fields.Nested(PromptOut))


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
    worker_value = fields.Integer(allow_none=True)
    max_gap = fields.Integer(allow_none=True)
    views = fields.List(fields.Nested(ViewOut))
    gaps = fields.List(fields.Nested(GapOut))
    spread = fields.Integer(allow_none=True)
    clash = fields.Boolean()
    prompts = fields.List(fields.Nested(PromptOut))


class CitizenListArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=LIMITS["display_name"], error=_l("Longer than {max} characters.")))
    clashing = fields.Boolean()
    status = fields.String(validate=one_of(STATUSES + ("all",)), load_default="active")


class CitizenItemOut(Schema):
    id = fields.Integer()
    case_ref = fields.String()
    display_name = fields.String(allow_none=True)
    goal = fields.String()
    status = fields.String()
    primary_worker_id = fields.Integer(allow_none=True)
    last_meeting_on = IsoDate(allow_none=True)
    worker_value = fields.Integer(allow_none=True)
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
            raise ValidationError(str(_l("Each participant kind once.")))

    @validates_schema
    def _consistent(self, data, **kwargs):
        entries = data.get("expectations") or []
        ids = [e["id"] for e in entries]
        if len(set(ids)) != len(ids) or data.get("id") in ids:
            raise ValidationError(str(_l("Every expectation needs its own id.")), "expectations")
        if sum(1 for e in entries if e["source"] == "worker") > 1:
            raise ValidationError(str(_l("A meeting holds one worker view.")), "expectations")
        from .expectations import perspective

        keys = [perspective(e) for e in entries]
        if len(set(keys)) != len(keys):
            raise ValidationError(str(_l("Each source (and label) once per meeting.")), "expectations")
        held = data.get("held_on")
        for e in entries:
            if held and e.get("observed_on") and e["observed_on"] > held:
                raise ValidationError(
                    str(_l("A view cannot be observed after the meeting.")), "expectations"
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


SESSION_PHASES = ("present", "blind_rating", "reveal", "questions", "reflections", "response", "actions")


class TeamPatch(In):
    phase_minutes = fields.Dict(
        keys=fields.String(validate=one_of(SESSION_PHASES)),
        values=StrictInteger(validate=between(1, 60)),
        metadata={"description": "suggested minutes per sparring phase, e.g. {\"reflections\": 8}"},
    )
    gap_threshold = StrictInteger(validate=between(1, 10))
    drop_threshold = StrictInteger(validate=between(1, 10))
    stale_low_days = StrictInteger(validate=between(1, 3650))
    locale = fields.String(validate=one_of(("da", "sv", "en")))


def new_uuid():
    return str(uuid.uuid4())
