"""GET requests with its filters and extensions, the updates feed, and common clients."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from casemgr.cases import service as cases
from casemgr.cases.models import Case, CaseEvent
from casemgr.db import session, utcnow
from casemgr.open311.models import ReceivedUpdate, ServiceRequest
from tests.conftest import ROXBURY
from tests.functional.open311 import (
    PREFIX,
    UPDATE_FIELDS,
    children,
    json_body,
    json_errors,
    new_key,
    post_request,
    xml_errors,
    xml_root,
)

pytestmark = pytest.mark.usefixtures("open311_limits")


@pytest.fixture
def key():
    return new_key()


def filed(client, key, **changes):
    return json_body(post_request(client, key, **changes))[0]["service_request_id"]


def listed(client, query=""):
    return [r["service_request_id"] for r in json_body(client.get(f"{PREFIX}/requests.json"
                                                                  f"?{query}"))]


def old_case(days_ago):
    case, _ = cases.file_case(category="roads", description="An old pothole", lat=ROXBURY[0],
                              lon=ROXBURY[1], filed_at=utcnow() - timedelta(days=days_ago))
    return case.reference


# -- filters ------------------------------------------------------------------------------


def test_default_window_is_the_last_90_days(client, key):
    recent, old = filed(client, key), old_case(120)
    assert listed(client) == [recent]

    start = (utcnow() - timedelta(days=130)).isoformat()
    end = (utcnow() - timedelta(days=100)).isoformat()
    assert listed(client, f"start_date={start}&end_date={end}") == [old]
    # A start alone means the 90 days after it.
    assert listed(client, f"start_date={start}") == [old]


@pytest.mark.parametrize("query, message", [
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
     "start_date and end_date may not span more than 90 days"),
    ("start_date=2026-03-01&end_date=2026-02-01", "end_date must not be before start_date"),
    ("end_date=yesterday", "end_date must be a W3C datetime such as 2026-01-31T09:30:00+07:00"),
    ("status=pending", "status must be open or closed, got 'pending'"),
    ("start_date=9999-12-31", "start_date must be a date between 1900 and 2999"),
    ("page_size=%C2%B2", "page_size must be a whole number from 1 to 1000"),
    ("page_size=1001", "page_size must be a whole number from 1 to 1000"),
    ("page=0", "page must be a whole number from 1 to 1000000"),
    ("updated_after=2026-03-01T00:00:00Z&updated_before=2026-02-01T00:00:00Z",
     "updated_before must not be before updated_after"),
])
def test_bad_filters_are_400(client, query, message):
    assert json_errors(client.get(f"{PREFIX}/requests.json?{query}"), 400) == [message]
    assert xml_errors(client.get(f"{PREFIX}/requests.xml?{query}"), 400) == [message]


def test_an_offset_given_as_a_space_is_read_as_plus(client, key):
    reference = filed(client, key)
    start = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + " 00:00"
    assert listed(client, f"start_date={start}") == [reference]


def test_service_request_ids_override_every_other_filter(client, key):
    first, second = filed(client, key), filed(client, key, service_code="roads")
    old = old_case(200)
    query = f"service_request_id={first},{old}&service_code=roads&status=closed"
    assert sorted(listed(client, query)) == sorted([first, old])
    assert listed(client, f"service_request_id={second}") == [second]


def test_service_code_list_and_status(client, key, api):
    drains, roads = filed(client, key), filed(client, key, service_code="roads")
    graffiti = filed(client, key, service_code="graffiti")
    assert sorted(listed(client, "service_code=drains,roads")) == sorted([drains, roads])

    case = cases.by_reference(graffiti)
    api.complete(case.id, "triage", "triage", {"decision": "reject", "note": "Private wall"})
    assert listed(client, "status=closed") == [graffiti]
    assert sorted(listed(client, "status=open")) == sorted([drains, roads])
    assert len(listed(client, "status=open,closed")) == 3


def test_pages_and_a_page_past_the_end_is_empty(client, key):
    references = [filed(client, key) for _ in range(5)]
    newest_first = list(reversed(references))
    pages = [listed(client, f"page={n}&page_size=2") for n in (1, 2, 3)]
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:]]

    assert listed(client, "page=4&page_size=2") == []
    root = xml_root(client.get(f"{PREFIX}/requests.xml?page=4&page_size=2"))
    assert root.tag == "service_requests" and children(root) == []


def test_an_answer_holds_at_most_the_result_cap(client, key, monkeypatch):
    from casemgr.open311 import params

    # The cap is 1000; three stands for it here so that the test files four, not 1001.
    monkeypatch.setattr(params, "MAX_RESULTS", 3)
    references = [filed(client, key) for _ in range(4)]
    assert listed(client) == list(reversed(references))[:3]
    assert json_errors(client.get(f"{PREFIX}/requests.json?page_size=4"), 400) == [
        "page_size must be a whole number from 1 to 3"]


def test_updated_after_and_before(client, key):
    early, late = filed(client, key), filed(client, key)
    past = utcnow() - timedelta(days=3)
    session.execute(update(Case).where(Case.reference == early).values(updated_at=past)
                    .execution_options(synchronize_session=False))
    session.commit()

    middle = (utcnow() - timedelta(days=1)).isoformat()
    assert listed(client, f"updated_after={middle}") == [late]
    assert listed(client, f"updated_before={middle}") == [early]


def test_extensions_add_the_public_notes_and_photos(client, key):
    reference = filed(client, key)
    root = xml_root(client.get(f"{PREFIX}/requests.xml?extensions=true"))
    request = root.find("request")
    assert children(request)[-1] == "extended_attributes"
    extended = request.find("extended_attributes")
    assert children(extended) == ["notes", "photos"]
    note = extended.find("notes/note")
    assert children(note) == ["datetime", "type", "summary"]
    assert note.findtext("summary") == "Complaint filed: Clogged drain"

    body = json_body(client.get(f"{PREFIX}/requests/{reference}.json?extensions=true"))
    assert body[0]["extended_attributes"]["photos"] == []
    assert [n["type"] for n in body[0]["extended_attributes"]["notes"]] == ["filed"]
    assert "extended_attributes" not in json_body(client.get(f"{PREFIX}/requests.json"))[0]


# -- updates --------------------------------------------------------------------------------


def test_update_feed_lists_public_history(client, key, api):
    reference = filed(client, key)
    case = cases.by_reference(reference)
    api.complete(case.id, "triage", "triage", {"decision": "reject", "note": "Not ours"})

    root = xml_root(client.get(f"{PREFIX}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert {u.tag for u in root} == {"request_update"}
    assert all(children(u) == UPDATE_FIELDS for u in root)

    body = json_body(client.get(f"{PREFIX}/servicerequestupdates.json"))
    assert all(list(u) == UPDATE_FIELDS for u in body)
    assert {u["service_request_id"] for u in body} == {reference}
    assert body[0]["status"] == "open" and body[-1]["status"] == "closed"


def update_form(key, reference, **changes):
    form = {"api_key": key, "service_request_id": reference, "update_id": "fms-1001",
            "updated_datetime": "2026-12-04T10:00:00+07:00", "status": "open",
            "description": "Still blocked this morning", "first_name": "Siti",
            "last_name": "-"}
    form.update(changes)
    return form


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posted_update_is_kept_once(client, key, fmt):
    reference = filed(client, key)
    response = client.post(f"{PREFIX}/servicerequestupdates.{fmt}",
                           data=update_form(key, reference))
    assert response.status_code == 201, response.get_data(as_text=True)
    if fmt == "xml":
        root = xml_root(response)
        assert root.tag == "service_request_updates"
        assert children(root[0]) == ["update_id"]
    else:
        assert list(json_body(response)[0]) == ["update_id"]

    event = session.scalar(select(CaseEvent).where(CaseEvent.kind == "open311_update"))
    assert event.summary == "Update from Siti via test-client: Still blocked this morning"
    assert not event.is_public

    again = client.post(f"{PREFIX}/servicerequestupdates.{fmt}",
                        data=update_form(key, reference, description="Repeated"))
    read = xml_errors if fmt == "xml" else json_errors
    assert read(again, 400) == ["update_id 'fms-1001' already received"]
    assert session.query(ReceivedUpdate).count() == 1


def test_update_refusals(client, key):
    reference = filed(client, key)
    url = f"{PREFIX}/servicerequestupdates.json"
    assert json_errors(client.post(url, data=update_form("wrong", reference)), 403) == [
        "api_key is invalid or revoked"]
    assert json_errors(client.post(url, data=update_form(key, "CM-2026-999999")), 404) == [
        "service_request_id 'CM-2026-999999' not found"]
    bad = update_form(key, reference, status="fixed", description="<b>x</b>",
                      updated_datetime="soon", update_id="")
    assert json_errors(client.post(url, data=bad), 400) == [
        "updated_datetime must be a W3C datetime such as 2026-01-31T09:30:00+07:00",
        "description must be plain text, without HTML tags",
        "update_id is required",
        "status must be open or closed",
    ]
    assert session.query(ReceivedUpdate).count() == 0


# -- what common clients send ---------------------------------------------------------------


def test_one_word_name_with_a_dash_for_last_name(client, key):
    reference = filed(client, key, first_name="Budi", last_name="-")
    assert cases.by_reference(reference).reporter_name == "Budi"


def test_six_decimal_coordinates_are_kept(client, key):
    reference = filed(client, key, lat="42.334567", long="-71.071234")
    case = cases.by_reference(reference)
    assert (case.lat, case.lon) == (42.334567, -71.071234)
    assert case.is_located and case.district is not None


def test_not_pinpointed_report_keeps_no_pin(client, key):
    reference = filed(client, key, address_id="#NOTPINPOINTED#")
    case = cases.by_reference(reference)
    assert not case.is_located and case.district is None
    assert case.unit_id == case.category.unit_id
    body = json_body(client.get(f"{PREFIX}/requests/{reference}.json"))[0]
    assert body["address_id"] == "#NOTPINPOINTED#"

    only_id = filed(client, key, lat=None, long=None, address_id="#NOTPINPOINTED#")
    assert not cases.by_reference(only_id).is_located


def test_jurisdiction_id_is_accepted_and_checked_when_configured(client, key, app,
                                                                 monkeypatch):
    assert filed(client, key, jurisdiction_id="city.example.org")
    monkeypatch.setitem(app.config, "OPEN311_JURISDICTION", "jakarta.go.id")
    assert filed(client, key, jurisdiction_id="jakarta.go.id")
    response = post_request(client, key, jurisdiction_id="boston.gov", expect=404)
    assert json_errors(response, 404) == [
        "unknown jurisdiction_id 'boston.gov'; this server is 'jakarta.go.id'"]
    assert session.query(ServiceRequest).count() == 2
