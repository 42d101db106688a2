"""Sparring pages: the queue, the session runner (lead and participants' phones), actions.

Every form loads through the same schema as its API twin (journal/schemas/sparring.py); a
refused form is shown again with the messages next to its fields and a 422.
"""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import casework, charts, users
from ..clashes import source_name, worker_name
from ..access import allow
from ..db import get_db
from ..errors import Invalid
from ..schemas.sparring import (
    ActionDoneIn,
    ActionIn,
    CaseIn,
    DismissReasonIn,
    NotesIn,
    RatingIn,
    RevisionIn,
    SessionIn,
)
from ..sparring import actions as action_list
from ..sparring import requests, sessions
from ..sparring.rules import PHASES, agreement_level
from ..users import CASE_ROLES
from . import bp
from .auth import safe_next
from .forms import domain_errors, load


def _queue_page(form_id=None, errors=None):
    """The queue (again, with *errors* for the form *form_id* and a 422)."""
    db = get_db()
    team = users.get_team(db, current_user.team_id)
    html = render_template(
        "sparring_queue.html",
        queue=requests.queue(db, current_user, team),
        members=users.team_members(db, current_user.team_id),
        sessions=sessions.running_for(db, current_user),
        form_id=form_id,
        errors=errors or {},
    )
    return (html, 422) if errors else html


@bp.route("/sparring")
@allow(*CASE_ROLES)
def sparring_queue():
    """The team's sparring queue; leads start sessions from it."""
    return _queue_page()


@bp.route("/sparring/sessions", methods=["POST"])
@allow("lead")
def start_session():
    """Start a session with the ticked cases and colleagues."""
    data, errors = load(SessionIn(), request.form)
    if errors:
        return _queue_page("start", errors)
    try:
        session_id, excluded = sessions.create(get_db(), current_user, data["participant_ids"], data["request_ids"], data.get("title"))
    except Invalid as error:
        return _queue_page("start", domain_errors(error))
    for person in excluded:
        flash(_("%(name)s is recused from one of the cases and will not see it.", name=person["display_name"]))
    return redirect(url_for("web.sparring_session", session_id=session_id))


@bp.route("/sparring/requests/<int:request_id>/dismiss", methods=["POST"])
@allow("lead")
def dismiss_request(request_id):
    """Dismiss a request from the queue, with a reason."""
    data, errors = load(DismissReasonIn(), request.form)
    if not errors:
        try:
            requests.dismiss(get_db(), current_user, request_id, data["reason"])
        except Invalid as error:
            errors = domain_errors(error)
    if errors:
        return _queue_page(f"dismiss-{request_id}", errors)
    flash(_("The request was dismissed."))
    return redirect(url_for("web.sparring_queue"))


def _reveal_label(names):
    def label(kind, item):
        if kind == "blind":
            return ngettext("%(num)s blind rating", "%(num)s blind ratings", len(item["ratings"] or []))
        if kind == "owner":
            return _("Case owner's view (%(name)s)", name=worker_name(item["owner_view_by"], current_user.id, names))
        return source_name(item["source"], item["source_label"])

    return label


def _session_page(session_id, form_id=None, errors=None):
    """The session runner (again, with *errors* for the form *form_id* and a 422)."""
    db = get_db()
    session = sessions.session_view(db, current_user, session_id)
    label = _reveal_label(users.display_names(db, current_user.team_id))
    for case in session["cases"]:
        if case["ratings"] is not None:
            case["strip"] = charts.reveal_strip(case, label)
            case["agreement_level"] = agreement_level(case["agreement"]["rwg"])
    html = render_template(
        "sparring_session.html",
        session=session,
        members=users.team_members(db, current_user.team_id),
        phases=PHASES,
        new_id=str(uuid.uuid4()),
        form_id=form_id,
        errors=errors or {},
    )
    return (html, 422) if errors else html


@bp.route("/sparring/sessions/<int:session_id>")
@allow(*CASE_ROLES)
def sparring_session(session_id):
    """The session runner: phases with a timer for the lead, blind rating on each phone."""
    return _session_page(session_id)


def _back(session_id, anchor="current"):
    return redirect(url_for("web.sparring_session", session_id=session_id) + "#" + anchor)


def _session_form(session_id, schema, form_id, apply, names=None):
    """Load a session form with *schema*, call *apply(data)* (which may return a message to
    flash), and go back to the session; or show the session again with the errors."""
    data, errors = load(schema, request.form, names)
    if not errors:
        try:
            message = apply(data)
        except Invalid as error:
            errors = domain_errors(error)
        else:
            if message:
                flash(message)
            return _back(session_id)
    return _session_page(session_id, form_id, errors)


@bp.route("/sparring/sessions/<int:session_id>/advance", methods=["POST"])
@allow("lead")
def advance_case(session_id):
    """Move the current case on to its next phase."""
    def move(data):
        sessions.advance(get_db(), current_user, session_id, data["case_id"])

    return _session_form(session_id, CaseIn(), "advance", move)


@bp.route("/sparring/sessions/<int:session_id>/rate", methods=["POST"])
@allow(*CASE_ROLES)
def rate_case(session_id):
    """Your blind rating of the case."""
    def rate(data):
        sessions.rate(get_db(), current_user, session_id, data["case_id"], data["value"])

    return _session_form(session_id, RatingIn(), "rate", rate)


@bp.route("/sparring/sessions/<int:session_id>/notes", methods=["POST"])
@allow("lead")
def case_notes(session_id):
    """The lead's short notes on the case's phase."""
    def save(data):
        notes = {key: value for key, value in data.items() if key != "case_id"}
        sessions.set_notes(get_db(), current_user, session_id, data["case_id"], notes)
        return _("Notes saved.")

    return _session_form(session_id, NotesIn(), "notes", save)


@bp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/revision", methods=["POST"])
@allow(*CASE_ROLES)
def revise_case(session_id, case_id):
    """The case owner's revised expectation after the reflections."""
    def save(data):
        casework.revise_after_sparring(get_db(), current_user, session_id, case_id, data)
        return _("Your revised expectation is saved.")

    return _session_form(session_id, RevisionIn(), f"revision-{case_id}", save, names={"value": f"value-{case_id}"})


@bp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/actions", methods=["POST"])
@allow("lead")
def add_case_action(session_id, case_id):
    """An action agreed for the case."""
    def save(data):
        sessions.add_action(get_db(), current_user, session_id, case_id, data)
        return _("Action added.")

    return _session_form(session_id, ActionIn(), f"action-{case_id}", save)


@bp.route("/actions")
@allow(*CASE_ROLES)
def actions():
    """My actions, due and overdue; leads also see the team's overdue ones."""
    db = get_db()
    team = action_list.team_overdue(db, current_user) if current_user.role == "lead" else None
    return render_template("actions.html", mine=action_list.mine(db, current_user), team=team)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@allow(*CASE_ROLES)
def action_done(action_id):
    """Mark an action done (or not done again), then go back where the button was."""
    data, errors = load(ActionDoneIn(), request.form)
    if errors:
        raise Invalid(errors=errors)
    action_list.mark_done(get_db(), current_user, action_id, data["done"])
    target = data["next"] if (data["next"] or "").startswith("/citizens/") else None
    return redirect(safe_next(target, url_for("web.actions")))
