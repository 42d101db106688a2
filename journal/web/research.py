"""Pages for researchers (exports of their studies) and admins (study enrolment)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import exportjobs, studies, users
from ..access import allow
from ..datadict import TABLES
from ..db import get_db
from ..errors import JournalError
from ..schemas.exports import ExportIn, StudyIn
from . import bp
from .forms import domain_errors, load


def _research_page(errors=None):
    db = get_db()
    html = render_template(
        "research.html",
        studies=studies.for_researcher(db, current_user.id),
        exports=exportjobs.recent(db, current_user.id),
        errors=errors or {},
        form=request.form,
    )
    return (html, 422) if errors else html


@bp.route("/research")
@allow("researcher")
def research():
    """A researcher's studies, the export form, and their exports as they stand (a reload, or
    static/js/research.js, shows the progress of unfinished ones)."""
    return _research_page()


@bp.route("/research/exports", methods=["POST"])
@allow("researcher")
def research_export():
    """Start an anonymised export of one of your studies (a background job); back to the page."""
    data, errors = load(ExportIn(), request.form)
    if errors:
        return _research_page(errors)
    try:
        studies.make_export(get_db(), current_user, data)
    except JournalError as error:
        if error.status == 404:
            return _research_page({"study": [_("No such study.")]})
        if error.status == 422:
            return _research_page(domain_errors(error))
        raise
    flash(_("Export started. Below you can follow it and download it when it is ready."))
    return redirect(url_for("web.research"))


@bp.route("/research/about")
@allow("researcher", "admin")
def research_docs():
    """What an export holds, column by column: the codebook as a page."""
    return render_template("research_about.html", tables=TABLES)


@bp.route("/admin/studies", methods=["GET", "POST"])
@allow("admin")
def admin_studies():
    """Enrol teams in a named study and attach researchers."""
    db = get_db()
    errors = {}
    if request.method == "POST":
        data, errors = load(StudyIn(), request.form)
        if not errors:
            try:
                studies.upsert(db, current_user.id, data["name"], data["teams"], data["researchers"], data.get("min_k"))
            except JournalError as error:
                errors = domain_errors(error)
            else:
                flash(_("Study %(name)s saved.", name=data["name"]))
                return redirect(url_for("web.admin_studies"))
    html = render_template(
        "admin_studies.html",
        studies=studies.all_studies(db),
        teams=users.team_names(db),
        researchers=users.researchers(db),
        errors=errors,
        form=request.form,
    )
    return (html, 422) if errors else html
