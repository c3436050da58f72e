"""One drain complaint through its whole life in the pages, in headless Chromium."""

import io
import re

import pytest
from PIL import Image

from tests.conftest import ROXBURY

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp"
#: True once Leaflet has drawn a district outline inside the map (off-screen ones are "M0 0").
DRAWN_DISTRICTS = (
    "map => document.querySelectorAll(map + ' path.leaflet-interactive:not([d=\"M0 0\"])').length"
)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "drain.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 90, 140)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def wait_for_map(page, selector=".map"):
    """Wait until the map is drawn and its district outlines have arrived."""
    page.wait_for_selector(f"{selector}.map-ready.has-districts")


def click_map(page, dx, dy):
    """Click the map `dx`, `dy` pixels from its centre."""
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def open_task(page, reference, bpmn_id):
    page.goto("/tasks/")
    page.click(f"tr[data-bpmn={bpmn_id}]:has-text('{reference}') a >> nth=0")
    page.wait_for_url(re.compile(r"/tasks/\d+$"))


def submit_task(page):
    page.click("#task-form button[type=submit]")
    page.wait_for_url(re.compile(r"/tasks/$"))
    assert "is done" in page.inner_text(".flash")


def test_clicking_the_map_fills_the_point(visitor):
    page = visitor().page
    page.goto("/report")
    wait_for_map(page)
    assert page.input_value("#lat") == "" and page.input_value("#lon") == ""

    click_map(page, 30, -20)

    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert lat and lon
    assert page.locator(".leaflet-marker-icon").count() == 1


def test_drain_complaint_lives_its_whole_life_in_the_pages(app, visitor, logins, photo):
    password = logins["citizen"]["password"]
    citizen = visitor().log_in("citizen", password).page

    # Report: type Roxbury's point (the map follows), then click the map near it.
    citizen.goto("/report")
    wait_for_map(citizen)
    citizen.select_option("#category", "drains")
    citizen.fill("#description", "Storm drain on Warren St is blocked; water on the road")
    citizen.fill("#lat", str(ROXBURY[0]))
    citizen.fill("#lon", str(ROXBURY[1]))
    citizen.dispatch_event("#lon", "change")
    citizen.wait_for_selector("#report-district:text('District: Roxbury')")
    click_map(citizen, 40, 25)
    assert citizen.input_value("#lat") != str(ROXBURY[0])
    assert citizen.input_value("#lon") != str(ROXBURY[1])
    assert citizen.inner_text("#report-district") == "District: Roxbury"
    citizen.set_input_files("#photos", photo)
    citizen.screenshot(path=f"{SCREENSHOTS}/casemgr-report.png", full_page=True)
    citizen.click("#report-form button[type=submit]")
    citizen.wait_for_url(re.compile(r"/track/CM-"))
    reference = citizen.url.rsplit("/", 1)[1]
    assert "Keep this link" not in citizen.content()  # an account needs no secret link

    triage = visitor().log_in("triage", password).page
    open_task(triage, reference, "triage")
    assert "Storm drain on Warren St" in triage.inner_text("main")
    triage.select_option("#decision", "accept")
    submit_task(triage)

    supervisor = visitor().log_in("sup-water", password).page
    open_task(supervisor, reference, "assign")
    supervisor.select_option("#assignee", "officer-water")
    submit_task(supervisor)

    officer = visitor().log_in("officer-water", password).page
    open_task(officer, reference, "resolve")
    wait_for_map(officer, "#task-map")
    officer.wait_for_function(DRAWN_DISTRICTS, arg="#task-map")
    officer.screenshot(path=f"{SCREENSHOTS}/casemgr-task.png", full_page=True)
    officer.fill("#resolution_note", "Cleared the leaves from the grate")
    officer.set_input_files("#resolution_photo", photo)
    submit_task(officer)

    citizen.goto(f"/track/{reference}")
    citizen.select_option("#fixed", "true")
    citizen.fill("#rating", "4")
    citizen.fill("#comment", "Dry again, thank you")
    citizen.click("#verify button[type=submit]")
    citizen.wait_for_selector(".flash")
    assert "closed" in citizen.inner_text(".facts")
    assert citizen.locator("img.photo").count() == 1  # the photo of the fix is public

    admin = visitor().log_in("admin", password).page
    admin.goto("/cases/")
    admin.click(f"a:text('{reference}')")
    assert "closed" in admin.inner_text("h1")
    history = admin.inner_text("table.history")
    for step in ("Triage complaint", "Assign field officer", "Resolve on site", "Verify the fix"):
        assert f"{step} completed" in history
    assert "citizen: fixed" in history
    assert re.search(r"rating\s+4\s+comment\s+Dry again", history)
