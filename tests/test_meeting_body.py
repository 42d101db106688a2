"""Online and offline, the log-meeting form becomes the same meeting.

Online, the browser posts the form and journal/web/forms.py:meeting_body() turns the posted
fields into the body MeetingIn validates. Offline, static/js/outbox.js builds that body in the
page and queues it for POST /api/v1/sync. For the same filled-in form both must be the same.
"""
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from journal import clock
from journal.web.forms import meeting_body

from .test_browser import log_in

pytestmark = pytest.mark.browser


def test_the_offline_body_is_the_body_the_server_builds_from_the_same_form(demo_server, phone):
    base, ids = demo_server
    cid = ids["SIL-0012"]
    log_in(phone, base, "mads")
    phone.goto(f"{base}/citizens/{cid}/meetings/new")
    phone.wait_for_function("() => document.getElementById('others-body').hidden")

    held_on = (clock.today() - timedelta(days=1)).isoformat()
    phone.fill("#held_on", held_on)
    phone.click("label[for=mode-video]")
    phone.click("label[for=present-citizen]")
    phone.click("label[for=present-doctor]")
    phone.click("label[for=own_value-7]")
    phone.click("label[for=own_confidence-high]")
    phone.fill("#own_basis", "She has held a job before.")
    # ticking who was present made a row for each of them
    assert phone.input_value("#c0_source") == "citizen"
    assert phone.input_value("#c1_source") == "doctor"
    phone.click("label[for=c0_value-6]")
    phone.click("label[for=c0_confidence-low]")
    phone.click("label[for=c1_value-2]")
    phone.fill("#c1_label", "egen læge")
    phone.fill("#note", "Talked about the internship.")
    phone.click("#meeting-form details summary")
    phone.fill("#citizen_explanation", "The back pain comes and goes.")

    # what the browser would post: the form's entries, in order
    posted = phone.evaluate("() => Array.from(new FormData(document.getElementById('meeting-form')).entries())")

    # what the page queues when it cannot send
    phone.context.set_offline(True)
    phone.click("#save")
    phone.wait_for_function("() => document.getElementById('outbox-count').textContent === '1'")
    queued = phone.evaluate("() => JournalOutbox.items()")
    assert len(queued) == 1
    assert queued[0]["op"] == "create_meeting" and queued[0]["citizen_id"] == cid

    body, rows = meeting_body(MultiDict(posted))
    assert rows == {0: "own", 1: 0, 2: 1}
    assert body["held_on"] == held_on and body["mode"] == "video"
    assert body["participants"] == ["citizen", "doctor"]
    assert [(e["source"], e["value"], e["confidence"]) for e in body["expectations"]] == [
        ("worker", 7, "high"), ("citizen", 6, "low"), ("doctor", 2, "medium"),
    ]
    # the same body, field for field (dicts compare without regard to key order)
    assert queued[0]["data"] == body
