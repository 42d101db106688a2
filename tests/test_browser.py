"""The web app in Debian's Chromium at phone size (360×640), driven like a person would.

Set JOURNAL_SCREENSHOTS=1 (`make screenshots`) to refresh docs/screenshots/ from these runs.
"""
import os
from pathlib import Path

import pytest

from journal import demo
from journal.db import connect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = demo.PASSWORD


def shot(page, name):
    if os.environ.get("JOURNAL_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header belongs at the top of the picture
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, scale="css")


class Actions:
    """Counts what a person does (taps and typing), to hold the under-12-actions promise."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector):
        self.count += 1
        self.page.click(selector)

    def type(self, selector, text):
        self.count += 1
        self.page.fill(selector, text)


def log_in(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/login" not in url)


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_worker_logs_a_meeting_in_under_12_actions_and_sees_the_clash(demo_server, phone):
    base, ids = demo_server
    log_in(phone, base, "mads")
    listed = phone.inner_text("#citizen-list")
    assert "SIL-0012" in listed and "SIL-0011" not in listed  # my caseload: Sara's citizens are a tap away
    shot(phone, "1-my-citizens")
    no_overflow(phone)

    me = Actions(phone)
    me.tap(f"a.card-link[href='/citizens/{ids['SIL-0012']}']")
    shot(phone, "2-citizen")
    no_overflow(phone)
    me.tap("text=" + "Registrér møde")
    phone.wait_for_selector("#meeting-form")
    # rate alone first: the others' views are not shown until the worker has rated
    assert phone.is_hidden("#others-body")
    me.tap("label[for=present-citizen]")
    me.tap("label[for=present-doctor]")
    me.tap("label[for=own_value-7]")
    assert phone.is_visible("#others-body")
    assert phone.inner_text("#own_value-words") == "sandsynligt"
    # ticking who was present made a row for each, with the source chosen
    assert phone.input_value("#c0_source") == "citizen"
    assert phone.input_value("#c1_source") == "doctor"
    me.tap("label[for=c0_value-6]")
    me.tap("label[for=c1_value-2]")
    shot(phone, "3-log-meeting")
    no_overflow(phone)
    me.tap("#save")
    phone.wait_for_selector("#result")
    assert me.count < 12, me.count
    result = phone.inner_text("#result")
    assert "Mødet er gemt" in result or "gemt" in result
    assert "Sendt til sparringskøen" in result
    assert "Læge 2 mod dig 7" in result  # the gap, in words: it is my own view
    shot(phone, "4-after-saving")
    assert phone.console_errors == []


def test_lead_sees_the_team_overview_sorted_by_gap(demo_server, phone):
    base, _ids = demo_server
    log_in(phone, base, "lea")
    phone.goto(base + "/team")
    rows = phone.locator("#team-table tbody tr")
    gaps = []
    for i in range(rows.count()):
        cell = rows.nth(i).locator("td").first.inner_text().split()[0]
        gaps.append(None if cell == "–" else abs(int(cell)))
    known = [g for g in gaps if g is not None]
    assert known == sorted(known, reverse=True) and known[0] >= 4
    assert phone.locator(".chart-weekly svg").count() == 1
    shot(phone, "5-team-overview")
    no_overflow(phone)
    phone.select_option("#source", "doctor")
    phone.click("text=Vis")
    assert "source=doctor" in phone.url
    assert phone.console_errors == []


def test_recused_worker_cannot_reach_the_citizen_by_url(demo_server, phone):
    base, ids = demo_server
    log_in(phone, base, "sara")
    assert "SIL-0010" not in phone.inner_text("main")
    response = phone.goto(f"{base}/citizens/{ids['SIL-0010']}")
    assert response.status == 404
    assert "SIL-0010" not in phone.content()
    response = phone.goto(f"{base}/citizens/{ids['SIL-0010']}/meetings/new")
    assert response.status == 404
    shot(phone, "6-not-found")


def test_login_page_and_keyboard_only_login(live_server, phone, app):
    db = connect(app.config["DATABASE"])
    demo.seed(db)
    db.close()
    phone.goto(live_server + "/login")
    shot(phone, "0-login")
    phone.keyboard.press("Tab")  # skip link
    phone.keyboard.press("Tab")  # brand
    phone.focus("#username")
    phone.keyboard.type("mads")
    phone.keyboard.press("Tab")
    phone.keyboard.type(PASSWORD)
    phone.keyboard.press("Enter")
    phone.wait_for_url(lambda url: url.endswith("/citizens"))
    assert phone.console_errors == []


def test_every_screen_reflows_at_320_css_pixels(demo_server, browser):
    """WCAG 1.4.10: at 320 CSS px (a 640 px window at 200 % zoom) nothing scrolls sideways."""
    base, ids = demo_server
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        log_in(page, base, "lea")
        for path in ("/citizens", f"/citizens/{ids['SIL-0001']}", f"/citizens/{ids['SIL-0001']}/meetings/new",
                     f"/citizens/{ids['SIL-0001']}/recusal", "/team", "/citizens/999999"):
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    finally:
        context.close()


def test_the_meeting_form_works_with_the_keyboard_alone(demo_server, phone):
    base, ids = demo_server
    log_in(phone, base, "mads")
    phone.goto(f"{base}/citizens/{ids['SIL-0012']}/meetings/new")
    phone.focus("#own_value-0")
    for _ in range(6):
        phone.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    assert phone.is_checked("#own_value-6")
    assert phone.is_visible("#others-body")
    phone.focus("#save")
    phone.keyboard.press("Enter")
    phone.wait_for_selector("#result")
    assert phone.console_errors == []


def test_researcher_exports_the_demo_study_and_downloads_the_zip(demo_server, browser):
    import io
    import zipfile

    base, ids = demo_server
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    try:
        log_in(page, base, "rita")
        assert page.url.endswith("/research")
        page.fill("#k", "3")
        page.click("button.primary")
        page.wait_for_selector("main p.flash:not([hidden])")
        page.wait_for_selector("#exports a.card-link")  # written in the background; the page follows it
        shot(page, "13-research-export")
        no_overflow(page)
        with page.expect_download() as download:
            page.click("#exports a.card-link")
        data = Path(download.value.path()).read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            assert {"citizens.csv", "expectations.csv", "codebook.csv", "datapackage.json", "README.txt"} <= names
            assert b"Mads" not in archive.read("meetings.csv")
        assert page.goto(f"{base}/citizens/{ids['SIL-0001']}").status == 403
    finally:
        context.close()


def test_the_research_page_follows_an_export_to_its_download_link_without_a_reload(demo_server, browser, monkeypatch):
    """While the export is being written the page shows a moving progress bar; when it is done
    the download link appears in place (static/js/research.js), and the page was not reloaded."""
    import threading

    from journal import export

    base, ids = demo_server
    reached, release = threading.Event(), threading.Event()
    real = export.write

    def held_write(db, study_id, options, out, secret, progress=None):
        progress(3, 7, 12_345)
        reached.set()
        assert release.wait(60)
        return real(db, study_id, options, out, secret, progress=progress)

    monkeypatch.setattr(export, "write", held_write)
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(page, base, "rita")
        page.fill("#k", "3")
        page.click("button.primary")
        page.wait_for_selector("#exports progress")
        assert reached.wait(30)
        page.evaluate("window.stillTheSamePage = true")
        page.wait_for_function("() => document.querySelector('#exports progress').value === 42")
        assert "42%" in page.inner_text("#exports")
        release.set()
        page.wait_for_selector("#exports a.card-link", timeout=30_000)
        assert page.evaluate("window.stillTheSamePage") is True
        assert page.inner_text("#exports-news") == "Your export is ready to download."
        assert page.locator("#exports progress").count() == 0
        assert errors == []
    finally:
        release.set()
        context.close()


def test_views_are_personal_on_each_workers_phone(demo_server, browser):
    """SIL-0001: Mads is case owner (7); Sara once covered for him and rated 4. Each phone
    calls only its own view "Dig" and names the colleague's."""
    base, ids = demo_server
    for username, own, colleague in (("mads", "Dig 7", "Sara Lindvig 4"), ("sara", "Dig 4", "Mads Kjærsgaard 7")):
        context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
        page = context.new_page()
        try:
            log_in(page, base, username)
            page.goto(base + f"/citizens/{ids['SIL-0001']}")
            lanes = [" ".join(t.split()) for t in page.locator(".strip-lane .strip-label").all_inner_texts()]
            assert own in lanes and colleague in lanes, lanes
            assert lanes[0].endswith(" 7")  # the case owner's view leads the strip
            assert len([lane for lane in lanes if lane.startswith("Dig")]) == 1
        finally:
            context.close()
