"""Scripts speak the page's language too: the routing test page in Indonesian."""

import pytest

from casemgr.accounts import service as accounts
from casemgr.db import session

pytestmark = pytest.mark.browser

EAST_BOSTON = ("42.375100", "-71.039500")


@pytest.fixture
def owner_back_to_english():
    """The switcher saves the choice with the account; the next tests expect none."""
    yield
    session.rollback()
    accounts.set_locale(accounts.find_user("owner"), None)


def test_the_routing_page_s_script_writes_indonesian(visitor, logins, owner_back_to_english):
    page = visitor().log_in("owner", logins["owner"]["password"]).page
    page.goto("/routing/test")
    page.click("#language-switcher button[value=id]")
    page.wait_for_selector("html[lang=id] #routing-map.map-ready.has-districts")
    page.select_option("#category", "waste")

    page.fill("#lat", EAST_BOSTON[0])
    page.fill("#lon", EAST_BOSTON[1])
    page.dispatch_event("#lon", "change")
    box = page.locator("#routing-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 4, box["y"] + box["height"] / 2 + 4)
    page.wait_for_selector("#routing-answer .answer-rule:has-text('Aturan:')")

    assert "Wilayah: East Boston" in page.inner_text("#routing-district")
    assert "Rule:" not in page.inner_text("#routing-answer")
    assert "Uji satu titik" in page.inner_text("h1")
