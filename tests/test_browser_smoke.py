"""A real browser at phone size: the start page renders under the strict CSP without errors."""
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def test_start_page_renders_at_phone_size_without_console_errors(live_server, phone):
    response = phone.goto(live_server + "/")
    assert response.status == 200
    assert phone.locator("h1").inner_text() == "Forventningsjournal"
    # nothing overflows a 360 px screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.console_errors == []


def test_api_error_is_json_in_the_browser_too(live_server, phone):
    response = phone.goto(live_server + "/api/v1/citizens")
    assert response.status == 401
    assert response.json()["code"] == "unauthorized"
