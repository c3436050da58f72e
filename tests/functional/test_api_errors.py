"""The staff API's refusals, each in the one error shape, and its case listing."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from casemgr.accounts.models import ApiToken
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from tests.conftest import ROXBURY

#: A point in East Boston, routed to the east sanitation unit for waste.
EAST_BOSTON = (42.3702, -71.0389)


def assert_error(response, status, code, fields=()):
    """The response is `status` with the one error shape; `fields` are among its fields."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    for name in fields:
        assert body["error"]["fields"].get(name), body["error"]
    return body["error"]


def file(api, as_user="citizen", category="drains", point=ROXBURY, **extra):
    payload = {"category": category, "description": f"A {category} problem", **extra}
    if point:
        payload.update(lat=point[0], lon=point[1])
    response = api.post("/cases", as_user, json=payload)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def to_resolve(api, case_id):
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    return api.task(case_id, "resolve", "officer-water")


def jpeg_bytes():
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


# -- who is calling ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [("get", "/cases"), ("get", "/cases/1"), ("get", "/tasks"), ("post", "/tasks/1/complete")],
)
def test_staff_endpoints_need_a_token(client, method, path):
    response = getattr(client, method)(f"/api/v1{path}")

    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_a_bad_token_is_401(client, header):
    response = client.get("/api/v1/cases", headers={"Authorization": header})

    assert_error(response, 401, "unauthorized")


def test_a_bad_token_is_401_even_where_anonymous_callers_may_file(client):
    response = client.post(
        "/api/v1/cases",
        json={"category": "drains", "description": "x"},
        headers={"Authorization": "Bearer forged"},
    )

    assert_error(response, 401, "unauthorized")
    assert cases.case_count() == 0


def test_an_expired_token_is_401(api):
    token = api.token("admin")
    row = session.scalars(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()

    response = api.client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 401, "unauthorized")


def test_wrong_password_and_malformed_login(client):
    wrong = client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope"})
    assert_error(wrong, 401, "unauthorized")

    malformed = client.post("/api/v1/auth/token", json={"username": "admin"})
    assert_error(malformed, 400, "bad_request", fields=["password"])

    not_json = client.post("/api/v1/auth/token", data="username=admin")
    assert_error(not_json, 400, "bad_request")


# -- another unit's work -----------------------------------------------------------------


def test_unit_supervisor_cannot_read_another_units_case(api):
    case_id = file(api)

    assert_error(api.get(f"/cases/{case_id}", "sup-lighting"), 403, "forbidden")
    assert_error(api.get(f"/cases/{case_id}", "officer-lighting"), 403, "forbidden")
    assert api.get(f"/cases/{case_id}", "sup-water").status_code == 200
    assert api.get(f"/cases/{case_id}", "triage").status_code == 200


def test_nobody_completes_another_units_task(api):
    case_id = file(api)
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    assign = api.task(case_id, "assign", "sup-water")

    for user in ("sup-lighting", "officer-water", "citizen", "escalation"):
        response = api.post(
            f"/tasks/{assign['id']}/complete", user, json={"assignee": "officer-water"}
        )
        assert_error(response, 403, "forbidden")
        assert_error(api.get(f"/tasks/{assign['id']}", user), 403, "forbidden")

    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["status"] == "accepted"
    assert [t["status"] for t in detail["tasks"]] == ["open"]


def test_a_citizen_cannot_triage_their_own_case(api):
    case_id = file(api)
    triage = api.task(case_id, "triage", "triage")

    response = api.post(f"/tasks/{triage['id']}/complete", "citizen", json={"decision": "reject"})

    assert_error(response, 403, "forbidden")


# -- what does not exist, or no longer waits ----------------------------------------------


def test_unknown_case_and_task_are_404(api):
    assert_error(api.get("/cases/999999", "admin"), 404, "not_found")
    assert_error(api.get("/tasks/999999", "admin"), 404, "not_found")
    assert_error(api.post("/tasks/999999/complete", "admin", json={}), 404, "not_found")
    assert_error(api.post("/tasks/999999/claim", "admin"), 404, "not_found")


