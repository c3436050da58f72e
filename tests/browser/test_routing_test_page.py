"""The "test a point" page in headless Chromium: click the map, see which rule fires."""

from datetime import time

import pytest

from casemgr.accounts import service as accounts
from casemgr.cases import districts, routing, service, time_windows
from casemgr.db import session

pytestmark = pytest.mark.browser

EAST_BOSTON = ("42.375100", "-71.039500")
#: Leaflet has drawn district outlines inside the map (off-screen ones are "M0 0").
DRAWN_DISTRICTS = (
    "() => document.querySelectorAll("
    "'#routing-map path.leaflet-interactive:not([d=\"M0 0\"])').length"
)


@pytest.fixture
def night_rule():
    """Waste in East Boston goes to the highway crews at night, before the demo's day rule."""
    rule = routing.add_rule(
        accounts.find_unit("highway"), service.category_by_code("waste"),
        districts.find_by_name("East Boston"), position=0,
        window=time_windows.TimeWindow(time(22, 0), time(6, 0)))
    session.commit()
    return rule


def answer_of(page, unit_name):
    page.wait_for_selector(f"#routing-answer .answer-unit:has-text('{unit_name}')")
    return page.inner_text("#routing-answer")


def test_clicking_a_point_shows_the_rule_that_fires_at_that_time(visitor, logins, night_rule):
    page = visitor().log_in("owner", logins["owner"]["password"]).page
    page.goto("/routing/test")
    page.wait_for_selector("#routing-map.map-ready.has-districts")
    page.select_option("#category", "waste")
    page.fill("#at", "2026-12-04T12:00")

    # Typing the point centres the map on it; then a click near the centre picks a point.
    page.fill("#lat", EAST_BOSTON[0])
    page.fill("#lon", EAST_BOSTON[1])
    page.dispatch_event("#lon", "change")
    box = page.locator("#routing-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 4, box["y"] + box["height"] / 2 + 4)

    day = answer_of(page, "Sanitation, East Boston")
    assert page.input_value("#lat") != EAST_BOSTON[0]  # the click moved the point
    assert "East Boston" in day and "waste" in day and "any time" in day
    assert page.evaluate(DRAWN_DISTRICTS) > 0
    assert "District: East Boston" in page.inner_text("#routing-district")

    page.fill("#at", "2026-12-04T23:30")
    page.dispatch_event("#at", "change")
    night = answer_of(page, "Highway Maintenance")
    assert "22:00-06:00" in night
    page.screenshot(path="/tmp/casemgr-routing-test.png")


def test_a_point_the_server_refuses_shows_the_fields_it_named(visitor, logins):
    owner = visitor().log_in("owner", logins["owner"]["password"])
    page = owner.page
    page.goto("/routing/test")
    page.wait_for_selector("#routing-map.map-ready")
    page.select_option("#category", "waste")

    page.fill("#lat", "91")
    page.fill("#lon", EAST_BOSTON[1])
    page.dispatch_event("#lon", "change")

    page.wait_for_selector("#routing-answer .error")
    assert page.inner_text("#routing-answer .error").startswith("lat: ")
    # The browser reports the refused request itself; that one is expected here.
    assert [problem for problem in owner.problems if "422" not in problem] == []
    owner.problems.clear()
