"""The process owners' routing pages: ordered rules with a time of day, and test a point."""

import pytest

from casemgr.cases import routing
from casemgr.cases.models import RoutingRule
from casemgr.db import session
from tests.conftest import ROXBURY
from tests.functional.test_pages import log_in

JSON = {"Accept": "application/json"}


def rule_fields(**changes):
    fields = {"category": "drains", "district": "roxbury", "unit": "highway",
              "time_from": "22:00", "time_to": "06:00", "weekdays": ["fri", "sat"],
              "position": ""}
    fields.update(changes)
    return fields


@pytest.mark.parametrize("username", ["citizen", "officer-water", "triage", "sup-water"])
def test_other_roles_get_403(client, logins, username):
    log_in(client, logins, username)
    rule_id = routing.list_rules()[0].id

    for path in ("/routing/", "/routing/test", "/routing/categories"):
        assert client.get(path).status_code == 403, path
    assert client.post("/routing/", data=rule_fields()).status_code == 403
    assert client.post(f"/routing/{rule_id}/delete").status_code == 403
    assert client.post(f"/routing/{rule_id}/move", data={"direction": "up"}).status_code == 403
    assert client.post("/routing/test", data={"category": "drains", "lat": "1",
                                              "lon": "1"}).status_code == 403
    assert session.get(RoutingRule, rule_id) is not None


def test_pages_need_a_login(client):
    response = client.get("/routing/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_owner_adds_a_night_rule_that_goes_last(client, logins):
    log_in(client, logins, "owner")
    before = routing.list_rules()

    added = client.post("/routing/", data=rule_fields())

    assert added.status_code == 302
    rules = routing.list_rules()
    assert len(rules) == len(before) + 1 and rules[-1].position > before[-1].position
    assert rules[-1].window.describe() == "22:00-06:00 fri, sat"
    page = client.get("/routing/").get_data(as_text=True)
    assert "22:00-06:00 fri, sat" in page and "Public Works: Highway Maintenance" in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"unit": ""}, "unit", "Choose the unit."),
    ({"unit": "nowhere"}, "unit", "Not a valid choice"),
    ({"time_from": "9pm"}, "time_from", "HH:MM"),
    ({"time_to": ""}, "time_to", "give both"),
    ({"time_to": "22:00"}, "time_to", "must differ"),
    ({"district": "atlantis"}, "district", "Not a valid choice"),
    ({"weekdays": ["someday"]}, "weekdays", "not a valid choice"),
    ({"position": "-3"}, "position", "between 0 and"),
])
def test_rule_form_errors_are_on_their_fields(client, logins, changes, field, message):
    log_in(client, logins, "owner")
    count = len(routing.list_rules())

    response = client.post("/routing/", data=rule_fields(**changes))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert message.lower() in error.lower()
    assert len(routing.list_rules()) == count


def test_owner_moves_and_deletes_rules(client, logins):
    log_in(client, logins, "owner")
    client.post("/routing/", data=rule_fields(time_from="", time_to="", weekdays=[]))
    first, second = routing.list_rules()[-2:]

    assert client.post(f"/routing/{second.id}/move", data={"direction": "up"}).status_code == 302
    assert [rule.id for rule in routing.list_rules()[-2:]] == [second.id, first.id]
    assert client.post(f"/routing/{second.id}/move", data={"direction": "x"}).status_code == 400
    assert client.post("/routing/999999/move", data={"direction": "up"}).status_code == 404

    assert client.post(f"/routing/{second.id}/delete").status_code == 302
    assert session.get(RoutingRule, second.id) is None
    assert client.post(f"/routing/{second.id}/delete").status_code == 404


def test_test_a_point_answers_json_to_the_page_script(client, logins):
    log_in(client, logins, "owner")
    client.post("/routing/", data=rule_fields(position="0"))
    point = {"category": "drains", "lat": str(ROXBURY[0]), "lon": str(ROXBURY[1])}

    night = client.post("/routing/test", data={**point, "at": "2026-12-04T23:00"},
                        headers=JSON).get_json()
    day = client.post("/routing/test", data={**point, "at": "2026-12-04T12:00"},
                      headers=JSON).get_json()

    assert night["unit"]["code"] == "highway" and night["district"]["name"] == "Roxbury"
    assert night["rule"]["window"] == "22:00-06:00 fri, sat"
    assert day["unit"]["code"] == "water" and day["rule"] is None


def test_test_a_point_page_has_the_map_and_works_without_script(client, logins):
    log_in(client, logins, "owner")

    page = client.get("/routing/test").get_data(as_text=True)
    assert 'id="routing-map"' in page and "routing-test.js" in page
    assert "vendor/leaflet/leaflet.js" in page and "<script>" not in page

    answered = client.post("/routing/test", data={"category": "waste", "lat": "42.3751",
                                                  "lon": "-71.0395"})
    assert answered.status_code == 200
    assert "Public Works: Sanitation, East Boston" in answered.get_data(as_text=True)


def test_test_a_point_refuses_bad_input_naming_the_field(client, logins):
    log_in(client, logins, "owner")

    answer = client.post("/routing/test", data={"category": "nope", "lat": "91", "lon": "x",
                                                "at": "soon"}, headers=JSON)

    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"category", "lat", "lon", "at"}
    page = client.post("/routing/test", data={"category": "drains"})
    assert page.status_code == 422 and "Click the map" in page.get_data(as_text=True)
