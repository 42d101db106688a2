"""Research exports: POST to make one, GET to download the zip (researchers of the study)."""
from flask import send_file
from flask_login import current_user

from .. import studies
from ..access import allow
from ..db import get_db
from ..errors import NotFound
from ..schemas.exports import ExportIn, ExportOut
from .parsing import Blueprint

blp = Blueprint("api_exports", __name__, url_prefix="/api/v1/exports", description="Anonymised research exports")


@blp.route("", methods=["POST"])
@allow("researcher")
@blp.arguments(ExportIn)
@blp.response(201, ExportOut)
def create_export(data):
    """Make an anonymised export of a study you are attached to (audited)."""
    return studies.make_export(get_db(), current_user, data)


@blp.route("/<string:export_id>", methods=["GET"])
@allow("researcher")
def download_export(export_id):
    """The export's zip file (researchers of its study; audited)."""
    db = get_db()
    row = studies.get_export(db, export_id)
    if row is None:
        raise NotFound()
    studies.may_export(db, current_user, {"id": row["study_id"]})
    path = studies.exports_folder() / row["file_name"]
    if not path.exists():
        raise NotFound()
    studies.record_download(db, current_user, row)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=f"{row['study']}-{export_id[:8]}.zip")
