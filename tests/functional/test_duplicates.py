"""Duplicate suggestions while reporting: open reports of the category within its radius."""

import pytest

from casemgr.cases import service as cases
from casemgr.citizens import service as citizens
from casemgr.db import session
from tests.conftest import ROXBURY
from tests.functional.citizen_cases import FAR, NEARBY, file


@pytest.fixture(autouse=True)
def _seeded_radii():
    """Give the seeded categories their default radius back: the cleanup keeps their rows."""
    yield
    session.rollback()
    for category in cases.categories(active_only=False):
        category.duplicate_radius_m = 50
    session.commit()


def suggestions(client, point=NEARBY, category="drains"):
    response = client.get("/report/duplicates",
                          query_string={"category": category, "lat": point[0], "lon": point[1]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_open_report_nearby_is_suggested_with_its_distance(client):
    near = file(ROXBURY, reporter_name="Ana Secret", reporter_email="ana@example.org")
    file(FAR)
    file(ROXBURY, category="waste", description="Bags left on the corner")

    body = suggestions(client)

    assert body["radius_m"] == 50
    assert [item["reference"] for item in body["items"]] == [near.reference]
    item = body["items"][0]
    assert 10 <= item["distance_m"] <= 30
    assert item["tracking_url"] == f"/track/{near.reference}"
    assert item["me_too_count"] == 0
    assert set(item) == {"reference", "category", "status", "filed_at", "distance_m",
                         "me_too_count", "tracking_url"}


def test_the_radius_is_per_category_and_zero_turns_it_off(client):
    file(FAR)

    citizens.set_duplicate_radius(cases.category_by_code("drains"), 2000)
    assert len(suggestions(client)["items"]) == 1

    # Each request ends its session: load the category again before changing it.
    citizens.set_duplicate_radius(cases.category_by_code("drains"), 0)
    assert suggestions(client) == {"radius_m": 0, "items": []}


def test_closed_merged_and_unlocated_reports_are_not_suggested(client, api):
    closed = file(ROXBURY)
    api.complete(closed.id, "triage", "triage", {"decision": "reject", "note": "Not city land"})
    file(None, address="Warren St, somewhere")

    assert cases.get(closed.id).status == "closed"
    assert suggestions(client)["items"] == []


@pytest.mark.parametrize("query", [
    {"category": "drains", "lat": "north", "lon": "1"},
    {"category": "drains", "lat": "91", "lon": "1"},
    {"category": "drains", "lat": "42.3"},
    {"category": "nope", "lat": "42.3", "lon": "-71"},
    {},
])
def test_bad_queries_are_422_with_a_message(client, query):
    response = client.get("/report/duplicates", query_string=query)

    assert response.status_code == 422
    assert response.get_json()["error"]["message"]


def test_radius_cli_sets_and_refuses(app):
    runner = app.test_cli_runner()

    ok = runner.invoke(args=["casemgr", "duplicate-radius", "roads", "120"])
    assert ok.exit_code == 0, ok.output
    assert cases.category_by_code("roads").duplicate_radius_m == 120

    unknown = runner.invoke(args=["casemgr", "duplicate-radius", "nope", "10"])
    assert unknown.exit_code != 0 and "no category 'nope'" in unknown.output
    too_far = runner.invoke(args=["casemgr", "duplicate-radius", "roads", "99999"])
    assert too_far.exit_code != 0
    assert cases.category_by_code("roads").duplicate_radius_m == 120
