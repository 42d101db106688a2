"""The citizen-access report (aktindsigt / registerutdrag): everything stored about one citizen.

Why a module of its own: the report is a document to the citizen, not a screen for the team.
It is written in the *team's* language (the authority answers in its own language, whoever
asks for the report), and it names workers by role and team, never by name: caseworkers are
threatened and harassed, and what the citizen is owed is their own data, not the identity of
the employee who typed it (docs/access-report.md).

`gather()` reads the citizen's rows once and turns them into a `Report` of plain, already
translated strings: a title, a few facts and sections of entries with labelled fields. The
HTML document (templates/access_report.html) and the PDF (`to_pdf`) are two renderings of
that one object; neither knows anything about the domain.

What is in it and what is left out (and why) is in docs/access-report.md and
docs/decisions.md; the short version: every row that is about the citizen (the record,
meetings, expectations with their corrections, outcomes, sparring requests and cases,
actions) is in; the audit log, recusals and individual blind ratings are out.
"""
import json
import statistics
import unicodedata
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from . import clock, expectations, i18n, meetings, outcomes
from .clashes import source_name
from .sparring.rules import PHASES, REVEALED, request_detail
from .users import get_team


@dataclass
class Entry:
    """One record: a heading line and its labelled fields (empty values are left out)."""

    heading: str
    fields: list = field(default_factory=list)  # [(label, value)]
    note: str | None = None  # e.g. "corrected by a later entry"


@dataclass
class Section:
    key: str
    title: str
    entries: list
    empty: str
    intro: str | None = None


@dataclass
class Report:
    locale: str
    title: str
    intro: list  # paragraphs
    facts: list  # [(label, value)] about the document itself
    sections: list
    case_ref: str = ""


# --- gathering ---------------------------------------------------------------------------


def gather(db, citizen):
    """The report for *citizen* (a citizen row), in its team's language.

    Needs an application context (translations); works with or without a request.
    """
    team = get_team(db, citizen["team_id"])
    locale = team["locale"] or "da"
    with force_locale(locale):
        roles = _roles(db)
        entries = expectations.for_citizen(db, citizen["id"])
        meeting_rows = meetings.for_citizen(db, citizen["id"], entries)
        sections = [
            _citizen_section(citizen, team, roles),
            _meetings_section(meeting_rows, roles),
            _expectations_section(entries, roles),
            _outcomes_section(outcomes.for_citizen(db, citizen["id"]), roles),
            _sparring_section(db, citizen["id"], roles),
            _actions_section(db, citizen["id"], roles),
        ]
        return Report(
            locale=locale,
            title=_("Everything we have stored about you: %(ref)s", ref=citizen["case_ref"]),
            intro=[
                _("This is a copy of everything %(team)s (%(municipality)s) keeps about you in the expectation journal.",
                  team=team["name"], municipality=team["municipality"]),
                _("Employees are named by their role and team, not by name."),
            ],
            facts=[
                (_("Case reference"), citizen["case_ref"]),
                (_("Team"), f"{team['name']}, {team['municipality']}"),
                (_("Made on"), i18n.day(clock.today(), "long")),
            ],
            sections=sections,
            case_ref=citizen["case_ref"],
        )


def _roles(db):
    """user id -> "caseworker in Unge Silkeborg": role and team, never the name."""
    rows = db.query(
        "SELECT user.id, user.role, team.name AS team FROM user LEFT JOIN team ON team.id = user.team_id"
    )
    return {r["id"]: role_words(r["role"], r["team"]) for r in rows}


def role_words(role, team_name):
    """How the report names an employee: by role and team."""
    if not team_name:
        return _("an employee")
    if role == "lead":
        return _("team lead in %(team)s", team=team_name)
    if role == "worker":
        return _("caseworker in %(team)s", team=team_name)
    return _("employee in %(team)s", team=team_name)


def _who(roles, user_id):
    return roles.get(user_id) or _("an employee")


def _fields(*pairs):
    return [(label, str(value)) for label, value in pairs if value not in (None, "", [])]


def _scale(value):
    return _("%(value)s of 10 (%(words)s)", value=value, words=expectations.band_words(value))


def _citizen_section(citizen, team, roles):
    genders = {"female": _("Female"), "male": _("Male"), "other": _("Other"), "unknown": _("Not stated")}
    goals = {"job": _("Job"), "education": _("Education")}
    statuses = {"active": _("Active"), "closed": _("Closed")}
    entry = Entry(
        heading=citizen["case_ref"],
        fields=_fields(
            (_("Case reference"), citizen["case_ref"]),
            (_("Name"), citizen["display_name"]),
            (_("Birth year"), citizen["birth_year"]),
            (_("Gender"), genders.get(citizen["gender"], citizen["gender"])),
            (_("Goal"), goals.get(citizen["goal"], citizen["goal"])),
            (_("Status"), statuses.get(citizen["status"], citizen["status"])),
            (_("Closed on"), i18n.day(citizen["closed_at"][:10]) if citizen["closed_at"] else None),
            (_("Created on"), i18n.day(citizen["created_at"][:10]) if citizen["created_at"] else None),
            (_("Case owner"), _who(roles, citizen["primary_worker_id"]) if citizen["primary_worker_id"] else None),
        ),
    )
    return Section("citizen", _("Your record"), [entry], "")


