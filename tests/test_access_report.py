"""The citizen-access report (aktindsigt / registerutdrag), checked as the citizen and a
threatened caseworker would check it: everything about the citizen is in it, no worker's name
is, nothing about another citizen is, and it speaks the team's language.

Works on the demo data (demo.seed) with one Danish citizen given everything the demo leaves
out (a finished sparring case with notes and blind ratings, an outcome note, the citizen's own
explanation at a meeting, a corrected entry) and another citizen given a marker text that
must not appear.
"""
import io
import json
import os
import re
import sqlite3
import stat
import uuid
from types import SimpleNamespace

import pytest
from markupsafe import escape

from journal import accessreport, audit, clock, demo
from journal.db import connect, migrate, transaction

from . import factories
from .conftest import Session

DA_REF, SV_REF, OTHER_REF = "SIL-0014", "MAL-0006", "SIL-0001"
DA_TEAM, SV_TEAM = demo.DA, demo.SV
OTHERS_TEXT = "zebrafinkenes hemmelighed"
EXPLANATION = "Jeg vil gerne prøve et praktikforløb – gerne på et lager… hvis det er ≥ 10 timer."
NOTES = {"present": "Sagen fremlagt: ønsker lagerarbejde", "questions": "Hvad siger lægen om ryggen?",
         "usual": "Vi plejer at vente på lægen", "could": "Tage kontakt til en virksomhed nu"}
OUTCOME_NOTE = "Startet i praktik på et lager i Kjellerup"


def plant(db):
    """Give DA_REF a sparring case, an outcome note and an explanation; OTHER_REF a marker."""
    ids = {r[0]: r[1] for r in db.execute("SELECT case_ref, id FROM citizen")}
    users = {r[0]: r[1] for r in db.execute("SELECT username, id FROM user")}
    da_team = db.execute("SELECT id FROM team WHERE name = ?", [DA_TEAM]).fetchone()[0]
    now = clock.timestamp()
    with transaction(db):
        meeting = db.execute("SELECT id FROM meeting WHERE citizen_id = ? ORDER BY held_on DESC", [ids[DA_REF]]).fetchone()[0]
        db.execute("UPDATE meeting SET citizen_explanation = ? WHERE id = ?", [EXPLANATION, meeting])
        db.table("outcome").insert(
            {"id": str(uuid.uuid4()), "citizen_id": ids[DA_REF], "kind": "education", "observed_on": clock.today().isoformat(),
             "note": OUTCOME_NOTE, "recorded_by": users["mads"], "recorded_at": now, "content_hash": "planted"}
        )
        session_id = db.table("sparring_session").insert(
            {"team_id": da_team, "lead_id": users["lea"], "title": "Tirsdag", "status": "done", "created_at": now, "ended_at": now}
        ).last_pk
        case_id = db.table("sparring_case").insert(
            {"session_id": session_id, "citizen_id": ids[DA_REF], "owner_id": users["mads"], "position": 0,
             "phase": "done", "notes": json.dumps(NOTES, ensure_ascii=False)}
        ).last_pk
        for rater, value in (("lea", 4), ("sara", 7), ("mads", 5)):
            db.table("sparring_rating").insert({"case_id": case_id, "user_id": users[rater], "value": value, "rated_at": now})
        db.execute("UPDATE meeting SET note = COALESCE(note, '') || ? WHERE citizen_id = ?", [" " + OTHERS_TEXT, ids[OTHER_REF]])
        db.execute("UPDATE expectation SET basis = ? WHERE citizen_id = ?", [OTHERS_TEXT, ids[OTHER_REF]])


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "demo.db"
    database = connect(str(path))
    migrate(database)
    with factories.shared_password_hashes():
        demo.seed(database)
    plant(database)
    database.close()
    return path


@pytest.fixture
def ddb(app, demo_template):
    """A private copy of the planted demo database behind *app*."""
    source = sqlite3.connect(str(demo_template))
    target = sqlite3.connect(app.config["DATABASE"])
    source.backup(target)
    source.close()
    target.close()
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


def citizen(db, case_ref):
    return next(iter(db.query("SELECT * FROM citizen WHERE case_ref = ?", [case_ref])))


def report_html(app, db, case_ref):
    with app.app_context():
        return accessreport.to_html(accessreport.gather(db, citizen(db, case_ref)), standalone=True)


def report_pdf(app, db, case_ref):
    with app.app_context():
        return accessreport.to_pdf(accessreport.gather(db, citizen(db, case_ref)))


def pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())  # lines wrap anywhere: compare words, not lines


def worker_needles(db):
    """Every worker's username and display name, and each name's parts of 3+ letters."""
    needles = set()
    for username, display in db.execute("SELECT username, display_name FROM user"):
        for name in (username, display):
            needles.add(name)
            needles.update(part for part in name.split() if len(part) >= 3)
    return sorted(needles)


