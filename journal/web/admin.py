"""Admin screens: users, teams and the audit log; and a lead's team settings.

Thin views: load the form through its schema, call users.py / audit.py, render. Changes to a
user need the password typed in the last minutes (`fresh_required`); every change is audited
by the domain function. An admin sees no case content here: the audit log shows ids and
field names only (docs/decisions.md "Admin screens").
"""
from flask import Response, flash, redirect, render_template, url_for
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit, users
from ..access import allow, team_for
from ..config import LANGUAGES
from ..db import get_db
from ..errors import JournalError, NotFound
from ..schemas.admin import AuditFilterIn, PasswordResetIn, TeamIn, UserIn, UserRoleIn
from ..schemas.core import TeamPatch
from ..sessions import fresh_required
from ..sparring.rules import TIMED_PHASES, phase_minutes
from ..users import ROLES
from . import bp
from .forms import domain_errors, load, team_settings

AUDIT_PAGE_SIZE = 50


def _page(template, errors=None, status=None, **context):
    html = render_template(template, errors=errors or {}, form=request.form, roles=ROLES, languages=LANGUAGES, **context)
    return (html, status or 422) if errors else html


# --- users ---------------------------------------------------------------------------------


@bp.route("/admin/users")
@allow("admin")
def admin_users():
    """Every user: username, name, role, team, active."""
    return _page("admin_users.html", users=users.all_users(get_db()))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@allow("admin")
@fresh_required
def admin_user_new():
    """Create a user with an initial password."""
    db = get_db()
    errors, status = {}, None
    if request.method == "POST":
        data, errors = load(UserIn(), request.form)
        if not errors:
            try:
                user_id = users.add_user(db, current_user.id, data)
            except JournalError as error:
                errors, status = domain_errors(error), error.status
            else:
                flash(_("User %(name)s created.", name=data["username"]))
                return redirect(url_for("web.admin_user", user_id=user_id))
    return _page("admin_user_new.html", errors, status, teams=users.all_teams(db))


def _user_page(user_id, errors=None, status=None, which=None):
    db = get_db()
    user = users.get(db, user_id)
    if user is None:
        raise NotFound()
    return _page("admin_user.html", errors, status, user=user, which=which, teams=users.all_teams(db))


@bp.route("/admin/users/<int:user_id>")
@allow("admin")
@fresh_required
def admin_user(user_id):
    """One user: change role or team, set a new password, deactivate or reactivate."""
    return _user_page(user_id)


def _change(user_id, which, schema, act, done):
    """Run one change of a user from its form; back to the user's page, errors next to the form.

    A GET (the way back from /confirm-password after a stale POST) goes to the user's page.
    """
    if request.method == "GET":
        return redirect(url_for("web.admin_user", user_id=user_id))
    data, errors = load(schema, request.form) if schema else ({}, {})
    if errors:
        return _user_page(user_id, errors, 422, which)
    try:
        act(get_db(), data)
    except JournalError as error:
        if error.status == 404:
            raise
        return _user_page(user_id, domain_errors(error), error.status, which)
    flash(done)
    return redirect(url_for("web.admin_user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/role", methods=["GET", "POST"])
@allow("admin")
@fresh_required
def admin_user_role(user_id):
    """Give the user another role or team."""
    return _change(user_id, "role", UserRoleIn(),
                   lambda db, d: users.change_role(db, current_user.id, user_id, d["role"], d.get("team_id")),
                   _("Role and team saved."))


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@allow("admin")
@fresh_required
def admin_user_password(user_id):
    """Set a new initial password; the user's sessions end."""
    return _change(user_id, "password", PasswordResetIn(),
                   lambda db, d: users.change_password(db, current_user.id, user_id, d["password"], "user.password_reset"),
                   _("New password set. The user is logged out everywhere."))


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@allow("admin")
@fresh_required
def admin_user_deactivate(user_id):
    """Deactivate the user; their sessions end and they cannot log in."""
    return _change(user_id, "active", None, lambda db, d: users.deactivate(db, current_user.id, user_id),
                   _("User deactivated. They are logged out everywhere."))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@allow("admin")
@fresh_required
def admin_user_reactivate(user_id):
    """Let a deactivated user log in again."""
    return _change(user_id, "active", None, lambda db, d: users.reactivate(db, current_user.id, user_id),
                   _("User reactivated."))


# --- teams ---------------------------------------------------------------------------------


@bp.route("/admin/teams", methods=["GET", "POST"])
@allow("admin")
def admin_teams():
    """Every team with its settings; create a team."""
    db = get_db()
    errors, status = {}, None
    if request.method == "POST":
        data, errors = load(TeamIn(), request.form)
        if not errors:
            try:
                users.add_team(db, current_user.id, data)
            except JournalError as error:
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Team %(name)s created.", name=data["name"]))
                return redirect(url_for("web.admin_teams"))
    return _page("admin_teams.html", errors, status, teams=users.all_teams(db))


def _settings(team, action):
    """The settings form of *team*, saved through the API's TeamPatch and users.update_team."""
    errors = {}
    if request.method == "POST":
        data, errors = team_settings(TeamPatch(), request.form, TIMED_PHASES)
        if not errors:
            users.update_team(get_db(), current_user, team, data)
            flash(_("Team settings saved."))
            return redirect(action)
    return _page("team_settings.html", errors, team=team, minutes=phase_minutes(team), phases=TIMED_PHASES, action=action)


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
@allow("admin")
def admin_team(team_id):
    """An admin changes any team's thresholds, time boxes and language."""
    return _settings(users.get_team(get_db(), team_id), url_for("web.admin_team", team_id=team_id))


@bp.route("/team/settings", methods=["GET", "POST"])
@allow("lead")
def team_settings_page():
    """A lead changes their own team's thresholds, time boxes and language."""
    team = team_for(get_db(), current_user, current_user.team_id)
    return _settings(team, url_for("web.team_settings_page"))


# --- the audit log -------------------------------------------------------------------------


def _audit_filters():
    """(loaded filters, resolved filters, errors) from the query string."""
    data, errors = load(AuditFilterIn(), request.args)
    if errors:
        return {}, {}, errors
    return data, audit.resolve_filters(get_db(), data), {}


def _query(data):
    """The filters as query-string values (for the page links and the CSV link)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if k != "page" and v is not None}


@bp.route("/admin/audit")
@allow("admin")
def admin_audit():
    """The audit log, newest first, filtered by who, what, which citizen and when."""
    db = get_db()
    data, filters, errors = _audit_filters()
    page = data.get("page", 1)
    events, total = audit.search(db, filters, page, AUDIT_PAGE_SIZE) if not errors else ([], 0)
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    return _page("admin_audit.html", errors, events=events, total=total, page=page, pages=pages,
                 query=_query(data), filters=request.args, teams=users.all_teams(db))


@bp.route("/admin/audit.csv")
@allow("admin")
def admin_audit_csv():
    """The filtered events as CSV (the download is audited as audit.export)."""
    db = get_db()
    data, filters, errors = _audit_filters()
    if errors:
        return admin_audit()
    text = audit.csv_text(db, filters)
    audit.record_export(db, current_user.id, filters)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
