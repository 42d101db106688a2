"""Research exports (researchers of the study): POST queues a job (202), the job's status is
polled, GET downloads the zip when it is done. See docs/research-export.md.

GET /exports/{id} answers by the job's status: done → the zip (200, audited); queued or
running → 202 with the job; failed → 409 `export_failed`; expired → 410 `gone`.
"""
from flask import jsonify, send_file
from flask_babel import gettext as _
from flask_login import current_user

from .. import exportjobs, studies
from ..access import allow
from ..db import get_db
from ..errors import Conflict, Gone, NotFound
from ..schemas.exports import ExportIn, ExportOut
from . import ErrorSchema
from .parsing import Blueprint

blp = Blueprint("api_exports", __name__, url_prefix="/api/v1/exports", description="Anonymised research exports")

POLL_SECONDS = "2"
LOCATION = {"Location": {"description": "the export: GET it until it answers the zip", "schema": {"type": "string"}}}
RETRY = {"Retry-After": {"description": "seconds to wait before asking again", "schema": {"type": "integer"}}}


def _job(export_id):
    """The export if the current researcher may see it (404 otherwise, as if it did not exist)."""
    db = get_db()
    row = exportjobs.job(db, export_id)
    if row is None:
        raise NotFound()
    studies.may_export(db, current_user, {"id": row["study_id"]})
    return db, row


@blp.route("", methods=["POST"])
@allow("researcher")
@blp.arguments(ExportIn)
@blp.response(202, ExportOut, headers=LOCATION | RETRY, description="The export is queued: poll status_url, then GET download")
def create_export(data):
    """Queue an anonymised export of a study you are attached to (audited when it is written)."""
    job = studies.make_export(get_db(), current_user, data)
    return job, 202, {"Location": ExportOut().dump(job)["download"], "Retry-After": POLL_SECONDS}


@blp.route("/<string:export_id>/status", methods=["GET"])
@allow("researcher")
@blp.response(200, ExportOut)
def export_status(export_id):
    """The export job as it stands: status, progress, and when the zip expires."""
    return _job(export_id)[1]


@blp.route("/<string:export_id>", methods=["GET"])
@allow("researcher")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip",
              description="The zip, when the export is done (the download is audited)")
@blp.alt_response(202, schema=ExportOut, headers=RETRY, success=True, description="Not written yet: the job (poll it)")
@blp.alt_response(409, schema=ErrorSchema, description="export_failed: the export failed; make a new one")
@blp.alt_response(410, schema=ErrorSchema, description="gone: the export expired and its file is deleted")
def download_export(export_id):
    """The export's zip when it is done; otherwise what became of it."""
    db, job = _job(export_id)
    if job["status"] in exportjobs.UNFINISHED:
        return jsonify(ExportOut().dump(job)), 202, {"Retry-After": POLL_SECONDS}
    if job["status"] == "failed":
        raise Conflict(_("The export failed. Make a new one."), errors={"error": [job["error"]]}, code="export_failed")
    path = exportjobs.file_for_download(db, job, current_user.id) if job["status"] == "done" else None
    if path is None:
        raise Gone(_("This export has expired and its file is deleted. Make a new one."))
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=f"{job['study']}-{export_id[:8]}.zip")
