"""The citizen's case: create, edit, close and reopen a citizen; record an outcome.

Thin views over the domain functions the API uses (citizens.create/update/close/reopen,
casework.record_outcome), loaded through the API's schemas. Who may do what is decided in
access.py: any worker or lead of the team creates a citizen and records outcomes; the lead
or the case owner edits the details; only a lead closes or reopens (docs/decisions.md
"Citizen screens").
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, casework, citizens, clock, users
from ..access import allow
from ..db import get_db
from ..errors import Conflict, Forbidden, Invalid
from ..schemas.core import CitizenCloseIn, CitizenEditIn, CitizenIn, OutcomeIn
from ..users import CASE_ROLES
from . import bp
from .citizens import _citizen, _read, submit_on_citizen_page
from .forms import domain_errors, load

#: The details form's fields; a blank optional one clears the stored value.
DETAILS = ("display_name", "birth_year", "gender", "goal")


def _owners():
    """Whom a lead may make case owner of a new citizen (active workers and leads of the team)."""
    if current_user.role != "lead":
        return []
    return [m for m in users.team_members(get_db(), current_user.team_id) if m["role"] in CASE_ROLES]


@bp.route("/citizens/new", methods=["GET", "POST"])
@allow(*CASE_ROLES)
def new_citizen():
    """A new citizen in your team; a worker who creates one becomes its case owner."""
    if not access.may_work_cases(current_user):
        raise Forbidden()
    db = get_db()
    errors = {}
    if request.method == "POST":
        data, errors = load(CitizenIn(), request.form)
        if not errors:
            try:
                citizen = citizens.create(db, current_user, data)
            except Conflict as error:
                errors = {"case_ref": [str(error.message)]}
            except Invalid as error:
                errors = domain_errors(error)
            else:
                flash(_("Citizen %(ref)s is created.", ref=citizen["case_ref"]))
                return redirect(url_for("web.citizen_page", citizen_id=citizen["id"]))
    html = render_template(
        "citizen_form.html", citizen=None, form=request.form, errors=errors, owners=_owners(),
        genders=citizens.GENDERS, goals=citizens.GOALS,
    )
    return (html, 422) if errors else html


@bp.route("/citizens/<int:citizen_id>/edit", methods=["GET", "POST"])
@allow(*CASE_ROLES)
def edit_citizen(citizen_id):
    """Change the citizen's name, birth year, gender and goal (lead or case owner)."""
    db = get_db()
    citizen = _read(citizen_id, "edit_form") if request.method == "GET" else _citizen(citizen_id)
    if not access.may_edit_citizen(current_user, citizen):
        raise Forbidden()
    errors = {}
    if request.method == "POST":
        data, errors = load(CitizenEditIn(), request.form)
        if not errors:
            citizens.update(db, current_user, citizen, {key: data.get(key) for key in DETAILS})
            flash(_("The citizen's details are saved."))
            return redirect(url_for("web.citizen_page", citizen_id=citizen_id))
    html = render_template(
        "citizen_form.html", citizen=citizen, form=request.form if request.method == "POST" else citizen,
        errors=errors, owners=[], genders=citizens.GENDERS, goals=citizens.GOALS,
    )
    return (html, 422) if errors else html


@bp.route("/citizens/<int:citizen_id>/close", methods=["GET", "POST"])
@allow("lead")
def close_citizen(citizen_id):
    """Close the case, with a reason and the day it ended (leads)."""
    db = get_db()
    citizen = _read(citizen_id, "close_form") if request.method == "GET" else _citizen(citizen_id)
    errors = {}
    if request.method == "POST":
        data, errors = load(CitizenCloseIn(), request.form)
        if not errors:
            try:
                citizens.close(db, current_user, citizen, data)
            except Invalid as error:
                errors = domain_errors(error)
            else:
                flash(_("The case %(ref)s is closed.", ref=citizen["case_ref"]))
                return redirect(url_for("web.citizen_page", citizen_id=citizen_id))
    html = render_template(
        "citizen_close.html", citizen=citizen, form=request.form, errors=errors,
        reasons=citizens.CLOSE_REASONS, today=clock.today().isoformat(),
    )
    return (html, 422) if errors else html


@bp.route("/citizens/<int:citizen_id>/reopen", methods=["POST"])
@allow("lead")
def reopen_citizen(citizen_id):
    """Make a closed case active again (leads)."""
    citizen = citizens.reopen(get_db(), current_user, _citizen(citizen_id))
    flash(_("The case %(ref)s is active again.", ref=citizen["case_ref"]))
    return redirect(url_for("web.citizen_page", citizen_id=citizen_id))


@bp.route("/citizens/<int:citizen_id>/outcomes", methods=["POST"])
@allow(*CASE_ROLES)
def record_outcome(citizen_id):
    """What happened: job, flex job, education, none or other, and when (not in the future)."""
    citizen = _citizen(citizen_id)
    return submit_on_citizen_page(
        citizen, OutcomeIn(), lambda data: casework.record_outcome(get_db(), current_user, citizen, data),
        _("The outcome is recorded."), anchor="#outcomes",
    )
