"""A lane's role: chosen in the modeller as the lane's `role` property, else its name."""

import pytest

from casemgr.db import session
from casemgr.processes import service as processes
from tests.functional.bpmn import HEAD, prop, user_task
from tests.functional.test_process_validation import validate


def lane_process(lane_name, role=None, process_id="tiny"):
    properties = ""
    if role is not None:
        properties = ("<bpmn:extensionElements><spiffworkflow:properties>"
                      + prop("role", role) + "</spiffworkflow:properties>"
                      "</bpmn:extensionElements>")
    return (HEAD + f'<bpmn:process id="{process_id}" isExecutable="true">'
            f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_crew" name="{lane_name}">'
            f"{properties}<bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane>"
            "</bpmn:laneSet>"
            '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            + user_task("work", prop("form", "resolve"))
            + '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />'
            "</bpmn:process></bpmn:definitions>")


def test_a_lane_with_a_chosen_role_needs_no_role_name(api):
    assert validate(api, lane_process("Roads crew", "field_officer")).status_code == 200
    assert validate(api, lane_process("Roads crew")).status_code == 422


def test_a_lane_without_a_name_is_told_apart_from_no_lane(api):
    """A lane the modeller just added has no name: the task is in it, and needs its role."""
    unnamed = lane_process("", "").replace(' name=""', "")

    response = validate(api, unnamed)

    assert response.status_code == 422
    [error] = [e for e in response.get_json()["errors"] if e["element_id"] == "work"]
    assert error["message"] == ("user task is in lane lane_crew (no name), which maps to "
                                "no role: choose its role")
    assert validate(api, lane_process("", "field_officer").replace(' name=""', "")
                    ).status_code == 200


@pytest.mark.parametrize("name, role, message", [
    ("Roads crew", "mayor", "whose role 'mayor' casemgr does not know"),
    ("Field officer", "mayor", "whose role 'mayor'"),  # the chosen role wins over the name
    ("Roads crew", "", "which maps to no role"),
])
def test_a_lane_role_casemgr_lacks_is_an_error_on_the_task(api, name, role, message):
    response = validate(api, lane_process(name, role))

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert any(e["element_id"] == "work" and message in e["message"] for e in errors), errors


def test_tasks_go_to_the_chosen_role_over_the_lane_name(app, api):
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as handle:
        text = handle.read()
    # The triage lane is renamed, and its role chosen: the unit supervisor triages now.
    text = text.replace(
        '<bpmn:lane id="lane_triage" name="Triage officer">',
        '<bpmn:lane id="lane_triage" name="Front desk"><bpmn:extensionElements>'
        "<spiffworkflow:properties>" + prop("role", "unit_supervisor")
        + "</spiffworkflow:properties></bpmn:extensionElements>")
    version = processes.deploy(text)
    session.commit()
    parsed = processes.parsed(version)
    assert parsed.task_properties("triage") == {"form": "triage", "status": "submitted",
                                                "due_from": "triage_due_at"}

    case = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": 42.316782,
        "lon": -71.085581}).get_json()

    task = api.task(case["id"], "triage", "sup-water")
    assert task["role"] == "unit_supervisor"
    assert api.get(f"/tasks?case_id={case['id']}", "triage").get_json()["items"] == []


def test_the_version_diff_shows_a_lane_role_change(app, api):
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as handle:
        text = handle.read()
    target = processes.deploy(text.replace(
        '<bpmn:lane id="lane_triage" name="Triage officer">',
        '<bpmn:lane id="lane_triage" name="Triage officer"><bpmn:extensionElements>'
        "<spiffworkflow:properties>" + prop("role", "unit_supervisor")
        + "</spiffworkflow:properties></bpmn:extensionElements>"))
    session.commit()

    body = api.get(f"/processes/complaint/versions/1/diff/{target.version}", "owner").get_json()

    triage = next(e for e in body["changed"] if e["element_id"] == "triage")
    assert triage["changed"] == ["lane_properties"]
    assert triage["after"]["lane_properties"] == {"role": "unit_supervisor"}
