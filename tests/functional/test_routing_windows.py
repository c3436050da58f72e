"""Routing rules with a time of day: API fields, test a point at a moment, filed cases."""

from datetime import datetime
from zoneinfo import ZoneInfo

from casemgr.cases import service as cases
from casemgr.cases.models import RoutingRule
from casemgr.db import session
from tests.conftest import ROXBURY

NIGHT = {"category": "drains", "district": "roxbury", "unit": "highway", "position": 1,
         "time_from": "22:00", "time_to": "06:00"}


def city_moment(app, day, hour):
    """A moment in city time in December 2026 (day 4 is a Friday)."""
    return datetime(2026, 12, day, hour, tzinfo=ZoneInfo(app.config["CASEMGR_TIMEZONE"]))


def route_at(api, at, category="drains"):
    return api.post("/routing/test", "owner", json={
        "category": category, "lat": ROXBURY[0], "lon": ROXBURY[1], "at": at})


def test_a_night_rule_fires_only_at_night_in_city_time(api):
    added = api.post("/routing-rules", "owner", json=NIGHT)
    assert added.status_code == 201, added.get_json()
    rule = added.get_json()
    assert (rule["time_from"], rule["time_to"], rule["weekdays"]) == ("22:00", "06:00", [])
    assert rule["window"] == "22:00-06:00"

    night = route_at(api, "2026-12-04T23:30").get_json()
    assert night["unit"]["code"] == "highway" and night["rule"]["id"] == rule["id"]
    assert night["at"].startswith("2026-12-04T23:30")
    early = route_at(api, "2026-12-05T05:59").get_json()
    assert early["unit"]["code"] == "highway"
    day = route_at(api, "2026-12-05T12:00").get_json()
    assert day["rule"] is None and day["unit"]["code"] == "water"


def test_a_moment_with_an_offset_is_read_in_city_time(app, api):
    api.post("/routing-rules", "owner", json=NIGHT)
    night = city_moment(app, 4, 23).isoformat()

    assert route_at(api, night).get_json()["unit"]["code"] == "highway"


def test_weekdays_limit_the_window(api):
    rule = dict(NIGHT, weekdays=["fri"])
    assert api.post("/routing-rules", "owner", json=rule).get_json()["weekdays"] == ["fri"]

    assert route_at(api, "2026-12-05T02:00").get_json()["unit"]["code"] == "highway"
    assert route_at(api, "2026-12-06T02:00").get_json()["unit"]["code"] == "water"


def test_a_case_is_routed_by_its_filing_moment(app, api):
    api.post("/routing-rules", "owner", json=NIGHT)

    at_night, _secret = cases.file_case(category="drains", description="Flooded drain",
                                        lat=ROXBURY[0], lon=ROXBURY[1],
                                        filed_at=city_moment(app, 4, 23))
    by_day, _secret = cases.file_case(category="drains", description="Flooded drain",
                                      lat=ROXBURY[0], lon=ROXBURY[1],
                                      filed_at=city_moment(app, 4, 11))

    assert at_night.unit.code == "highway"
    assert by_day.unit.code == "water"


def test_bad_windows_and_moments_name_the_field_and_store_nothing(api):
    before = session.query(RoutingRule).count()
    bad = api.post("/routing-rules", "owner", json=dict(
        NIGHT, time_from="25:00", time_to="", weekdays=["funday"]))
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"time_from", "weekdays"}

    half = api.post("/routing-rules", "owner", json=dict(NIGHT, time_to=None))
    assert half.status_code == 422 and "time_to" in half.get_json()["error"]["fields"]
    same = api.post("/routing-rules", "owner", json=dict(NIGHT, time_to="22:00"))
    assert "end must differ" in same.get_json()["error"]["fields"]["time_to"]
    assert session.query(RoutingRule).count() == before

    moment = route_at(api, "tonight")
    assert moment.status_code == 422 and "at" in moment.get_json()["error"]["fields"]


def test_move_swaps_a_rule_with_its_neighbour(api):
    first = api.post("/routing-rules", "owner", json={"district": "roxbury", "unit": "parks",
                                                     "position": 1}).get_json()
    api.post("/routing-rules", "owner", json={"district": "roxbury", "unit": "highway",
                                             "position": 2})
    assert route_at(api, None).get_json()["unit"]["code"] == "parks"

    moved = api.post(f"/routing-rules/{first['id']}/move", "owner", json={"direction": "down"})

    assert moved.status_code == 200
    assert route_at(api, None).get_json()["unit"]["code"] == "highway"
    bad = api.post(f"/routing-rules/{first['id']}/move", "owner", json={"direction": "left"})
    assert bad.status_code == 422 and "direction" in bad.get_json()["error"]["fields"]
    missing = api.post("/routing-rules/999999/move", "owner", json={"direction": "up"})
    assert missing.status_code == 404
    assert api.post(f"/routing-rules/{first['id']}/move", "triage",
                    json={"direction": "up"}).status_code == 403


def test_the_existing_rule_shape_is_kept(api):
    rule = api.get("/routing-rules", "owner").get_json()["items"][0]

    assert {"id", "position", "category", "district", "unit"} <= set(rule)
    assert rule["time_from"] is None and rule["window"] == "any time"
