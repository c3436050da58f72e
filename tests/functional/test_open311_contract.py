"""The Open311 GeoReport v2 contract: every answer's element names and JSON shape."""

import io
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from casemgr.cases import questions
from casemgr.cases import service as cases
from casemgr.cases.models import CaseAnswer
from casemgr.db import session
from tests.functional.open311 import (
    ATTRIBUTE_FIELDS,
    CREATED_FIELDS,
    PREFIX,
    REQUEST_FIELDS,
    SERVICE_FIELDS,
    children,
    jpeg_bytes,
    json_body,
    json_errors,
    new_key,
    post_request,
    xml_errors,
    xml_root,
)

pytestmark = pytest.mark.usefixtures("open311_limits")

#: A W3C datetime with its offset, to the second.
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture
def key():
    return new_key()


@pytest.fixture
def drains_questions():
    drains = cases.category_by_code("drains")
    questions.define(drains, "DEPTH", "How deep is the water, in cm?", "number",
                     is_required=True, position=1)
    questions.define(drains, "SMELL", "Does it smell?", "singlevaluelist", position=2,
                     choices=[["yes", "Yes"], ["no", "No"]])
    questions.define(drains, "BLOCKED", "What blocks it?", "multivaluelist", position=3,
                     choices=[{"key": "leaves", "name": "Leaves"},
                              {"key": "trash", "name": "Trash"},
                              {"key": "sand", "name": "Sand"}])
    questions.define(drains, "SINCE", "Since when?", "datetime", position=4)
    questions.define(drains, "NOTE", "Call 112 for emergencies.", "text", is_variable=False,
                     position=5)
    return drains


# -- discovery and services ----------------------------------------------------------------