def test_unknown_api_path_and_method_keep_the_error_shape(api):
    assert_error(api.get("/no-such-thing", "admin"), 404, "not_found")
    assert_error(api.client.delete("/api/v1/cases"), 405, "method_not_allowed")


def test_completing_a_completed_task_is_409(api):
    case_id = file(api)
    triage = api.task(case_id, "triage", "triage")
    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    again = api.post(f"/tasks/{triage['id']}/complete", "triage", json={"decision": "reject"})

    assert_error(again, 409, "conflict")
    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["status"] == "accepted"
    completions = [e for e in detail["history"] if e["kind"] == "task_completed"]
    assert len(completions) == 1


def test_a_stale_case_version_is_409_and_changes_nothing(api):
    case_id = file(api)
    version = api.get(f"/cases/{case_id}", "admin").get_json()["version"]
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    assign = api.task(case_id, "assign", "sup-water")
    before = api.get(f"/cases/{case_id}", "admin").get_json()

    response = api.post(
        f"/tasks/{assign['id']}/complete",
        "sup-water",
        json={"assignee": "officer-water", "case_version": version},
    )

    assert_error(response, 409, "conflict")
    after = api.get(f"/cases/{case_id}", "admin").get_json()
    assert after["version"] == before["version"]
    assert after["status"] == "accepted"
    assert after["history"] == before["history"]
    assert api.task(case_id, "assign", "sup-water")["status"] == "open"

    fresh = api.post(
        f"/tasks/{assign['id']}/complete",
        "sup-water",
        json={"assignee": "officer-water", "case_version": after["version"]},
    )
    assert fresh.status_code == 200, fresh.get_json()
    assert fresh.get_json()["case"]["version"] > after["version"]


def test_case_version_must_be_a_number(api):
    case_id = file(api)
    triage = api.task(case_id, "triage", "triage")

    response = api.post(
        f"/tasks/{triage['id']}/complete",
        "triage",
        json={"decision": "accept", "case_version": "latest"},
    )

    assert_error(response, 400, "bad_request")


# -- bad form values ---------------------------------------------------------------------


def test_assigning_an_officer_of_another_unit_is_422(api):
    case_id = file(api)
    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    for officer in ("officer-lighting", "sup-water", "nobody"):
        response = api.complete(case_id, "assign", "sup-water", {"assignee": officer}, expect=422)
        assert_error(response, 422, "invalid", fields=["assignee"])
    response = api.complete(case_id, "assign", "sup-water", {}, expect=422)
    assert_error(response, 422, "invalid", fields=["assignee"])


