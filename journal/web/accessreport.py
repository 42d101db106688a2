"""The citizen-access report for leads: a printable page and the same report as a PDF."""
from flask import Response, url_for
from flask_login import current_user

from .. import accessreport, audit
from ..access import allow, citizen_for
from ..db import get_db, transaction
from . import bp


def _report(citizen_id, kind):
    """The gathered report for a citizen of the lead's team (not one they are recused from),
    with the making of it audited (the format, never the content)."""
    db = get_db()
    citizen = citizen_for(db, current_user, citizen_id)
    report = accessreport.gather(db, citizen)
    with transaction(db):
        audit.record(db, current_user.id, "citizen.access_report", "citizen", citizen_id, {"via": "web", "format": kind})
    return report


@bp.route("/citizens/<int:citizen_id>/access-report")
@allow("lead")
def access_report(citizen_id):
    """Everything stored about the citizen, as one printable document in the team's language."""
    pdf_url = url_for("web.access_report_pdf", citizen_id=citizen_id)
    return accessreport.to_html(_report(citizen_id, "html"), pdf_url=pdf_url)


@bp.route("/citizens/<int:citizen_id>/access-report.pdf")
@allow("lead")
def access_report_pdf(citizen_id):
    """The same report as a PDF download."""
    report = _report(citizen_id, "pdf")
    return Response(
        accessreport.to_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="access-report-{_safe(report.case_ref)}.pdf"'},
    )


def _safe(text):
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text) or "citizen"
