"""Helpers of the Open311 tests: a client key, and reading answers in both formats."""

import io

from defusedxml import ElementTree
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casemgr.open311 import keys
from tests.conftest import ROXBURY

PREFIX = "/open311/v2"

REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description",
                    "order", "description", "values"]
CREATED_FIELDS = ["service_request_id", "token", "service_notice", "account_id"]
UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime",
                 "description", "media_url"]


def new_key(name="test-client"):
    _, raw_key = keys.create(name)
    return raw_key


def xml_root(response):
    """Parse an XML answer with a parser that refuses entities and DTDs."""
    assert response.content_type == "text/xml; charset=utf-8", response.content_type
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(body)


def json_body(response):
    assert response.content_type == "application/json; charset=utf-8", response.content_type
    return response.get_json()


def children(element):
    return [child.tag for child in element]


def xml_errors(response, status):
    """The <errors> of an XML refusal as a list of descriptions, checked element by element."""
    assert response.status_code == status, response.get_data(as_text=True)
    root = xml_root(response)
    assert root.tag == "errors"
    assert root, "an error answer lists at least one error"
    for error in root:
        assert error.tag == "error"
        assert children(error) == ["code", "description"]
        assert error.findtext("code").isdigit()
        assert error.findtext("description")
    return [error.findtext("description") for error in root]


def json_errors(response, status):
    """The error list of a JSON refusal as descriptions, its shape checked."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = json_body(response)
    assert isinstance(body, list) and body
    for error in body:
        assert set(error) == {"code", "description"}
        assert isinstance(error["code"], int) and isinstance(error["description"], str)
    return [error["description"] for error in body]


def jpeg_bytes(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(out, "JPEG")
    return out.getvalue()


def request_form(raw_key, **changes):
    """A good POST requests form for drains in Roxbury, with `changes` applied."""
    form = {"api_key": raw_key, "service_code": "drains", "lat": f"{ROXBURY[0]:.6f}",
            "long": f"{ROXBURY[1]:.6f}", "description": "Drain blocked on the corner",
            "email": "warga@example.org", "first_name": "Siti", "last_name": "Warga",
            "phone": "+62 21 555 0100"}
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def post_multipart(client, path, form):
    """POST `form` as multipart, encoded here: the test client leaves big bodies unclosed."""
    values = {name: FileStorage(io.BytesIO(value[1]), value[0]) if isinstance(value, tuple)
              else value for name, value in form.items()}
    boundary, body = encode_multipart(values)
    return client.post(path, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def post_request(client, raw_key, fmt="json", expect=201, **changes):
    response = client.post(f"{PREFIX}/requests.{fmt}", data=request_form(raw_key, **changes))
    assert response.status_code == expect, response.get_data(as_text=True)
    return response
