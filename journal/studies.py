"""Research studies: which teams are enrolled, which researchers may export them, and exports.

A researcher sees no citizen pages, names or free text (unless scrubbed): only exports of the
teams enrolled in a study they are attached to. Every export is audited — who, when, which
study, which options and which columns — never the data itself.
"""
import hashlib
import json
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from . import audit, clock, export
from .db import transaction
from .errors import Forbidden, Invalid, NotFound


def get(db, name):
    rows = list(db.query("SELECT * FROM study WHERE name = ?", [name]))
    return rows[0] if rows else None


def upsert(db, actor_id, name, team_names, researcher_names, min_k=None):
    """Create or update a study: its enrolled teams and researchers are exactly those given.

    :param min_k: the smallest k its exports may use (admins; None keeps it, 5 for a new study)
    """
    teams, researchers = [], []
    for team_name in team_names:
        row = db.execute("SELECT id FROM team WHERE name = ?", [team_name]).fetchone()
        if not row:
            raise Invalid(errors={"teams": [_("No team called %(name)s.", name=team_name)]})
        teams.append(row[0])
    for username in researcher_names:
        row = db.execute("SELECT id, role FROM user WHERE username = ?", [username]).fetchone()
        if not row or row[1] != "researcher":
            raise Invalid(errors={"researchers": [_("%(name)s is not a researcher.", name=username)]})
        researchers.append(row[0])
    with transaction(db):
        study = get(db, name)
        study_id = study["id"] if study else db.table("study").insert({"name": name, "created_at": clock.timestamp()}).last_pk
        db.execute("DELETE FROM study_team WHERE study_id = ?", [study_id])
        db.execute("DELETE FROM study_researcher WHERE study_id = ?", [study_id])
        db.table("study_team").insert_all({"study_id": study_id, "team_id": t} for t in dict.fromkeys(teams))
        db.table("study_researcher").insert_all({"study_id": study_id, "user_id": r} for r in dict.fromkeys(researchers))
        if min_k is not None:
            db.execute("UPDATE study SET min_k = ? WHERE id = ?", [min_k, study_id])
        audit.record(db, actor_id, "study.update", "study", study_id,
                     {"teams": len(teams), "researchers": len(researchers), "min_k": min_k})
    return study_id


def for_researcher(db, user_id):
    return list(
        db.query(
            "SELECT s.id, s.name, s.min_k, (SELECT COUNT(*) FROM study_team t WHERE t.study_id = s.id) AS teams "
            "FROM study s JOIN study_researcher r ON r.study_id = s.id WHERE r.user_id = ? ORDER BY s.name",
            [user_id],
        )
    )


def all_studies(db):
    studies = list(db.query("SELECT * FROM study ORDER BY name"))
    for s in studies:
        s["teams"] = [r[0] for r in db.execute("SELECT team.name FROM study_team JOIN team ON team.id = study_team.team_id WHERE study_id = ? ORDER BY team.name", [s["id"]])]
        s["researchers"] = [r[0] for r in db.execute("SELECT user.username FROM study_researcher JOIN user ON user.id = study_researcher.user_id WHERE study_id = ? ORDER BY user.username", [s["id"]])]
    return studies


def may_export(db, user, study):
    if user.role != "researcher":
        raise Forbidden(_("Only researchers attached to the study can export it."))
    attached = db.execute(
        "SELECT 1 FROM study_researcher WHERE study_id = ? AND user_id = ?", [study["id"], user.id]
    ).fetchone()
    if not attached:
        raise NotFound()


def exports_folder():
    """Where export zips are written: instance/exports (readable by the app's user only)."""
    return Path(current_app.instance_path) / "exports"


def make_export(db, user, data):
    """A researcher's export of a study they are attached to, from a validated ExportIn.

    :raises NotFound: no such study, or the researcher is not attached to it
    :raises Forbidden: not a researcher
    """
    study = get(db, data["study"])
    if study is None:
        raise NotFound()
    may_export(db, user, study)
    if data["k"] < study["min_k"]:
        raise Invalid(errors={"k": [_("This study's exports need k of at least %(min)s.", min=study["min_k"])]})
    options = export.Options(
        free_text=data["free_text"], k=data["k"],
        stats_files=data["stats_files"],
    )
    return run(db, user.id, study, options, exports_folder())


def recent_exports(db, user_id, limit=20):
    """The researcher's latest exports, newest first (the research page)."""
    return list(
        db.query(
            "SELECT e.id, e.created_at, e.options, study.name AS study FROM export e JOIN study ON study.id = e.study_id "
            "WHERE e.user_id = ? ORDER BY e.created_at DESC LIMIT ?",
            [user_id, limit],
        )
    )


def record_download(db, user, row):
    """Audit that *user* downloaded the export *row*."""
    with transaction(db):
        audit.record(db, user.id, "export.download", "study", row["study_id"], {"export_id": row["id"]})


def run(db, user_id, study, options, folder):
    """Write an export zip under *folder*, record and audit it; returns the export row."""
    export_id = str(uuid.uuid4())
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{export_id}.zip"
    with open(path, "wb") as out:
        summary = export.write(db, study["id"], options, out, current_app.config["SECRET_KEY"])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    public_options = {"free_text": options.free_text, "k": options.k,
                      "stats_files": options.stats_files}
    with transaction(db):
        db.table("export").insert(
            {
                "id": export_id,
                "study_id": study["id"],
                "user_id": user_id,
                "created_at": clock.timestamp(),
                "options": json.dumps(public_options),
                "summary": json.dumps({k: v for k, v in summary.items() if k != "columns"}),
                "file_name": path.name,
                "sha256": digest,
            }
        )
        audit.record(
            db, user_id, "export.create", "study", study["id"],
            {"export_id": export_id, "options": public_options, "columns": summary["columns"]},
        )
    return get_export(db, export_id)


def get_export(db, export_id):
    rows = list(db.query("SELECT e.*, study.name AS study FROM export e JOIN study ON study.id = e.study_id WHERE e.id = ?", [export_id]))
    if not rows:
        return None
    row = rows[0]
    row["options"] = json.loads(row["options"])
    row["summary"] = json.loads(row["summary"])
    return row
