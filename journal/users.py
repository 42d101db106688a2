"""Users and teams: creating them, loading them for Flask-Login, and the password hash.

Passwords are hashed with Werkzeug's scrypt; every new password passes journal/passwords.py
first (long enough, not easy to guess for this user). A user belongs to one team, except admins and
researchers, who may have none (DESIGN.md "Users and roles").
"""
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock, passwords, summaries
from .db import transaction
from .errors import Conflict, Invalid, NotFound
from .sparring.rules import phase_minutes

ROLES = ("worker", "lead", "researcher", "admin")
#: Roles that work with cases (citizens, meetings, expectations).
CASE_ROLES = ("worker", "lead")
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH

#: A fixed hash to compare against when the username is unknown, so that a login for a
#: missing user takes as long as one with a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


@dataclass
class User(UserMixin):
    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    locale: str | None
    active: int = 1
    #: Bumped on logout, password change and deactivation: older session cookies stop working.
    session_generation: int = 0

    @property
    def is_active(self):
        return bool(self.active)

    @property
    def works_cases(self):
        return self.role in CASE_ROLES

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            role=row["role"],
            team_id=row["team_id"],
            locale=row["locale"],
            active=row["active"],
            session_generation=row.get("session_generation", 0),
        )


USER_COLUMNS = "id, username, display_name, role, team_id, locale, active, session_generation"


def get(db, user_id):
    rows = list(db.query(f"SELECT {USER_COLUMNS} FROM user WHERE id = ?", [user_id]))
    return User.from_row(rows[0]) if rows else None


def by_username(db, username):
    rows = list(
        db.query(f"SELECT {USER_COLUMNS}, password_hash FROM user WHERE username = ?", [username])
    )
    return rows[0] if rows else None


def check_password(row, password):
    """Constant-work password check; *row* may be None for an unknown username."""
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(row["password_hash"], password)


def end_sessions(db, user_id):
    """Bump the user's session generation: every session cookie issued before is refused from
    the next request on (journal/sessions.py). Call inside the caller's transaction."""
    db.execute("UPDATE user SET session_generation = session_generation + 1 WHERE id = ?", [user_id])


def change_password(db, actor_id, user_id, password, action="user.password"):
    """Set a new password and end every session of the user (audited, never the password).

    :param action: "user.password" (the user's own change) or "user.password_reset" (an
        admin sets a new initial password)
    :raises Invalid: the password breaks the policy (journal/passwords.py)
    :raises NotFound: no such user
    """
    user = get(db, user_id)
    if user is None:
        raise NotFound()
    check_new_password(db, password, user.username, user.display_name, user.team_id)
    with transaction(db):
        db.execute(
            "UPDATE user SET password_hash = ? WHERE id = ?",
            [generate_password_hash(password, method="scrypt"), user_id],
        )
        end_sessions(db, user_id)
        audit.record(db, actor_id, action, "user", user_id)


def check_new_password(db, password, username, display_name=None, team_id=None):
    """The password policy with the user's context: their names and their team's, if any.

    :raises Invalid: the password is too short, too long or easy to guess for this user
    """
    team = db.execute("SELECT name, municipality FROM team WHERE id = ?", [team_id]).fetchone() if team_id else None
    passwords.check(
        password, username=username, display_name=display_name,
        team_name=team[0] if team else None, municipality=team[1] if team else None,
    )


def _active_admins(db):
    return db.execute("SELECT count(*) FROM user WHERE role = 'admin' AND active = 1").fetchone()[0]


def _keep_an_admin(db, actor_id, user):
    """The rules that keep the journal administrable (docs/decisions.md "Admin screens").

    :raises Conflict: *user* is the actor themselves, or the last active admin
    """
    if user.id == actor_id:
        raise Conflict(_("You cannot do this to your own user. Ask another admin."), code="own_user")
    if user.role == "admin" and user.active and _active_admins(db) <= 1:
        raise Conflict(_("This is the last active admin. Make another admin first."), code="last_admin")


