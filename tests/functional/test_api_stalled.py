"""A script that fails marks the case for staff and leaves its stored process as it was."""

from datetime import timedelta
from pathlib import Path

import pytest

from casemgr import engine
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.processes import service as processes
from tests.conftest import ROXBURY

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"
RENEW_SLA = (
    "sla_due_at = hours_from_now(extend_hours if action == 'extend' and extend_hours "
    "else sla_hours)"
)

FAILING_SCRIPTS = {
    "undefined name": "sla_due_at = hours_from_now(extension_hours)",
    "division by zero": "sla_due_at = hours_from_now(sla_hours / 0)",
    "endless loop": "while True: pass",
}


def deploy_variant(script):
    """Deploy complaint.bpmn with renew_sla's script replaced; new cases run on it."""
    xml = BPMN.read_text()
    assert RENEW_SLA in xml
    version = processes.deploy(xml.replace(RENEW_SLA, script))
    session.commit()
    assert version.version > 1
    return version


def escalated_case(api):
    """A drain case filed a day late, triaged and assigned: it waits at handle_escalation."""
    case, _secret = cases.file_case(
        category="drains",
        description="Drain blocked since last week",
        lat=ROXBURY[0],
        lon=ROXBURY[1],
        sla_due_at=utcnow() - timedelta(days=1),
    )
    case_id = case.id
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    return case_id


def stored(case_id):
    session.expire_all()
    case = cases.get(case_id)
    return case.workflow_state, case.unit.code, case.process_version_id


@pytest.mark.parametrize("script", FAILING_SCRIPTS.values(), ids=FAILING_SCRIPTS.keys())
def test_failing_script_stalls_the_case_without_corrupting_it(api, script):
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
    workflow = engine.load_state(processes.parsed(version), state_after)
    ready = engine.snapshot(workflow).ready_tasks
    assert [r.bpmn_id for r in ready] == ["handle_escalation"]


def test_stalled_case_keeps_refusing_with_the_same_answer(api):
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


def test_the_shipped_script_does_not_stall(api):
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
