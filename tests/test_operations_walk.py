"""Issue 12's walk, end to end at phone size (360×640): an admin sets up a team and its lead;
the lead creates a citizen, logs a meeting, records an outcome, produces the citizen-access
report (no worker named in it) and closes the case; two years and a day later `retention`
leaves no row of the citizen anywhere."""
from datetime import timedelta

import pytest

from journal import clock, retention
from journal.db import connect

from .test_admin_browser import add_team, fill_new_user
from .test_browser import log_in, no_overflow, shot

pytestmark = pytest.mark.browser

PASSWORD = "nord-lead-start-pw"


def test_from_a_new_team_to_a_deleted_case(app, demo_server, browser, monkeypatch):
    base, _ = demo_server
    admin = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK").new_page()
    log_in(admin, base, "adam")
    add_team(admin, "Jobteam Nord", "Aalborg")
    fill_new_user(admin, "nora", "Nora Nordahl", "lead", "Jobteam Nord", PASSWORD)
    admin.click("#user-form button.primary")
    admin.wait_for_selector("#user-summary")
    admin.context.close()

    lead = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK").new_page()
    lead.goto(base + "/login")
    lead.fill("#username", "nora")
    lead.fill("#password", PASSWORD)
    lead.click("button.primary")
    lead.wait_for_url(lambda url: "/login" not in url)
    lead.goto(base + "/citizens")
    lead.click("#new-citizen")
    lead.fill("#case_ref", "NORD-0001")
    shot(lead, "17-new-citizen")
    lead.fill("#birth_year", "1996")
    lead.click("label[for=gender-male]")
    lead.click("label[for=goal-job]")
    lead.click("#citizen-form button.primary")
    lead.wait_for_selector("h1:has-text('NORD-0001')")
    citizen_url = lead.url
    lead.click("text=Registrér møde")
    lead.wait_for_selector("#meeting-form")
    lead.click("label[for=own_value-4]")
    lead.click("#save")
    lead.wait_for_selector("#result")
    lead.goto(citizen_url)
    lead.click("#outcomes summary")
    lead.click("label[for=outcome-job]")
    lead.fill("#outcome-note", "Fastansat på lageret fra 1. marts")
    lead.click("#outcome-form button[type=submit]")
    lead.wait_for_selector("#outcomes li")

    lead.click("a[href$='/access-report']")
    report = lead.inner_text("body")
    assert "NORD-0001" in report and "Fastansat på lageret" in report
    assert "Jobteam Nord" in report  # workers are named by role and team …
    assert "Nora" not in report and "nora" not in report  # … never by name
    no_overflow(lead)
    shot(lead, "18-access-report")

    lead.goto(citizen_url)
    lead.click("#close-citizen")
    lead.click("label[for=reason-goal_reached]")
    shot(lead, "19-close-case")
    lead.click("#close-form button.primary")
    lead.wait_for_selector("#closed-note")
    lead.context.close()

    db = connect(app.config["DATABASE"])
    citizen_id = db.execute("SELECT id FROM citizen WHERE case_ref = 'NORD-0001'").fetchone()[0]
    assert "NORD-0001" not in [c["case_ref"] for c in retention.run(db, 730, dry_run=True)]  # closed today: kept
    later = clock.now_utc() + timedelta(days=731)
    monkeypatch.setattr(clock, "now_utc", lambda: later)  # the clock, two years and a day on
    assert "NORD-0001" in [c["case_ref"] for c in retention.run(db, 730, dry_run=True)]
    assert db.execute("SELECT COUNT(*) FROM citizen WHERE id = ?", [citizen_id]).fetchone()[0] == 1  # a dry run
    assert "NORD-0001" in [c["case_ref"] for c in retention.run(db, 730)]  # (the demo's closed cases go too)
    for table in db.table_names():
        if "citizen_id" in [c.name for c in db[table].columns]:
            assert db.execute(f"SELECT COUNT(*) FROM [{table}] WHERE citizen_id = ?", [citizen_id]).fetchone()[0] == 0, table
    everything = "\n".join(
        repr(tuple(row)) for t in db.table_names() if t != "audit_event" for row in db.execute(f"SELECT * FROM [{t}]")
    )
    assert "NORD-0001" not in everything and "Fastansat på lageret" not in everything
    db.close()
