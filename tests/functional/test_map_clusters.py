"""Crowded map views: grid clusters with their counts above the limit, points below it."""

import math

import pytest

from casemgr.cases import clusters
from casemgr.dashboard import timeliness
from tests.conftest import ROXBURY
from tests.functional.citizen_cases import FAR, file
from tests.functional.dashboard_cases import AS_OF, small_city

#: Roxbury and the place about 1 km north of it, each in a cell of its own.
AROUND_BOTH = ",".join(
    str(value) for value in (ROXBURY[1] - 0.01, ROXBURY[0] - 0.005,
                             ROXBURY[1] + 0.01, ROXBURY[0] + 0.015)
)
JUDGED = {"as_of": AS_OF.isoformat(), "bbox": AROUND_BOTH}


@pytest.fixture
def crowded(app):
    """The dashboard's small city at Roxbury (two of five overdue), two reports further north
    and one far outside the view."""
    city = small_city()
    north = [file(FAR, description=f"Drain blocked up north {n}") for n in range(2)]
    file((ROXBURY[0] - 0.05, ROXBURY[1]), description="Far outside the view")
    return city, north


def _counts(collection):
    return sorted((f["properties"]["count"], f["properties"].get("overdue"))
                  for f in collection["features"])


def test_the_public_map_clusters_a_crowded_view(client, crowded, monkeypatch):
    monkeypatch.setattr(clusters, "MAX_POINTS", 6)

    answer = client.get("/map/cases.json", query_string={"bbox": AROUND_BOTH}).get_json()

    assert answer["kind"] == "clusters"
    assert answer["total"] == 7
    assert _counts(answer) == [(2, None), (5, None)]
    for feature in answer["features"]:
        west, south, east, north = feature["properties"]["bbox"]
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["properties"]["cluster"] is True
        assert west <= lon <= east and south <= lat <= north


def test_the_public_map_draws_points_up_to_the_limit(client, crowded, monkeypatch):
    monkeypatch.setattr(clusters, "MAX_POINTS", 7)

    answer = client.get("/map/cases.json", query_string={"bbox": AROUND_BOTH}).get_json()

    assert answer["kind"] == "points"
    assert answer["total"] == len(answer["features"]) == 7
    assert all("reference" in f["properties"] for f in answer["features"])


def test_the_dashboard_clusters_count_the_overdue_as_the_points_judge_them(api, crowded,
                                                                          monkeypatch):
    points = api.get("/kpis/cases.geojson", "admin", query_string=JUDGED).get_json()
    monkeypatch.setattr(clusters, "MAX_POINTS", 6)
    grid = api.get("/kpis/cases.geojson", "admin", query_string=JUDGED).get_json()

    assert points["kind"] == "points"
    assert grid["kind"] == "clusters"
    assert grid["total"] == len(points["features"]) == 7
    overdue = [f for f in points["features"]
               if f["properties"]["timeliness"] == timeliness.OVERDUE]
    assert sum(f["properties"]["overdue"] for f in grid["features"]) == len(overdue) == 2
    assert _counts(grid) == [(2, 0), (5, 2)]


def test_a_view_is_clustered_only_for_the_map_never_in_the_export(client, logins, crowded,
                                                                  monkeypatch):
    monkeypatch.setattr(clusters, "MAX_POINTS", 1)
    client.post("/login", data={"username": "admin", "password": logins["admin"]["password"]})

    shown = client.get("/dashboard/cases.geojson", query_string=JUDGED).get_json()
    exported = client.get("/dashboard/cases.geojson",
                          query_string={**JUDGED, "download": "1"}).get_json()
    everywhere = client.get("/dashboard/cases.geojson").get_json()

    assert shown["kind"] == "clusters"
    assert exported["kind"] == "points"
    assert len(exported["features"]) == 7
    assert len(everywhere["features"]) == 8


@pytest.mark.parametrize("box", [(0, 0, 0.0001, 0.0001), (-71.2, 42.2, -70.9, 42.4),
                                 (-180, -90, 180, 90)])
def test_a_grid_cell_is_a_power_of_two_that_keeps_the_cells_few(box):
    cell = clusters.cell_degrees(box)
    across = max(box[2] - box[0], box[3] - box[1]) / cell

    assert cell == 2.0 ** round(math.log2(cell))
    assert clusters.CELLS_ACROSS / 2 < across <= clusters.CELLS_ACROSS


def test_without_a_view_the_newest_are_drawn_and_the_total_counts_all(client, crowded,
                                                                       monkeypatch):
    from casemgr.citizens import public_map

    monkeypatch.setattr(public_map, "MAX_POINTS", 3)

    answer = client.get("/map/cases.json").get_json()

    assert answer["kind"] == "points"
    assert len(answer["features"]) == 3
    assert answer["total"] == 8  # the small city's five, two up north and one far away
