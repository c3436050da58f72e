"""Hostile and odd input gets a clear 4xx, never a 500, and stores nothing."""

import pytest

from casemgr.cases import service as cases
from tests.conftest import ROXBURY

REPORT = {"category": "drains", "description": "Drain blocked", "lat": ROXBURY[0],
          "lon": ROXBURY[1]}


@pytest.mark.parametrize("path", [
    "/api/v1/cases/2147483648", "/photos/2147483648", "/tasks/99999999999999999999999",
    "/api/v1/tasks/9223372036854775808/complete",
])
def test_ids_past_the_integer_range_are_not_found(client, api, path):
    headers = api.headers("admin")
    response = client.post(path, headers=headers) if path.endswith("complete") else client.get(
        path, headers=headers)
    assert response.status_code in (404, 405)


@pytest.mark.parametrize("field, value", [
    ("description", "blocked\x00drain"), ("category", "drains\x00"),
])
def test_nul_characters_are_refused(api, field, value):
    before = cases.case_count()
    response = api.post("/cases", json={**REPORT, field: value})
    assert response.status_code == 400
    assert "NUL" in response.get_json()["error"]["message"]
    assert cases.case_count() == before


def test_nul_in_a_query_or_a_form_is_refused(client, api):
    assert api.get("/cases?q=a%00b", "admin").status_code == 400
    assert client.post("/login", data={"username": "a\x00", "password": "x"}).status_code == 400
    assert client.get("/track/CM%00").status_code == 400


@pytest.mark.parametrize("field, value", [
    ("description", 123), ("description", ["a"]), ("lat", "north"), ("lat", 10**400),
    ("lat", True), ("reporter_email", ["a@b.co"]), ("address", {"x": 1}),
    ("anonymous", "maybe"), ("reporter_name", "n" * 201),
])
def test_wrong_types_name_the_field(api, field, value):
    before = cases.case_count()
    response = api.post("/cases", json={**REPORT, field: value})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert cases.case_count() == before


def test_anonymous_false_as_text_is_not_anonymous(api):
    filed = api.post("/cases", "citizen", json={**REPORT, "anonymous": "false"}).get_json()
    assert api.get(f"/cases/{filed['id']}", "admin").get_json()["reporter"]["anonymous"] is False


def test_a_report_needs_a_point_or_an_address(api):
    response = api.post("/cases", json={"category": "drains", "description": "somewhere"})
    assert response.status_code == 422
    assert "lat" in response.get_json()["error"]["fields"]
    assert api.post("/cases", json={"category": "drains", "description": "x",
                                    "address": "Jl. Thamrin 1"}).status_code == 201


def test_pages_past_the_limit_are_refused(api, client):
    assert api.get("/cases?page=99999999999999999999", "admin").status_code == 400
    assert client.get("/cases/?page=99999999999999999999").status_code in (200, 302)
    assert api.get("/tasks?case_id=99999999999999999999", "admin").status_code == 400
