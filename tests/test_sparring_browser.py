"""A sparring session in three browsers: the lead and two workers, each on their own phone."""
import pytest

from journal.db import connect

from .test_browser import log_in, shot

pytestmark = pytest.mark.browser


#: What a phone may show of a case before the reveal: the case ref (heading), the phase
#: timer, how many have rated, your own rating and the 0–10 scale you rate on. Anything else
#: with a digit in it would be an anchor (a collaborator's or the owner's number).
ALLOWED_DIGITS = "h2, #timer, #rated-count, #my-rating, .rating-form, .phases"


def digits_outside_the_allowed(page):
    """Digits on the current case's part of the page that are not in ALLOWED_DIGITS."""
    return page.evaluate(
        """(allowed) => {
            const section = document.querySelector('.case-current');
            if (!section) { return 'no current case'; }
            const copy = section.cloneNode(true);
            copy.querySelectorAll(allowed).forEach((el) => el.remove());
            return (copy.innerText.match(/[0-9]+/g) || []).join(' ');
        }""",
        ALLOWED_DIGITS,
    )


def phone_for(browser, base, username):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="da-DK")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, base, username)
    return context, page


def test_a_case_from_presentation_to_actions_with_blind_ratings(app, demo_server, browser):
    base, _ids = demo_server
    lead_ctx, lead = phone_for(browser, base, "lea")
    mads_ctx, mads = phone_for(browser, base, "mads")
    sara_ctx, sara = phone_for(browser, base, "sara")
    try:
        lead.goto(base + "/sparring")
        shot(lead, "9-sparring-queue")
        first = lead.locator("#queue input[name=request_ids]").first
        case_ref = lead.locator("#queue li").first.locator("strong").inner_text()
        first.check()
        lead.click("#start-session button.primary")
        lead.wait_for_selector("#session")
        session_url = lead.url.split("#")[0]
        assert "Præsentation" in lead.inner_text(".case-current h2")
        assert lead.is_visible("#timer")
        # blind means blind: before the reveal, the case shows its ref, goal, phase and who presents it
        assert digits_outside_the_allowed(lead) == ""
        assert "Mål:" in lead.inner_text(".case-current .case-facts")
        assert lead.locator(".case-current .case-detail").count() == 0

        # the workers join from the queue page
        for page in (mads, sara):
            page.goto(base + "/sparring")
            page.click("text=Deltag")
            page.wait_for_selector("#session")

        lead.click("#next-phase")  # → blind rating
        for page, value in ((mads, 6), (sara, 9)):
            page.wait_for_selector(f"label[for=value-{value}]", timeout=10000)  # the poll reloads the page
            page.click(f"label[for=value-{value}]")
            page.click("button[id^=rate-]")
            page.wait_for_selector("#my-rating")
            assert str(value) in page.inner_text("#my-rating")
        shot(mads, "10-blind-rating")
        # nobody sees the others' ratings before the reveal: not the lead, not the other worker
        lead.goto(session_url)
        assert lead.locator(".reveal").count() == 0
        assert "2 af 3" in lead.inner_text("#rated-count")
        sara.goto(session_url)
        assert "6" not in sara.inner_text("#my-rating")
        # no anchor on any phone: no collaborator's number, no owner's number, no request detail
        for page in (lead, mads, sara):
            page.goto(session_url)
            assert digits_outside_the_allowed(page) == "", page.inner_text(".case-current")
            text = page.inner_text("main")
            assert " mod " not in text and "Læge" not in text and "Forælder" not in text

        lead.click("label[for=value-7]")
        lead.click("button[id^=rate-]")
        lead.click("#next-phase")  # → reveal
        reveal = lead.inner_text(".reveal")
        assert "midterværdi 7" in reveal and "3 blinde vurderinger" in reveal
        assert lead.locator(".reveal .strip-blind circle.strip-dot").count() == 3  # 6, 7 and 9: unnamed dots
        assert lead.locator(".reveal .strip-owner").count() == 1
        assert "Mads" not in lead.inner_text(".reveal .strip-blind")
        mads.wait_for_selector(".reveal", timeout=10000)
        assert "9" in mads.inner_text(".reveal")
        shot(mads, "11-reveal")

        lead.click("#next-phase")  # → questions
        lead.click("#next-phase")  # → reflections
        lead.fill("textarea[name=usual]", "Vi venter på lægen.")
        lead.fill("textarea[name=could]", "Tage lægen med til et møde.")
        lead.click("text=Gem note")
        lead.click("#next-phase")  # → response
        lead.click(".revision label[for$='-8']")
        lead.click("text=Gem den reviderede forventning")
        lead.click("#next-phase")  # → actions
        lead.fill("input[name=text]", "Ring til lægen sammen med borgeren")
        lead.fill("input[name=due_on]", "2030-01-15")
        lead.click("text=Tilføj handling")
        assert "Ring til lægen" in lead.inner_text(".case-current")
        shot(lead, "12-session-actions")
        lead.click("#next-phase")  # → done
        assert "Sessionen er slut" in lead.inner_text("main") or lead.locator(".case-current").count() == 0

        db = connect(app.config["DATABASE"])
        try:
            status = db.execute(
                "SELECT r.status FROM sparring_request r JOIN citizen c ON c.id = r.citizen_id "
                "WHERE c.case_ref = ? AND r.status = 'done'", [case_ref]
            ).fetchall()
            revised = db.execute("SELECT value FROM expectation WHERE context = 'sparring'").fetchall()
        finally:
            db.close()
        assert status and revised == [(8,)]
        for page in (lead, mads, sara):
            assert page.console_errors == []
    finally:
        for context in (lead_ctx, mads_ctx, sara_ctx):
            context.close()
