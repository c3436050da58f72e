"""Escalations in the staff API: the overdue list, extend, reassign, incidents and retry."""

from datetime import datetime

import pytest

from casemgr.cases import history
from casemgr.db import session, utcnow
from tests.functional.overdue import (
    DOWNTOWN,
    at_risk_case,
    fresh,
    late_case,
    marked_stalled,
    stalled_at_filing,
)

ROW_KEYS = {
    "id",
    "reference",
    "category",
    "district",
    "unit",
    "assignee",
    "status",
    "level",
    "due_at",
    "late_seconds",
    "at_risk",
    "error",
    "version",
}


def assert_error(response, status, code, fields=()):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert set(error["fields"]) == set(fields)
    return error


# -- the list ------------------------------------------------------------------------------


def test_list_is_sorted_by_lateness_with_its_fields(api):
    a_little, very = late_case(api, 2), late_case(api, 6)
    risky = at_risk_case(api)

    response = api.get("/escalations", "escalation")

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["reference"] for i in items] == [very.reference, a_little.reference, risky.reference]
    assert all(set(i) == ROW_KEYS for i in items)
    first, last = items[0], items[-1]
    assert first["id"] == very.id and first["level"] == 1 and first["at_risk"] is False
    assert 6 * 3600 <= first["late_seconds"] < 6 * 3600 + 600
    assert datetime.fromisoformat(first["due_at"]) == very.sla_due_at
    assert first["unit"]["code"] == "water" and first["assignee"] == "officer-water"
    assert last["at_risk"] is True and last["late_seconds"] < 0 and last["level"] == 0


def test_list_filters_and_scopes(api):
    drain = late_case(api, 2)
    light = late_case(api, 3, category="street_lights", point=DOWNTOWN)

    def references(path, user="escalation"):
        return [i["reference"] for i in api.get(path, user).get_json()["items"]]

    assert references("/escalations?unit=lighting") == [light.reference]
    assert references("/escalations?category=drains") == [drain.reference]
    assert references(f"/escalations?district={drain.district.code}") == [drain.reference]
    assert references("/escalations?level=2") == []
    assert references("/escalations", "sup-water") == [drain.reference]
    assert references("/escalations?unit=lighting", "sup-water") == []
    assert_error(api.get("/escalations?level=high", "escalation"), 422, "invalid", ["level"])


@pytest.mark.parametrize("username", ["citizen", "officer-water", "triage", "admin"])
def test_other_roles_get_403(api, username):
    case = late_case(api, 2)

    assert_error(api.get("/escalations", username), 403, "forbidden")
    assert_error(api.get("/incidents", username), 403, "forbidden")
    body = {"hours": 4, "reason": "x", "unit": "highway"}
    for action in ("extend", "reassign", "retry"):
        assert_error(api.post(f"/cases/{case.id}/{action}", username, json=body), 403, "forbidden")


def test_no_token_is_401(api):
    assert_error(api.get("/escalations"), 401, "unauthorized")
    assert_error(api.post("/cases/1/extend", json={}), 401, "unauthorized")


# -- extend --------------------------------------------------------------------------------


def test_extend_moves_the_due_moment(api):
    case = late_case(api, 3)

    response = api.post(
        f"/cases/{case.id}/extend", "sup-water", json={"hours": 8, "reason": "Crew on leave"}
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "reference", "due_at", "level", "version"}
    assert datetime.fromisoformat(body["due_at"]) > utcnow()
    assert body["level"] == 0
    case = fresh(case.id)
    assert case.sla_due_at == datetime.fromisoformat(body["due_at"])
    assert body["version"] == case.version
    event = [e for e in history.events_of(case.id) if e.kind == "extended"][0]
    assert "Crew on leave" in event.summary and event.actor_label == "sup-water"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["hours", "reason"]),
        ({"hours": 4}, ["reason"]),
        ({"hours": 4, "reason": "   "}, ["reason"]),
        ({"hours": 4, "reason": "x" * 501}, ["reason"]),
        ({"hours": 0, "reason": "More time"}, ["hours"]),
        ({"hours": 401, "reason": "More time"}, ["hours"]),
        ({"hours": 2.5, "reason": "More time"}, ["hours"]),
        ({"hours": "4", "reason": "More time"}, ["hours"]),
        ({"hours": True, "reason": "More time"}, ["hours"]),
        ({"hours": 4, "reason": ["a"]}, ["reason"]),
    ],
)
def test_extend_field_errors_are_422(api, body, fields):
    case = late_case(api, 3)
    due_at = case.sla_due_at

    response = api.post(f"/cases/{case.id}/extend", "escalation", json=body)

    assert_error(response, 422, "invalid", fields)
    assert fresh(case.id).sla_due_at == due_at


