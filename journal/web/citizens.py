"""My citizens, the citizen page, logging a meeting, recusal and asking for sparring."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError

from .. import citizens, clock, expectations, meetings, outcomes, recusals, sparring
from ..access import allow, citizen_for
from ..clashes import describe
from ..config import LIMITS
from ..db import get_db
from ..schemas import MODES, MeetingIn, RecusalIn, Text
from ..users import CASE_ROLES, get_team
from . import bp
from .forms import MAX_ROWS, meeting_body, meeting_errors

#: Collaborator rows shown without JavaScript (the script adds rows as people are ticked).
STATIC_ROWS = 3


class SparringQuestionIn(Schema):
    question = Text(LIMITS["reason"], required=True)


def _citizen(citizen_id):
    return citizen_for(get_db(), current_user, citizen_id)


def _viewed(citizen, what):
    citizens.record_view(get_db(), current_user, citizen, what)


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
    from .. import charts

    db = get_db()
    citizen = _citizen(citizen_id)
    _viewed(citizen, "page")
    team = get_team(db, citizen["team_id"])
    entries = expectations.for_citizen(db, citizen_id)
    detail = citizens.detail(db, team, citizen)
    summary = citizens.summary(team, entries)
    return render_template(
        "citizen.html",
        citizen=detail,
        team=team,
        summary=summary,
        prompts=[(p, describe(p)) for p in summary.prompts],
        chart=charts.expectation_chart(entries, team, clock.today()),
        meetings=meetings.for_citizen(db, citizen_id),
        outcomes=outcomes.for_citizen(db, citizen_id),
        requests=[dict(r, detail=sparring.request_detail(r, for_team=False)) for r in sparring.open_for_citizen(db, citizen_id)],
        actions=sparring.for_citizen(db, citizen_id),
        saved=request.args.get("saved"),
    )


def _new_ids(count):
    return [str(uuid.uuid4()) for _ in range(count)]


@bp.route("/citizens/<int:citizen_id>/meetings/new", methods=["GET", "POST"])
@allow(*CASE_ROLES)
def log_meeting(citizen_id):
    """One screen: date, mode, who was present, your own rating first, then the others'."""
    db = get_db()
    citizen = _citizen(citizen_id)
    errors, form = {}, request.form
    if request.method == "POST":
        body, rows = meeting_body(request.form)
        try:
            data = MeetingIn().load(body)
        except ValidationError as error:
            errors = meeting_errors(error.messages, rows)
        else:
            if not any(e["source"] == "worker" for e in data["expectations"]):
                errors = {"own_value": [_("Rate the citizen's chance yourself first.")]}
            else:
                meetings.create(db, current_user, citizen, data)
                return redirect(url_for("web.citizen_page", citizen_id=citizen_id, saved=data["id"]) + "#result")
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
    citizen = _citizen(citizen_id)
    if request.method == "POST":
        try:
            data = RecusalIn().load({k: v for k, v in {"reason": request.form.get("reason")}.items() if v})
        except ValidationError as error:
            return render_template("recusal.html", citizen=citizen, errors=error.messages), 422
        recusals.declare(db, current_user, citizen, None, data.get("reason"))
        flash(_("You are recused from %(ref)s. The case is no longer shown to you.", ref=citizen["case_ref"]))
        return redirect(url_for("web.citizens"))
    return render_template("recusal.html", citizen=citizen, errors={})


@bp.route("/citizens/<int:citizen_id>/sparring", methods=["POST"])
@allow(*CASE_ROLES)
def request_sparring(citizen_id):
    """Ask colleagues for sparring on the case, with a short question."""
    db = get_db()
    citizen = _citizen(citizen_id)
    try:
        data = SparringQuestionIn().load({"question": request.form.get("question", "")})
    except ValidationError as error:
        flash(_("Write a short question for your colleagues.") + " " + " ".join(map(str, error.messages.get("question", []))), "error")
        return redirect(url_for("web.citizen_page", citizen_id=citizen_id) + "#sparring")
    sparring.request_manual(db, current_user, citizen, data["question"])
    flash(_("Sparring requested. Your team lead sees it in the queue."))
    return redirect(url_for("web.citizen_page", citizen_id=citizen_id) + "#sparring")
