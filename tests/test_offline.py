"""Offline-first in Debian's Chromium: log meetings with no network, sync exactly once later."""
import json
from pathlib import Path

import pytest

from journal.db import connect

from .test_browser import log_in, shot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


def meetings_in(app, citizen_id):
    db = connect(app.config["DATABASE"])
    try:
        meetings = db.execute("SELECT id FROM meeting WHERE citizen_id = ?", [citizen_id]).fetchall()
        expectations = db.execute(
            "SELECT count(*) FROM expectation WHERE meeting_id IN (SELECT id FROM meeting WHERE citizen_id = ?)",
            [citizen_id],
        ).fetchone()[0]
        return len(meetings), expectations
    finally:
        db.close()


def wait_for_service_worker(page):
    """Wait until the service worker has installed (precached the shell) and controls the page."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)


def unsent(page):
    """The counter, once the page has counted (it shows "–" until it has)."""
    page.wait_for_function("() => /^[0-9]+$/.test(document.getElementById('outbox-count').textContent)")
    return int(page.inner_text("#outbox-count"))


def saved_offline(page):
    """Wait until the page says the meeting is kept on the phone: it says so when saving and
    the replay saving started are over and the meeting is still queued."""
    page.wait_for_function(
        "() => { const box = document.getElementById('outbox-message');"
        " return !box.hidden && box.textContent === document.getElementById('outbox-status').dataset.msgSavedOffline; }"
    )


def fill_meeting(page, own, citizen_value):
    page.wait_for_function("() => document.getElementById('others-body').hidden")
    page.click("label[for=present-citizen]")
    page.click(f"label[for=own_value-{own}]")
    page.click(f"label[for=c0_value-{citizen_value}]")
    page.click("#save")


def test_three_meetings_offline_survive_a_reload_and_sync_once(app, demo_server, phone):
    base, ids = demo_server
    cid = ids["SIL-0012"]
    before = meetings_in(app, cid)
    log_in(phone, base, "mads")
    wait_for_service_worker(phone)
    phone.reload()  # now controlled, and the citizen list is on the phone
    assert unsent(phone) == 0

    phone.context.set_offline(True)
    phone.goto(f"{base}/citizens/{cid}/meetings/new")  # served by the service worker
    phone.wait_for_selector("#meeting-form")
    assert phone.inner_text("#shell-case-ref") == "SIL-0012"
    shot(phone, "7-offline-form")
    for own, theirs in ((7, 6), (5, 5), (3, 8)):
        fill_meeting(phone, own, theirs)
        phone.wait_for_function(f"() => document.getElementById('outbox-count').textContent === '{[7, 5, 3].index(own) + 1}'")
        # the form is fresh again for the next meeting, rate-first included
        phone.wait_for_function("() => document.getElementById('others-body').hidden")
    assert unsent(phone) == 3

    phone.reload()
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '3'")
    phone.goto(base + "/app")
    phone.wait_for_function("() => document.querySelectorAll('#offline-queue li').length === 3")
    assert "SIL-0012" in phone.inner_text("#offline-citizens")
    shot(phone, "8-offline-list")
    assert meetings_in(app, cid) == before

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '0'", timeout=15000)
    count, expectations = meetings_in(app, cid)
    assert count == before[0] + 3
    assert expectations == before[1] + 6
    # replaying again changes nothing
    phone.evaluate("() => window.JournalOutboxPage.replay()")  # resolves once the replay is over
    assert meetings_in(app, cid)[0] == before[0] + 3
    assert phone.console_errors == [] or all("Failed to load resource" in e or "ERR_INTERNET_DISCONNECTED" in e for e in phone.console_errors)


def test_a_500_keeps_the_item_queued_until_the_next_replay(app, demo_server, phone):
    base, ids = demo_server
    cid = ids["SIL-0015"]
    before = meetings_in(app, cid)[0]
    log_in(phone, base, "mads")
    wait_for_service_worker(phone)
    server_down = {"yes": True}

    def flaky(route):
        # every attempt fails while the "server" is down: the page's replay and Background
        # Sync from the service worker alike
        if server_down["yes"]:
            route.fulfill(status=500, content_type="application/json", body=json.dumps({"code": "internal_error", "message": "x", "errors": {}}))
        else:
            route.continue_()

    phone.context.route("**/api/v1/sync", flaky)
    phone.goto(f"{base}/citizens/{cid}/meetings/new")
    fill_meeting(phone, 6, 6)
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '1'")
    # let the replay that saving started fail: the page says the meeting is kept on the phone
    # only once that replay is over and the item is still queued (a failed one says otherwise)
    saved_offline(phone)
    assert meetings_in(app, cid)[0] == before
    assert unsent(phone) == 1
    server_down["yes"] = False
    phone.click("#sync-now")
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '0'", timeout=15000)
    db = connect(app.config["DATABASE"])
    stored = db.execute("SELECT id, held_on, recorded_at, worker_id FROM meeting WHERE citizen_id = ?", [cid]).fetchall()
    db.close()
    assert len(stored) == before + 1, stored


def test_the_shell_opens_offline_with_the_last_synced_list(demo_server, phone):
    base, _ids = demo_server
    log_in(phone, base, "mads")
    wait_for_service_worker(phone)
    synced_before = phone.evaluate("() => JournalOutbox.getMeta('synced_at')")
    phone.reload()
    # the reloaded page has fetched the citizen list and stored it on the phone (the check
    # reads IndexedDB, which answers later: each poll starts a read and looks at the last one,
    # since wait_for_function does not wait for a promise)
    phone.wait_for_function(
        """before => {
            if (!window.JournalOutbox) { return false; }
            JournalOutbox.getMeta("synced_at").then(at => { window.testSyncedAt = at; });
            return !!window.testSyncedAt && window.testSyncedAt !== before;
        }""",
        arg=synced_before,
        polling=50,
    )
    phone.context.set_offline(True)
    phone.goto(base + "/citizens")  # a case page is never cached: the offline list answers
    phone.wait_for_selector("#offline-citizens li")
    text = phone.inner_text("#offline-citizens")
    assert "SIL-0001" in text
    # nothing but case refs and the worker's view is on the phone
    stored = phone.evaluate("JournalOutbox.citizens()")
    assert stored and set(stored[0]) == {"id", "case_ref", "worker_value", "clash"}
    assert "Jonas" not in phone.content()


def test_logging_out_with_unsent_entries_warns_and_then_clears_the_phone(demo_server, phone):
    base, ids = demo_server
    log_in(phone, base, "mads")
    wait_for_service_worker(phone)
    phone.context.set_offline(True)
    phone.goto(f"{base}/citizens/{ids['SIL-0013']}/meetings/new")
    fill_meeting(phone, 5, 5)
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '1'")
    phone.context.route("**/api/v1/sync", lambda route: route.abort())  # keep it unsent, even online
    phone.context.set_offline(False)
    phone.goto(base + "/citizens")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    phone.on("dialog", answer)
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        with phone.expect_event("dialog", timeout=5000):
            phone.click("nav button.link")  # log out: dismissed, still logged in
    except PlaywrightTimeoutError:
        pass  # the assertion below says what the page showed instead
    assert dialogs and "1" in dialogs[0], (phone.url, phone.console_errors, phone.evaluate("() => document.getElementById('outbox-count').textContent"))
    assert "/citizens" in phone.url and unsent(phone) == 1
    phone.click("nav button.link")  # log out: accepted
    phone.wait_for_url(lambda url: "/login" in url)
    assert phone.evaluate("JournalOutbox.count()") == 0
    assert phone.evaluate("JournalOutbox.citizens()") == []


def test_expired_session_keeps_the_outbox_and_sends_after_login(app, demo_server, phone):
    base, ids = demo_server
    cid = ids["SIL-0016"]
    before = meetings_in(app, cid)[0]
    log_in(phone, base, "mads")
    wait_for_service_worker(phone)
    phone.context.set_offline(True)
    phone.goto(f"{base}/citizens/{cid}/meetings/new")
    fill_meeting(phone, 4, 4)
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '1'")
    phone.context.clear_cookies()  # the session expired while offline
    phone.context.set_offline(False)
    phone.goto(base + "/app")
    phone.click("#sync-now")
    phone.wait_for_selector("#outbox-message:not([hidden])")
    assert unsent(phone) == 1 and meetings_in(app, cid)[0] == before
    log_in(phone, base, "mads")
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '0'", timeout=15000)
    assert meetings_in(app, cid)[0] == before + 1


def test_the_manifest_makes_an_installable_app(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["Content-Type"].startswith("application/manifest+json")
    data = manifest.get_json(force=True)
    manifest.close()
    assert data["display"] == "standalone" and data["start_url"].startswith("/")
    assert data["name"] and data["short_name"] and data["theme_color"].startswith("#")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    from PIL import Image

    for icon in data["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200
        response.close()
        with Image.open(ROOT / icon["src"].lstrip("/")) as image:
            width, height = image.size
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_from_the_root_with_a_versioned_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    body = response.get_data(as_text=True)
    assert 'var VERSION = "' in body and "/app/meeting" in body and "/static/app.css" in body
    assert "caches[\"delete\"]" in body  # old caches are cleaned on activate
