"""Phone ergonomics in Debian's Chromium at 360×640: a compact header that stays on top, and
tap targets of at least 44×44 CSS px on every main page.

Every page is visited as the person who uses it, logged in through the login form: the worker
(mads), the lead (lea, who sees the queue's checkboxes and dismiss forms), the researcher (rita)
and the administrator (adam). On each page the test measures

- the header: at most 56 px tall, and still at the top of the viewport (and painted above the
  content) after scrolling down;
- every visible interactive element (links, buttons, fields, selects, summaries, and for a
  checkbox or radio button the label that toggles it): at least 44×44, apart from the short
  list of exceptions below (WCAG 2.5.8: inline links in a sentence of running text).

Open <details> are opened and measured too. All offenders are reported at once.
"""
import contextlib
import re

import pytest

from journal.demo import PASSWORD

pytestmark = pytest.mark.browser

HEADER_MAX = 56
TAP = 44

#: (page name, CSS selector, why): targets that may be smaller than 44×44. Keep it short:
#: only a link inside a sentence of running text belongs here (WCAG 2.5.8 "inline"). None of
#: the pages has one today; links that stand on their own are full size (app.css).
EXCEPTIONS = ()

#: Every interactive element the page shows, measured where a finger hits it: a checkbox or
#: radio button with a label is hit through its label (the chips hide the input itself).
MEASURE = """
(exceptions) => {
  const excepted = new Set();
  for (const selector of exceptions) {
    document.querySelectorAll(selector).forEach(el => excepted.add(el));
  }
  const targets = new Set();
  document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary").forEach(el => {
    if ((el.type === "checkbox" || el.type === "radio") && el.labels && el.labels.length) {
      el.labels.forEach(label => targets.add(label));
    } else {
      targets.add(el);
    }
  });
  const describe = el => {
    let name = el.tagName.toLowerCase();
    if (el.id) { name += "#" + el.id; }
    for (const c of el.classList) { name += "." + c; }
    if (el.tagName === "LABEL" && el.htmlFor) { name += "[for=" + el.htmlFor + "]"; }
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\\s+/g, " ").trim();
    const where = el.closest("header") ? "header" : el.closest("footer") ? "footer" : "main";
    return where + " " + name + (text ? ' "' + text.slice(0, 40) + '"' : "");
  };
  const found = [];
  for (const el of targets) {
    if (el.closest(".skip") || excepted.has(el)) { continue; }  // the skip link is measured on focus
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    // not shown: display none, inside a closed <details>, or visually hidden (1 px, clipped)
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") { continue; }
    found.push({what: describe(el), width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10});
  }
  return found;
}
"""

HEADER = """
() => {
  const header = document.querySelector("body > header");
  const box = header.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {top: box.top, height: box.height, onTop: header.contains(hit), scrolled: window.scrollY,
          wide: document.documentElement.scrollWidth};
}
"""


class Report:
    """What each page measured; the assertions at the end list every offender at once."""

    def __init__(self):
        self.small, self.header, self.pages = [], [], []

    def page(self, page, name, scroll_expected=False):
        """Measure the page as it is now: header, then every target, then again with every
        <details> in main opened."""
        self.pages.append(name)
        # the counter says "–" until the outbox has counted: measure the header it settles on
        page.wait_for_function(
            "() => { const c = document.getElementById('outbox-count'); return !c || /^[0-9]+$/.test(c.textContent); }"
        )
        page.evaluate("() => window.scrollTo(0, 0)")
        before = page.evaluate(HEADER)
        if before["height"] > HEADER_MAX:
            self.header.append(f"{name}: the header is {before['height']} px tall")
        if before["wide"] > 360:
            self.header.append(f"{name}: the page is {before['wide']} px wide (scrolls sideways)")
        page.evaluate("() => window.scrollTo(0, 2000)")
        after = page.evaluate(HEADER)  # reading boxes lays the page out: no waiting needed
        if after["top"] != 0 or not after["onTop"]:
            self.header.append(f"{name}: after scrolling {after['scrolled']} px the header's top is {after['top']} px"
                               f"{'' if after['onTop'] else ' and content covers it'}")
        if scroll_expected and after["scrolled"] == 0:
            self.header.append(f"{name}: expected a long page, but it did not scroll")
        page.evaluate("() => window.scrollTo(0, 0)")

        exceptions = [selector for page_name, selector, _why in EXCEPTIONS if page_name == name]
        seen = set()
        for item in page.evaluate(MEASURE, exceptions):
            seen.add(item["what"])
            self._check(name, item)
        for summary in page.locator("main details:not([open]) > summary").all():
            summary.click()
        if page.locator("main details[open]").count():
            for item in page.evaluate(MEASURE, exceptions):
                if item["what"] not in seen:
                    self._check(name + " (details open)", item)

    def _check(self, name, item):
        if item["width"] < TAP - 0.05 or item["height"] < TAP - 0.05:
            self.small.append(f"{name}: {item['what']} is {item['width']}×{item['height']}")

    def assert_ok(self):
        problems = self.header + self.small
        assert not problems, f"{len(problems)} problems on {len(self.pages)} pages:\n" + "\n".join(problems)


