"""Schemas of research: an export request and its answer, and an admin's study enrolment."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields

from ..config import LIMITS
from .fields import In, StrictBoolean, StrictInteger, Text, at_most, between


class ExportIn(In):
    study = Text(LIMITS["study_name"], required=True)
    free_text = StrictBoolean(load_default=False, metadata={"description": "include scrubbed free text"})
    k = StrictInteger(load_default=5, validate=between(2, 50), metadata={"description": "k-anonymity"})
    stats_files = StrictBoolean(load_default=False, metadata={"description": "also SPSS .sav and Stata .dta files with value labels"})


class ExportOut(Schema):
    id = fields.String()
    study = fields.String()
    created_at = fields.String()
    options = fields.Dict()
    summary = fields.Dict()
    sha256 = fields.String()
    download = fields.Method("_download")

    def _download(self, row):
        return f"/api/v1/exports/{row['id']}"


def at_least_one(value):
    if not value:
        raise ValidationError(str(_l("Enrol at least one team.")))


class StudyIn(In):
    """An admin enrols teams (by name) in a study and attaches researchers (by username)."""

    name = Text(LIMITS["study_name"], required=True)
    teams = fields.List(Text(LIMITS["team_name"], required=True), required=True, validate=[at_least_one, at_most(200)])
    researchers = fields.List(Text(LIMITS["username"], required=True), load_default=list, validate=at_most(200))
    min_k = StrictInteger(validate=between(2, 50), metadata={"description": "the smallest k its exports may use (default 5)"})
