"""My citizens, the citizen page, logging a meeting, recusal and asking for sparring."""
import uuid

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError

from .. import casefile, casework, charts, citizens, clock, expectations, outcomes, recusals, users
from ..access import allow, citizen_for, may_close_citizen, may_edit_citizen, read_citizen, record_citizen_read
from ..clashes import describe, view_name, worker_name
from ..errors import Conflict, Invalid, NotFound
from ..db import get_db
from ..schemas.core import MODES, CaseOwnerIn, CitizenListPageIn, MeetingIn, RecusalIn, RecusalLiftIn
from ..sessions import fresh_required
from ..schemas.sparring import SparringQuestionIn
from ..users import CASE_ROLES, get_team
from . import bp
from .forms import MAX_ROWS, domain_errors, load, meeting_body, meeting_errors

#: Collaborator rows shown without JavaScript (the script adds rows as people are ticked).
STATIC_ROWS = 3


def _citizen(citizen_id):
    """A citizen to write to (the write is audited itself)."""
    return citizen_for(get_db(), current_user, citizen_id)


def _read(citizen_id, what):
    """A citizen whose data this page shows: access checked and the read audited."""
    return read_citizen(get_db(), current_user, citizen_id, what)


#: Citizens per page of My citizens (a caseload is rarely longer; a team can be).
PER_PAGE = 50


