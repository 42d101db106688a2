"""Citizens and everything logged about them: meetings, expectations, clash, recusals, outcomes.

Every route here goes through access.citizen_for(), the one place that applies team scope
and recusal; every read of one citizen is audited.
"""
from flask_login import current_user

from .. import casework, citizens, expectations, meetings, outcomes, recusals, users
from ..access import allow, citizen_for, read_citizen
from ..db import get_db
from ..schemas.core import (
    CitizenIn,
    CitizenListArgs,
    CitizenOut,
    CitizenPage,
    CitizenPatch,
    ClashOut,
    ExpectationIn,
    ExpectationOut,
    ExpectationPage,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    OutcomeIn,
    OutcomeOut,
    PageArgs,
    RecusalIn,
    RecusalLiftIn,
    RecusalListOut,
    RecusalOut,
)
from ..sessions import fresh_required
from ..users import CASE_ROLES, get_team
from .parsing import Blueprint

blp = Blueprint("api_citizens", __name__, url_prefix="/api/v1/citizens", description="Citizens and their journal")


def _citizen(citizen_id):
    """A citizen to write to (no read is recorded: the write is audited itself)."""
    return citizen_for(get_db(), current_user, citizen_id)


def _read(citizen_id, what):
    """A citizen whose data this response shows: access checked and the read audited."""
    return read_citizen(get_db(), current_user, citizen_id, what)


def _status(created):
    return 201 if created else 200


@blp.route("", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(CitizenListArgs, location="query")
@blp.response(200, CitizenPage)
def list_citizens(args):
    """Citizens of your team you may see (recusals left out), clashes first.

    `?q=` searches case ref and name, `?clashing=true` keeps only clashing citizens,
    `?status=active|closed|all` (default active).
    """
    return citizens.list_page(
        get_db(), current_user, q=args.get("q"), status=args["status"], clashing=args.get("clashing"),
        page=args["page"], per_page=args["per_page"],
    )


@blp.route("", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(CitizenIn)
@blp.response(201, CitizenOut)
@blp.alt_response(409, description="case_ref already used in the team")
def create_citizen(data):
    """Create a citizen in your team. National ID numbers are refused in every field."""
    db = get_db()
    citizen = citizens.create(db, current_user, data)
    return citizens.detail(db, get_team(db, citizen["team_id"]), citizen, viewer_id=current_user.id)


@blp.route("/<int:citizen_id>", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, CitizenOut)
def get_citizen(citizen_id):
    """One citizen with current views, gaps, spread, clash flag and prompts."""
    db = get_db()
    citizen = _read(citizen_id, "citizen")
    return citizens.detail(db, get_team(db, citizen["team_id"]), citizen, viewer_id=current_user.id)


@blp.route("/<int:citizen_id>", methods=["PATCH"])
@allow(*CASE_ROLES)
@blp.arguments(CitizenPatch)
@blp.response(200, CitizenOut)
def patch_citizen(data, citizen_id):
    """Change a citizen's details, goal, status or primary worker."""
    db = get_db()
    citizen = citizens.update(db, current_user, _citizen(citizen_id), data)
    return citizens.detail(db, get_team(db, citizen["team_id"]), citizen, viewer_id=current_user.id)


@blp.route("/<int:citizen_id>/clash", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, ClashOut)
def get_clash(citizen_id):
    """Current views, signed gaps against the worker view, spread, clash flag and prompts."""
    db = get_db()
    citizen = _read(citizen_id, "clash")
    result = citizens.summary(get_team(db, citizen["team_id"]), citizen, expectations.for_citizen(db, citizen_id))
    return citizens.clash_dict(result, current_user.id, users.display_names(db, citizen["team_id"]))


@blp.route("/<int:citizen_id>/meetings", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(PageArgs, location="query")
@blp.response(200, MeetingPage)
def list_meetings(args, citizen_id):
    """The citizen's meetings, newest first, with the expectations logged at each."""
    _read(citizen_id, "meetings")
    return citizens.paginate(meetings.for_citizen(get_db(), citizen_id), args["page"], args["per_page"])


@blp.route("/<int:citizen_id>/meetings", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(MeetingIn)
@blp.response(201, MeetingOut)
@blp.alt_response(200, schema=MeetingOut, description="Re-sent: the stored meeting, nothing created")
@blp.alt_response(409, description="The id is stored with other content")
def create_meeting(data, citizen_id):
    """Log a meeting with its expectations in one transaction (idempotent by `id`)."""
    created, meeting = casework.log_meeting(get_db(), current_user, _citizen(citizen_id), data)
    return meeting, _status(created)


@blp.route("/<int:citizen_id>/expectations", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(PageArgs, location="query")
@blp.response(200, ExpectationPage)
def list_expectations(args, citizen_id):
    """Every entry, newest first, superseded ones included and marked (`superseded_by`)."""
    _read(citizen_id, "expectations")
    entries = expectations.for_citizen(get_db(), citizen_id)
    entries.reverse()
    return citizens.paginate(entries, args["page"], args["per_page"])


@blp.route("/<int:citizen_id>/expectations", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(ExpectationIn)
@blp.response(201, ExpectationOut)
@blp.alt_response(200, schema=ExpectationOut, description="Re-sent: the stored entry, nothing created")
@blp.alt_response(409, description="The id is stored with other content, or the target is already corrected")
def add_expectation(data, citizen_id):
    """Add one expectation outside a meeting, or correct one (`supersedes`)."""
    created, entry = casework.add_expectation(get_db(), current_user, _citizen(citizen_id), data)
    return entry, _status(created)


@blp.route("/<int:citizen_id>/recusals", methods=["GET"])
@allow("lead")
@blp.response(200, RecusalListOut)
def list_recusals(citizen_id):
    """Recusals on this citizen, lifted ones included (leads)."""
    _read(citizen_id, "recusals")
    return {"items": recusals.for_citizen(get_db(), citizen_id)}


@blp.route("/<int:citizen_id>/recusals", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(RecusalIn)
@blp.response(201, RecusalOut)
@blp.alt_response(200, schema=RecusalOut, description="Already recused: the existing recusal")
def declare_recusal(data, citizen_id):
    """Declare that you (or, for a lead, a team member) must be kept out of this case."""
    created, recusal = casework.declare_recusal(get_db(), current_user, _citizen(citizen_id), data)
    return recusal, _status(created)


@blp.route("/<int:citizen_id>/recusals/<int:recusal_id>/lift", methods=["POST"])
@allow("lead")
@fresh_required
@blp.arguments(RecusalLiftIn)
@blp.response(200, RecusalOut)
@blp.alt_response(401, description="fresh_login_required: confirm the password first (POST /auth/confirm)")
def lift_recusal(data, citizen_id, recusal_id):
    """Lift a recusal, with a reason (leads; audited)."""
    return recusals.lift(get_db(), current_user, _citizen(citizen_id), recusal_id, data["reason"])


@blp.route("/<int:citizen_id>/outcomes", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, OutcomeOut(many=True))
def list_outcomes(citizen_id):
    """What happened to the citizen, newest first."""
    _read(citizen_id, "outcomes")
    return outcomes.for_citizen(get_db(), citizen_id)


@blp.route("/<int:citizen_id>/outcomes", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(OutcomeIn)
@blp.response(201, OutcomeOut)
@blp.alt_response(200, schema=OutcomeOut, description="Re-sent: the stored outcome")
def record_outcome(data, citizen_id):
    """Record what happened (job, flex job, education, none, other)."""
    created, outcome = casework.record_outcome(get_db(), current_user, _citizen(citizen_id), data)
    return outcome, _status(created)
