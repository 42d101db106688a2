"""Pages for researchers (exports of their studies) and admins (study enrolment)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from .. import studies
from ..access import allow
from ..api.exports import ExportIn, exports_folder
from ..db import get_db
from ..errors import JournalError
from ..export import Options
from . import bp
from .forms import number


@bp.route("/research")
@allow("researcher")
def research():
    """A researcher's studies, the export form, and their earlier exports."""
    db = get_db()
    mine = list(
        db.query(
            "SELECT e.id, e.created_at, e.options, study.name AS study FROM export e JOIN study ON study.id = e.study_id "
            "WHERE e.user_id = ? ORDER BY e.created_at DESC LIMIT 20",
            [current_user.id],
        )
    )
    return render_template("research.html", studies=studies.for_researcher(db, current_user.id), exports=mine)


@bp.route("/research/exports", methods=["POST"])
@allow("researcher")
def research_export():
    db = get_db()
    body = {
        "study": request.form.get("study", ""),
        "free_text": request.form.get("free_text") == "1",
        "iso_week": request.form.get("iso_week") == "1",
        "stats_files": request.form.get("stats_files") == "1",
        "k": number(request.form.get("k") or "5"),
    }
    try:
        data = ExportIn().load(body)
        study = studies.get(db, data["study"])
        if study is None:
            raise JournalError(_("No such study."))
        studies.may_export(db, current_user, study)
        row = studies.run(db, current_user.id, study, Options(free_text=data["free_text"], k=data["k"], iso_week=data["iso_week"], stats_files=data["stats_files"]), exports_folder())
    except ValidationError as error:
        detail = " ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in error.messages.items())
        flash(_("The export could not be made.") + " " + detail, "error")
        return redirect(url_for("web.research"))
    except JournalError as error:
        flash(_("The export could not be made.") + " " + str(error.message or ""), "error")
        return redirect(url_for("web.research"))
    flash(_("Export ready: %(rows)s citizens, %(suppressed)s left out for k-anonymity.", rows=row["summary"]["rows"]["citizens"], suppressed=row["summary"]["suppressed"]))
    return redirect(url_for("web.research"))


@bp.route("/research/about")
@allow("researcher", "admin")
def research_docs():
    """What an export holds, column by column: the codebook as a page."""
    from ..datadict import TABLES

    return render_template("research_about.html", tables=TABLES)


@bp.route("/admin/studies", methods=["GET", "POST"])
@allow("admin")
def admin_studies():
    """Enrol teams in a named study and attach researchers."""
    db = get_db()
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:120]
        teams = request.form.getlist("teams")
        researchers = request.form.getlist("researchers")
        if not name or not teams:
            flash(_("Give the study a name and enrol at least one team."), "error")
        else:
            try:
                studies.upsert(db, current_user.id, name, teams, researchers)
                flash(_("Study %(name)s saved.", name=name))
            except JournalError as error:
                flash(" ".join(" ".join(v) for v in error.errors.values()) or str(error.message), "error")
        return redirect(url_for("web.admin_studies"))
    return render_template(
        "admin_studies.html",
        studies=studies.all_studies(db),
        teams=[r[0] for r in db.execute("SELECT name FROM team ORDER BY name")],
        researchers=[r[0] for r in db.execute("SELECT username FROM user WHERE role = 'researcher' AND active = 1 ORDER BY username")],
    )