def deactivate(db, actor_id, user_id):
    """Deactivate a user and end every session of theirs (audited).

    :raises NotFound: no such user
    :raises Conflict: deactivating yourself or the last active admin
    """
    user = get(db, user_id)
    if user is None:
        raise NotFound()
    _keep_an_admin(db, actor_id, user)
    with transaction(db):
        db.execute("UPDATE user SET active = 0 WHERE id = ?", [user_id])
        end_sessions(db, user_id)
        audit.record(db, actor_id, "user.deactivate", "user", user_id)


def reactivate(db, actor_id, user_id):
    """Let a deactivated user log in again (audited). :raises NotFound:"""
    if get(db, user_id) is None:
        raise NotFound()
    with transaction(db):
        db.execute("UPDATE user SET active = 1 WHERE id = ?", [user_id])
        audit.record(db, actor_id, "user.reactivate", "user", user_id)


def _check_team(db, role, team_id):
    """:raises Invalid: a worker or lead without a team, or a team that does not exist"""
    if role in CASE_ROLES and team_id is None:
        raise Invalid(errors={"team_id": [_("Workers and leads belong to a team.")]})
    if team_id is not None and not db.execute("SELECT 1 FROM team WHERE id = ?", [team_id]).fetchone():
        raise Invalid(errors={"team_id": [_("No such team.")]})


def change_role(db, actor_id, user_id, role, team_id=None):
    """Give a user another role or team (audited with the old and new values).

    :raises NotFound: no such user
    :raises Invalid: a bad role or team
    :raises Conflict: your own role, or the last active admin's
    """
    user = get(db, user_id)
    if user is None:
        raise NotFound()
    if role not in ROLES:
        raise Invalid(errors={"role": [_("Must be one of: %(choices)s.", choices=", ".join(ROLES))]})
    _check_team(db, role, team_id)
    if (role, team_id) == (user.role, user.team_id):
        return user
    if role != user.role:
        _keep_an_admin(db, actor_id, user)
    with transaction(db):
        db.execute("UPDATE user SET role = ?, team_id = ? WHERE id = ?", [role, team_id, user_id])
        audit.record(db, actor_id, "user.role", "user", user_id, {
            "role": [user.role, role], "team_id": [user.team_id, team_id],
        })
    return get(db, user_id)


def add_user(db, actor_id, data):
    """An admin creates a user from a loaded UserIn (audited: role and team, never the password).

    :raises Invalid: a bad role, team or password
    :raises Conflict: the username is taken
    """
    _check_team(db, data["role"], data.get("team_id"))
    with transaction(db):
        user_id = create_user(
            db, data["username"], data["password"], data["role"], data.get("team_id"),
            data.get("display_name"), data.get("locale"),
        )
        audit.record(db, actor_id, "user.create", "user", user_id, {"role": data["role"], "team_id": data.get("team_id")})
    return user_id


def all_users(db):
    """Every user with their team's name, for the admin's list (no password hashes)."""
    return list(
        db.query(
            "SELECT u.id, u.username, u.display_name, u.role, u.team_id, u.locale, u.active, t.name AS team_name "
            "FROM user u LEFT JOIN team t ON t.id = u.team_id ORDER BY u.active DESC, u.username"
        )
    )


def all_teams(db):
    """Every team with its settings and how many active users it has (admin's list)."""
    return list(
        db.query(
            f"SELECT {', '.join('t.' + c.strip() for c in TEAM_COLUMNS.split(','))}, "
            "(SELECT count(*) FROM user u WHERE u.team_id = t.id AND u.active = 1) AS members "
            "FROM team t ORDER BY t.name"
        )
    )


def user_id_by_username(db, username):
    row = db.execute("SELECT id FROM user WHERE username = ?", [username]).fetchone()
    return row[0] if row else None


def team_members(db, team_id):
    return list(
        db.query(
            f"SELECT {USER_COLUMNS} FROM user WHERE team_id = ? AND active = 1 ORDER BY display_name",
            [team_id],
        )
    )