@contextlib.contextmanager
def phone_as(browser, base, username=None, locale="da-DK"):
    """A fresh 360×640 phone, logged in through the login form as *username* (if any)."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2, locale=locale)
    page = context.new_page()
    errors = []
    # a request the test blocks on purpose shows as "Failed to load resource": not a page error
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        if username:
            page.goto(base + "/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("main button.primary")
            page.wait_for_url(lambda url: "/login" not in url)
        yield page
        assert errors == []
    finally:
        context.close()


def visit(page, base, path):
    response = page.goto(base + path)
    assert response.status == 200, (path, response.status)


def test_the_login_page_and_the_front_page(demo_server, phone):
    base, _ids = demo_server
    report = Report()
    visit(phone, base, "/login")
    report.page(phone, "login")
    # the skip link, shown when focused, is a target too
    phone.keyboard.press("Tab")
    skip = phone.evaluate("() => { const b = document.activeElement.getBoundingClientRect(); return [document.activeElement.className, b.width, b.height]; }")
    assert skip[0] == "skip" and skip[1] >= TAP and skip[2] >= TAP, skip
    visit(phone, base, "/")
    report.page(phone, "index")
    report.assert_ok()
    assert phone.console_errors == []


def test_the_workers_pages(demo_server, browser):
    base, ids = demo_server
    cid = ids["SIL-0014"]  # has a sparring request and two actions of Mads's
    report = Report()
    with phone_as(browser, base, "mads") as page:
        visit(page, base, "/citizens")
        report.page(page, "citizens", scroll_expected=True)
        visit(page, base, f"/citizens/{cid}")
        report.page(page, "citizen", scroll_expected=True)
        visit(page, base, f"/citizens/{cid}/meetings/new")
        report.page(page, "meeting form", scroll_expected=True)
        page.click("label[for=own_value-6]")  # rated: the collaborators' rows are shown too
        page.wait_for_selector("#others-body", state="visible")
        report.page(page, "meeting form (rated)", scroll_expected=True)
        visit(page, base, f"/citizens/{cid}/recusal")
        report.page(page, "recusal")
        visit(page, base, "/sparring")
        report.page(page, "sparring queue (worker)", scroll_expected=True)
        visit(page, base, "/actions")
        report.page(page, "actions (worker)")
        # an entry waiting to be sent (and kept so): the counter says "unsent", "Sync now" shows
        page.context.route("**/api/v1/sync", lambda route: route.abort())
        page.evaluate(
            """cid => JournalOutbox.add({id: "00000000-0000-4000-8000-0000000000e1", op: "create_meeting", citizen_id: cid,
                  user_id: null, data: {held_on: "2026-01-05", mode: "in_person", participants: [], expectations: []}})
                .then(() => JournalOutboxPage.refreshCount())""",
            cid,
        )
        page.wait_for_selector("#sync-now", state="visible")
        report.page(page, "actions (one entry unsent)")
        # the offline pages the header's counter leads to
        page.click("#outbox-status a")
        page.wait_for_url(lambda url: url.endswith("/app"))
        report.page(page, "offline list")
        visit(page, base, "/app/meeting")
        report.page(page, "offline meeting form", scroll_expected=True)
    report.assert_ok()


def test_the_leads_pages(demo_server, browser):
    base, ids = demo_server
    report = Report()
    with phone_as(browser, base, "lea") as page:
        visit(page, base, "/citizens?scope=team")  # a lead owns few cases: the whole team is the long list
        report.page(page, "citizens (lead)", scroll_expected=True)
        visit(page, base, "/team")
        report.page(page, "team", scroll_expected=True)
        visit(page, base, "/actions")
        report.page(page, "actions (lead)")
        visit(page, base, "/sparring")
        assert page.locator("#queue input[type=checkbox]").count() > 0
        report.page(page, "sparring queue (lead)", scroll_expected=True)
        # start a session from the queue, as a lead does
        page.locator("#queue input[name=request_ids]").first.check()
        page.click("#start-session button.primary")
        page.wait_for_selector("#session")
        assert re.search(r"/sparring/sessions/\d+", page.url)
        report.page(page, "sparring session")
    report.assert_ok()


def test_the_researchers_and_the_administrators_pages(demo_server, browser):
    base, _ids = demo_server
    report = Report()
    with phone_as(browser, base, "rita", locale="en-GB") as page:
        visit(page, base, "/research")
        page.fill("#k", "3")
        page.click("main button.primary")
        page.wait_for_selector("main .cards a")  # an export to download
        report.page(page, "research", scroll_expected=True)
        visit(page, base, "/research/about")
        report.page(page, "research about", scroll_expected=True)
    with phone_as(browser, base, "adam") as page:
        visit(page, base, "/admin/studies")
        report.page(page, "admin studies")
    report.assert_ok()


def test_the_header_fits_in_swedish_and_english(demo_server, browser):
    """The longest navigation: a lead's (four links and logging out), in every language."""
    base, _ids = demo_server
    report = Report()
    with phone_as(browser, base, "nils") as page:  # a Swedish worker
        visit(page, base, "/citizens")
        report.page(page, "citizens (sv)")
    with phone_as(browser, base, "lea") as page:
        for locale in ("en", "sv"):
            page.goto(base + "/team")
            page.click(f"footer button[value={locale}]")
            page.wait_for_function(f"() => document.documentElement.lang === '{locale}'")
            report.page(page, f"team ({locale})", scroll_expected=True)
    report.assert_ok()


