"""Users and teams: creating them, loading them for Flask-Login, and the password hash.

Passwords are hashed with Werkzeug's scrypt. A user belongs to one team, except admins and
researchers, who may have none (DESIGN.md "Users and roles").
"""
import json
from dataclasses import dataclass

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock
from .db import transaction
from .errors import Conflict, Invalid, NotFound
from .sparring.rules import phase_minutes

ROLES = ("worker", "lead", "researcher", "admin")
#: Roles that work with cases (citizens, meetings, expectations).
CASE_ROLES = ("worker", "lead")
MIN_PASSWORD_LENGTH = 10

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


def change_password(db, actor_id, user_id, password):
    """Set a new password and end every session of the user (audited).

    :raises Invalid: the password is too short
    :raises NotFound: no such user
    """
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(errors={"password": [f"Use at least {MIN_PASSWORD_LENGTH} characters."]})
    if get(db, user_id) is None:
        raise NotFound()
    with transaction(db):
        db.execute(
            "UPDATE user SET password_hash = ? WHERE id = ?",
            [generate_password_hash(password, method="scrypt"), user_id],
        )
        end_sessions(db, user_id)
        audit.record(db, actor_id, "user.password", "user", user_id)


def deactivate(db, actor_id, user_id):
    """Deactivate a user and end every session of theirs (audited). :raises NotFound:"""
    if get(db, user_id) is None:
        raise NotFound()
    with transaction(db):
        db.execute("UPDATE user SET active = 0 WHERE id = ?", [user_id])
        end_sessions(db, user_id)
        audit.record(db, actor_id, "user.deactivate", "user", user_id)


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
    """Create a user; raises Invalid for a bad role/password, Conflict for a taken name."""
    if role not in ROLES:
        raise Invalid(errors={"role": [f"Must be one of: {', '.join(ROLES)}."]})
    if role in CASE_ROLES and team_id is None:
        raise Invalid(errors={"team": ["Workers and leads belong to a team."]})
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(errors={"password": [f"Use at least {MIN_PASSWORD_LENGTH} characters."]})
    if by_username(db, username) is not None:
        raise Conflict(f"The username {username!r} is taken.")
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
            audit.record(db, user.id, "team.update", "team", team["id"], changes)
    return get_team(db, team["id"])


def team_by_name(db, name):
    rows = list(db.query(f"SELECT {TEAM_COLUMNS} FROM team WHERE name = ?", [name]))
    return rows[0] if rows else None


def create_team(db, name, municipality, locale="da", **settings):
    if team_by_name(db, name) is not None:
        raise Conflict(f"A team called {name!r} exists.")
    row = {"name": name, "municipality": municipality, "locale": locale, "created_at": clock.timestamp()}
    row.update({k: v for k, v in settings.items() if v is not None})
    return db.table("team").insert(row).last_pk
