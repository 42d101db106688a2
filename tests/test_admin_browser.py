"""The admin screens in Chromium at phone size (360×640): an admin sets up a new team and its
lead, and the lead logs in and finds the team's settings."""
import pytest

from .test_browser import log_in, no_overflow, shot

pytestmark = pytest.mark.browser

LEAD_PASSWORD = "lead-tulip-fjord-start"


def add_team(page, name, municipality, locale="da"):
    """As the logged-in admin: create a team and wait for it in the list."""
    page.click("nav a[href='/admin/teams']")
    page.fill("#name", name)
    page.fill("#municipality", municipality)
    page.select_option("#locale", locale)
    page.click("#team-form button.primary")
    page.wait_for_selector(f"#teams-table >> text={name}")


def fill_new_user(page, username, display_name, role, team, password):
    """As the logged-in admin: open the new-user form and fill it in (not yet sent)."""
    page.click("nav a[href='/admin/users']")
    page.click("#new-user")
    page.fill("#username", username)
    page.fill("#display_name", display_name)
    page.select_option("#role", role)
    page.select_option("#team_id", label=team)
    page.fill("#password", password)


def test_the_admin_creates_a_team_and_a_lead_who_logs_in(demo_server, browser):
    base, _ = demo_server
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
    page = context.new_page()
    try:
        log_in(page, base, "adam")
        assert "/admin/users" in page.url  # an admin starts at the users
        no_overflow(page)

        add_team(page, "Jobteam Nord", "Aalborg")
        no_overflow(page)
        shot(page, "14-admin-teams")

        fill_new_user(page, "nora", "Nora Nord", "lead", "Jobteam Nord", LEAD_PASSWORD)
        no_overflow(page)
        page.click("#user-form button.primary")
        page.wait_for_selector("#user-summary")
        assert "Teamleder" in page.inner_text("#user-summary")
        no_overflow(page)
        shot(page, "15-admin-user")

        page.click("nav a[href='/admin/audit']")
        page.wait_for_selector("#audit-table")
        assert "user.create" in page.inner_text("#audit-table")
        no_overflow(page)
        shot(page, "16-admin-audit")
    finally:
        context.close()

    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
    page = context.new_page()
    try:
        page.goto(base + "/login")
        page.fill("#username", "nora")
        page.fill("#password", LEAD_PASSWORD)
        page.click("button.primary")
        page.wait_for_url(lambda url: "/login" not in url)
        page.click("nav a[href='/team/settings']")
        page.wait_for_selector("#settings-form")
        assert "Jobteam Nord" in page.inner_text("main")
        page.fill("#gap_threshold", "3")
        page.click("#settings-form button.primary")
        page.wait_for_selector(".flash:not([hidden])")
        assert page.input_value("#gap_threshold") == "3"
        no_overflow(page)
    finally:
        context.close()