IN_NAV = """
(el) => {
  const nav = el.closest("nav").getBoundingClientRect();
  const box = el.getBoundingClientRect();
  return box.left >= nav.left - 1 && box.right <= nav.right + 1;  // scroll offsets are whole pixels
}
"""


def test_the_header_works_with_the_keyboard(demo_server, browser):
    """The navigation scrolls sideways on a phone: the current page is marked and in view
    when the page opens, and Tab brings each link (and logging out) wholly into view."""
    base, _ids = demo_server
    with phone_as(browser, base, "lea") as page:
        for path, current in (("/team", "Teamoverblik"), ("/actions", "Handlinger"), ("/citizens", "Mine borgere")):
            visit(page, base, path)
            marked = page.locator("header nav a[aria-current=page]")
            assert marked.count() == 1 and marked.inner_text() == current, path
            if page.evaluate("() => CSS.supports('scroll-initial-target', 'nearest')"):
                assert marked.evaluate(IN_NAV), f"{path}: the current page is scrolled out of the navigation"
            page.focus("header .brand")
            stops = page.locator("header nav a, header nav button").count()
            hidden = []
            for _ in range(stops):
                page.keyboard.press("Tab")
                focused = page.evaluate_handle("() => document.activeElement")
                assert focused.evaluate("el => !!el.closest('header nav')"), path
                if not focused.evaluate(IN_NAV):
                    hidden.append(focused.evaluate("el => el.textContent.trim()"))
            assert hidden == [], f"{path}: focused but partly hidden: {hidden}"
            page.keyboard.press("Tab")  # past the navigation: the unsent counter
            assert page.evaluate("() => document.activeElement.closest('#outbox-status') !== null"), path
