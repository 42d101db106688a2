"""Schemas of the admin screens: users, teams and the audit-log filters.

Team settings (thresholds, sparring time boxes, language) are the API's TeamPatch
(journal/schemas/core.py), for leads and admins alike.
"""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from ..config import LANGUAGES, LIMITS
from ..users import CASE_ROLES, MIN_PASSWORD_LENGTH, ROLES
from .fields import In, IsoDate, StrictInteger, Text, between, one_of

USERNAME = validate.Regexp(
    r"^[a-z0-9][a-z0-9._-]*$",
    error=_l("Use lowercase letters, digits, dot, dash or underscore."),
)


def _password():
    return fields.String(
        required=True,
        validate=validate.Length(
            min=MIN_PASSWORD_LENGTH, max=LIMITS["password"], error=_l("Between {min} and {max} characters.")
        ),
        metadata={"description": "an initial password the user changes; never stored in the audit log"},
    )


class _RoleTeam(In):
    role = fields.String(required=True, validate=one_of(ROLES))
    team_id = StrictInteger(allow_none=True, metadata={"description": "required for workers and leads"})

    @validates_schema
    def _team_for_case_roles(self, data, **kwargs):
        if data.get("role") in CASE_ROLES and data.get("team_id") is None:
            raise ValidationError(str(_l("Workers and leads belong to a team.")), "team_id")


class UserIn(_RoleTeam):
    """An admin creates a user."""

    username = Text(LIMITS["username"], required=True, validate=USERNAME)
    display_name = Text(LIMITS["display_name"], required=True)
    locale = fields.String(validate=one_of(LANGUAGES))
    password = _password()


class UserRoleIn(_RoleTeam):
    """An admin changes a user's role or team."""


class PasswordResetIn(In):
    """An admin sets a new initial password (the user's sessions end)."""

    password = _password()


class TeamIn(In):
    """An admin creates a team."""

    name = Text(LIMITS["team_name"], required=True)
    municipality = Text(LIMITS["municipality"], required=True)
    locale = fields.String(required=True, validate=one_of(LANGUAGES))


class AuditFilterIn(In):
    """The audit-log viewer's filters: who, what, which citizen, when."""

    username = Text(LIMITS["username"])
    action = Text(64)
    citizen_id = StrictInteger(validate=between(1, 2**63 - 1))
    case_ref = Text(LIMITS["case_ref"])
    team_id = StrictInteger()
    date_from = IsoDate()
    date_to = IsoDate()
    page = StrictInteger(load_default=1, validate=between(1, 100_000))

    @validates_schema
    def _ref_needs_team(self, data, **kwargs):
        if data.get("case_ref") and data.get("team_id") is None:
            raise ValidationError(str(_l("Choose the team the case reference belongs to.")), "team_id")
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(str(_l("The end date is before the start date.")), "date_to")
