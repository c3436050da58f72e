"""Bad Open311 input: each gets its status and message, and nothing is stored."""

import os

import pytest
from sqlalchemy import func, select

from casemgr.cases.models import Attachment, CaseAnswer, CaseEvent
from casemgr.db import session
from casemgr.models import Case
from casemgr.open311 import keys
from casemgr.open311.models import ReceivedUpdate, ServiceRequest
from tests.functional.open311 import (
    PREFIX,
    jpeg_bytes,
    json_errors,
    new_key,
    post_multipart,
    request_form,
    xml_errors,
)

pytestmark = pytest.mark.usefixtures("open311_limits")

STORED = (Case, CaseEvent, Attachment, CaseAnswer, ServiceRequest, ReceivedUpdate)


def stored(app):
    counts = {model.__tablename__: session.scalar(select(func.count(model.id)))
              for model in STORED}
    counts["files"] = len(os.listdir(app.config["UPLOAD_DIR"]))
    return counts


@pytest.fixture
def key():
    return new_key()


@pytest.fixture
def revoked_key():
    key, raw_key = keys.create("revoked-client")
    keys.revoke(key)
    return raw_key


def photo_form(key, content, name):
    return {**request_form(key), "media": (name, content)}


TWENTY_MB = b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024)

POST_CASES = {
    "no key": (lambda key, revoked: request_form(None), 403, ["api_key is required"]),
    "revoked key": (lambda key, revoked: request_form(revoked), 403,
                    ["api_key is invalid or revoked"]),
    "unknown service": (lambda key, revoked: request_form(key, service_code="nope"), 404,
                        ["service_code 'nope' not found"]),
    "latitude 91": (lambda key, revoked: request_form(key, lat="91"), 400,
                    ["lat must be between -90 and 90"]),
    "latitude without longitude": (lambda key, revoked: request_form(key, long=None), 400,
                                   ["give both lat and long, or neither"]),
    "missing location": (lambda key, revoked: request_form(key, lat=None, long=None), 400,
                         ["a location is required: lat and long, address_string or "
                          "address_id"]),
    "4,001-character description": (
        lambda key, revoked: request_form(key, description="x" * 4001), 400,
        ["description must be at most 4000 characters"]),
    "HTML in the description": (
        lambda key, revoked: request_form(key, description='Look <img src=x onerror=alert(1)>'),
        400, ["description must be plain text, without HTML tags"]),
    "20 MB photo": (lambda key, revoked: photo_form(key, TWENTY_MB, "big.jpg"), 400,
                    ["media: the file is larger than the limit of 16 MB"]),
    "non-image photo": (lambda key, revoked: photo_form(key, b"%PDF-1.7 not a photo", "x.jpg"),
                        400, ["media: the file is not a photo: send a JPEG, PNG, WebP, GIF "
                              "or HEIC image"]),
}


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("name", list(POST_CASES))
def test_bad_request_is_refused_and_stores_nothing(app, client, key, revoked_key, name, fmt):
    make_form, status, messages = POST_CASES[name]
    before = stored(app)
    response = post_multipart(client, f"{PREFIX}/requests.{fmt}", make_form(key, revoked_key))
    read = xml_errors if fmt == "xml" else json_errors
    assert read(response, status) == messages
    assert stored(app) == before


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("query, message", [
    ("start_date=2026-13-45", "start_date must be a W3C datetime such as "
     "2026-01-31T09:30:00+07:00"),
    ("updated_after=31/12/2026", "updated_after must be a W3C datetime such as "
     "2026-01-31T09:30:00+07:00"),
    ("page_size=0", "page_size must be a whole number from 1 to 1000"),
    ("page_size=-5", "page_size must be a whole number from 1 to 1000"),
    ("page=two", "page must be a whole number from 1 to 1000000"),
])
def test_bad_query_is_400(client, query, message, fmt):
    read = xml_errors if fmt == "xml" else json_errors
    assert read(client.get(f"{PREFIX}/requests.{fmt}?{query}"), 400) == [message]


def test_invalid_date_in_the_updates_feed_is_400(client):
    response = client.get(f"{PREFIX}/servicerequestupdates.xml?start_date=notadate")
    assert xml_errors(response, 400) == [
        "start_date must be a W3C datetime such as 2026-01-31T09:30:00+07:00"]


def test_a_body_over_the_request_limit_is_413_in_the_error_format(app, client, key,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    before = stored(app)
    form = photo_form(key, jpeg_bytes() + b"\0" * (2 * 1024 * 1024), "big.jpg")
    response = post_multipart(client, f"{PREFIX}/requests.json", form)
    assert json_errors(response, 413) == ["the request is larger than 1048576 bytes"]
    assert stored(app) == before


def test_nul_characters_are_refused_in_the_error_format(app, client, key):
    before = stored(app)
    response = client.post(f"{PREFIX}/requests.xml",
                           data=request_form(key, description="bad\x00text"))
    assert xml_errors(response, 400) == ["NUL characters are not allowed in requests."]
    assert stored(app) == before