def _mode(mode):
    words = {"in_person": _("In person"), "video": _("Video"), "phone": _("Phone"),
             "home_visit": _("Home visit"), "written": _("Written")}
    return words.get(mode, mode)


def _meetings_section(rows, roles):
    items = []
    for m in sorted(rows, key=lambda m: (m["held_on"], m["recorded_at"])):
        items.append(Entry(
            heading=f"{i18n.day(m['held_on'])} · {_mode(m['mode'])}",
            fields=_fields(
                (_("Held by"), _who(roles, m["worker_id"])),
                (_("Present"), ", ".join(source_name(p) for p in m["participants"])),
                (_("Note"), m["note"]),
                (_("The caseworker's reflection: what do I usually do here?"), m["reflection_usual"]),
                (_("The caseworker's reflection: what could I do differently?"), m["reflection_different"]),
                (_("How you explained your own situation"), m["citizen_explanation"]),
            ),
        ))
    return Section("meetings", _("Meetings"), items, _("No meetings are stored."))


def _expectations_section(entries, roles):
    confidences = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}
    contexts = {"meeting": _("At a meeting"), "sparring": _("After sparring with colleagues"), "update": _("An update between meetings")}
    by_id = {e["id"]: e for e in entries}
    items = []
    for e in entries:
        if e["source"] == "worker":
            whose = _("The view of a %(who)s", who=_who(roles, e["recorded_by"]))
        else:
            whose = source_name(e["source"], e["source_label"])
        note = None
        if e["superseded_by"]:
            note = _("Corrected: replaced by a later entry, shown below.")
        elif e["supersedes"] and e["supersedes"] in by_id:
            note = _("A correction of the entry of %(date)s.", date=i18n.day(by_id[e["supersedes"]]["observed_on"]))
        items.append(Entry(
            heading=f"{i18n.day(e['observed_on'])} · {whose}",
            fields=_fields(
                (_("Chance of job or education"), _scale(e["value"])),
                (_("How sure"), confidences.get(e["confidence"], e["confidence"])),
                (_("What the view rests on"), e["basis"]),
                (_("Recorded"), contexts.get(e["context"], e["context"])),
                (_("Recorded by"), _who(roles, e["recorded_by"])),
            ),
            note=note,
        ))
    return Section(
        "expectations", _("Expectations of your chance of job or education"), items,
        _("No expectations are stored."),
        intro=_("The scale runs from 0 (no realistic chance) to 10 (very likely). The words describe "
                "what the person believed, not you. A correction never deletes the old entry."),
    )


def _outcomes_section(rows, roles):
    kinds = {"job": _("Job"), "flex_job": _("Flex job"), "education": _("Education"), "none": _("None"), "other": _("Other")}
    items = [
        Entry(
            heading=f"{i18n.day(o['observed_on'])} · {kinds.get(o['kind'], o['kind'])}",
            fields=_fields((_("Note"), o["note"]), (_("Recorded by"), _who(roles, o["recorded_by"]))),
        )
        for o in sorted(rows, key=lambda o: o["observed_on"])
    ]
    return Section("outcomes", _("What happened"), items, _("No outcomes are stored."))


def _phase(phase):
    names = {"present": _("Presentation"), "blind_rating": _("Blind rating"), "reveal": _("Reveal"),
             "questions": _("Questions"), "reflections": _("Reflections"), "response": _("Response"),
             "actions": _("Actions"), "done": _("Done")}
    return names.get(phase, phase)


def _sparring_section(db, citizen_id, roles):
    statuses = {"open": _("Open"), "scheduled": _("Planned"), "done": _("Done"), "dismissed": _("Closed without sparring")}
    items = []
    for r in db.query(
        "SELECT id, citizen_id, requested_by, reason, detail, facts, status, created_at FROM sparring_request "
        "WHERE citizen_id = ? ORDER BY created_at, id", [citizen_id]
    ):
        items.append(Entry(
            heading=f"{i18n.day(r['created_at'][:10])} · {_('Request for sparring')}",
            fields=_fields(
                (_("Why"), request_detail(r, None, {})),
                (_("Requested by"), _who(roles, r["requested_by"])),
                (_("Status"), statuses.get(r["status"], r["status"])),
            ),
        ))
    cases = db.query(
        "SELECT c.id, c.phase, c.notes, c.owner_id, s.created_at, s.ended_at FROM sparring_case c "
        "JOIN sparring_session s ON s.id = c.session_id WHERE c.citizen_id = ? ORDER BY s.created_at, c.id",
        [citizen_id],
    )
    for case in cases:
        notes = json.loads(case["notes"] or "{}")
        labels = [(p, _("Note: %(phase)s", phase=_phase(p))) for p in PHASES] + [
            ("usual", _("Reflection: what do we usually do here?")),
            ("could", _("Reflection: what could we do differently?")),
        ]
        note_fields = [(label, notes.get(key)) for key, label in labels]
        ratings = [row[0] for row in db.execute("SELECT value FROM sparring_rating WHERE case_id = ?", [case["id"]])]
        items.append(Entry(
            heading=f"{i18n.day(case['created_at'][:10])} · {_('Sparring with colleagues')}",
            fields=_fields(
                (_("Case presented by"), _who(roles, case["owner_id"])),
                (_("Phase reached"), _phase(case["phase"])),
                (_("Colleagues' blind ratings"), _ratings_summary(ratings) if case["phase"] in REVEALED else None),
                *note_fields,
            ),
        ))
    return Section(
        "sparring", _("Sparring with colleagues"), items, _("No sparring is stored."),
        intro=_("Colleagues in the team talked your case over to see it with fresh eyes. Their blind "
                "ratings are shown as a summary, not one by one."),
    )


