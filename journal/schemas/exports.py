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
    """An export job: poll `status_url` until `status` is done, then GET `download` (the zip)."""

    id = fields.String()
    study = fields.String(metadata={"description": "the study's name"})
    status = fields.String(metadata={
        "enum": ["queued", "running", "done", "failed", "expired"],
        "description": "queued → running → done (the zip can be downloaded until expires_at) or failed; "
                       "done becomes expired when the file is deleted",
    })
    progress = fields.Integer(metadata={"minimum": 0, "maximum": 100, "description": "per cent; 100 when done"})
    rows = fields.Integer(attribute="rows_done", metadata={"description": "rows written so far"})
    created_at = fields.String()
    updated_at = fields.String(metadata={"description": "last sign of life of the job (its heartbeat)"})
    finished_at = fields.String(allow_none=True)
    expires_at = fields.String(metadata={"description": "when the zip is deleted (EXPORT_DAYS after it was asked for)"})
    error = fields.String(allow_none=True, metadata={"description": "when failed: interrupted, no_space or export_error"})
    options = fields.Dict()
    summary = fields.Dict(allow_none=True, metadata={"description": "when done: rows per table, k, suppressed, generalised"})
    sha256 = fields.String(allow_none=True, metadata={"description": "when done: of the zip"})
    download = fields.Method("_download", metadata={"description": "GET this for the zip (when done)"})
    status_url = fields.Method("_status_url", metadata={"description": "GET this for the job (poll it)"})

    def _download(self, row):
        return f"/api/v1/exports/{row['id']}"

    def _status_url(self, row):
        return f"/api/v1/exports/{row['id']}/status"


def at_least_one(value):
    if not value:
        raise ValidationError(str(_l("Enrol at least one team.")))


class StudyIn(In):
    """An admin enrols teams (by name) in a study and attaches researchers (by username)."""

    name = Text(LIMITS["study_name"], required=True)
    teams = fields.List(Text(LIMITS["team_name"], required=True), required=True, validate=[at_least_one, at_most(200)])
    researchers = fields.List(Text(LIMITS["username"], required=True), load_default=list, validate=at_most(200))
    min_k = StrictInteger(validate=between(2, 50), metadata={"description": "the smallest k its exports may use (default 5)"})
