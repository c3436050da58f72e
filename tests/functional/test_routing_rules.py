"""Routing rules over the API: ordered, first match wins, and "test a point"."""

from tests.conftest import ROXBURY

EAST_BOSTON = (42.3751, -71.0395)


def route_point(api, point, category="drains"):
    return api.post("/routing/test", "owner",
                    json={"category": category, "lat": point[0], "lon": point[1]})


def test_the_demo_rule_fires_for_waste_in_east_boston_only(api):
    east = route_point(api, EAST_BOSTON, "waste").get_json()
    assert east["district"]["name"] == "East Boston"
    assert east["unit"]["code"] == "sanitation-east"
    assert east["rule"]["category"] == "waste"

    roxbury = route_point(api, ROXBURY, "waste").get_json()
    assert roxbury["rule"] is None
    assert roxbury["unit"]["code"] == "sanitation"
    assert "category's own unit" in roxbury["explanation"]


def test_rules_are_tried_in_order_and_the_first_match_wins(api):
    first = api.post("/routing-rules", "owner",
                     json={"category": "drains", "district": "roxbury", "unit": "highway",
                           "position": 5})
    assert first.status_code == 201, first.get_json()
    api.post("/routing-rules", "owner", json={"district": "roxbury", "unit": "parks",
                                             "position": 1})
    assert route_point(api, ROXBURY).get_json()["unit"]["code"] == "parks"

    filed = api.post("/cases", json={"category": "drains", "description": "x",
                                     "lat": ROXBURY[0], "lon": ROXBURY[1]}).get_json()
    assert api.get(f"/cases/{filed['id']}", "admin").get_json()["unit"]["code"] == "parks"

    rules = api.get("/routing-rules", "owner").get_json()["items"]
    parks = next(rule for rule in rules if rule["unit"]["code"] == "parks")
    assert api.client.delete(f"/api/v1/routing-rules/{parks['id']}",
                             headers=api.headers("owner")).status_code == 204
    assert route_point(api, ROXBURY).get_json()["unit"]["code"] == "highway"


def test_bad_rules_and_points_name_the_field(api):
    bad = api.post("/routing-rules", "owner",
                   json={"unit": "nope", "category": "nope", "district": "nope",
                         "position": -1})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"unit", "category", "district",
                                                      "position"}
    point = api.post("/routing/test", "owner", json={"category": "drains", "lat": 91,
                                                     "lon": 0})
    assert point.status_code == 422 and "lat" in point.get_json()["error"]["fields"]
    assert api.client.delete("/api/v1/routing-rules/999999",
                             headers=api.headers("owner")).status_code == 404


def test_only_process_owners_edit_routing(api):
    for user in ("citizen", "sup-water", "triage"):
        assert api.get("/routing-rules", user).status_code == 403
        assert api.post("/routing-rules", user, json={"unit": "parks"}).status_code == 403
