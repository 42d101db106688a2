"""Research studies: which teams are enrolled, which researchers may export them.

A researcher sees no citizen pages, names or free text (unless scrubbed): only exports of the
teams enrolled in a study they are attached to. Every export is audited — who, when, which
study, which options and which columns — never the data itself. The exports themselves are
background jobs: journal/exportjobs.py.
"""
from flask_babel import gettext as _

from . import audit, clock, export, exportjobs
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


def make_export(db, user, data):
    """Queue a researcher's export of a study they are attached to, from a validated ExportIn;
    returns the job's row (status queued). The zip is written in the background
    (journal/exportjobs.py), never inside the request.

    :raises NotFound: no such study, or the researcher is not attached to it
    :raises Forbidden: not a researcher
    :raises Invalid: k below the study's smallest k
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
    return exportjobs.start(db, user.id, study, options)
