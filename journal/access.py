"""Who may see and do what: roles, team scope and recusal, decided here and nowhere else.

Every view declares its audience with `@allow(*roles)` or `@public`; the gate (a
before_request hook) refuses a view that declared nothing, so a forgotten declaration fails
closed. The gate checks, in order: logged in (401; `session_expired` when the cookie's
session was ended or timed out, journal/sessions.py), CSRF on unsafe methods (400), role
(403), and for `@fresh_required` views a password typed in the last minutes (401
`fresh_login_required`). Object-level rules — same team, not recused — are `citizen_for()` and
`visible_citizens_sql()`, which every citizen route and list uses.

A citizen outside the user's team, or one the user is recused from, is answered exactly as
a citizen that does not exist (404): the response must not reveal that the case exists.
"""
from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from . import audit, sessions
from .db import transaction
from .errors import Forbidden, JournalError, NotFound
from .users import CASE_ROLES, get_team

csrf = CSRFProtect()

#: Endpoints of extensions that are public by nature (static files, the OpenAPI document).
PUBLIC_ENDPOINTS = {"static", "api-docs.openapi_json"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Unauthorized(JournalError):
    status = 401
    code = "unauthorized"


def allow(*roles):
    """Declare the roles that may use a view. Checked by the gate, before the view runs."""
    def mark(view):
        view._journal_roles = frozenset(roles)
        return view

    return mark


def public(view):
    """Declare a view open to anyone (login, health, the app shell)."""
    view._journal_roles = None
    return view


def csrf_exempt(view):
    """Exempt a view from CSRF. Only the JSON login, which has no session to protect yet."""
    view._journal_csrf_exempt = True
    return view


def declared_roles(view):
    """(declared, roles): roles is None for a public view."""
    if not hasattr(view, "_journal_roles"):
        return False, None
    return True, view._journal_roles


def gate():
    """before_request: enforce the view's declaration; see module docstring."""
    if request.endpoint is None:
        return None  # 404/405 from routing
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    declared, roles = declared_roles(view)
    if not declared:
        raise Forbidden()
    if roles is not None and not current_user.is_authenticated:
        raise sessions.ended_error() if sessions.ended() else Unauthorized()
    if request.method in UNSAFE and not getattr(view, "_journal_csrf_exempt", False):
        csrf.protect()
    if roles is not None and current_user.role not in roles:
        raise Forbidden()
    if sessions.needs_fresh(view) and not sessions.is_fresh():
        raise sessions.fresh_error()
    return None


# --- object level -----------------------------------------------------------------------


def may_work_cases(user):
    return user.is_authenticated and user.role in CASE_ROLES and user.team_id is not None


def is_recused(db, citizen_id, user_id):
    return bool(
        list(
            db.query(
                "SELECT 1 FROM recusal WHERE citizen_id = ? AND user_id = ? AND lifted_at IS NULL",
                [citizen_id, user_id],
            )
        )
    )


def citizen_for(db, user, citizen_id):
    """The citizen row if *user* may work on it.

    :raises Forbidden: the user's role does not work with cases (researcher, admin)
    :raises NotFound: no such citizen, another team's, or the user is recused from it
    """
    if not may_work_cases(user):
        raise Forbidden()
    rows = list(db.query("SELECT * FROM citizen WHERE id = ?", [citizen_id]))
    if not rows or rows[0]["team_id"] != user.team_id or is_recused(db, citizen_id, user.id):
        raise NotFound()
    return rows[0]


#: Citizen fields a case owner may change; everything else is a lead's (docs/decisions.md
#: "Citizen screens"): closing starts the retention clock and handing over moves the case.
OWNER_FIELDS = frozenset({"case_ref", "display_name", "birth_year", "gender", "goal"})


def may_edit_citizen(user, citizen):
    """Details (name, birth year, gender, goal): the team's lead or the case owner."""
    return user.role == "lead" or citizen["primary_worker_id"] == user.id


def may_close_citizen(user):
    """Closing and reopening a case is a lead's decision."""
    return user.role == "lead"


def check_citizen_change(user, citizen, fields):
    """:raises Forbidden: *user* may not change these *fields* of *citizen* (already reached
    through citizen_for, so team and recusal are checked)."""
    fields = set(fields)
    if fields - OWNER_FIELDS:
        if user.role != "lead":
            raise Forbidden()
    elif fields and not may_edit_citizen(user, citizen):
        raise Forbidden()


def read_citizen(db, user, citizen_id, what):
    """The citizen row for a screen or response that shows its data, with the read audited.

    Every read of a citizen goes through here or `record_citizen_read` (DESIGN.md: every
    view of a citizen is in the audit log); *what* names the screen or resource.
    """
    citizen = citizen_for(db, user, citizen_id)
    record_citizen_read(db, user, citizen_id, what)
    return citizen


def record_citizen_read(db, user, citizen_id, what, once_per=None):
    """Audit that *user* saw the citizen's data on *what*.

    :param once_per: a small dict (e.g. ``{"case_id": 7}``): record only the first such read,
        for screens that refresh themselves (a sparring session polls every few seconds)
    """
    detail = {"what": what, **(once_per or {})}
    # committed before the page is sent, without waiting for the disk: docs/decisions.md
    # "Read audits"
    with transaction(db, synced=False):
        if once_per and audit.exists(db, user.id, "citizen.view", "citizen", citizen_id, detail):
            return
        audit.record(db, user.id, "citizen.view", "citizen", citizen_id, detail)


def visible_citizens_sql(user, alias="citizen"):
    """WHERE clause and params for the citizens *user* may see: own team, minus recusals."""
    if not may_work_cases(user):
        return "0", []
    return (
        f"{alias}.team_id = ? AND {alias}.id NOT IN "
        "(SELECT citizen_id FROM recusal WHERE user_id = ? AND lifted_at IS NULL)",
        [user.team_id, user.id],
    )


def team_for(db, user, team_id):
    """A team the user belongs to (team overviews); another team is 404."""
    if not may_work_cases(user):
        raise Forbidden()
    if team_id != user.team_id:
        raise NotFound()
    return get_team(db, team_id)


def session_for(db, user, session_id):
    """A sparring session the user takes part in (its lead or a participant).

    :raises Forbidden: roles that never take part (researchers, admins)
    :raises NotFound: no such session, or the user is not in it
    """
    if not may_work_cases(user):
        raise Forbidden()
    rows = list(db.query("SELECT * FROM sparring_session WHERE id = ?", [session_id]))
    if not rows or rows[0]["team_id"] != user.team_id:
        raise NotFound()
    member = db.execute(
        "SELECT 1 FROM sparring_participant WHERE session_id = ? AND user_id = ?", [session_id, user.id]
    ).fetchone()
    if not member and rows[0]["lead_id"] != user.id:
        raise NotFound()
    return rows[0]


def _in_team(db, user, citizen_id):
    row = db.execute("SELECT team_id FROM citizen WHERE id = ?", [citizen_id]).fetchone()
    return row is not None and row[0] == user.team_id and not is_recused(db, citizen_id, user.id)


def request_for(db, user, request_id):
    """A sparring request on a citizen of the user's team that they are not recused from.

    :raises NotFound: otherwise, exactly as for a request that does not exist
    """
    rows = list(db.query("SELECT * FROM sparring_request WHERE id = ?", [request_id]))
    if not may_work_cases(user) or not rows or not _in_team(db, user, rows[0]["citizen_id"]):
        raise NotFound()
    return rows[0]


def open_request_or_none(db, user, request_id):
    """An open request the user may take into a session, or None."""
    try:
        request = request_for(db, user, request_id)
    except NotFound:
        return None
    return request if request["status"] == "open" else None


def action_for(db, user, action_id):
    """An action on a citizen of the user's team that they are not recused from.

    :raises NotFound: otherwise
    """
    rows = list(db.query("SELECT * FROM action WHERE id = ?", [action_id]))
    if not may_work_cases(user) or not rows or not _in_team(db, user, rows[0]["citizen_id"]):
        raise NotFound()
    return rows[0]


def require_lead(user):
    if user.role != "lead":
        raise Forbidden()


def init_app(app):
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # the gate calls csrf.protect() itself
    csrf.init_app(app)
    app.before_request(gate)
