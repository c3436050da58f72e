"""GET /api/v1/kpis and its siblings on a small city whose figures are worked out by hand."""

import pytest

from tests.functional.dashboard_cases import AS_OF, small_city

JUDGED = {"as_of": AS_OF.isoformat()}
CONTRACT = {"total", "on_time", "overdue", "median_hours_to_resolve", "p90_hours_to_resolve",
            "reopen_rate", "avg_rating"}


@pytest.fixture
def city(app):
    return small_city()


def kpis(api, as_user="admin", **args):
    response = api.get("/kpis", as_user, query_string={**JUDGED, **args})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_overall_figures(city, api):
    """A, D, E on time; B resolved late; C open past due. Resolve 10, 60, 30 h; close 20, 70."""
    overall = kpis(api)["overall"]

    assert CONTRACT <= set(overall)
    assert overall["total"] == 5
    assert (overall["on_time"], overall["overdue"], overall["open_overdue"]) == (3, 2, 1)
    assert overall["without_due"] == 1
    assert overall["backlog"] == 3  # C, D and E (resolved, not yet verified)
    assert overall["median_hours_to_resolve"] == 30
    assert overall["p90_hours_to_resolve"] == pytest.approx(54)  # 30 + 0.8 * (60 - 30)
    assert overall["median_hours_to_close"] == 45
    assert overall["p90_hours_to_close"] == pytest.approx(65)  # 20 + 0.9 * (70 - 20)
    assert overall["reopen_rate"] == pytest.approx(1 / 3, abs=1e-4)  # B of A, B, E
    assert overall["avg_rating"] == 3
    # B and E rejected, out of the four completed resolutions (A once, B twice, E once).
    assert overall["resolutions_completed"] == 4
    assert overall["resolutions_judged"] == 3
    assert overall["rejected_share"] == 0.5


def test_groups_by_category(city, api):
    answer = kpis(api, group_by="category")
    drains, waste = answer["groups"]["drains"], answer["groups"]["waste"]

    assert answer["group_by"] == "category"
    assert list(answer["groups"]) == ["drains", "waste"]
    assert CONTRACT <= set(drains)
    assert (drains["total"], drains["on_time"], drains["overdue"]) == (3, 1, 2)
    assert drains["median_hours_to_resolve"] == 35
    assert drains["p90_hours_to_resolve"] == pytest.approx(55)  # 10 + 0.9 * 50
    assert drains["reopen_rate"] == 0.5
    assert drains["avg_rating"] == 3
    assert (waste["total"], waste["on_time"], waste["overdue"]) == (2, 2, 0)
    assert waste["median_hours_to_resolve"] == waste["p90_hours_to_resolve"] == 30
    assert waste["reopen_rate"] == 0
    assert waste["avg_rating"] is None


def test_groups_by_unit_district_and_official(city, api):
    units = kpis(api, group_by="unit")["groups"]
    districts = kpis(api, group_by="district")["groups"]
    officials = kpis(api, group_by="official")

    assert {k: g["total"] for k, g in units.items()} == {"water": 3, "sanitation": 2}
    # Water resolved A once and B twice, one of them rejected; sanitation's one was rejected.
    assert units["water"]["rejected_share"] == pytest.approx(1 / 3, abs=1e-4)
    assert units["sanitation"]["rejected_share"] == 1
    assert {k: g["total"] for k, g in districts.items()} == {"roxbury": 5}
    groups = officials["groups"]
    assert {k: g["total"] for k, g in groups.items()} == {
        "unassigned": 2, "officer-water": 2, "officer-sanitation": 1}
    assert (groups["officer-water"]["on_time"], groups["officer-water"]["overdue"]) == (1, 1)
    assert groups["officer-water"]["rejected_share"] == pytest.approx(1 / 3, abs=1e-4)
    # The leaderboard ranks officials by on-time share: sanitation's one case was on time.
    assert [row["key"] for row in officials["leaderboard"]] == [
        "officer-sanitation", "officer-water"]


def test_filters_by_category_status_and_time(city, api):
    assert kpis(api, category="drains")["overall"]["total"] == 3
    assert kpis(api, status="open")["overall"]["total"] == 3
    assert kpis(api, status="closed")["overall"]["total"] == 2
    assert kpis(api, unit="sanitation")["overall"]["total"] == 2
    # D was filed on Thursday; the days are the city's (Asia/Jakarta in the tests).
    assert kpis(api, **{"from": "2026-03-04"})["overall"]["total"] == 1
    assert kpis(api, to="2026-03-03")["overall"]["total"] == 4


def test_as_of_decides_the_open_cases(city, api):
    early = kpis(api, as_of="2026-03-02T12:00:00+00:00")["overall"]

    assert (early["on_time"], early["overdue"]) == (4, 1)  # C was not yet due; B was late


@pytest.mark.parametrize("name, value", [
    ("category", "lava"), ("unit", "nope"), ("district", "atlantis"), ("status", "lost"),
    ("from", "2026-13-01"), ("to", "tomorrow"), ("as_of", "yesterday"), ("group_by", "colour"),
])
def test_bad_filter_values_are_422_naming_the_parameter(city, api, name, value):
    response = api.get("/kpis", "admin", query_string={name: value})

    assert response.status_code == 422
    assert name in response.get_json()["error"]["fields"]


def test_to_before_from_is_refused(api):
    response = api.get("/kpis", "admin", query_string={"from": "2026-03-05", "to": "2026-03-01"})

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"to": "must not be before from"}


def test_task_times_are_medians_per_bpmn_task(city, api):
    response = api.get("/kpis/task-times", "admin")

    assert response.status_code == 200
    answer = response.get_json()
    # triage took 2, 6 and 1 hours; resolve 8, 24, 20 and 10 (p90 20 + 0.7 * 4).
    assert answer["heat"] == {"resolve": 15, "triage": 2}
    resolve, triage = answer["items"]
    assert (triage["bpmn_id"], triage["count"], triage["p90_hours"]) == ("triage", 3, 5.2)
    assert (resolve["bpmn_id"], resolve["count"], resolve["p90_hours"]) == ("resolve", 4, 22.8)


def test_trends_count_per_week(city, api):
    answer = api.get("/kpis/trends", "admin").get_json()

    assert answer["weeks"] == ["2026-03-02"]
    assert (answer["filed"], answer["resolved"]) == ([5], [3])
    assert answer["median_hours_to_resolve"] == [30]


def test_task_times_of_one_process_for_the_diagram(city, api, client, logins):
    complaint = api.get("/kpis/task-times", "admin", query_string={"process": "complaint"})
    unknown = api.get("/kpis/task-times", "admin", query_string={"process": "nope"})
    client.post("/login", data={"username": "admin", "password": logins["admin"]["password"]})
    page_data = client.get("/dashboard/task-times.json", query_string={"process": "complaint"})

    assert complaint.get_json()["heat"] == {"resolve": 15, "triage": 2}
    assert complaint.get_json()["process"] == "complaint"
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"] == {"process": "there is no process 'nope'"}
    assert page_data.get_json()["heat"] == {"resolve": 15, "triage": 2}
