"""Users and teams: creating them, loading them for Flask-Login, and the password hash.

Passwords are hashed with Werkzeug's scrypt. A user belongs to one team, except admins and
researchers, who may have none (DESIGN.md "Users and roles").
"""
from dataclasses import dataclass

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .errors import Conflict, Invalid, NotFound

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
        )


USER_COLUMNS = "id, username, display_name, role, team_id, locale, active"


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


def team_members(db, team_id):
    return list(
        db.query(
            f"SELECT {USER_COLUMNS} FROM user WHERE team_id = ? AND active = 1 ORDER BY display_name",
            [team_id],
        )
    )


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


def team_by_name(db, name):
    rows = list(db.query(f"SELECT {TEAM_COLUMNS} FROM team WHERE name = ?", [name]))
    return rows[0] if rows else None


def create_team(db, name, municipality, locale="da", **settings):
    if team_by_name(db, name) is not None:
        raise Conflict(f"A team called {name!r} exists.")
    row = {"name": name, "municipality": municipality, "locale": locale, "created_at": clock.timestamp()}
    row.update({k: v for k, v in settings.items() if v is not None})
    return db.table("team").insert(row).last_pk
