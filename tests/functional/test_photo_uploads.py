"""Photos through the pages and the API: several per report and per resolution, and
refusals that name the field."""

import io

import pytest
from PIL import Image

from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.media import photos as media
from tests import photo_files as files
from tests.conftest import ROXBURY


def upload(raw, name):
    return (io.BytesIO(raw), name)


def report_form(photo_list):
    return {
        "category": "drains",
        "description": "Drain blocked, water on the road",
        "lat": str(ROXBURY[0]),
        "lon": str(ROXBURY[1]),
        "photos": photo_list,
    }


def log_in(client, logins, username):
    response = client.post(
        "/login", data={"username": username, "password": logins[username]["password"]}
    )
    assert response.status_code == 302


def stored_facts(attachment, app):
    """The stored file's format, size and number of EXIF tags."""
    path = media.path_of(attachment.stored_name, app.config["UPLOAD_DIR"])
    with Image.open(path) as image:
        return image.format, image.size, len(image.getexif())


def to_resolve(api, case_id):
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    return api.task(case_id, "resolve", "officer-water")


# -- reports -----------------------------------------------------------------------------


def test_report_page_takes_several_photos_heic_included(app, client):
    tags = files.exif(orientation=6, position=ROXBURY)
    response = client.post(
        "/report",
        data=report_form([upload(files.jpeg(tags=tags), "a.jpg"),
                          upload(files.heic(), "b.HEIC")]),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    case = cases.by_reference(response.headers["Location"].rsplit("/", 1)[1])
    stored = cases.attachments_of(case.id, "report")
    assert [a.original_name for a in stored] == ["a.jpg", "b.HEIC"]
    assert {a.content_type for a in stored} == {"image/jpeg"}
    assert stored_facts(stored[0], app) == ("JPEG", (20, 40), 0)
    assert stored_facts(stored[1], app) == ("JPEG", (64, 48), 0)
    # Where the photo was taken is kept only as a distance from the case point.
    assert stored[0].distance_m == pytest.approx(0, abs=1)


@pytest.mark.parametrize(
    "raw, name, words",
    [(files.NOT_A_PHOTO, "drain.jpg", "not a photo"),
     (None, "bomb.png", "decompression bomb")],
    ids=["text-named-jpg", "bomb"],
)
def test_report_page_puts_a_refused_photo_on_its_field(client, raw, name, words):
    raw = raw or files.bomb_png()
    response = client.post(
        "/report",
        data=report_form([upload(files.jpeg(), "fine.jpg"), upload(raw, name)]),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="photos-error"' in page and words in page
    assert cases.case_count() == 0


def multipart(fields, uploads):
    """A multipart body built here: the test client spools a big one to a file it leaves
    open."""
    boundary = "casemgr-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    for name, filename, raw in uploads:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                     f"\r\n\r\n".encode() + raw + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_api_report_takes_several_photos_and_a_12_mb_one_is_shrunk(api):
    body, content_type = multipart(
        {"category": "drains", "description": "Blocked", "lat": ROXBURY[0], "lon": ROXBURY[1]},
        [("photos", "big.jpg", files.big_jpeg()), ("photos", "c.heic", files.heic())],
    )
    assert len(body) > 12_000_000

    response = api.post("/cases", "citizen", data=body, content_type=content_type)

    assert response.status_code == 201, response.get_json()
    detail = api.get(f"/cases/{response.get_json()['id']}", "admin").get_json()
    sizes = [(p["width"], p["height"]) for p in detail["photos"]]
    assert sizes == [(2048, 1365), (64, 48)]


@pytest.mark.parametrize("field", ["photo", "photos"])
def test_api_report_with_a_bomb_is_422_naming_the_photo_field(api, field):
    response = api.post(
        "/cases",
        "citizen",
        data={"category": "drains", "description": "Blocked", "lat": ROXBURY[0],
              "lon": ROXBURY[1], field: upload(files.bomb_png(), "bomb.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "decompression bomb" in error["fields"]["photo"]
    assert cases.case_count() == 0


# -- resolutions -------------------------------------------------------------------------


def test_api_resolution_takes_several_photos(api, drain_case):
    case_id = drain_case["id"]
    task = to_resolve(api, case_id)

    response = api.post(
        f"/tasks/{task['id']}/complete",
        "officer-water",
        data={"resolution_note": "Cleared",
              "resolution_photo": [upload(files.jpeg(), "before.jpg"),
                                   upload(files.heic(), "after.heic")]},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200, response.get_json()
    names = [a.original_name for a in cases.attachments_of(case_id, "resolution")]
    assert names == ["before.jpg", "after.heic"]


@pytest.mark.parametrize(
    "raw, words",
    [(files.NOT_A_PHOTO, "not a photo"), (None, "decompression bomb")],
    ids=["text-named-jpg", "bomb"],
)
def test_api_resolution_refuses_a_bad_photo_with_422_naming_the_field(api, drain_case, raw,
                                                                       words):
    case_id = drain_case["id"]
    task = to_resolve(api, case_id)

    response = api.post(
        f"/tasks/{task['id']}/complete",
        "officer-water",
        data={"resolution_note": "Cleared",
              "resolution_photo": [upload(files.jpeg(), "good.jpg"),
                                   upload(raw or files.bomb_png(), "fix.jpg")]},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert words in response.get_json()["error"]["fields"]["resolution_photo"]
    session.expire_all()
    assert api.task(case_id, "resolve", "officer-water")["status"] == "open"
    assert cases.attachments_of(case_id) == []


def test_resolve_page_takes_several_photos_and_marks_a_bad_one(api, client, logins,
                                                                drain_case):
    case_id = drain_case["id"]
    task = to_resolve(api, case_id)
    log_in(client, logins, "officer-water")
    assert "multiple" in client.get(f"/tasks/{task['id']}").get_data(as_text=True)

    bad = client.post(
        f"/tasks/{task['id']}",
        data={"resolution_note": "done",
              "resolution_photo": [upload(files.jpeg(), "a.jpg"),
                                   upload(files.NOT_A_PHOTO, "b.jpg")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="resolution_photo-error"' in page and "not a photo" in page

    good = client.post(
        f"/tasks/{task['id']}",
        data={"resolution_note": "done",
              "resolution_photo": [upload(files.jpeg(), "a.jpg"),
                                   upload(files.heic(), "b.heic")]},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert len(cases.attachments_of(case_id, "resolution")) == 2