def display_names(db, team_id):
    """User id → display name for everyone who is or was in the team (to name a worker's
    view inside the team; never shown outside it, never exported)."""
    return {row[0]: row[1] for row in db.execute("SELECT id, display_name FROM user WHERE team_id = ?", [team_id])}


def active_members(db, team_id, user_ids):
    """The active workers and leads of the team among *user_ids*, by id (sparring, actions)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    return {
        row["id"]: row
        for row in db.query(
            f"SELECT id, display_name, role FROM user WHERE id IN ({marks}) AND team_id = ? AND active = 1 "
            f"AND role IN ({','.join('?' * len(CASE_ROLES))})",
            [*user_ids, team_id, *CASE_ROLES],
        )
    }


def set_locale(db, user_id, locale):
    """Remember a user's chosen language."""
    with transaction(db):
        db.execute("UPDATE user SET locale = ? WHERE id = ?", [locale, user_id])


def researchers(db):
    """Usernames of active researchers (to attach to a study)."""
    return [r[0] for r in db.execute("SELECT username FROM user WHERE role = 'researcher' AND active = 1 ORDER BY username")]


def team_names(db):
    return [r[0] for r in db.execute("SELECT name FROM team ORDER BY name")]


def create_user(db, username, password, role, team_id=None, display_name=None, locale=None):
    """Create a user; raises Invalid for a bad role or a password the policy refuses
    (journal/passwords.py), Conflict for a taken name."""
    if role not in ROLES:
        raise Invalid(errors={"role": [f"Must be one of: {', '.join(ROLES)}."]})
    if role in CASE_ROLES and team_id is None:
        raise Invalid(errors={"team": ["Workers and leads belong to a team."]})
    check_new_password(db, password, username, display_name, team_id)
    if by_username(db, username) is not None:
        message = _("The username %(name)s is taken.", name=username)
        raise Conflict(message, errors={"username": [message]})
    return db.table("user").insert(
        {
            "username": username,
            "display_name": display_name or username,
            "password_hash": generate_password_hash(password, method="scrypt"),
            "role": role,
            "team_id": team_id,
            "locale": locale,
            "active": 1,
            "created_at": clock.timestamp(),
        }
    ).last_pk


TEAM_COLUMNS = "id, name, municipality, gap_threshold, drop_threshold, stale_low_days, locale, phase_minutes"


def get_team(db, team_id):
    rows = list(db.query(f"SELECT {TEAM_COLUMNS} FROM team WHERE id = ?", [team_id]))
    if not rows:
        raise NotFound()
    return rows[0]


def update_team(db, user, team, changes):
    """A lead changes the team's thresholds, language or sparring time boxes (audited).

    Time boxes are merged into the ones already set, so changing one phase keeps the others.
    """
    if changes:
        changes = dict(changes)
        if "phase_minutes" in changes:
            changes["phase_minutes"] = json.dumps(dict(phase_minutes(team), **changes["phase_minutes"]))
        with transaction(db):
            db.table("team").update(team["id"], changes)
            if {"gap_threshold", "drop_threshold", "stale_low_days"} & set(changes):
                summaries.refresh_team(db, team["id"])
            audit.record(db, user.id, "team.update", "team", team["id"], changes)
    return get_team(db, team["id"])


def team_by_name(db, name):
    rows = list(db.query(f"SELECT {TEAM_COLUMNS} FROM team WHERE name = ?", [name]))
    return rows[0] if rows else None


def create_team(db, name, municipality, locale="da", **settings):
    if team_by_name(db, name) is not None:
        message = _("A team called %(name)s exists.", name=name)
        raise Conflict(message, errors={"name": [message]})
    row = {"name": name, "municipality": municipality, "locale": locale, "created_at": clock.timestamp()}
    row.update({k: v for k, v in settings.items() if v is not None})
    return db.table("team").insert(row).last_pk


def add_team(db, actor_id, data):
    """An admin creates a team from a loaded TeamIn (audited). :raises Conflict: the name is taken"""
    with transaction(db):
        team_id = create_team(db, data["name"], data["municipality"], data["locale"])
        audit.record(db, actor_id, "team.create", "team", team_id, {"locale": data["locale"]})
    return team_id