def _ratings_summary(values):
    if not values:
        return None
    if len(values) == 1:
        return _("1 rating: %(value)s of 10", value=values[0])
    return _("%(n)s ratings from %(low)s to %(high)s of 10, middle value %(median)s",
             n=len(values), low=min(values), high=max(values), median=i18n.decimal(statistics.median(values), 1))


def _actions_section(db, citizen_id, roles):
    items = []
    for a in db.query(
        "SELECT text, owner_id, due_on, done_on, created_at FROM action WHERE citizen_id = ? ORDER BY created_at, id",
        [citizen_id],
    ):
        items.append(Entry(
            heading=a["text"],
            fields=_fields(
                (_("Agreed on"), i18n.day(a["created_at"][:10]) if a["created_at"] else None),
                (_("Responsible"), _who(roles, a["owner_id"])),
                (_("Due"), i18n.day(a["due_on"]) if a["due_on"] else None),
                (_("Done"), i18n.day(a["done_on"]) if a["done_on"] else _("Not yet")),
            ),
        ))
    return Section("actions", _("Agreed actions"), items, _("No actions are stored."))


# --- rendering ---------------------------------------------------------------------------


def to_html(report, standalone=False, pdf_url=None):
    """The report as one printable HTML document.

    :param standalone: inline the print stylesheet (a file written by the command line);
        the app links it instead, because its CSP allows no inline styles
    :param pdf_url: where the app serves the same report as a PDF (a link hidden in print)
    """
    css = None
    if standalone:
        from pathlib import Path

        css = (Path(__file__).resolve().parent.parent / "static" / "report.css").read_text(encoding="utf-8")
    with force_locale(report.locale):
        return render_template("access_report.html", report=report, inline_css=css, pdf_url=pdf_url)


#: Characters outside Latin-1 that the PDF's core fonts cannot draw, and what to write instead.
PDF_REPLACEMENTS = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u2265": ">=", "\u2264": "<=", "\u2260": "!=", "\u2192": "->", "\u2190": "<-",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'",
    "\u2022": "-", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200b": "", "\u20ac": "EUR",
}


def latin1(text):
    """*text* drawable with the PDF core fonts: Danish and Swedish letters stay (they are in
    Latin-1); dashes, ellipses, quotes and signs become their ASCII spelling; other letters
    lose their accents; anything else becomes "?"."""
    out = []
    for char in str(text):
        if ord(char) < 256:
            out.append(char)
        elif char in PDF_REPLACEMENTS:
            out.append(PDF_REPLACEMENTS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


def to_pdf(report):
    """The report as PDF bytes (A4, fpdf2's core fonts, each section on a new page)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    with force_locale(report.locale):
        page_words = _("Page")

    class Document(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, latin1(f"{report.case_ref} · {page_words} {self.page_no()}/{{nb}}"), align="C")

    pdf = Document(format="A4")
    pdf.set_title(latin1(report.title))
    pdf.set_lang(report.locale)
    pdf.set_creator("Forventningsjournal")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)

    def line(text, size=10, style="", height=5, gap=0):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if gap:
            pdf.ln(gap)

    pdf.add_page()
    line(report.title, 16, "B", 8, 2)
    for paragraph in report.intro:
        line(paragraph, gap=1)
    for label, value in report.facts:
        line(f"{label}: {value}")
    for section in report.sections:
        if section.key != "citizen":
            pdf.add_page()
        else:
            pdf.ln(4)
        line(section.title, 13, "B", 7, 1)
        if section.intro:
            line(section.intro, 9, "I", 5, 2)
        if not section.entries:
            line(section.empty)
        for entry in section.entries:
            line(entry.heading, 10, "B", 5)
            if entry.note:
                line(entry.note, 9, "I")
            for label, value in entry.fields:
                line(f"{label}: {value}", 10)
            pdf.ln(3)
    return bytes(pdf.output())
