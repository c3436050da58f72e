"""The public map, and a reporter's name on no public surface; staff still see it."""

import json

import pytest

from casemgr.accounts import service as accounts
from tests.conftest import ROXBURY
from tests.functional.citizen_cases import NEARBY, file, log_in

NAME, EMAIL = "Rahasia Pelapor", "rahasia@example.org"


def private_words():
    return (NAME, EMAIL, "Rahasia", "rahasia")


def assert_private(text):
    for word in private_words():
        assert word not in text, word


@pytest.fixture
def anonymous_case():
    return file(reporter_name=NAME, reporter_email=EMAIL, is_anonymous=True, wants_email=True)


def test_no_public_surface_shows_an_anonymous_reporter(client, api, anonymous_case):
    reference = anonymous_case.reference
    drains = {"category": "drains", "lat": NEARBY[0], "lon": NEARBY[1]}

    assert_private(client.get(f"/track/{reference}").get_data(as_text=True))
    assert_private(client.get("/map/cases.json").get_data(as_text=True))
    assert_private(client.get("/map").get_data(as_text=True))
    duplicates = client.get("/report/duplicates", query_string=drains).get_data(as_text=True)
    assert reference in duplicates
    assert_private(duplicates)
    # A citizen's API view of cases they may read carries no reporter at all.
    own = api.post("/cases", "citizen", json={**drains, "description": "Drain blocked",
                                               "anonymous": True}).get_json()
    citizen_view = api.get(f"/cases/{own['id']}", "citizen").get_json()
    assert "reporter" not in citizen_view
    assert api.get(f"/cases/{anonymous_case.id}", "citizen").status_code == 403


def test_staff_still_see_the_anonymous_reporter(client, api, logins, anonymous_case):
    staff_view = api.get(f"/cases/{anonymous_case.id}", "triage").get_json()
    assert staff_view["reporter"] == {"name": NAME, "email": EMAIL, "username": None,
                                      "anonymous": True}

    log_in(client, "triage", logins["triage"]["password"])
    page = client.get(f"/cases/{anonymous_case.id}").get_data(as_text=True)
    assert NAME in page and EMAIL in page and 'id="anonymous-badge"' in page


def test_the_map_draws_located_cases_with_public_fields_only(client):
    located = file(reporter=accounts.find_user("citizen"))
    file(None, address="Somewhere without a point")
    file(ROXBURY, is_located=False, require_place=False)

    body = client.get("/map/cases.json").get_json()

    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["reference"] for f in body["features"]] == [located.reference]
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [ROXBURY[1], ROXBURY[0]]}
    assert set(feature["properties"]) == {"reference", "status", "category", "category_name",
                                          "filed_at", "url"}
    assert "Siti" not in json.dumps(body) and "citizen@" not in json.dumps(body)


def test_the_map_filters_by_status_and_category(client, api):
    drain = file()
    waste = file(category="waste", description="Bags on the corner")
    api.complete(waste.id, "triage", "triage", {"decision": "reject", "note": "Private bins"})

    def references(**query):
        response = client.get("/map/cases.json", query_string=query)
        assert response.status_code == 200
        return sorted(f["properties"]["reference"] for f in response.get_json()["features"])

    assert references() == sorted([drain.reference, waste.reference])
    assert references(status="open") == [drain.reference]
    assert references(status="closed") == [waste.reference]
    assert references(category="waste") == [waste.reference]
    assert references(category="waste", status="open") == []


@pytest.mark.parametrize("query", [{"status": "lost"}, {"category": "nope"}])
def test_bad_map_filters_are_422(client, query):
    response = client.get("/map/cases.json", query_string=query)

    assert response.status_code == 422
    assert response.get_json()["error"]["message"]


def test_the_map_page_needs_no_login_and_serves_its_own_assets(client):
    page = client.get("/map")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in text
    assert "public_map.js" in text and "<script>" not in text
    assert 'id="map-status"' in text and 'id="map-category"' in text
    with client.get("/static/vendor/leaflet.markercluster/leaflet.markercluster.js") as script:
        assert script.status_code == 200