def test_extend_errors(api):
    light = late_case(api, 3, category="street_lights")
    body = {"hours": 4, "reason": "More time"}

    assert_error(api.post(f"/cases/{light.id}/extend", "sup-water", json=body), 403, "forbidden")
    assert_error(api.post("/cases/999999/extend", "escalation", json=body), 404, "not_found")
    assert_error(api.post(f"/cases/{light.id}/extend", "escalation", data="x"), 400, "bad_request")

    light = fresh(light.id)
    light.status = "closed"  # a test may move a row on
    session.commit()
    refused = api.post(f"/cases/{light.id}/extend", "escalation", json=body)
    assert "no open due moment" in assert_error(refused, 409, "refused")["message"]


def test_extend_and_reassign_of_an_escalated_case_are_refused(api):
    case = late_case(api, 20 * 24)
    body = {"hours": 4, "unit": "highway", "reason": "More time"}

    for action in ("extend", "reassign"):
        response = api.post(f"/cases/{case.id}/{action}", "escalation", json=body)
        assert "Handle escalation" in assert_error(response, 409, "refused")["message"]


def test_extend_of_a_stalled_case_is_refused_with_409(api):
    case = stalled_at_filing()

    response = api.post(f"/cases/{case.id}/extend", "escalation", json={"hours": 4, "reason": "x"})

    assert_error(response, 409, "refused")


# -- reassign ------------------------------------------------------------------------------


def test_reassign_to_an_officer_of_the_unit(api):
    case = late_case(api, 3)
    case.assignee_id = None
    session.commit()

    response = api.post(
        f"/cases/{case.id}/reassign",
        "sup-water",
        json={"officer": "officer-water", "reason": "Back from leave"},
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["assignee"] == "officer-water" and body["unit"]["code"] == "water"
    assert fresh(case.id).assignee.username == "officer-water"


def test_reassign_to_another_unit(api):
    case = late_case(api, 3)

    response = api.post(
        f"/cases/{case.id}/reassign", "escalation", json={"unit": "highway", "reason": "Road"}
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["unit"]["code"] == "highway"
    assert response.get_json()["assignee"] is None
    assert fresh(case.id).unit.code == "highway"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"reason": "x"}, ["officer"]),
        ({"officer": "officer-water", "unit": "highway", "reason": "x"}, ["officer"]),
        ({"officer": "nobody", "reason": "x"}, ["officer"]),
        ({"officer": "sup-water", "reason": "x"}, ["officer"]),
        ({"officer": "officer-lighting", "reason": "x"}, ["officer"]),
        ({"unit": "nowhere", "reason": "x"}, ["unit"]),
        ({"unit": "highway"}, ["reason"]),
    ],
)
def test_reassign_field_errors_are_422(api, body, fields):
    case = late_case(api, 3)

    response = api.post(f"/cases/{case.id}/reassign", "escalation", json=body)

    assert_error(response, 422, "invalid", fields)
    assert fresh(case.id).unit.code == "water"


def test_supervisor_cannot_reassign_another_units_case(api):
    light = late_case(api, 3, category="street_lights")

    response = api.post(
        f"/cases/{light.id}/reassign", "sup-water", json={"unit": "water", "reason": "Ours"}
    )

    assert_error(response, 403, "forbidden")
    assert fresh(light.id).unit.code == "lighting"


# -- incidents -----------------------------------------------------------------------------


def test_incidents_list_and_a_retry_that_stalls_again(api):
    case = stalled_at_filing()

    items = api.get("/incidents", "escalation").get_json()["items"]

    assert [i["reference"] for i in items] == [case.reference]
    assert set(items[0]) == {"id", "reference", "status", "unit", "error", "updated_at", "version"}
    assert "NameError" in items[0]["error"]
    assert api.get("/incidents", "sup-lighting").get_json()["items"] == []

    response = api.post(f"/cases/{case.id}/retry", "escalation")
    assert "NameError" in assert_error(response, 409, "process_stalled")["message"]
    assert fresh(case.id).error


def test_retry_after_a_fix(api):
    case = marked_stalled(late_case(api, 3))

    response = api.post(f"/cases/{case.id}/retry", "sup-water")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["error"] is None
    assert fresh(case.id).error is None
    assert_error(api.post(f"/cases/{case.id}/retry", "sup-water"), 409, "refused")
    assert_error(api.post("/cases/999999/retry", "escalation"), 404, "not_found")


def test_openapi_describes_the_escalation_paths(api):
    document = api.get("/openapi.json").get_json()

    for path in (
        "/escalations",
        "/incidents",
        "/cases/{id}/extend",
        "/cases/{id}/reassign",
        "/cases/{id}/retry",
    ):
        assert path in document["paths"], path
    assert "late_seconds" in document["components"]["schemas"]["Escalation"]["properties"]
    assert document["paths"]["/cases/{id}/extend"]["post"]["responses"]["422"]