def names_in(text, needles):
    return sorted({n for n in needles if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE)})


def citizen_texts(db, citizen_id):
    """Every free text stored about the citizen."""
    texts = []
    for sql in (
        "SELECT note FROM meeting WHERE citizen_id = ?",
        "SELECT citizen_explanation FROM meeting WHERE citizen_id = ?",
        "SELECT basis FROM expectation WHERE citizen_id = ?",
        "SELECT source_label FROM expectation WHERE citizen_id = ?",
        "SELECT note FROM outcome WHERE citizen_id = ?",
        "SELECT text FROM action WHERE citizen_id = ?",
    ):
        texts += [row[0] for row in db.execute(sql, [citizen_id]) if row[0]]
    return texts


# --- the content -------------------------------------------------------------------------------


def test_every_text_stored_about_the_citizen_is_in_the_report(app, ddb):
    c = citizen(ddb, DA_REF)
    html = report_html(app, ddb, DA_REF)
    texts = citizen_texts(ddb, c["id"]) + list(NOTES.values())
    assert len(texts) > 10  # meetings, bases, the outcome, actions and the sparring notes
    missing = [t for t in texts if str(escape(t)) not in html]
    assert missing == []
    assert str(escape(EXPLANATION)) in html
    assert html.count('class="report-section') == 6


def test_no_worker_is_named_in_the_html_or_the_pdf(app, ddb):
    needles = worker_needles(ddb)
    html = report_html(app, ddb, DA_REF)
    _reader, text = pdf_text(report_pdf(app, ddb, DA_REF))
    assert names_in(html, needles) == []
    assert names_in(text, needles) == []
    # ... they are named by role and team instead
    assert "sagsbehandler i Unge Silkeborg" in html
    assert "sagsbehandler i Unge Silkeborg" in text


def test_nothing_about_another_citizen_is_in_the_report(app, ddb):
    html = report_html(app, ddb, DA_REF)
    _reader, text = pdf_text(report_pdf(app, ddb, DA_REF))
    other = citizen(ddb, OTHER_REF)
    assert OTHERS_TEXT not in html and OTHERS_TEXT not in text
    assert OTHER_REF not in html
    assert other["display_name"] not in html


def test_blind_ratings_are_a_summary_once_revealed(app, ddb):
    html = report_html(app, ddb, DA_REF)
    assert "3 vurderinger fra 4 til 7 ud af 10, midterværdi 5" in html
    with transaction(ddb):
        ddb.execute("UPDATE sparring_case SET phase = 'blind_rating'")
    html = report_html(app, ddb, DA_REF)
    assert "3 vurderinger" not in html
    assert "<dt>Kollegernes blinde vurderinger</dt>" not in html


def test_a_correction_is_shown_as_such(app, ddb):
    html = report_html(app, ddb, "SIL-0007")  # the demo's corrected doctor's view
    assert "Rettet: erstattet af en senere registrering" in html
    assert "En rettelse af registreringen fra" in html


def test_danish_team_danish_words_swedish_team_swedish_words(app, ddb):
    da = report_html(app, ddb, DA_REF)
    sv = report_html(app, ddb, SV_REF)
    assert '<html lang="da">' in da and '<html lang="sv">' in sv
    assert "Alt, hvad vi har registreret om dig: SIL-0014" in da
    assert "Forventninger til din chance for job eller uddannelse" in da
    assert "Allt vi har registrerat om dig: MAL-0006" in sv
    assert "Förväntningar på din chans till arbete eller utbildning" in sv
    assert "handläggare i Etablering Malmö" in sv
    assert "Nils" not in sv and "nils" not in sv


def test_the_pdf_is_a_pdf_with_a_page_per_section(app, ddb):
    data = report_pdf(app, ddb, DA_REF)
    assert data.startswith(b"%PDF")
    reader, text = pdf_text(data)
    assert len(reader.pages) >= 6
    assert "Alt, hvad vi har registreret om dig" in text
    assert OUTCOME_NOTE in text
    assert "praktikforløb - gerne på et lager... hvis det er >= 10 timer" in text  # mapped to Latin-1


@pytest.mark.parametrize(
    "text, drawn",
    [
        ("Søren Åse Ærø, Jönköping", "Søren Åse Ærø, Jönköping"),
        ("4–6 … ≥ 7 ≤ 3 “ja” ‘nej’ • 5 €", "4-6 ... >= 7 <= 3 \"ja\" 'nej' - 5 EUR"),
        ("Łódź Čačak", "?ódz Cacak"),
        ("🙂 ok", "? ok"),
        ("1\u202f000", "1 000"),
    ],
)
def test_pdf_text_is_mapped_to_what_the_core_fonts_draw(text, drawn):
    assert accessreport.latin1(text) == drawn
    drawn.encode("latin-1")


