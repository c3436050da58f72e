"""The maps' viewport: `bbox=west,south,east,north` keeps the cases inside it."""

import pytest

from tests.conftest import ROXBURY
from tests.functional.citizen_cases import FAR, file, log_in

#: A box around Roxbury that leaves out the case about 1 km north.
AROUND_ROXBURY = ",".join(
    str(value) for value in (ROXBURY[1] - 0.002, ROXBURY[0] - 0.002,
                             ROXBURY[1] + 0.002, ROXBURY[0] + 0.002)
)


@pytest.fixture
def two_places():
    return file(ROXBURY), file(FAR, description="Drain blocked further north")


def test_the_public_map_keeps_the_cases_in_its_view(client, two_places):
    near, far = two_places

    def references(**query):
        response = client.get("/map/cases.json", query_string=query)
        assert response.status_code == 200
        return sorted(f["properties"]["reference"] for f in response.get_json()["features"])

    assert references() == sorted([near.reference, far.reference])
    assert references(bbox=AROUND_ROXBURY) == [near.reference]
    assert references(bbox="10,10,11,11") == []


def test_the_dashboard_map_keeps_the_cases_in_its_view(api, two_places):
    near, _far = two_places

    answer = api.get("/kpis/cases.geojson", "admin", query_string={"bbox": AROUND_ROXBURY})

    assert answer.status_code == 200
    assert [f["properties"]["reference"] for f in answer.get_json()["features"]] == [
        near.reference
    ]


@pytest.mark.parametrize("raw", ["1,2,3", "a,b,c,d", "0,0,200,1", "0,5,1,4", "nan,0,1,1"])
def test_a_bad_bbox_is_422_naming_it(client, api, raw):
    public = client.get("/map/cases.json", query_string={"bbox": raw})
    staff = api.get("/kpis/cases.geojson", "admin", query_string={"bbox": raw})

    assert public.status_code == 422
    assert "bbox" in public.get_json()["error"]["message"]
    assert staff.status_code == 422
    assert "bbox" in staff.get_json()["error"]["fields"]


def test_the_dashboard_page_s_map_data_answers_a_bad_bbox_in_json(client, logins):
    # The dashboard's own script reads it: an HTML error page is no use to it.
    log_in(client, "admin", logins["admin"]["password"])

    response = client.get("/dashboard/cases.geojson", query_string={"bbox": "0,5,1,4"})

    assert response.status_code == 422
    assert "bbox" in response.get_json()["error"]["message"]
