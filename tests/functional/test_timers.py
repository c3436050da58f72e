"""The SLA timer sweep: `casemgr fire-timers` and escalations.service.fire_due_timers."""

import json
from datetime import timedelta

import pytest

from casemgr.db import session
from casemgr.escalations import service as escalations
from tests.functional.sla_cases import (
    DUE,
    ESCALATE,
    MINUTE,
    MONDAY,
    fetch,
    file_complaint,
    history_kinds,
    to_resolve,
    wib,
)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def fire_via_cli(runner):
    result = runner.invoke(args=["casemgr", "fire-timers"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def officer_sees(api, case_id):
    items = api.get("/tasks", "officer-water").get_json()["items"]
    return [task["bpmn_id"] for task in items if task["case_id"] == case_id]


def test_breach_fires_once_through_the_cli_and_leaves_resolve_open(api, runner, clock):
    case_id = file_complaint()
    resolve = to_resolve(api, case_id)
    assert fetch(case_id).next_timer_due_at == DUE

    clock.travel(DUE + MINUTE)
    first = fire_via_cli(runner)

    assert first["fired"] == 1
    case = fetch(case_id)
    assert (case.status, case.escalation_level) == ("assigned", 1)
    assert case.next_timer_due_at == ESCALATE
    assert api.task(case_id, "resolve", "officer-water")["id"] == resolve["id"]
    assert history_kinds(case_id).count("timer") == 1

    second = fire_via_cli(runner)

    assert second["fired"] == 0
    assert history_kinds(case_id).count("timer") == 1
    assert fetch(case_id).escalation_level == 1


def test_escalation_timer_takes_resolve_away_and_asks_the_manager(api, runner, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    clock.travel(DUE + MINUTE)
    fire_via_cli(runner)

    clock.travel(ESCALATE + MINUTE)
    result = fire_via_cli(runner)

    assert result["fired"] == 1
    case = fetch(case_id)
    assert (case.status, case.escalation_level) == ("escalated", 2)
    assert case.next_timer_due_at is None
    escalation = api.task(case_id, "handle_escalation", "escalation")
    assert escalation["role"] == "escalation_manager"
    assert officer_sees(api, case_id) == []
    assert history_kinds(case_id).count("timer") == 2

    assert fire_via_cli(runner)["fired"] == 0
    assert api.task(case_id, "handle_escalation", "escalation")["id"] == escalation["id"]


def test_case_with_a_future_due_moment_is_not_touched(api, runner, clock):
    waiting = file_complaint()
    resolve = to_resolve(api, waiting)
    before = fetch(waiting)
    state, version = before.workflow_state, before.version

    clock.travel(DUE - MINUTE)
    result = fire_via_cli(runner)

    assert result["fired"] == 0
    after = fetch(waiting)
    assert (after.workflow_state, after.version, after.status) == (state, version, "assigned")
    assert after.next_timer_due_at == DUE
    assert api.task(waiting, "resolve", "officer-water")["id"] == resolve["id"]
    assert "timer" not in history_kinds(waiting)


def test_sweep_fires_only_the_due_cases(api, clock):
    late = file_complaint()
    to_resolve(api, late)
    on_time = file_complaint(sla_due_at=wib(2026, 12, 23, 9, 0))
    to_resolve(api, on_time)

    clock.travel(DUE + MINUTE)
    result = escalations.fire_due_timers()

    assert result == {"fired": 1, "stalled": 0, "conflicts": 0, "remaining": 0}
    assert (fetch(late).escalation_level, fetch(on_time).escalation_level) == (1, 0)
    assert escalations.fire_due_timers()["fired"] == 0


def test_stalled_case_is_left_out_of_the_sweep(api, clock):
    late = file_complaint()
    to_resolve(api, late)
    case = fetch(late)
    case.error = "Process stalled at renew_sla: example"
    session.commit()

    clock.travel(ESCALATE + MINUTE)

    assert escalations.fire_due_timers()["fired"] == 0
    case = fetch(late)
    assert (case.status, case.escalation_level) == ("assigned", 0)


def test_next_timer_column_follows_the_process(api, clock):
    case_id = file_complaint()
    assert fetch(case_id).next_timer_due_at is None  # no timer while at triage

    to_resolve(api, case_id)
    assert fetch(case_id).next_timer_due_at == DUE  # the breach timer, set at resolve

    api.resolve(case_id, "officer-water", "Cleared")
    # verify waits fourteen days for the reporter's answer
    assert fetch(case_id).next_timer_due_at == MONDAY + timedelta(days=14)

    api.complete(case_id, "verify", "citizen", {"fixed": False, "comment": "Still blocked"})
    assert fetch(case_id).next_timer_due_at is None  # validation has no timer
    api.complete(case_id, "validate_resolution", "escalation",
                 {"verdict": "reject", "reason": "Still blocked on the reporter's photo"})
    assert fetch(case_id).next_timer_due_at == DUE  # armed again on reopening

    api.resolve(case_id, "officer-water", "Cleared again")
    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 4})
    case = fetch(case_id)
    assert (case.status, case.outcome, case.next_timer_due_at) == ("closed", "fixed", None)


def escalate(api, clock, case_id):
    """Walk a filed case to resolve and past both of its timers."""
    to_resolve(api, case_id)
    clock.travel(DUE + MINUTE)
    escalations.fire_due_timers()
    clock.travel(ESCALATE + MINUTE)
    escalations.fire_due_timers()
    assert fetch(case_id).status == "escalated"


def test_escalation_extend_moves_the_column_and_close_clears_it(api, clock):
    case_id = file_complaint()
    escalate(api, clock, case_id)
    clock.travel(wib(2026, 12, 17, 15, 0))  # Thursday 15:00

    api.complete(
        case_id,
        "handle_escalation",
        "escalation",
        {"action": "extend", "reason": "Parts ordered", "extend_hours": 8},
    )

    case = fetch(case_id)
    extended = wib(2026, 12, 18, 15, 0)  # eight working hours on: Friday 15:00
    assert case.status == "assigned"
    assert case.sla_due_at == case.next_timer_due_at == extended
    assert case.sla_escalate_at == wib(2026, 12, 21, 15, 0)
    resolve = api.task(case_id, "resolve", "officer-water")
    assert resolve["due_at"] == extended.isoformat()

    # The extended moments pass too; this time the manager closes the case.
    clock.travel(wib(2026, 12, 21, 15, 1))
    assert escalations.fire_due_timers()["fired"] == 1
    api.complete(
        case_id,
        "handle_escalation",
        "escalation",
        {"action": "close", "reason": "Handed to the state road agency"},
    )

    case = fetch(case_id)
    assert (case.status, case.outcome) == ("closed", "closed_by_escalation")
    assert case.next_timer_due_at is None
    assert case.closed_at == wib(2026, 12, 21, 15, 1)
    assert history_kinds(case_id).count("timer") == 3


def test_case_assigned_after_its_escalation_moment_escalates_at_once(api, clock):
    case_id = file_complaint(sla_due_at=wib(2026, 12, 3, 9, 0))  # escalated Friday 09:00

    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})

    case = fetch(case_id)
    assert (case.status, case.escalation_level) == ("escalated", 2)
    assert case.next_timer_due_at is None
    assert api.task(case_id, "handle_escalation", "escalation")
    assert escalations.fire_due_timers()["fired"] == 0


def test_case_assigned_after_its_due_moment_is_overdue_at_once(api, clock):
    case_id = file_complaint(sla_due_at=MONDAY - MINUTE)

    resolve = to_resolve(api, case_id)

    case = fetch(case_id)
    assert (case.status, case.escalation_level) == ("assigned", 1)
    assert resolve["is_overdue"] is True
    assert case.next_timer_due_at == wib(2026, 12, 8, 8, 59)  # eight working hours on
    assert escalations.fire_due_timers()["fired"] == 0