@bp.route("/citizens", endpoint="citizens")
@allow(*CASE_ROLES)
def citizens_list():
    """My citizens (the ones I am case owner of) by default, the whole team one tap away and
    remembered; what needs attention first, searchable."""
    db = get_db()
    args = load(CitizenListPageIn(), request.args)[0] or {}
    q = args.get("q") or ""
    if "scope" in args:
        session["citizens_scope"] = args["scope"]
    scope = session.get("citizens_scope", "mine")
    counts = {
        "mine": citizens.count_visible(db, current_user, q=q or None, owner_id=current_user.id),
        "team": citizens.count_visible(db, current_user, q=q or None),
    }
    shown = citizens.list_page(
        db, current_user, q=q or None, owner_id=current_user.id if scope == "mine" else None,
        page=args.get("page") or 1, per_page=PER_PAGE,
    )
    return render_template(
        "citizens.html", items=shown["items"], q=q, scope=scope, counts=counts,
        listed=shown["total"], page=shown["page"], pages=max(1, -(-shown["total"] // PER_PAGE)),
    )


@bp.route("/citizens/<int:citizen_id>")
@allow(*CASE_ROLES)
def citizen_page(citizen_id):
    """Expectations over time, current views with gaps, meetings, prompts and actions."""
    return _citizen_page(_read(citizen_id, "page"))


def submit_on_citizen_page(citizen, schema, act, done, anchor=""):
    """A small form on the citizen page: *schema* loads it, *act(data)* stores it. A refusal
    shows the page again with the errors next to the fields (422; the read is audited, as the
    page is shown); success redirects to the page with the flash *done*."""
    data, errors = load(schema, request.form)
    if not errors:
        try:
            act(data)
        except (Invalid, Conflict) as error:
            errors = domain_errors(error)
    if errors:
        record_citizen_read(get_db(), current_user, citizen["id"], "page")
        return _citizen_page(citizen, errors, request.form)
    flash(done)
    return redirect(url_for("web.citizen_page", citizen_id=citizen["id"]) + anchor)


def _citizen_page(citizen, errors=None, form=None):
    """Render the citizen page (again, with *errors* next to a form's fields and a 422)."""
    db = get_db()
    team = get_team(db, citizen["team_id"])
    page = casefile.read(db, team, citizen, current_user.id)
    names, me = page["names"], current_user.id
    saved = request.args.get("saved")
    summary = page["summary"]
    html = render_template(
        "citizen.html",
        citizen=page["citizen"],
        team=team,
        summary=summary,
        owner_name=worker_name(citizen["primary_worker_id"], me, names) if citizen["primary_worker_id"] else None,
        given_by=view_name(summary.owner, me, names) if summary.owner else None,
        prompts=[describe(p, me, names) for p in summary.prompts],
        strip_geometry=charts.views_strip(summary, lambda view: view_name(view, me, names)),
        gap_label=lambda size: ngettext("gap %(num)s point", "gap %(num)s points", size),
        chart=charts.expectation_chart(
            page["entries"], team, page["today"], owner_id=citizen["primary_worker_id"],
            modes={m["id"]: m["mode"] for m in page["meetings"]},
        ),
        worker_name=lambda user_id: worker_name(user_id, me, names),
        view_name=lambda view: view_name(view, me, names),
        meetings=page["meetings"],
        outcomes=page["outcomes"],
        requests=page["requests"],
        actions=page["actions"],
        saved=saved,
        queued=_queued_by(saved, page),
        errors=errors or {},
        form=form or {},
        members=users.team_members(db, citizen["team_id"]) if current_user.role == "lead" else [],
        recusals=_recusal_history(db, citizen) if current_user.role == "lead" else [],
        can_edit=may_edit_citizen(current_user, citizen),
        can_close=may_close_citizen(current_user),
        closing_reason=citizens.closing_reason(db, citizen),
        outcome_kinds=outcomes.KINDS,
        outcome_id=str(uuid.uuid4()),
        today=clock.today().isoformat(),
    )
    return (html, 422) if errors else html


def _recusal_history(db, citizen):
    """Every recusal on the citizen, lifted ones too, newest first, with the names of who was
    recused, who declared it and who lifted it (as the team knows them; leads only)."""
    names = users.display_names(db, citizen["team_id"])
    unknown = _("someone no longer in the team")

    def name(user_id):
        return names.get(user_id, unknown) if user_id is not None else None

    return [
        dict(r, name=name(r["user_id"]), declared_by_name=name(r["declared_by"]), lifted_by_name=name(r["lifted_by"]))
        for r in reversed(recusals.for_citizen(db, citizen["id"]))
    ]


def _queued_by(meeting_id, page):
    """The sparring requests the saved meeting put in the queue (raised in its transaction,
    so not older than it), in words for the reader: what "after saving" says happened."""
    meeting = next((m for m in page["meetings"] if m["id"] == meeting_id), None)
    if meeting is None:
        return []
    return [r["detail"] for r in page["requests"] if r["reason"] != "manual" and r["created_at"] >= meeting["recorded_at"]]


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
            views = citizens.summary(get_team(db, citizen["team_id"]), citizen, expectations.for_citizen(db, citizen_id)).views
            unclear = expectations.unclear_sources(data["expectations"], views)
            if not any(e["source"] == "worker" for e in data["expectations"]):
                errors = {"own_value": [_("Rate the citizen's chance yourself first.")]}
            elif unclear:
                errors = _unclear_errors(data["expectations"], unclear, views, rows)
            else:
                casework.log_meeting(db, current_user, citizen, data)
                return redirect(url_for("web.citizen_page", citizen_id=citizen_id, saved=data["id"]) + "#result")
    else:
        citizen = _read(citizen_id, "meeting_form")
    team = get_team(db, citizen["team_id"])
    views = citizens.summary(team, citizen, expectations.for_citizen(db, citizen_id)).views
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


def _unclear_errors(entries, unclear, views, rows):
    """"Which one?" next to each row that names a known kind without its label."""
    known = expectations.known_labels(views)
    errors = {}
    for index in unclear:
        labels = ", ".join(label for label in known[entries[index]["source"]] if label)
        errors[f"c{rows[index]}_label"] = [_("Which one? This citizen has %(labels)s. Choose one, or write who.", labels=labels)]
    return errors


def _posted_rows(form):
    return max((i + 1 for i in range(MAX_ROWS) if form.get(f"c{i}_source") or form.get(f"c{i}_value")), default=0)


@bp.route("/citizens/<int:citizen_id>/owner", methods=["POST"])
@allow("lead")
def reassign_owner(citizen_id):
    """A lead hands the case to another case owner."""
    citizen = _citizen(citizen_id)
    return submit_on_citizen_page(
        citizen, CaseOwnerIn(), lambda data: citizens.update(get_db(), current_user, citizen, data),
        _("The case has a new case owner."),
    )


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


@bp.route("/citizens/<int:citizen_id>/recusals/<int:recusal_id>/lift", methods=["GET", "POST"])
@allow("lead")
@fresh_required
def lift_recusal(citizen_id, recusal_id):
    """A lead lifts a recusal, with a reason; needs the password typed in the last minutes."""
    db = get_db()
    citizen = _read(citizen_id, "recusal_lift_form") if request.method == "GET" else _citizen(citizen_id)
    recusal = recusals.get(db, recusal_id)
    if recusal is None or recusal["citizen_id"] != citizen_id or recusal["lifted_at"]:
        raise NotFound()
    name = users.display_names(db, citizen["team_id"]).get(recusal["user_id"], "?")
    if request.method == "POST":
        data, errors = load(RecusalLiftIn(), request.form)
        if errors:
            return render_template("recusal_lift.html", citizen=citizen, recusal=recusal, name=name, errors=errors), 422
        recusals.lift(db, current_user, citizen, recusal_id, data["reason"])
        flash(_("The recusal of %(name)s is lifted.", name=name))
        return redirect(url_for("web.citizen_page", citizen_id=citizen_id))
    return render_template("recusal_lift.html", citizen=citizen, recusal=recusal, name=name, errors={})


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
