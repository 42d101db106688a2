"""axe-core on every main page at phone size: 0 violations (WCAG 2.x A/AA rules).

Run with the axe-core that axe-playwright-python ships, on the demo data, as each role,
including the states a page only shows after something happened (a refused form, the
reveal of a sparring round).
"""
import pytest

from .test_browser import log_in, shot

pytestmark = pytest.mark.browser


def violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
    ]


def check(page, url, found):
    page.goto(url)
    page.wait_for_load_state("load")
    for problem in violations(page):
        found.append(f"{url}: {problem}")


def test_every_main_page_has_no_axe_violations(demo_server, browser):
    base, ids = demo_server
    found = []
    for username, urls in (
        ("mads", ["/citizens", "/citizens?scope=team", f"/citizens/{ids['SIL-0001']}", f"/citizens/{ids['SIL-0001']}/meetings/new",
                  f"/citizens/{ids['SIL-0001']}/recusal", "/sparring", "/actions", "/app", "/app/meeting"]),
        ("lea", ["/team", "/team/settings", "/sparring", f"/citizens/{ids['SIL-0003']}", f"/citizens/{ids['SIL-0003']}/access-report",
                 "/actions", "/citizens/new", f"/citizens/{ids['SIL-0003']}/edit", f"/citizens/{ids['SIL-0003']}/close",
                 f"/citizens/{ids['SIL-0010']}"]),  # with the recusal history
        ("rita", ["/research", "/research/about", "/account/password"]),
        ("adam", ["/admin/studies", "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/teams", "/admin/teams/1",
                  "/admin/audit", "/admin/audit?username=nobody&case_ref=X"]),
        ("nils", ["/citizens"]),
    ):
        context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
        page = context.new_page()
        try:
            log_in(page, base, username)
            for url in urls:
                check(page, base + url, found)
        finally:
            context.close()
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
    page = context.new_page()
    try:
        check(page, base + "/login", found)
        check(page, base + "/", found)
    finally:
        context.close()
    assert found == []


def test_a_refused_form_and_a_revealed_round_have_no_axe_violations(demo_server, browser):
    base, ids = demo_server
    found = []
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
    page = context.new_page()
    try:
        log_in(page, base, "lea")
        # a refused form: the messages next to the fields must be announced properly too
        page.goto(base + f"/citizens/{ids['SIL-0001']}")
        page.fill("#question", "Sag 010190-1234")
        page.click("#sparring button[type=submit]")
        page.wait_for_selector(".field-error")
        found += [f"refused question: {p}" for p in violations(page)]
        # a refused new citizen and a refused outcome (case ref taken; a date in the future)
        page.goto(base + "/citizens/new")
        page.fill("#case_ref", "sil\u20100001")  # a look-alike: the character is named
        page.click("#citizen-form button.primary")
        page.wait_for_selector(".field-error")
        assert "U+2010" in page.inner_text("#case_ref-error")
        found += [f"refused new citizen: {p}" for p in violations(page)]
        shot(page, "20-case-ref-look-alike-refused")
        # a refused password change: wrong current password, weak new one
        page.goto(base + "/account/password")
        page.fill("#current_password", "not-my-password")
        page.fill("#new_password", "Sommer2026!")
        page.click("#password-change-form button.primary")
        page.wait_for_selector(".field-error")
        found += [f"refused password change: {p}" for p in violations(page)]
        page.goto(base + f"/citizens/{ids['SIL-0003']}")
        page.click("#outcomes summary")
        page.click("label[for=outcome-job]")
        page.evaluate("document.getElementById('outcome-observed_on').removeAttribute('max')")
        page.fill("#outcome-observed_on", "2999-01-01")
        page.click("#outcome-form button[type=submit]")
        page.wait_for_selector("#outcome-observed_on-error")
        found += [f"refused outcome: {p}" for p in violations(page)]
        # a session run to the reveal
        page.goto(base + "/sparring")
        page.locator("#queue input[name=request_ids]").first.check()
        page.click("#start-session button.primary")
        page.wait_for_selector("#session")
        found += [f"session: {p}" for p in violations(page)]
        page.click("#next-phase")  # blind rating
        page.click("label[for=value-6]")
        page.click("button[id^=rate-]")
        page.click("#next-phase")  # reveal
        page.wait_for_selector(".reveal")
        page.click(".agreement summary")
        found += [f"reveal: {p}" for p in violations(page)]
    finally:
        context.close()
    assert found == []


def test_the_research_page_with_exports_in_every_state_has_no_axe_violations(app, demo_server, browser):
    """A progress bar while queued or running, a download link, "try again", "expired"."""
    from journal import export, exportjobs
    from journal.db import connect, transaction

    base, _ = demo_server
    db = connect(app.config["DATABASE"])
    rita = db.execute("SELECT id FROM user WHERE username = 'rita'").fetchone()[0]
    study = db.execute("SELECT study_id FROM study_researcher WHERE user_id = ?", [rita]).fetchone()[0]
    for status, progress in (("done", 100), ("running", 42), ("queued", 0), ("failed", 10), ("expired", 100)):
        export_id = exportjobs.create(db, rita, study, export.Options(k=5), 30)
        with transaction(db):
            db.execute("UPDATE export SET status = ?, progress = ?, summary = '{}', file_name = 'x.zip', sha256 = 'x' WHERE id = ?",
                       [status, progress, export_id])
    db.close()
    found = []
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
    page = context.new_page()
    try:
        log_in(page, base, "rita")
        check(page, base + "/research", found)
        assert page.locator("#exports progress").count() == 2
    finally:
        context.close()
    assert found == []
