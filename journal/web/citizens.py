"""My citizens, the citizen page, logging a meeting, recusal and asking for sparring."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from .. import casefile, casework, charts, citizens, clock, expectations
from ..access import allow, citizen_for, read_citizen, record_citizen_read
from ..clashes import describe
from ..config import LIMITS
from ..db import get_db
from ..schemas.core import MODES, MeetingIn, RecusalIn
from ..schemas.sparring import SparringQuestionIn
from ..users import CASE_ROLES, get_team
from . import bp
from .forms import MAX_ROWS, load, meeting_body, meeting_errors

#: Collaborator rows shown without JavaScript (the script adds rows as people are ticked).
STATIC_ROWS = 3


def _citizen(citizen_id):
    """A citizen to write to (the write is audited itself)."""
    return citizen_for(get_db(), current_user, citizen_id)


def _read(citizen_id, what):
    """A citizen whose data this page shows: access checked and the read audited."""
    return read_citizen(get_db(), current_user, citizen_id, what)


@bp.route("/citizens", endpoint="citizens")
@allow(*CASE_ROLES)
def citizens_list():
    """My citizens: what needs attention first (clashes, largest gap), searchable."""
    db = get_db()
    q = request.args.get("q", "").strip()[: LIMITS["display_name"]]
    items = citizens.visible(db, current_user, get_team(db, current_user.team_id), q=q or None)
    items.sort(key=citizens.attention_order)
    return render_template("citizens.html", items=items, q=q)


@bp.route("/citizens/<int:citizen_id>")
@allow(*CASE_ROLES)
def citizen_page(citizen_id):
    """Expectations over time, current views with gaps, meetings, prompts and actions."""
    return _citizen_page(_read(citizen_id, "page"))


def _citizen_page(citizen, errors=None, form=None):
    """Render the citizen page (again, with *errors* next to a form's fields and a 422)."""
    db = get_db()
    team = get_team(db, citizen["team_id"])
    page = casefile.read(db, team, citizen)
    html = render_template(
        "citizen.html",
        citizen=page["citizen"],
        team=team,
        summary=page["summary"],
        prompts=[(p, describe(p)) for p in page["summary"].prompts],
        chart=charts.expectation_chart(page["entries"], team, page["today"]),
        meetings=page["meetings"],
        outcomes=page["outcomes"],
        requests=page["requests"],
        actions=page["actions"],
        saved=request.args.get("saved"),
        errors=errors or {},
        form=form or {},
    )
    return (html, 422) if errors else html


def _new_ids(count):
    return [str(uuid.uuid4()) for _ in range(count)]


@bp.route("/citizens/<int:citizen_id>/meetings/new", methods=["GET", "POST"])
@allow(*CASE_ROLES)
def log_meeting(citizen_id):
    """One screen: date, mode, who was present, your own rating first, then the others'."""
    db = get_db()
    errors, form = {}, request.form
    if request.method == "POST":
        citizen = _citizen(citizen_id)
        body, rows = meeting_body(form)
        try:
            data = MeetingIn().load(body)
        except ValidationError as error:
            errors = meeting_errors(error.messages, rows)
        else:
            if not any(e["source"] == "worker" for e in data["expectations"]):
                errors = {"own_value": [_("Rate the citizen's chance yourself first.")]}
            else:
                casework.log_meeting(db, current_user, citizen, data)
                return redirect(url_for("web.citizen_page", citizen_id=citizen_id, saved=data["id"]) + "#result")
    else:
        citizen = _read(citizen_id, "meeting_form")
    team = get_team(db, citizen["team_id"])
    views = citizens.summary(team, expectations.for_citizen(db, citizen_id)).views
    ids = _new_ids(2 + MAX_ROWS)
    return (
        render_template(
            "meeting_form.html",
            citizen=citizen,
            form=form,
            errors=errors,
            today=clock.today().isoformat(),
            modes=MODES,
            sources=expectations.SOURCES,
            others=[v for v in views if v.source != "worker"],
            ids=ids,
            rows=range(max(STATIC_ROWS, _posted_rows(form))),
            max_rows=MAX_ROWS,
        ),
        422 if errors else 200,
    )


def _posted_rows(form):
    return max((i + 1 for i in range(MAX_ROWS) if form.get(f"c{i}_source") or form.get(f"c{i}_value")), default=0)


@bp.route("/citizens/<int:citizen_id>/recusal", methods=["GET", "POST"])
@allow(*CASE_ROLES)
def declare_recusal(citizen_id):
    """Declare that you have a private relation to the citizen, after a confirmation."""
    db = get_db()
    if request.method == "POST":
        citizen = _citizen(citizen_id)
        data, errors = load(RecusalIn(), request.form)
        if errors:
            return render_template("recusal.html", citizen=citizen, errors=errors), 422
        casework.declare_recusal(db, current_user, citizen, data)
        flash(_("You are recused from %(ref)s. The case is no longer shown to you.", ref=citizen["case_ref"]))
        return redirect(url_for("web.citizens"))
    return render_template("recusal.html", citizen=_read(citizen_id, "recusal_form"), errors={})


@bp.route("/citizens/<int:citizen_id>/sparring", methods=["POST"])
@allow(*CASE_ROLES)
def request_sparring(citizen_id):
    """Ask colleagues for sparring on the case, with a short question."""
    db = get_db()
    citizen = _citizen(citizen_id)
    data, errors = load(SparringQuestionIn(), request.form)
    if errors:
        record_citizen_read(db, current_user, citizen_id, "page")
        return _citizen_page(citizen, errors, request.form)
    casework.request_sparring(db, current_user, citizen, data["question"])
    flash(_("Sparring requested. Your team lead sees it in the queue."))
    return redirect(url_for("web.citizen_page", citizen_id=citizen_id) + "#sparring")
