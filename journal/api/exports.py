"""Research exports: POST to make one, GET to download the zip (researchers of the study)."""
from pathlib import Path

from flask import current_app, send_file
from flask_login import current_user
from marshmallow import Schema, fields

from .. import audit, studies
from ..access import allow
from ..db import get_db, transaction
from ..errors import NotFound
from ..export import Options
from ..schemas import In, StrictBoolean, StrictInteger, Text, between
from .parsing import Blueprint

blp = Blueprint("api_exports", __name__, url_prefix="/api/v1/exports", description="Anonymised research exports")


class ExportIn(In):
    study = Text(120, required=True)
    free_text = StrictBoolean(load_default=False, metadata={"description": "include scrubbed free text"})
    k = StrictInteger(load_default=5, validate=between(2, 50), metadata={"description": "k-anonymity"})
    iso_week = StrictBoolean(load_default=False, metadata={"description": "add the ISO year-week of each citizen's first record"})
    study_key = fields.String(load_default=None, metadata={"description": "optional: the same key links exports on purpose"})
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


def exports_folder():
    return Path(current_app.instance_path) / "exports"


@blp.route("", methods=["POST"])
@allow("researcher")
@blp.arguments(ExportIn)
@blp.response(201, ExportOut)
def create_export(data):
    """Make an anonymised export of a study you are attached to (audited)."""
    db = get_db()
    study = studies.get(db, data["study"])
    if study is None:
        raise NotFound()
    studies.may_export(db, current_user, study)
    options = Options(free_text=data["free_text"], k=data["k"], iso_week=data["iso_week"], study_key=data["study_key"],
                      stats_files=data["stats_files"])
    return studies.run(db, current_user.id, study, options, exports_folder())


@blp.route("/<string:export_id>", methods=["GET"])
@allow("researcher")
def download_export(export_id):
    """The export's zip file (researchers of its study; audited)."""
    db = get_db()
    row = studies.get_export(db, export_id)
    if row is None:
        raise NotFound()
    studies.may_export(db, current_user, {"id": row["study_id"]})
    path = exports_folder() / row["file_name"]
    if not path.exists():
        raise NotFound()
    with transaction(db):
        audit.record(db, current_user.id, "export.download", "study", row["study_id"], {"export_id": export_id})
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=f"{row['study']}-{export_id[:8]}.zip")
