"""Sparring pages: the queue, the session runner (lead and participants' phones), actions."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from .. import sparring, users
from ..access import allow
from ..api.sparring import ActionIn, RatingIn, RevisionIn, SessionIn
from ..db import get_db
from ..errors import Invalid
from ..users import CASE_ROLES
from . import bp
from .forms import number, optional


def _running_sessions(db, user):
    return list(
        db.query(
            "SELECT s.id, s.title, s.created_at, s.lead_id FROM sparring_session s "
            "LEFT JOIN sparring_participant p ON p.session_id = s.id AND p.user_id = ? "
            "WHERE s.team_id = ? AND s.status = 'running' AND (p.user_id IS NOT NULL OR s.lead_id = ?) "
            "ORDER BY s.id DESC",
            [user.id, user.team_id, user.id],
        )
    )


def _messages(error):
    out = []
    for value in (error.messages if isinstance(error, ValidationError) else error.errors).values():
        out.extend(value if isinstance(value, list) else [str(value)])
    return " ".join(map(str, out))


@bp.route("/sparring")
@allow(*CASE_ROLES)
def sparring_queue():
    """The team's sparring queue; leads start sessions from it."""
    db = get_db()
    team = users.get_team(db, current_user.team_id)
    return render_template(
        "sparring_queue.html",
        queue=sparring.queue(db, current_user, team),
        members=users.team_members(db, current_user.team_id),
        sessions=_running_sessions(db, current_user),
    )


@bp.route("/sparring/sessions", methods=["POST"])
@allow("lead")
def start_session():
    db = get_db()
    body = {
        "participant_ids": [number(v) for v in request.form.getlist("participant_ids")],
        "request_ids": [number(v) for v in request.form.getlist("request_ids")],
    }
    if optional(request.form.get("title")):
        body["title"] = request.form["title"]
    try:
        data = SessionIn().load(body)
        session_id, excluded = sparring.create_session(db, current_user, data["participant_ids"], data["request_ids"], data.get("title"))
    except (ValidationError, Invalid) as error:
        flash(_("The session could not start:") + " " + _messages(error), "error")
        return redirect(url_for("web.sparring_queue"))
    for person in excluded:
        flash(_("%(name)s is recused from one of the cases and will not see it.", name=person["display_name"]))
    return redirect(url_for("web.sparring_session", session_id=session_id))


@bp.route("/sparring/requests/<int:request_id>/dismiss", methods=["POST"])
@allow("lead")
def dismiss_request(request_id):
    reason = optional(request.form.get("reason"))
    if not reason:
        flash(_("Give a reason for dismissing the request."), "error")
    else:
        sparring.dismiss(get_db(), current_user, request_id, reason[:500])
        flash(_("The request was dismissed."))
    return redirect(url_for("web.sparring_queue"))


@bp.route("/sparring/sessions/<int:session_id>")
@allow(*CASE_ROLES)
def sparring_session(session_id):
    """The session runner: phases with a timer for the lead, blind rating on each phone."""
    db = get_db()
    view = sparring.session_view(db, current_user, session_id)
    return render_template(
        "sparring_session.html",
        session=view,
        members=users.team_members(db, current_user.team_id),
        phases=sparring.PHASES,
        new_id=str(uuid.uuid4()),
    )


def _back(session_id, anchor="current"):
    return redirect(url_for("web.sparring_session", session_id=session_id) + "#" + anchor)


@bp.route("/sparring/sessions/<int:session_id>/advance", methods=["POST"])
@allow("lead")
def advance_case(session_id):
    try:
        sparring.advance(get_db(), current_user, session_id, int(request.form.get("case_id", "0") or 0))
    except Invalid as error:
        flash(_messages(error), "error")
    return _back(session_id)


@bp.route("/sparring/sessions/<int:session_id>/rate", methods=["POST"])
@allow(*CASE_ROLES)
def rate_case(session_id):
    try:
        data = RatingIn().load({"case_id": number(request.form.get("case_id")), "value": number(request.form.get("value"))})
        sparring.rate(get_db(), current_user, session_id, data["case_id"], data["value"])
    except (ValidationError, Invalid) as error:
        flash(_messages(error), "error")
    return _back(session_id)


@bp.route("/sparring/sessions/<int:session_id>/notes", methods=["POST"])
@allow("lead")
def case_notes(session_id):
    notes = {key: request.form[key].strip()[:1000] for key in sparring.PHASES + ("usual", "could") if key in request.form}
    sparring.set_notes(get_db(), current_user, session_id, int(request.form.get("case_id", "0") or 0), notes)
    flash(_("Notes saved."))
    return _back(session_id)


@bp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/revision", methods=["POST"])
@allow(*CASE_ROLES)
def revise_case(session_id, case_id):
    body = {"id": request.form.get("id", ""), "value": number(request.form.get(f"value-{case_id}")), "confidence": request.form.get("confidence") or "medium"}
    if optional(request.form.get("basis")):
        body["basis"] = request.form["basis"]
    try:
        data = RevisionIn().load(body)
        sparring.revise(get_db(), current_user, session_id, case_id, dict(data, id=str(data["id"])))
        flash(_("Your revised expectation is saved."))
    except (ValidationError, Invalid) as error:
        flash(_messages(error), "error")
    return _back(session_id)


@bp.route("/sparring/sessions/<int:session_id>/cases/<int:case_id>/actions", methods=["POST"])
@allow("lead")
def add_case_action(session_id, case_id):
    body = {"text": request.form.get("text", ""), "owner_id": number(request.form.get("owner_id")), "due_on": optional(request.form.get("due_on"))}
    try:
        data = ActionIn().load(body)
        sparring.add_action(get_db(), current_user, session_id, case_id, data)
        flash(_("Action added."))
    except (ValidationError, Invalid) as error:
        flash(_messages(error), "error")
    return _back(session_id)


@bp.route("/actions")
@allow(*CASE_ROLES)
def actions():
    """My actions, due and overdue; leads also see the team's overdue ones."""
    db = get_db()
    team = sparring.team_overdue(db, current_user) if current_user.role == "lead" else None
    return render_template("actions.html", mine=sparring.my_actions(db, current_user), team=team)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@allow(*CASE_ROLES)
def action_done(action_id):
    sparring.mark_done(get_db(), current_user, action_id, request.form.get("done", "1") == "1")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/citizens/") else url_for("web.actions"))
