"""Stalled cases: listed for staff, left out of the sweep, retried once the cause is fixed."""

from pathlib import Path

import pytest

from casemgr.accounts import service as accounts
from casemgr.db import session
from casemgr.escalations import service as escalations
from casemgr.processes import service as processes
from tests.functional.sla_cases import fetch, file_complaint, history_kinds, wib

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"
RESUME_SLA = "sla_due_at = resume_due(sla_due_at, sla_paused_at, sla_unit)"
RENEW_SLA = "business_due(now_iso(), sla_amount, sla_unit)"

#: Asked on Tuesday 8 December at 10:00; unanswered, the question expires five days on.
ASKED = wib(2026, 12, 8, 10, 0)
EXPIRED = wib(2026, 12, 13, 10, 1)


def deploy(old, new):
    """Deploy complaint.bpmn with one script line changed; new cases run on it."""
    xml = BPMN.read_text()
    assert xml.count(old) == 1
    version = processes.deploy(xml.replace(old, new))
    session.commit()
    return version


def fixed_version():
    """Deploy the shipped diagram again, as the version after the broken one."""
    version = processes.deploy(BPMN.read_text())
    session.commit()
    return version


def admin():
    return accounts.find_user("admin")


def expired_question_on(api, clock, broken_script):
    """A case whose question expired on a version where resuming the SLA fails."""
    deploy(RESUME_SLA, broken_script)
    case_id = file_complaint()
    clock.travel(ASKED)
    api.complete(case_id, "triage", "triage", {"decision": "ask", "question": "Where?"})
    clock.travel(EXPIRED)
    return case_id


def test_a_timer_that_stalls_is_listed_and_left_out_of_later_sweeps(api, clock):
    case_id = expired_question_on(api, clock, RESUME_SLA.replace("sla_unit)", "sla_units)"))

    assert escalations.fire_due_timers() == {
        "fired": 0, "stalled": 1, "conflicts": 0, "remaining": 0}

    case = fetch(case_id)
    assert "resume_sla" in case.error
    assert case.status == "waiting"  # nothing of the failed step was kept
    assert [c.id for c in escalations.stalled_cases(admin())] == [case_id]
    assert escalations.fire_due_timers()["stalled"] == 0  # not tried again and again
    assert history_kinds(case_id).count("error") == 1


def test_retry_after_a_fixed_version_clears_the_error_and_goes_on(api, clock):
    case_id = expired_question_on(api, clock, RESUME_SLA.replace("sla_unit)", "sla_units)"))
    escalations.fire_due_timers()
    case = fetch(case_id)
    case.process_version_id = fixed_version().id
    session.commit()

    escalations.retry_stalled(fetch(case_id), admin())

    case = fetch(case_id)
    assert case.error is None
    assert case.status == "submitted"
    assert api.task(case_id, "triage", "triage")["status"] == "open"
    assert escalations.stalled_cases(admin()) == []
    assert "retried" in history_kinds(case_id)


def test_a_stalled_manager_decision_is_retried_after_the_fix(api, clock):
    deploy(RENEW_SLA, RENEW_SLA.replace("sla_unit)", "sla_units)"))
    case_id = file_complaint(sla_due_at=wib(2026, 12, 3, 9, 0))  # escalated once assigned
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    task = api.task(case_id, "handle_escalation", "escalation")
    values = {"action": "reassign", "reason": "Wrong crew"}
    response = api.post(f"/tasks/{task['id']}/complete", "escalation", json=values)
    assert response.get_json()["error"]["code"] == "process_stalled"
    assert [c.id for c in escalations.stalled_cases(admin())] == [case_id]

    case = fetch(case_id)
    case.process_version_id = fixed_version().id
    session.commit()
    escalations.retry_stalled(fetch(case_id), admin())

    assert fetch(case_id).error is None
    api.complete(case_id, "handle_escalation", "escalation", values)
    assert api.task(case_id, "assign", "sup-water")["status"] == "open"


def test_retry_of_a_healthy_case_is_refused(api, clock):
    case_id = file_complaint()

    with pytest.raises(escalations.ActionRefused, match="not stalled"):
        escalations.retry_stalled(fetch(case_id), admin())