def test_resolve_needs_a_note_and_an_image(api):
    case_id = file(api)
    resolve = to_resolve(api, case_id)
    path = f"/tasks/{resolve['id']}/complete"

    missing = api.post(path, "officer-water", json={"resolution_note": "   "})
    assert_error(missing, 422, "invalid", fields=["resolution_note"])

    not_an_image = api.post(
        path,
        "officer-water",
        data={
            "resolution_note": "Cleared",
            "resolution_photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "fix.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert_error(not_an_image, 422, "invalid", fields=["resolution_photo"])

    assert api.task(case_id, "resolve", "officer-water")["status"] == "open"
    good = api.post(
        path,
        "officer-water",
        data={
            "resolution_note": "Cleared",
            "resolution_photo": (io.BytesIO(jpeg_bytes()), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 200, good.get_json()


@pytest.mark.parametrize("rating", [7, 0, -1, "five"])
def test_verify_rating_outside_one_to_five_is_422(api, rating):
    case_id = file(api)
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")

    response = api.complete(
        case_id, "verify", "citizen", {"fixed": True, "rating": rating}, expect=422
    )

    assert_error(response, 422, "invalid", fields=["rating"])
    assert api.get(f"/cases/{case_id}", "citizen").get_json()["status"] == "resolved"


def test_triage_with_an_unknown_decision_is_422(api):
    case_id = file(api)

    response = api.complete(case_id, "triage", "triage", {"decision": "ignore"}, expect=422)

    assert_error(response, 422, "invalid", fields=["decision"])


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"category": "drains", "description": "x", "lat": 91, "lon": 0}, "lat"),
        ({"category": "drains", "description": "x", "lat": -91, "lon": 0}, "lat"),
        ({"category": "drains", "description": "x", "lat": 0, "lon": 181}, "lon"),
        ({"category": "drains", "description": "x", "lat": 42.3}, "lon"),
        ({"category": "drains", "description": "x", "lat": "north", "lon": 0}, "lat"),
        ({"category": "drains", "description": "x", "lat": True, "lon": 0}, "lat"),
        ({"category": "unicorns", "description": "x"}, "category"),
        ({"description": "x"}, "category"),
        ({"category": "drains", "description": "d" * 4001}, "description"),
        ({"category": "drains", "description": "   "}, "description"),
        (
            {"category": "drains", "description": "x", "reporter_email": "not-mail"},
            "reporter_email",
        ),
    ],
    ids=[
        "lat 91",
        "lat -91",
        "lon 181",
        "lat without lon",
        "lat text",
        "lat bool",
        "unknown category",
        "no category",
        "4001 chars",
        "blank description",
        "bad email",
    ],
)
def test_bad_report_is_422_and_files_nothing(api, payload, field):
    response = api.post("/cases", "citizen", json=payload)

    assert_error(response, 422, "invalid", fields=[field])
    assert cases.case_count() == 0


def test_description_of_4000_chars_is_accepted(api):
    response = api.post(
        "/cases",
        "citizen",
        json={"category": "drains", "description": "d" * 4000, "address": "Jl. Merdeka 1"},
    )

    assert response.status_code == 201, response.get_json()


def test_a_report_that_is_not_an_object_is_400(api):
    response = api.post("/cases", "citizen", json=["drains"])

    assert_error(response, 400, "bad_request")


def test_a_report_with_a_non_image_photo_is_422(api):
    response = api.post(
        "/cases",
        "citizen",
        data={
            "category": "drains",
            "description": "Blocked",
            "photo": (io.BytesIO(b"GIF89a but not really"), "drain.gif"),
        },
        content_type="multipart/form-data",
    )

    assert_error(response, 422, "invalid", fields=["photo"])
    assert cases.case_count() == 0


# -- description and health -------------------------------------------------------------


def test_openapi_document_lists_every_route(app, client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:\w+:)?\w+>", "{id}", rule.rule[len("/api/v1") :])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((path, method.lower()))
    # Parameter names differ ({id}, {key}, {number}); the shapes of the paths must match.
    documented = {
        (re.sub(r"\{\w+\}", "{id}", path), method)
        for path, methods in document["paths"].items()
        for method in methods
    }
    assert documented == served
    assert {"/cases", "/cases/{id}", "/tasks", "/tasks/{id}/complete"} <= set(document["paths"])


def test_openapi_references_resolve(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = client.get("/api/v1/openapi.json").get_data(as_text=True)

    for name in re.findall(r'"\$ref": ?"#/components/schemas/(\w+)"', text):
        assert name in document["components"]["schemas"]
    assert "Error" in document["components"]["schemas"]


def test_healthz(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


# -- listing cases -----------------------------------------------------------------------


def listed(api, user, query=""):
    response = api.get(f"/cases{query}", user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_cases_page_through_newest_first(api):
    ids = [file(api) for _ in range(5)]

    seen = []
    for page in (1, 2, 3):
        body = listed(api, "admin", f"?page={page}&page_size=2")
        assert (body["page"], body["page_size"], body["total"]) == (page, 2, 5)
        seen += [c["id"] for c in body["items"]]

    assert seen == list(reversed(ids))
    assert listed(api, "admin", "?page=4&page_size=2")["items"] == []
    assert_error(api.get("/cases?page=two", "admin"), 400, "bad_request")
    assert len(listed(api, "admin", "?page_size=100000")["items"]) == 5


def test_cases_filter_by_status_category_unit_and_overdue(api):
    drain = file(api, category="drains")
    waste = file(api, category="waste")
    east = file(api, category="waste", point=EAST_BOSTON)
    api.complete(drain, "triage", "triage", {"decision": "accept"})
    with_past_due, _ = cases.file_case(
        category="roads",
        description="Pothole, due yesterday",
        lat=ROXBURY[0],
        lon=ROXBURY[1],
        sla_due_at=utcnow() - timedelta(days=1),
    )
    overdue = with_past_due.id

    def ids(query):
        return {c["id"] for c in listed(api, "admin", query)["items"]}

    assert ids("?status=accepted") == {drain}
    assert ids("?status=submitted") == {waste, east, overdue}
    assert ids("?status=accepted,submitted") == {drain, waste, east, overdue}
    assert ids("?category=waste") == {waste, east}
    assert ids("?unit=water") == {drain}
    assert ids("?unit=sanitation-east") == {east}
    assert ids("?overdue=true") == {overdue}
    assert ids("?category=waste&unit=sanitation") == {waste}
    assert listed(api, "admin", "?status=closed")["total"] == 0


def test_an_unknown_status_filter_is_a_422_naming_it(api):
    response = api.get("/cases?status=accepted,bogus", "admin")

    assert_error(response, 422, "invalid")
    assert response.get_json()["error"]["message"] == "unknown status bogus"
    assert "waiting" in response.get_json()["error"]["fields"]["status"]


def test_closed_cases_are_not_overdue(api):
    late, _ = cases.file_case(
        category="drains",
        description="Late and then rejected",
        address="Jl. Kebon Sirih 2",
        sla_due_at=utcnow() - timedelta(days=1),
    )
    api.complete(late.id, "triage", "triage", {"decision": "reject", "note": "Not a drain"})

    assert listed(api, "admin", "?overdue=true")["total"] == 0


def test_unit_staff_see_only_their_units_cases(api):
    drain = file(api, category="drains")
    light = file(api, category="street_lights")

    def ids(user, query=""):
        return {c["id"] for c in listed(api, user, query)["items"]}

    assert ids("sup-water") == {drain}
    assert ids("officer-water") == {drain}
    assert ids("sup-lighting") == {light}
    assert ids("sup-water", "?unit=lighting") == set()
    assert ids("triage") == {drain, light}
    assert ids("escalation") == {drain, light}


def test_a_citizen_sees_only_their_own_cases(api):
    mine = file(api, as_user="citizen")
    anonymous = file(api, as_user=None)
    by_staff = file(api, as_user="triage")

    body = listed(api, "citizen")

    assert [c["id"] for c in body["items"]] == [mine]
    assert body["total"] == 1
    for other in (anonymous, by_staff):
        assert_error(api.get(f"/cases/{other}", "citizen"), 403, "forbidden")
    detail = api.get(f"/cases/{mine}", "citizen").get_json()
    assert all(event["public"] for event in detail["history"])


def test_a_citizen_listing_leaves_out_staff_fields_as_the_detail_does(api):
    mine = file(api, as_user="citizen")
    api.complete(mine, "triage", "triage", {"decision": "accept"})
    api.complete(mine, "assign", "sup-water", {"assignee": "officer-water"})

    item = listed(api, "citizen")["items"][0]
    detail = api.get(f"/cases/{mine}", "citizen").get_json()

    staff_only = {"assignee", "error", "version", "next_timer_due_at", "external_id", "reporter"}
    assert not staff_only & set(item)
    assert set(item) == set(detail) - {"tasks", "history", "photos"}
    assert staff_only <= set(listed(api, "sup-water")["items"][0])


@pytest.mark.parametrize("unit", ["\u00b2", "9999999999", "99999999999999999999"])
def test_a_unit_that_is_no_row_id_is_an_unknown_unit_not_a_server_error(api, unit):
    # "²" passes str.isdigit and fails int(); 9999999999 is past PostgreSQL's integer.
    for path in ("/kpis", "/kpis/cases.geojson"):
        response = api.get(path, "admin", query_string={"unit": unit})
        assert response.status_code < 500, (path, response.get_data(as_text=True))
