"""Reports outside the city's service area (the box around its districts, widened by
CASEMGR_SERVICE_AREA_MARGIN_M) are refused at every intake and stored unlocated on import."""

import csv

import pytest
from sqlalchemy import delete, func, select, update

from casemgr.cases import service as cases
from casemgr.cases import service_area
from casemgr.cases.models import Case, District, RoutingRule
from casemgr.db import session
from casemgr.open311.models import PendingRequest
from tests.conftest import ROXBURY, data_file
from tests.functional.open311 import PREFIX, json_errors, new_key, request_form, xml_errors

pytestmark = pytest.mark.usefixtures("open311_limits")

#: Monas, Jakarta: half a world away from the demo's Boston districts.
MONAS = (-6.1754, 106.8272)
#: One kilometre in degrees of latitude.
KM = 1000 / service_area.METRES_PER_DEGREE
OPEN311_MESSAGE = f"lat/long: {service_area.OUTSIDE}"


def southern_edge():
    return session.scalar(select(func.min(District.min_lat)))


def api_report(api, point, expect):
    response = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": point[0],
        "lon": point[1]})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_the_api_refuses_a_point_far_outside_the_city_and_stores_nothing(api):
    body = api_report(api, MONAS, 422)

    assert body["error"]["fields"] == {"lat": service_area.OUTSIDE}
    assert cases.case_count() == 0


def test_the_margin_takes_a_point_just_beyond_the_districts(api):
    """Within 2 km of the districts' box: taken, for the category's default unit."""
    near = api_report(api, (southern_edge() - KM, ROXBURY[1]), 201)
    far = api_report(api, (southern_edge() - 3 * KM, ROXBURY[1]), 422)

    case = cases.get(near["id"])
    assert (case.is_located, case.district, case.unit.code) == (True, None, "water")
    assert far["error"]["fields"] == {"lat": service_area.OUTSIDE}
    assert cases.case_count() == 1


def test_the_web_form_names_the_problem_on_the_point_and_files_nothing(client):
    fields = {"category": "drains", "description": "Drain blocked", "lat": str(MONAS[0]),
              "lon": str(MONAS[1]), "address": "Jalan Medan Merdeka"}

    response = client.post("/report", data=fields, content_type="multipart/form-data")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="lat-error"' in page
    assert "outside the city's service area" in page
    assert cases.case_count() == 0


@pytest.mark.parametrize("fmt, errors_of", [("json", json_errors), ("xml", xml_errors)])
def test_open311_refuses_the_point_in_its_error_list(client, fmt, errors_of):
    form = request_form(new_key(), lat=str(MONAS[0]), long=str(MONAS[1]))

    response = client.post(f"{PREFIX}/requests.{fmt}", data=form)

    assert errors_of(response, 400) == [OPEN311_MESSAGE]
    assert cases.case_count() == 0


def test_open311_refuses_before_queueing_an_asynchronous_request(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_ASYNC", True)
    form = request_form(new_key(), lat=str(MONAS[0]), long=str(MONAS[1]))

    response = client.post(f"{PREFIX}/requests.json", data=form)

    assert json_errors(response, 400) == [OPEN311_MESSAGE]
    assert session.scalar(select(func.count(PendingRequest.id))) == 0


def test_with_the_check_off_every_point_is_taken(app, api, monkeypatch):
    monkeypatch.setitem(app.config, "CHECK_SERVICE_AREA", False)

    case = cases.get(api_report(api, MONAS, 201)["id"])

    assert (case.is_located, case.district, case.unit.code) == (True, None, "water")


def test_a_city_without_districts_takes_every_point():
    session.execute(update(RoutingRule).values(district_id=None))
    session.execute(delete(District))
    session.flush()
    try:
        assert service_area.current() is None
        assert service_area.holds(*MONAS)
    finally:
        session.rollback()
    assert service_area.holds(*ROXBURY) and not service_area.holds(*MONAS)


def test_an_import_keeps_a_row_outside_the_city_as_unlocated(app, tmp_path):
    with open(data_file("boston311-100.csv"), encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(row for row in reader if row["latitude"] != "42.3594")
        header = reader.fieldnames
    row["latitude"], row["longitude"] = str(MONAS[0]), str(MONAS[1])
    path = tmp_path / "outside.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerow(row)

    result = app.test_cli_runner().invoke(
        args=["casemgr", "import-311", str(path), "--timezone", "America/New_York", "--json"])

    assert result.exit_code == 0, result.output
    assert '"unlocated": 1' in result.stdout
    case = session.scalar(select(Case))
    assert (case.is_located, case.lat, case.lon) == (False, MONAS[0], MONAS[1])
