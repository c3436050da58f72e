"""Service tasks of kind routing and notify: the lint rule, and what a case does with them."""

import json

import pytest
from sqlalchemy import select

from casemgr.accounts import service as accounts
from casemgr.cases import history, routing
from casemgr.cases import service as cases
from casemgr.cases.models import CaseEvent
from casemgr.db import session
from casemgr.notifications import service as notifications
from casemgr.processes import service as processes
from tests.functional.bpmn import chain, service_task
from tests.functional.test_process_validation import validate


@pytest.mark.parametrize("kind, params, message", [
    (None, None, "service task without a kind"),
    ("fax", {}, "service task kind 'fax' is unknown"),
    ("notify", {}, "notify needs the parameter 'message'"),
    ("notify", {"message": "overdue"}, "notify message 'overdue' is not one of"),
    ("notify", {"message": "'telegram'"}, "notify message"),
    ("notify", {"message": "'overdue'", "to": "'mayor'"}, "notify to"),
    ("routing", {"unit": "'water'"}, "routing takes no parameter 'unit'"),
])
def test_a_service_task_without_a_known_kind_is_an_error_on_it(api, kind, params, message):
    response = validate(api, chain(service_task("work", kind, params)))

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert any(e["element_id"] == "work" and message in e["message"] for e in errors), errors


def test_a_parameter_without_a_type_is_named_not_a_server_error(api):
    xml = chain(service_task("work", "notify", {"message": "'overdue'"})).replace(
        ' type="str"', "")

    response = validate(api, xml)

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["element_id"] == "work"


@pytest.mark.parametrize("kind, params", [
    ("routing", {}),
    ("notify", {"message": "'overdue'"}),
    ("notify", {"message": "'assigned'", "to": "'unit_supervisor'"}),
])
def test_known_kinds_are_valid(api, kind, params):
    response = validate(api, chain(service_task("work", kind, params)))

    assert response.status_code == 200, response.get_json()


def with_service_tasks(app, *tasks):
    """The complaint process with service tasks between triage and its gateway."""
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as handle:
        text = handle.read()
    ids = [task_id for task_id, _kind, _params in tasks]
    elements = []
    for (task_id, kind, params), before in zip(tasks, ["triage", *ids], strict=False):
        elements.append(
            service_task(task_id, kind, params)
            .replace("<bpmn:incoming>f1</bpmn:incoming>",
                     f"<bpmn:incoming>to_{task_id}</bpmn:incoming>")
            .replace("<bpmn:outgoing>f2</bpmn:outgoing>",
                     f"<bpmn:outgoing>from_{task_id}</bpmn:outgoing>"))
        elements.append(f'<bpmn:sequenceFlow id="to_{task_id}" sourceRef="{before}" '
                        f'targetRef="{task_id}" />')
    last = ids[-1]
    elements.append(f'<bpmn:sequenceFlow id="from_{last}" sourceRef="{last}" '
                    f'targetRef="gw_triage" />')
    text = text.replace(
        '<bpmn:sequenceFlow id="flow_triaged" sourceRef="triage" targetRef="gw_triage" />',
        "".join(elements))
    text = text.replace("<bpmn:outgoing>flow_triaged</bpmn:outgoing>",
                        f"<bpmn:outgoing>to_{ids[0]}</bpmn:outgoing>", 1)
    text = text.replace("<bpmn:incoming>flow_triaged</bpmn:incoming>",
                        f"<bpmn:incoming>from_{last}</bpmn:incoming>", 1)
    version = processes.deploy(text)
    session.commit()
    return version


def service_events(case_id):
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                     CaseEvent.kind == "service_task"))
    return [(event.summary, json.loads(event.details)) for event in events]


def test_a_routing_task_routes_the_case_again(app, api):
    with_service_tasks(app, ("route_again", "routing", {}))
    case_id = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked again",
        "lat": 42.316782, "lon": -71.085581}).get_json()["id"]
    assert cases.get(case_id).unit.code == "water"
    highway = accounts.find_unit("highway")
    routing.add_rule(highway, cases.category_by_code("drains"), None, position=1)
    session.commit()

    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    case = cases.get(case_id)
    assert case.unit.code == "highway"
    assert api.task(case_id, "assign", "sup-highway")["bpmn_id"] == "assign"
    [(summary, details)] = service_events(case_id)
    assert "route_again: routed again, Water and Sewer -> Public Works: Highway" in summary
    assert (details["kind"], details["from"], details["to"]) == ("routing", "water", "highway")
    assert [e.kind for e in history.events_of(case_id)].count("routed") == 2


def test_a_routing_task_that_finds_the_same_unit_says_so(app, api):
    with_service_tasks(app, ("route_again", "routing", {}))
    case_id = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": 42.316782,
        "lon": -71.085581}).get_json()["id"]

    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    assert cases.get(case_id).unit.code == "water"
    [(summary, _details)] = service_events(case_id)
    assert summary == "route_again: routed again, stays with Water and Sewer"


def test_notify_tasks_queue_messages_in_the_outbox_and_the_history(app, api):
    with_service_tasks(
        app,
        ("tell_reporter", "notify", {"message": "'assigned'"}),
        ("tell_supervisors", "notify", {"message": "'escalated'", "to": "'unit_supervisor'"}),
    )
    case_id = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": 42.316782,
        "lon": -71.085581, "email_updates": True}).get_json()["id"]

    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    queued = [(n.kind, n.recipient_email) for n in notifications.of_case(case_id)]
    assert ("assigned", "citizen@demo.invalid") in queued
    assert ("escalated", "sup-water@demo.invalid") in queued
    events = service_events(case_id)
    assert [summary for summary, _ in events] == [
        "tell_reporter: 1 'assigned' message(s) queued for reporter",
        "tell_supervisors: 1 'escalated' message(s) queued for unit_supervisor",
    ]
    assert events[1][1] == {"bpmn_id": "tell_supervisors", "kind": "notify",
                            "message": "escalated", "to": "unit_supervisor", "queued": 1}


def test_a_reporter_who_declined_email_gets_none_from_a_notify_task(app, api):
    with_service_tasks(app, ("tell_reporter", "notify", {"message": "'assigned'"}))
    case_id = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": 42.316782,
        "lon": -71.085581}).get_json()["id"]

    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    recipients = {n.recipient_email for n in notifications.of_case(case_id)}
    assert "citizen@demo.invalid" not in recipients
    [(summary, _details)] = service_events(case_id)
    assert summary == "tell_reporter: 0 'assigned' message(s) queued for reporter"


def test_the_version_diff_shows_a_service_task_kind_change(app, api):
    first = with_service_tasks(app, ("tell", "notify", {"message": "'assigned'"}))
    second = with_service_tasks(app, ("tell", "routing", {}))

    body = api.get(f"/processes/complaint/versions/{first.version}/diff/{second.version}",
                   "owner").get_json()

    [tell] = body["changed"]
    assert tell["changed"] == ["service"]
    assert tell["before"]["service"] == {"kind": "notify", "params": {"message": "'assigned'"}}
    assert tell["after"]["service"] == {"kind": "routing", "params": {}}
