"""The server-rendered pages through the Flask test client."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

import config as settings
from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.tasks import service as tasks
from tests.conftest import ROXBURY

SCRIPT = "<script>alert(1)</script>"


def jpeg(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "JPEG")
    out.seek(0)
    return out


def log_in(client, logins, username):
    response = client.post(
        "/login", data={"username": username, "password": logins[username]["password"]}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def report_fields(**changes):
    fields = {
        "category": "drains",
        "description": "Drain blocked, water on the road",
        "lat": str(ROXBURY[0]),
        "lon": str(ROXBURY[1]),
        "address": "Warren St",
        "reporter_name": "Ana",
        "reporter_email": "ana@example.org",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def file_report(client, **changes):
    """File a report through the page; return (case, verify link or None)."""
    response = client.post(
        "/report", data=report_fields(**changes), content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    reference = response.headers["Location"].rsplit("/", 1)[1]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(http[^"]+\?key=[^"]+)"', page)
    return cases.by_reference(reference), link.group(1) if link else None


def task_of(case, bpmn_id):
    found = [t for t in tasks.open_tasks_of(case.id) if t.bpmn_id == bpmn_id]
    assert len(found) == 1, [t.bpmn_id for t in tasks.open_tasks_of(case.id)]
    return found[0]


def walk_to_verify(api, case):
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", "sup-water", {"assignee": "officer-water"})
    api.resolve(case.id, "officer-water", "Drain cleared")


# -- citizen pages -----------------------------------------------------------------------


def test_home_links_the_report_form_and_tracks_by_reference(client, drain_case):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/report"' in home
    assert 'action="/track"' in home

    response = client.get("/track", query_string={"reference": drain_case["reference"].lower()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/track/{drain_case['reference']}")

    unknown = client.get("/track/CM-1999-000001")
    assert unknown.status_code == 404
    assert "no report with the reference CM-1999-000001" in unknown.get_data(as_text=True)
    assert client.get("/track", query_string={"reference": ""}).status_code == 422


def test_report_form_files_the_case_and_shows_the_link_once(client, logins):
    form = client.get("/report").get_data(as_text=True)
    assert 'name="lat"' in form and 'name="lon"' in form
    assert 'data-districts-url="/districts.geojson"' in form
    assert "<script>" not in form.replace('<script src="', "")

    photos = [(jpeg(), "one.jpg"), (jpeg((80, 60)), "two.jpg")]
    case, link = file_report(client, photos=photos)

    assert case.status == "submitted"
    assert (case.district.name, case.unit.code) == ("Roxbury", "water")
    assert (case.reporter_name, case.reporter_email) == ("Ana", "ana@example.org")
    assert case.reporter_id is None and case.source == "web"
    report_photos = cases.attachments_of(case.id, "report")
    assert len(report_photos) == 2
    assert link and cases.check_verify_secret(case, link.split("key=")[1])
    assert client.get(f"/photos/{report_photos[0].id}").status_code == 403

    again = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert "Keep this link" not in again and "key=" not in again

    log_in(client, logins, "triage")
    with client.get(f"/photos/{report_photos[0].id}") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
        assert "private" in photo.headers["Cache-Control"]
        assert "public" not in photo.headers["Cache-Control"]


def test_anonymous_report_keeps_the_contact_for_staff_only(client):
    case, link = file_report(client, anonymous="y")

    # Issue 6: the public never sees the name of an anonymous reporter; staff still do.
    assert case.is_anonymous
    assert (case.reporter_name, case.reporter_email) == ("Ana", "ana@example.org")
    assert link
    assert "Ana" not in client.get(f"/track/{case.reference}").get_data(as_text=True)


def test_report_by_a_logged_in_citizen_needs_no_link(client, logins):
    log_in(client, logins, "citizen")
    case, link = file_report(client, reporter_name=None, reporter_email=None)

    assert case.reporter.username == "citizen"
    assert link is None


@pytest.mark.parametrize(
    ("changes", "bad_fields"),
    [
        ({"category": "", "description": " "}, ["category", "description"]),
        ({"category": "no-such-thing"}, ["category"]),
        ({"lon": ""}, ["lon"]),
        ({"lat": "north"}, ["lat"]),
        ({"lat": "", "lon": "", "address": ""}, ["address"]),
        ({"reporter_email": "not-an-address"}, ["reporter_email"]),
        ({"photos": [(io.BytesIO(b"not an image"), "x.jpg")]}, ["photos"]),
    ],
)
def test_report_form_errors_show_on_fields_and_file_nothing(client, changes, bad_fields):
    response = client.post(
        "/report", data=report_fields(**changes), content_type="multipart/form-data"
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name in bad_fields:
        assert f'id="{name}-error"' in page, name
    assert "nothing was filed" in page
    assert cases.case_count() == 0


def test_tracking_page_shows_public_history_note_and_fix_photos(api, client, drain_case):
    case = cases.get(drain_case["id"])
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", "sup-water", {"assignee": "officer-water"})
    api.post(
        f"/tasks/{task_of(case, 'resolve').id}/complete",
        "officer-water",
        data={"resolution_note": "Cleared", "resolution_photo": (jpeg(), "after.jpg")},
        content_type="multipart/form-data",
    )

    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert "Clogged drain" in page and "resolved" in page
    assert "Complaint filed: Clogged drain" in page
    assert "Routed to" not in page  # internal history stays internal
    assert "Drain blocked" not in page  # the description is the reporter's to see
    photo = cases.attachments_of(case.id, "resolution")[0]
    assert f'src="/photos/{photo.id}"' in page
    assert "Is it fixed?" not in page


def test_verify_through_the_secret_link_closes_the_case(api, client):
    case, link = file_report(client)
    walk_to_verify(api, case)
    key = link.split("key=")[1]

    assert "Is it fixed?" not in client.get(f"/track/{case.reference}?key=wrong").get_data(
        as_text=True
    )
    refused = client.post(f"/track/{case.reference}", data={"key": "wrong", "fixed": "true"})
    assert refused.status_code == 409

    page = client.get(f"/track/{case.reference}?key={key}").get_data(as_text=True)
    assert "Is it fixed?" in page and "Drain blocked" in page
    bad = client.post(f"/track/{case.reference}", data={"key": key, "fixed": "true", "rating": 9})
    assert bad.status_code == 422 and 'id="rating-error"' in bad.get_data(as_text=True)

    response = client.post(
        f"/track/{case.reference}",
        data={"key": key, "fixed": "true", "rating": "4", "comment": "Clean now"},
    )
    assert response.status_code == 302
    session.expire_all()
    case = cases.get(case.id)
    assert (case.status, case.outcome, case.rating) == ("closed", "fixed", 4)
    events = api.get(f"/cases/{case.id}", "admin").get_json()["history"]
    assert events[-2]["actor"] == "reporter (verification link)"


def test_logged_in_reporter_verifies_on_the_tracking_page(api, client, logins, drain_case):
    case = cases.get(drain_case["id"])
    walk_to_verify(api, case)
    log_in(client, logins, "citizen")

    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert "Is it fixed?" in page
    response = client.post(f"/track/{case.reference}", data={"fixed": "false", "comment": "No"})
    assert response.status_code == 302
    # "Not fixed" goes to validation outside the unit.
    assert task_of(case, "validate_resolution")


# -- staff pages -------------------------------------------------------------------------


def test_inbox_filters_by_category_district_overdue_and_mine(api, client, logins):
    drain, _ = file_report(client)
    waste, _ = file_report(client, category="waste", lat="42.3601", lon="-71.0589")
    log_in(client, logins, "triage")

    def listed(**args):
        page = client.get("/tasks/", query_string=args).get_data(as_text=True)
        return {ref for ref in (drain.reference, waste.reference) if ref in page}

    assert listed() == {drain.reference, waste.reference}
    assert listed(category="drains") == {drain.reference}
    assert listed(district=str(drain.district_id)) == {drain.reference}
    assert listed(mine="y") == set()
    assert listed(overdue="y") == set()

    client.post(f"/tasks/{task_of(waste, 'triage').id}/claim")
    task = task_of(waste, "triage")
    task.due_at = utcnow() - timedelta(hours=1)  # a test may move the clock of a row
    session.commit()
    assert listed(mine="y") == {waste.reference}
    assert listed(overdue="y") == {waste.reference}
    assert "overdue" in client.get("/tasks/").get_data(as_text=True)


def test_claim_and_release_from_the_inbox(client, logins, drain_case):
    case = cases.get(drain_case["id"])
    task = task_of(case, "triage")
    log_in(client, logins, "triage")
    assert f'action="/tasks/{task.id}/claim"' in client.get("/tasks/").get_data(as_text=True)

    response = client.post(f"/tasks/{task.id}/claim", data={"next": "/tasks/?mine=y"})
    assert response.headers["Location"] == "/tasks/?mine=y"
    session.expire_all()
    assert task_of(case, "triage").assignee.username == "triage"
    inbox = client.get("/tasks/").get_data(as_text=True)
    assert f'action="/tasks/{task.id}/release"' in inbox and "You hold" in inbox

    response = client.post(f"/tasks/{task.id}/release", data={"next": "https://evil.test/"})
    assert response.headers["Location"] == "/tasks/"
    session.expire_all()
    assert task_of(case, "triage").assignee_id is None


def test_claiming_a_task_someone_else_holds_is_a_conflict(api, client, drain_case):
    case = cases.get(drain_case["id"])
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", "sup-water", {"assignee": "officer-water"})
    water = accounts.find_unit("water")
    accounts.create_user("officer-water-2", "second-pass-1", ["field_officer"], unit=water)
    session.commit()
    client.post("/login", data={"username": "officer-water-2", "password": "second-pass-1"})

    response = client.post(f"/tasks/{task_of(case, 'resolve').id}/claim")
    assert response.status_code == 409
    assert "claimed by officer-water" in response.get_data(as_text=True)


def test_task_page_shows_the_case_and_completes_the_task(client, logins, drain_case):
    case = cases.get(drain_case["id"])
    task = task_of(case, "triage")
    log_in(client, logins, "triage")

    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert case.reference in page and "Drain blocked" in page and "Roxbury" in page
    assert "Check the report" in page  # the task's documentation
    assert 'name="decision"' in page and 'data-point-lat="42.316782"' in page

    response = client.post(f"/tasks/{task.id}", data={"decision": "accept", "priority": "high"})
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/"
    assert "is done" in client.get("/tasks/").get_data(as_text=True)
    session.expire_all()
    assert (cases.get(case.id).status, cases.get(case.id).priority) == ("accepted", "high")


def test_task_form_error_keeps_the_task_open(client, logins, drain_case):
    case = cases.get(drain_case["id"])
    task = task_of(case, "triage")
    log_in(client, logins, "triage")

    response = client.post(f"/tasks/{task.id}", data={"decision": "reject", "note": ""})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="note-error"' in page and "Give the reason" in page
    session.expire_all()
    assert task_of(case, "triage").status == "open"
    assert cases.get(case.id).status == "submitted"


def test_resolve_form_checks_the_photo(api, client, logins, drain_case):
    case = cases.get(drain_case["id"])
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", "sup-water", {"assignee": "officer-water"})
    task = task_of(case, "resolve")
    log_in(client, logins, "officer-water")
    assert 'type="file"' in client.get(f"/tasks/{task.id}").get_data(as_text=True)

    bad = client.post(
        f"/tasks/{task.id}",
        data={"resolution_note": "done", "resolution_photo": (io.BytesIO(b"%PDF"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert 'id="resolution_photo-error"' in bad.get_data(as_text=True)

    good = client.post(
        f"/tasks/{task.id}",
        data={"resolution_note": "done", "resolution_photo": (jpeg(), "after.jpg")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert len(cases.attachments_of(case.id, "resolution")) == 1


def test_stale_case_version_is_a_conflict(client, logins, drain_case):
    task = task_of(cases.get(drain_case["id"]), "triage")
    log_in(client, logins, "triage")

    response = client.post(f"/tasks/{task.id}", data={"decision": "accept", "case_version": "0"})
    assert response.status_code == 409


def test_other_units_supervisor_gets_403_on_the_task_page(api, client, logins, drain_case):
    api.complete(drain_case["id"], "triage", "triage", {"decision": "accept"})
    task = task_of(cases.get(drain_case["id"]), "assign")
    log_in(client, logins, "sup-lighting")

    assert client.get(f"/tasks/{task.id}").status_code == 403
    refused = client.post(f"/tasks/{task.id}", data={"assignee": "officer-lighting"})
    assert refused.status_code == 403
    assert client.post(f"/tasks/{task.id}/claim").status_code == 403
    assert client.get(f"/cases/{drain_case['id']}").status_code == 403
    assert client.get("/tasks/999999").status_code == 404


def test_pages_need_a_login(client, drain_case):
    for path in ("/tasks/", "/cases/", f"/cases/{drain_case['id']}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_case_page_shows_fields_tasks_and_history(api, client, logins, drain_case):
    api.complete(drain_case["id"], "triage", "triage", {"decision": "accept", "note": "ok"})
    log_in(client, logins, "sup-water")

    page = client.get(f"/cases/{drain_case['id']}").get_data(as_text=True)
    assert drain_case["reference"] in page and "Water and Sewer" in page
    assert "Assign field officer" in page and "Routed to Water and Sewer" in page
    assert "Triage complaint completed (triage: accept)" in page
    assert re.search(r"\w{3} \d\d?, \d{4},? \d\d?:\d\d\W[AP]M WIB", page)  # city time, Jakarta


def test_case_list_is_scoped_filtered_and_paged(app, client, logins):
    drain, _ = file_report(client)
    file_report(client, category="street_lights")
    log_in(client, logins, "sup-water")

    page = client.get("/cases/").get_data(as_text=True)
    assert drain.reference in page and "1 found" in page
    assert "0 found" in client.get("/cases/?status=closed").get_data(as_text=True)

    client.post("/logout")
    log_in(client, logins, "admin")
    assert "2 found" in client.get("/cases/").get_data(as_text=True)
    assert "1 found" in client.get("/cases/?category=street_lights").get_data(as_text=True)
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        paged = client.get("/cases/?page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    assert "Page 2 of 2" in paged and drain.reference in paged


def test_user_text_is_escaped_everywhere(client, logins):
    case, link = file_report(client, description=SCRIPT, address=SCRIPT, reporter_name=SCRIPT)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    pages = [client.get(link).get_data(as_text=True)]
    log_in(client, logins, "triage")
    pages.append(client.get(f"/cases/{case.id}").get_data(as_text=True))
    pages.append(client.get(f"/tasks/{task_of(case, 'triage').id}").get_data(as_text=True))
    for page in pages:
        assert escaped in page
        assert SCRIPT not in page


def test_post_without_csrf_token_is_refused(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        form = client.get("/report").get_data(as_text=True)
        refused = client.post("/report", data=report_fields())
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert 'name="csrf_token"' in form
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True)
    assert cases.case_count() == 0


def test_districts_are_served_as_geojson(client):
    response = client.get("/districts.geojson")

    assert response.mimetype == "application/geo+json"
    names = {f["properties"]["name"] for f in response.get_json()["features"]}
    assert "Roxbury" in names


def test_map_tiles_follow_the_setting(app, client, monkeypatch):
    page = client.get("/report")
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page.text
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org;"
        in page.headers["Content-Security-Policy"]
    )

    monkeypatch.setenv("CASEMGR_TILE_URL", "")
    assert settings.load()["CASEMGR_TILE_URL"] == ""
    monkeypatch.setitem(app.config, "CASEMGR_TILE_URL", "")
    page = client.get("/report")
    assert 'data-tile-url=""' in page.text
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]


def test_reporter_answers_the_citys_question_through_the_secret_link(client, api):
    filed = api.post("/cases", json={
        "category": "drains", "description": "Got kemasukan air", "lat": 42.316782,
        "lon": -71.085581, "reporter_email": "warga@example.org"}).get_json()
    key = filed["verify_url"].split("key=")[1]
    api.complete(filed["id"], "triage", "triage",
                 {"decision": "ask", "question": "Which house number?"})

    page = client.get(f"/track/{filed['reference']}?key={key}")
    assert b"Which house number?" in page.data
    answered = client.post(f"/track/{filed['reference']}",
                           data={"key": key, "answer": "Number 12"})
    assert answered.status_code == 302
    assert api.task(filed["id"], "triage", "triage")
    history = api.get(f"/cases/{filed['id']}", "admin").get_json()["history"]
    assert any("Number 12" in event["summary"] for event in history)
