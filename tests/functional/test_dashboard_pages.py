"""The dashboard's pages: who may see them, exports, and the overlay layers admins upload."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from casemgr.cases import service as cases
from casemgr.dashboard.models import OverlayLayer
from casemgr.db import session
from tests.functional.dashboard_cases import AS_OF, small_city

JUDGED = {"as_of": AS_OF.isoformat()}
DRAINS = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "<b>Drain 7</b>"},
         "geometry": {"type": "Point", "coordinates": [-71.0855, 42.3168]}},
        {"type": "Feature", "properties": {"zone": "A"},
         "geometry": {"type": "Polygon", "coordinates": [
             [[-71.09, 42.31], [-71.08, 42.31], [-71.08, 42.32], [-71.09, 42.31]]]}},
        {"type": "Feature", "properties": None,
         "geometry": {"type": "LineString", "coordinates": [[-71.09, 42.31], [-71.08, 42.32]]}},
    ],
}


@pytest.fixture
def city(app):
    return small_city()


def log_in(client, logins, username):
    response = client.post(
        "/login", data={"username": username, "password": logins[username]["password"]}
    )
    assert response.status_code == 302


def layer_count():
    return session.scalar(select(func.count(OverlayLayer.id)))


# -- who may see what ----------------------------------------------------------------------


def test_anonymous_callers_are_sent_to_log_in(client, api):
    assert api.get("/kpis").status_code == 401
    assert api.get("/kpis/task-times").status_code == 401
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/dashboard/cases.csv").status_code == 302


def test_citizens_are_refused(client, logins, api):
    assert api.get("/kpis", "citizen").status_code == 403
    assert api.get("/kpis/cases.geojson", "citizen").status_code == 403
    log_in(client, logins, "citizen")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/cases.geojson").status_code == 403
    assert client.get("/dashboard/layers").status_code == 403


@pytest.mark.parametrize("username, total", [
    ("admin", 5), ("escalation", 5), ("owner", 5), ("triage", 5),
    ("sup-water", 3), ("officer-water", 3), ("sup-sanitation", 2), ("sup-parks", 0),
])
def test_each_role_sees_its_scope(city, api, username, total):
    answer = api.get("/kpis", username, query_string=JUDGED).get_json()

    assert answer["overall"]["total"] == total


def test_a_unit_cannot_look_into_another_units_cases(city, api):
    answer = api.get("/kpis", "sup-water", query_string={"unit": "sanitation"}).get_json()
    features = api.get("/kpis/cases.geojson", "sup-water").get_json()["features"]

    assert answer["overall"]["total"] == 0
    assert {f["properties"]["unit"] for f in features} == {"water"}


def test_supervisor_page_shows_the_units_figures(city, client, logins):
    log_in(client, logins, "sup-water")

    response = client.get("/dashboard/", query_string=JUDGED)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<b id="kpi-total">3</b>' in page
    assert 'name="unit"' not in page  # a unit's staff cannot pick another unit
    assert 'id="task-heat"' in page
    assert 'data-bpmn-id="triage"' in page


def test_city_page_shows_groups_leaderboard_and_task_heat(city, client, logins):
    log_in(client, logins, "escalation")

    page = client.get("/dashboard/", query_string={**JUDGED, "group_by": "unit"}).get_data(
        as_text=True)

    assert '<b id="kpi-total">5</b>' in page
    assert '<b id="kpi-overdue">2</b>' in page
    assert 'data-group="water"' in page and 'data-group="sanitation"' in page
    assert 'data-official="officer-water"' in page
    assert 'name="unit"' in page


def test_task_heat_diagram_is_the_complaint_process_for_staff_only(city, client, logins):
    log_in(client, logins, "sup-water")

    page = client.get("/dashboard/", query_string=JUDGED).get_data(as_text=True)
    diagram = client.get("/dashboard/diagram/complaint.bpmn")
    times = client.get("/dashboard/task-times.json", query_string={"process": "complaint"})

    assert 'id="task-heat-diagram"' in page
    assert 'data-xml-url="/dashboard/diagram/complaint.bpmn"' in page
    assert diagram.status_code == 200
    assert diagram.mimetype == "application/xml"
    assert b'<bpmn:userTask id="triage"' in diagram.data
    assert times.get_json()["heat"]["triage"] > 0
    assert client.get("/dashboard/diagram/no-such-process.bpmn").status_code == 404


def test_citizens_cannot_read_the_heat_diagram(client, logins):
    log_in(client, logins, "citizen")

    assert client.get("/dashboard/diagram/complaint.bpmn").status_code == 403


def test_bad_filter_on_the_page_is_422_naming_it(client, logins):
    log_in(client, logins, "admin")

    response = client.get("/dashboard/", query_string={"category": "<lava>", "to": "x"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<b>category</b>" in page and "<b>to</b>" in page
    assert "<lava>" not in page  # the value is escaped
    assert client.get("/dashboard/cases.csv", query_string={"status": "x"}).status_code == 422


# -- exports -----------------------------------------------------------------------------


def test_csv_export_lists_the_filtered_cases(city, client, logins):
    log_in(client, logins, "admin")

    response = client.get("/dashboard/cases.csv", query_string={**JUDGED, "category": "drains"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_ref = {row["reference"]: row for row in rows}
    assert set(by_ref) == {city[k].reference for k in "ABC"}
    assert [by_ref[city[k].reference]["timeliness"] for k in "ABC"] == [
        "on_time", "overdue", "overdue"]
    assert by_ref[city["A"].reference]["hours_to_resolve"] == "10.0"
    assert by_ref[city["A"].reference]["address"] == "'=1+2 Formula Street"  # no formula


def test_geojson_export_has_located_cases_only(city, client, logins, api):
    unlocated, _secret = cases.file_case(
        category="drains", description="Somewhere on Main Street", address="Main Street"
    )
    log_in(client, logins, "admin")

    response = client.get("/dashboard/cases.geojson", query_string={**JUDGED, "download": 1})

    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert "attachment" in response.headers["Content-Disposition"]
    features = response.get_json()["features"]
    assert {f["id"] for f in features} == {case.id for case in city.values()}
    assert all(f["geometry"]["type"] == "Point" for f in features)
    listed = api.get("/kpis/unlocated", "admin").get_json()["items"]
    assert [item["reference"] for item in listed] == [unlocated.reference]
    csv_rows = api.get("/kpis/cases.csv", "admin").get_data(as_text=True).splitlines()
    assert len(csv_rows) == 1 + 6  # the CSV lists every case, located or not


def test_district_choropleth_data(city, client, logins):
    log_in(client, logins, "admin")

    collection = client.get("/dashboard/districts.geojson", query_string=JUDGED).get_json()

    figures = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert (figures["roxbury"]["open"], figures["roxbury"]["overdue"]) == (3, 1)
    assert figures["roxbury"]["median_hours_to_resolve"] == 30
    assert figures["back-bay"]["open"] == 0


# -- overlay layers ----------------------------------------------------------------------


def upload(client, name, content, filename="layer.geojson"):
    return client.post(
        "/dashboard/layers",
        data={"name": name, "geojson": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_admin_uploads_lists_and_deletes_a_layer(client, logins):
    log_in(client, logins, "admin")

    response = upload(client, "Storm drains", json.dumps(DRAINS).encode())

    assert response.status_code == 302
    listing = client.get("/dashboard/layers.json").get_json()["items"]
    assert [(item["name"], item["feature_count"]) for item in listing] == [("Storm drains", 3)]
    served = client.get(listing[0]["url"])
    assert served.mimetype == "application/geo+json"
    assert served.get_json()["features"][2]["properties"] == {}
    page = client.get("/dashboard/layers").get_data(as_text=True)
    assert "Storm drains" in page

    layer_id = listing[0]["id"]
    assert client.post(f"/dashboard/layers/{layer_id}/delete").status_code == 302
    assert client.get("/dashboard/layers.json").get_json()["items"] == []
    assert client.get(f"/dashboard/layers/{layer_id}.geojson").status_code == 404


def ring(*points):
    return {"type": "Polygon", "coordinates": [list(points)]}


def collection_of(geometry):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": geometry}]}).encode()


BAD_FILES = [
    (b"", "empty"),
    (b"\xff\xfe not text", "not UTF-8"),
    (b"{not json", "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (json.dumps({"type": "Feature"}).encode(), "FeatureCollection"),
    (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "no features"),
    (json.dumps({"type": "FeatureCollection", "features": [1]}).encode(), "feature 1"),
    (collection_of({"type": "Circle", "coordinates": [0, 0]}), "must be one of"),
    (collection_of({"type": "Point", "coordinates": [200, 42]}), "out of range"),
    (collection_of({"type": "Point", "coordinates": [-71, 95]}), "out of range"),
    (collection_of({"type": "Point", "coordinates": ["a", "b"]}), "numbers"),
    (collection_of({"type": "LineString", "coordinates": [[0, 0]]}), "two positions"),
    (collection_of(ring([0, 0], [1, 0], [1, 1], [0, 1])), "closed"),
    (collection_of({"type": "MultiPolygon", "coordinates": []}), "non-empty"),
]


@pytest.mark.parametrize("content, problem", BAD_FILES)
def test_bad_files_are_refused_with_a_clear_message(client, logins, content, problem):
    log_in(client, logins, "admin")

    response = upload(client, "Bad", content)

    assert response.status_code == 422
    assert problem in response.get_data(as_text=True)
    assert layer_count() == 0


def test_size_limit(app, client, logins, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_LAYER_BYTES", 100)
    log_in(client, logins, "admin")

    response = upload(client, "Big", json.dumps(DRAINS).encode())

    assert response.status_code == 422
    assert "the limit is 100 bytes" in response.get_data(as_text=True)
    assert layer_count() == 0


def test_name_is_required_and_unique(client, logins):
    log_in(client, logins, "admin")
    assert upload(client, "Drains", json.dumps(DRAINS).encode()).status_code == 302

    again = upload(client, "Drains", json.dumps(DRAINS).encode())
    nameless = upload(client, "  ", json.dumps(DRAINS).encode())

    assert again.status_code == 422
    assert "already a layer named" in again.get_data(as_text=True)
    assert nameless.status_code == 422
    assert "Give the layer a name" in nameless.get_data(as_text=True)
    assert layer_count() == 1


def test_only_admins_manage_layers(client, logins):
    log_in(client, logins, "escalation")

    assert client.get("/dashboard/layers").status_code == 403
    assert upload(client, "Drains", json.dumps(DRAINS).encode()).status_code == 403
    assert client.get("/dashboard/layers.json").status_code == 200  # staff see the layers
    assert layer_count() == 0
