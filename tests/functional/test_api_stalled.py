"""A script that fails marks the case for staff and leaves its stored process as it was."""

from pathlib import Path

import pytest

from casemgr import engine
from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.escalations import calendars
from casemgr.processes import service as processes
from tests.functional.sla_cases import file_complaint, wib

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"
RENEW_SLA = (
    "sla_due_at = business_due(now_iso(), extend_hours, 'working_hours') "
    "if action == 'extend' and extend_hours else business_due(now_iso(), sla_amount, sla_unit)"
)

FAILING_SCRIPTS = {
    "undefined name": "sla_due_at = business_due(now_iso(), extension_hours, 'working_hours')",
    "division by zero": "sla_due_at = business_due(now_iso(), sla_amount / 0, sla_unit)",
    "unknown SLA unit": "sla_due_at = business_due(now_iso(), 8, 'fortnights')",
    "endless loop": "while True: pass",
}


def deploy_variant(script):
    """Deploy complaint.bpmn with renew_sla's first line replaced; new cases run on it."""
    xml = BPMN.read_text()
    assert RENEW_SLA in xml
    version = processes.deploy(xml.replace(RENEW_SLA, script))
    session.commit()
    assert version.version > 1
    return version


def escalated_case(api):
    """A drain case filed past its due and escalation moments: once assigned, it waits at
    handle_escalation."""
    case_id = file_complaint(sla_due_at=wib(2026, 12, 3, 9, 0))
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    return case_id


def stored(case_id):
    session.expire_all()
    case = cases.get(case_id)
    return case.workflow_state, case.unit.code, case.process_version_id


@pytest.mark.parametrize("script", FAILING_SCRIPTS.values(), ids=FAILING_SCRIPTS.keys())
def test_failing_script_stalls_the_case_without_corrupting_it(api, clock, script):
    version = deploy_variant(script)
    case_id = escalated_case(api)
    task = api.task(case_id, "handle_escalation", "escalation")
    state_before, unit_before, version_id = stored(case_id)
    assert version_id == version.id

    response = api.post(
        f"/tasks/{task['id']}/complete",
        "escalation",
        json={"action": "reassign", "reason": "Wrong crew", "unit": "lighting"},
    )

    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "process_stalled"
    assert set(error) == {"code", "message", "fields"}

    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["error"] and "renew_sla" in detail["error"]
    assert detail["status"] == "escalated"
    assert detail["unit"]["code"] == "water"  # the reassignment was not half-done
    assert [(t["bpmn_id"], t["status"], t["id"]) for t in detail["tasks"]] == [
        ("handle_escalation", "open", task["id"])
    ]
    assert not [e for e in detail["history"] if e["kind"] == "task_completed"][2:]
    assert [e["kind"] for e in detail["history"]].count("error") == 1

    state_after, unit_after, _ = stored(case_id)
    assert state_after == state_before
    assert unit_after == unit_before
    helpers = calendars.engine_helpers(calendars.calendar_for(None))
    workflow = engine.load_state(processes.parsed(version), state_after, helpers)
    ready = engine.snapshot(workflow).ready_tasks
    assert [r.bpmn_id for r in ready] == ["handle_escalation"]


def test_stalled_case_keeps_refusing_with_the_same_answer(api, clock):
    deploy_variant(FAILING_SCRIPTS["undefined name"])
    case_id = escalated_case(api)
    task = api.task(case_id, "handle_escalation", "escalation")
    values = {"action": "extend", "reason": "More time", "extend_hours": 4}

    for _attempt in range(2):
        response = api.post(f"/tasks/{task['id']}/complete", "escalation", json=values)
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "process_stalled"

    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["tasks"][0]["status"] == "open"
    assert detail["status"] == "escalated"


def test_the_shipped_script_does_not_stall(api, clock):
    case_id = escalated_case(api)

    api.complete(
        case_id,
        "handle_escalation",
        "escalation",
        {"action": "extend", "reason": "More time", "extend_hours": 4},
    )

    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["error"] is None
    assert [t["bpmn_id"] for t in detail["tasks"]] == ["resolve"]
    assert detail["sla_due_at"] == wib(2026, 12, 7, 13, 0).isoformat()  # four working hours
