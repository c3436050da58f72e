"""A resident reports in the browser, meets the duplicate suggestion, and follows the case."""

import io
import re

import pytest
from PIL import Image

from casemgr.cases import clusters
from casemgr.cases import service as cases
from casemgr.citizens import service as citizens
from tests.conftest import ROXBURY
from tests.functional.citizen_cases import FAR, NEARBY, RESIDENT_PASSWORD, file, resident

pytestmark = pytest.mark.browser

SECRET_NAME = "Rahasia Pelapor"
#: The public map draws the answer to the view it asked for last.
SHOWS_WHAT_IT_ASKED = """() => {
  const map = document.getElementById('public-map').dataset;
  return map.bbox !== undefined && map.shownBbox === map.bbox;
}"""


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "drain.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 90, 140)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


@pytest.fixture
def earlier_report():
    """An open drain report at Roxbury by someone who asked to stay anonymous."""
    return file(ROXBURY, reporter_name=SECRET_NAME, reporter_email="rahasia@example.org",
                is_anonymous=True)


def start_report(page, photo):
    """Fill the report form with a photo, a category and a point near the earlier report."""
    page.goto("/report")
    page.wait_for_selector("#report-map.map-ready")
    page.set_input_files("#photos", photo)
    page.fill("#description", "Drain blocked again, the street is full of water")
    page.select_option("#category", "drains")
    page.fill("#lat", str(NEARBY[0]))
    page.fill("#lon", str(NEARBY[1]))
    page.dispatch_event("#lon", "change")
    page.wait_for_selector("#duplicates:not([hidden]) li.duplicate")


def test_a_resident_says_me_too_instead_of_filing(visitor, earlier_report, photo):
    resident("tetangga")
    page = visitor().log_in("tetangga", RESIDENT_PASSWORD).page

    start_report(page, photo)
    suggestion = page.inner_text("#duplicates")
    assert earlier_report.reference in suggestion
    assert SECRET_NAME not in suggestion

    page.click("#duplicates form.me-too button[type=submit]")
    page.wait_for_url(re.compile(rf"/track/{earlier_report.reference}$"))
    assert "You are counted" in page.inner_text(".flash")
    assert page.inner_text("#me-too-count") == "2"
    assert page.is_checked("#wants_email")
    assert SECRET_NAME not in page.content()
    assert cases.case_count() == 1
    assert citizens.me_too_count(earlier_report.id) == 1


def test_a_visitor_files_anyway_and_follows_the_case(visitor, earlier_report, photo):
    page = visitor().page

    start_report(page, photo)
    page.fill("#reporter_email", "warga@example.org")
    page.check("#email_updates")
    page.click("#file-report")
    page.wait_for_url(re.compile(r"/track/CM-\d{4}-\d{6}$"))

    reference = page.url.rsplit("/", 1)[1]
    assert reference != earlier_report.reference
    assert "Keep this link" in page.inner_text("#verify-link")
    assert "received your report" in page.inner_text("#status-message")
    assert "within 7 working days" in page.inner_text("#promise")
    assert "Complaint filed" in page.inner_text("ol.timeline")
    case = cases.by_reference(reference)
    assert len(cases.attachments_of(case.id, "report")) == 1
    assert (case.lat, case.lon) == pytest.approx(NEARBY)

    # Through the private link the reporter switches the email updates off.
    page.goto(page.get_attribute("#verify-link a.secret", "href"))
    assert page.is_checked("#wants_email")
    page.uncheck("#wants_email")
    page.click("#email-updates button[type=submit]")
    page.wait_for_selector(".flash")
    assert "off" in page.inner_text(".flash")
    assert not citizens.reporter_follower(case).wants_email


def test_the_public_map_draws_located_reports_and_filters_them(visitor, api, earlier_report):
    waste = file(NEARBY, category="waste", description="Bags left on the corner")
    file(None, address="No point given")
    page = visitor().page

    page.goto("/map")
    page.wait_for_selector("#public-map[data-drawn='2']")
    assert page.locator(".marker-cluster, .leaflet-marker-icon").count() >= 1

    page.select_option("#map-category", "waste")
    page.wait_for_selector("#public-map[data-drawn='1']")
    page.select_option("#map-status", "closed")
    page.wait_for_selector("#public-map[data-drawn='0']")
    assert waste.reference not in page.inner_text("#map-count")
    assert SECRET_NAME not in page.content()


def test_the_public_map_asks_for_the_view_it_shows(visitor, earlier_report, monkeypatch):
    """Clusters for the crowded city view; zoomed in on one, the map asks again and gets
    the points of the smaller view."""
    file(NEARBY, description="Drain blocked next door")
    file(FAR, description="Drain blocked further north")
    monkeypatch.setattr(clusters, "MAX_POINTS", 2)
    page = visitor().page
    asked = []
    page.on("request", lambda request: "/map/cases.json" in request.url
            and asked.append(request.url))

    page.goto("/map")
    page.wait_for_function(SHOWS_WHAT_IT_ASKED)
    assert page.get_attribute("#public-map", "data-kind") == "clusters"
    city_view = page.get_attribute("#public-map", "data-bbox")
    assert page.inner_text("#map-count").startswith("3 ")
    shown = page.locator("#public-map .marker-cluster").all_inner_texts()
    assert sum(int(text) for text in shown) == 3

    for _click in range(8):
        if page.get_attribute("#public-map", "data-kind") == "points":
            break
        before = page.get_attribute("#public-map", "data-bbox")
        page.locator("#public-map .marker-cluster").first.click()
        page.wait_for_function(
            "(before) => document.getElementById('public-map').dataset.bbox !== before",
            arg=before)
        page.wait_for_function(SHOWS_WHAT_IT_ASKED)
    assert page.get_attribute("#public-map", "data-kind") == "points"
    assert page.get_attribute("#public-map", "data-bbox") != city_view
    assert len(asked) >= 2
    assert all("bbox=" in url for url in asked)
    assert asked[-1].endswith("bbox=" + page.get_attribute("#public-map", "data-bbox")
                              .replace(",", "%2C"))