def test_discovery_in_xml_and_json(client):
    root = xml_root(client.get(f"{PREFIX}/discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert endpoint.findtext("url").endswith("/open311/v2")

    body = json_body(client.get(f"{PREFIX}/discovery.json"))
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert W3C.match(body["changeset"])


def test_services_list_the_active_categories(client, drains_questions):
    root = xml_root(client.get(f"{PREFIX}/services.xml"))
    assert root.tag == "services"
    codes = [c.code for c in cases.categories()]
    assert [s.findtext("service_code") for s in root] == codes
    for service in root:
        assert service.tag == "service"
        assert children(service) == SERVICE_FIELDS
        assert service.findtext("type") == "realtime"
    metadata = {s.findtext("service_code"): s.findtext("metadata") for s in root}
    assert metadata["drains"] == "true" and metadata["roads"] == "false"

    body = json_body(client.get(f"{PREFIX}/services.json"))
    assert [s["service_code"] for s in body] == codes
    assert all(list(s) == SERVICE_FIELDS for s in body)
    drains = next(s for s in body if s["service_code"] == "drains")
    assert drains["metadata"] is True
    assert drains["group"] == drains_questions.unit.name


def test_service_definition_lists_the_questions_with_types_and_values(client,
                                                                      drains_questions):
    root = xml_root(client.get(f"{PREFIX}/services/drains.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert [a.tag for a in attributes] == ["attribute"] * 5
    for attribute in attributes:
        assert children(attribute) == ATTRIBUTE_FIELDS
    assert [a.findtext("datatype") for a in attributes] == [
        "number", "singlevaluelist", "multivaluelist", "datetime", "text"]
    assert [a.findtext("order") for a in attributes] == ["1", "2", "3", "4", "5"]
    values = attributes[2].find("values")
    assert [(v.tag, children(v)) for v in values] == [("value", ["key", "name"])] * 3
    assert [v.findtext("key") for v in values] == ["leaves", "trash", "sand"]
    assert attributes[0].findtext("required") == "true"
    assert attributes[4].findtext("variable") == "false"

    body = json_body(client.get(f"{PREFIX}/services/drains.json"))
    assert list(body) == ["service_code", "attributes"]
    assert [list(a) for a in body["attributes"]] == [ATTRIBUTE_FIELDS] * 5
    assert body["attributes"][1]["values"] == [{"key": "yes", "name": "Yes"},
                                               {"key": "no", "name": "No"}]
    assert body["attributes"][0]["values"] == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_is_404_in_the_error_format(client, fmt):
    response = client.get(f"{PREFIX}/services/nope.{fmt}")
    read = xml_errors if fmt == "xml" else json_errors
    assert read(response, 404) == ["service_code 'nope' not found"]


# -- posting and reading one request -------------------------------------------------------


def test_post_request_in_xml_answers_id_and_token(client, key):
    response = post_request(client, key, fmt="xml")
    root = xml_root(response)
    assert root.tag == "service_requests"
    assert [r.tag for r in root] == ["request"]
    assert children(root[0]) == CREATED_FIELDS
    reference = root[0].findtext("service_request_id")
    case = cases.by_reference(reference)
    assert case.source == "open311" and case.reporter_name == "Siti Warga"
    assert case.reporter_email == "warga@example.org"

    token = root[0].findtext("token")
    token_root = xml_root(client.get(f"{PREFIX}/tokens/{token}.xml"))
    assert token_root.tag == "service_requests"
    assert children(token_root[0]) == ["service_request_id", "token"]
    assert token_root[0].findtext("service_request_id") == reference


def test_post_request_in_json_then_read_it_back(client, key):
    created = json_body(post_request(client, key, fmt="json"))
    assert [list(item) for item in created] == [CREATED_FIELDS]
    reference = created[0]["service_request_id"]
    case = cases.by_reference(reference)

    body = json_body(client.get(f"{PREFIX}/requests/{reference}.json"))
    assert len(body) == 1 and list(body[0]) == REQUEST_FIELDS
    request = body[0]
    assert request["status"] == "open"
    assert request["service_code"] == "drains"
    assert request["agency_responsible"] == case.unit.name
    assert (request["lat"], request["long"]) == (42.316782, -71.085581)
    assert request["status_notes"] == "Complaint filed: Clogged drain"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request[name]), request[name]
    # expected_datetime is the SLA due moment, in city time with its offset.
    assert datetime.fromisoformat(request["expected_datetime"]) == case.sla_due_at

    token = json_body(client.get(f"{PREFIX}/tokens/{created[0]['token']}.json"))
    assert token == [{"service_request_id": reference, "token": created[0]["token"]}]


def test_request_in_xml_has_every_element_in_order(client, key):
    reference = json_body(post_request(client, key))[0]["service_request_id"]
    root = xml_root(client.get(f"{PREFIX}/requests/{reference}.xml"))
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    assert children(root[0]) == REQUEST_FIELDS
    assert root[0].findtext("lat") == "42.316782"
    assert root[0].findtext("status") == "open"


def test_status_notes_is_the_latest_public_note(client, key, api):
    reference = json_body(post_request(client, key))[0]["service_request_id"]
    case = cases.by_reference(reference)
    api.complete(case.id, "triage", "triage", {"decision": "reject", "note": "Private land"})

    request = json_body(client.get(f"{PREFIX}/requests/{reference}.json"))[0]
    assert request["status"] == "closed"
    assert request["status_notes"] == "Private land"


def test_media_url_is_the_first_uploaded_photo(client, key):
    form = {"api_key": key, "service_code": "drains", "lat": "42.316782",
            "long": "-71.085581", "description": "Drain with a photo",
            "media": (io.BytesIO(jpeg_bytes()), "drain.jpg")}
    response = client.post(f"{PREFIX}/requests.json", data=form,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    reference = response.get_json()[0]["service_request_id"]

    request = json_body(client.get(f"{PREFIX}/requests/{reference}.json"))[0]
    assert "/open311/v2/media/" in request["media_url"]
    photo = client.get(request["media_url"].replace("http://localhost", ""))
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.data.startswith(b"\xff\xd8")
    photo.close()


def test_media_url_sent_by_the_client_is_shown_when_there_is_no_photo(client, key):
    url = "https://photos.example.org/drain/123.jpg"
    reference = json_body(post_request(client, key, media_url=url))[0]["service_request_id"]
    assert json_body(client.get(f"{PREFIX}/requests/{reference}.json"))[0]["media_url"] == url


def test_attributes_are_checked_and_kept_with_multiple_values(client, key, drains_questions):
    response = client.post(f"{PREFIX}/requests.json", data={
        "api_key": key, "service_code": "drains", "address_string": "Jl. Kebon Sirih 1",
        "description": "Water stands", "attribute[DEPTH]": "12.5", "attribute[SMELL]": "yes",
        "attribute[BLOCKED][]": ["leaves", "trash"], "attribute[SINCE]": "2026-12-01T08:00"})
    assert response.status_code == 201, response.get_data(as_text=True)
    case = cases.by_reference(response.get_json()[0]["service_request_id"])
    answers = session.scalars(select(CaseAnswer).where(CaseAnswer.case_id == case.id))
    assert sorted((a.question_code, a.value) for a in answers) == [
        ("BLOCKED", "leaves"), ("BLOCKED", "trash"), ("DEPTH", "12.5"),
        ("SINCE", "2026-12-01T08:00"), ("SMELL", "yes")]


def test_bad_attributes_are_all_named_and_nothing_is_filed(client, key, drains_questions):
    before = cases.case_count()
    response = client.post(f"{PREFIX}/requests.xml", data={
        "api_key": key, "service_code": "drains", "address_string": "Jl. Kebon Sirih 1",
        "description": "Water stands", "attribute[SMELL]": "maybe",
        "attribute[BLOCKED]": ["leaves", "glass"], "attribute[SINCE]": "last week",
        "attribute[COLOUR]": "brown"})
    errors = xml_errors(response, 400)
    assert sorted(errors) == [
        "attribute[BLOCKED]: 'glass' is not one of the listed keys",
        "attribute[COLOUR]: no such question",
        "attribute[DEPTH]: required",
        "attribute[SINCE]: not an ISO 8601 date and time",
        "attribute[SMELL]: 'maybe' is not one of the listed keys",
    ]
    assert cases.case_count() == before


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_request_and_token_are_404(client, fmt):
    read = xml_errors if fmt == "xml" else json_errors
    assert read(client.get(f"{PREFIX}/requests/CM-2026-999999.{fmt}"), 404) == [
        "service_request_id 'CM-2026-999999' not found"]
    assert read(client.get(f"{PREFIX}/tokens/nosuchtoken.{fmt}"), 404) == [
        "token 'nosuchtoken' not found"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_several_errors_are_answered_at_once(client, key, fmt):
    before = cases.case_count()
    response = client.post(f"{PREFIX}/requests.{fmt}", data={
        "api_key": key, "lat": "91", "long": "200", "email": "not-an-email",
        "media_url": "ftp://example.org/x.jpg"})
    read = xml_errors if fmt == "xml" else json_errors
    errors = read(response, 400)
    assert errors == [
        "lat must be between -90 and 90",
        "long must be between -180 and 180",
        "service_code is required",
        "description is required",
        "media_url must be an http or https URL",
    ]
    assert cases.case_count() == before


def test_missing_key_is_403_before_anything_else(client):
    response = client.post(f"{PREFIX}/requests.json", data={"service_code": "nope"})
    assert json_errors(response, 403) == ["api_key is required"]


def test_openapi_document_lists_every_route_in_both_formats(app, client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    assert document["openapi"].startswith("3.") and document["servers"] == [
        {"url": "/open311/v2"}]
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint in ("open311.media",
                                                                 "open311.openapi"):
            continue
        path = rule.rule[len(PREFIX):].replace("<any(xml, json):fmt>", "{fmt}")
        path = path.replace("<code>", "{service_code}").replace(
            "<request_id>", "{service_request_id}").replace("<token>", "{token}")
        for fmt in ("xml", "json"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path.replace("{fmt}", fmt), method.lower()))
    assert documented == routes


def test_api_key_may_come_in_the_query_string(client, key):
    form = {"service_code": "drains", "address_string": "Jl. Sabang 5", "description": "Dry"}
    response = client.post(f"{PREFIX}/requests.json?api_key={key}", data=form)
    assert response.status_code == 201, response.get_data(as_text=True)