def test_characters_outside_latin1_do_not_break_the_pdf(app, ddb):
    with transaction(ddb):
        ddb.execute("UPDATE outcome SET note = ? WHERE note = ?", ["Łódź 🙂 – ok", OUTCOME_NOTE])
    _reader, text = pdf_text(report_pdf(app, ddb, DA_REF))
    assert "?ódz ? - ok" in text


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".html", ".pdf"])
def test_cli_writes_the_report_readable_by_its_user_only_and_audits(app, ddb, runner, tmp_path, suffix):
    out = tmp_path / f"report{suffix}"
    out.write_bytes(b"old")
    out.chmod(0o644)
    result = runner.invoke(args=["journal", "access-report", DA_REF, "--team", DA_TEAM, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    data = out.read_bytes()
    if suffix == ".pdf":
        assert data.startswith(b"%PDF")
    else:
        assert b"<style>" in data and b"Alt, hvad vi har registreret om dig" in data
        assert b"/static/" not in data  # self-contained
    [event] = audit.events(ddb, action="citizen.access_report")
    assert event["user_id"] is None
    assert event["object_id"] == str(citizen(ddb, DA_REF)["id"])
    assert event["detail"] == {"via": "cli", "format": suffix[1:]}


@pytest.mark.parametrize(
    "args, message",
    [
        ([DA_REF, "--team", DA_TEAM, "--out", "report.txt"], ".html or .pdf"),
        ([DA_REF, "--team", "Nowhere", "--out", "report.pdf"], "No team called"),
        ([SV_REF, "--team", DA_TEAM, "--out", "report.pdf"], "No citizen"),
    ],
)
def test_cli_refuses_bad_arguments_and_writes_nothing(ddb, runner, tmp_path, monkeypatch, args, message):
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = runner.invoke(args=["journal", "access-report", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert list(folder.iterdir()) == []
    assert audit.events(ddb, action="citizen.access_report") == []


# --- the lead's screen ---------------------------------------------------------------------------


def log_in(app, username):
    session = Session(app.test_client(), SimpleNamespace(username=username))
    session.login(password=demo.PASSWORD)
    return session


def test_a_lead_gets_the_printable_page_and_the_pdf_and_both_are_audited(app, ddb):
    lea = log_in(app, "lea")
    c = citizen(ddb, DA_REF)
    page = lea.get(f"/citizens/{c['id']}")
    assert f'href="/citizens/{c["id"]}/access-report"' in page.get_data(as_text=True)
    html = lea.get(f"/citizens/{c['id']}/access-report")
    assert html.status_code == 200
    body = html.get_data(as_text=True)
    assert "Alt, hvad vi har registreret om dig" in body
    assert '<nav' not in body and "report.css" in body
    assert html.headers["Cache-Control"] == "no-store"
    assert names_in(body, worker_needles(ddb)) == []
    pdf = lea.get(f"/citizens/{c['id']}/access-report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert 'filename="access-report-SIL-0014.pdf"' in pdf.headers["Content-Disposition"]
    lead_id = ddb.execute("SELECT id FROM user WHERE username = 'lea'").fetchone()[0]
    events = audit.events(ddb, action="citizen.access_report")
    assert [(e["user_id"], e["detail"]) for e in events] == [
        (lead_id, {"via": "web", "format": "pdf"}), (lead_id, {"via": "web", "format": "html"})
    ]


def test_a_worker_is_refused_and_sees_no_link(app, ddb):
    mads = log_in(app, "mads")
    c = citizen(ddb, DA_REF)
    assert "access-report" not in mads.get(f"/citizens/{c['id']}").get_data(as_text=True)
    assert mads.get(f"/citizens/{c['id']}/access-report").status_code == 403
    assert mads.get(f"/citizens/{c['id']}/access-report.pdf").status_code == 403
    assert audit.events(ddb, action="citizen.access_report") == []


def test_another_teams_lead_and_a_recused_lead_get_404(app, ddb):
    sv_team = ddb.execute("SELECT id FROM team WHERE name = ?", [SV_TEAM]).fetchone()[0]
    factories.make_user(ddb, "lead", sv_team, "svlead", password=demo.PASSWORD)
    da = citizen(ddb, DA_REF)
    other = log_in(app, "svlead")
    assert other.get(f"/citizens/{da['id']}/access-report").status_code == 404
    assert other.get(f"/citizens/{da['id']}/access-report.pdf").status_code == 404
    lead_id = ddb.execute("SELECT id FROM user WHERE username = 'lea'").fetchone()[0]
    with transaction(ddb):
        ddb.table("recusal").insert(
            {"citizen_id": da["id"], "user_id": lead_id, "declared_by": lead_id, "created_at": clock.timestamp()}
        )
    lea = log_in(app, "lea")
    assert lea.get(f"/citizens/{da['id']}/access-report").status_code == 404
    assert lea.get(f"/citizens/{da['id']}/access-report.pdf").status_code == 404
    assert audit.events(ddb, action="citizen.access_report") == []
