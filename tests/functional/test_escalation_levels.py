"""Escalation levels, the at-risk flag and the manager's actions outside the BPMN task."""

import json
from datetime import date, timedelta

import pytest

from casemgr import engine
from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.escalations import calendars
from casemgr.escalations import service as escalations
from casemgr.tasks import service as tasks
from tests.functional.sla_cases import (
    DUE,
    ESCALATE,
    MINUTE,
    MONDAY,
    fetch,
    file_complaint,
    history_kinds,
    outbox,
    to_resolve,
    wib,
)

#: The red flag of a drain case filed on MONDAY: day six of seven.
AT_RISK = wib(2026, 12, 15, 9, 0)


def escalation_entries(case_id):
    return [json.loads(e.details)["level"] for e in history.events_of(case_id)
            if e.kind == "escalation"]


def open_tasks(case_id):
    return [(t.bpmn_id, t.assignee.username if t.assignee else None, t.unit.code)
            for t in tasks.open_tasks_of(case_id)]


# -- levels ---------------------------------------------------------------------------------


def test_breach_gives_level_one_and_tells_the_unit_supervisor_once(api, clock):
    case_id = file_complaint()
    resolve = to_resolve(api, case_id)

    clock.travel(DUE + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1

    case = fetch(case_id)
    assert case.escalation_level == 1
    assert escalation_entries(case_id) == [1]
    still_open = api.task(case_id, "resolve", "officer-water")
    assert still_open["id"] == resolve["id"]
    assert still_open["is_overdue"] is True
    assert outbox(case_id, "overdue") == ["sup-water@demo.invalid"]

    events, messages = len(history_kinds(case_id)), len(outbox(case_id, "overdue"))
    assert escalations.fire_due_timers()["fired"] == 0
    assert len(history_kinds(case_id)) == events
    assert len(outbox(case_id, "overdue")) == messages
    assert fetch(case_id).escalation_level == 1


def test_escalation_moment_gives_level_two_to_the_escalation_manager(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    clock.travel(DUE + MINUTE)
    escalations.fire_due_timers()

    clock.travel(ESCALATE + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1

    case = fetch(case_id)
    assert (case.escalation_level, case.status) == (2, "escalated")
    assert escalation_entries(case_id) == [1, 2]
    task = api.task(case_id, "handle_escalation", "escalation")
    assert task["due_at"] == ESCALATE.isoformat()
    assert outbox(case_id, "escalated") == ["escalation@demo.invalid"]
    assert open_tasks(case_id) == [("handle_escalation", None, "water")]


def test_a_case_extended_by_the_manager_starts_again_at_level_zero(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    clock.travel(ESCALATE + MINUTE)
    escalations.fire_due_timers()
    clock.travel(wib(2026, 12, 17, 15, 0))

    api.complete(case_id, "handle_escalation", "escalation",
                 {"action": "extend", "reason": "Parts ordered", "extend_hours": 8})

    case = fetch(case_id)
    assert case.escalation_level == 0
    clock.travel(case.sla_due_at + MINUTE)
    escalations.fire_due_timers()
    assert fetch(case_id).escalation_level == 1
    assert escalation_entries(case_id) == [1, 2, 1]
    assert len(outbox(case_id, "overdue")) == 2  # one per due moment


# -- at risk --------------------------------------------------------------------------------


def test_at_risk_flag_at_day_six_is_raised_once(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    assert fetch(case_id).at_risk_at == AT_RISK

    assert escalations.flag_at_risk(now=AT_RISK - MINUTE) == 0
    assert escalations.flag_at_risk(now=AT_RISK) == 1

    case = fetch(case_id)
    assert case.at_risk_flagged_at == AT_RISK
    assert history_kinds(case_id).count("at_risk") == 1
    assert outbox(case_id, "at_risk") == ["sup-water@demo.invalid"]
    assert escalations.flag_at_risk(now=AT_RISK + MINUTE) == 0
    assert history_kinds(case_id).count("at_risk") == 1
    assert outbox(case_id, "at_risk") == ["sup-water@demo.invalid"]


def test_without_a_day_count_the_flag_comes_at_eighty_percent(clock):
    flood = fetch(file_complaint("floods"))  # 24 calendar hours

    assert flood.sla_due_at == MONDAY + timedelta(hours=24)
    assert flood.at_risk_at == wib(2026, 12, 8, 4, 12)  # 19.2 hours on


def test_a_closed_case_is_not_flagged_at_risk(api, clock):
    case_id = file_complaint()
    api.complete(case_id, "triage", "triage", {"decision": "reject", "note": "Private land"})
    assert fetch(case_id).status == "closed"

    assert escalations.flag_at_risk(now=DUE) == 0

    assert "at_risk" not in history_kinds(case_id)
    assert outbox(case_id, "at_risk") == []


# -- extending ------------------------------------------------------------------------------


def manager():
    return accounts.find_user("escalation")


def test_extending_moves_the_column_and_the_stored_engine_timer(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)

    escalations.extend_due(fetch(case_id), 8, "Pipe parts ordered", manager())

    case = fetch(case_id)
    extended = wib(2026, 12, 17, 9, 0)  # eight working hours after Wednesday 09:00
    assert case.sla_due_at == case.next_timer_due_at == extended
    assert case.sla_escalate_at == wib(2026, 12, 18, 9, 0)
    assert api.task(case_id, "resolve", "officer-water")["due_at"] == extended.isoformat()
    assert "extended" in history_kinds(case_id)

    clock.travel(DUE + MINUTE)  # the old due moment passes: the engine has nothing to fire
    assert engine.fire_timers(cases.load_workflow(fetch(case_id))) == []
    clock.travel(extended + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1
    assert fetch(case_id).escalation_level == 1


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_extending_needs_a_reason(api, clock, reason):
    case_id = file_complaint()
    to_resolve(api, case_id)
    state = fetch(case_id).workflow_state

    with pytest.raises(escalations.ActionRefused, match="reason"):
        escalations.extend_due(fetch(case_id), 8, reason, manager())

    assert fetch(case_id).sla_due_at == DUE
    assert fetch(case_id).workflow_state == state


def test_a_new_day_off_moves_no_due_moment_until_one_is_extended(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)

    calendars.add_day_off(date(2026, 12, 17), "Flood clean-up day")
    try:
        case = fetch(case_id)
        assert (case.sla_due_at, case.next_timer_due_at) == (DUE, DUE)
        assert case.sla_escalate_at == ESCALATE

        escalations.extend_due(case, 8, "Waiting for the pump", manager())
    finally:
        calendars.invalidate()

    # Asked to move, the due moment is counted on the new calendar: Thursday is off.
    assert fetch(case_id).sla_due_at == wib(2026, 12, 18, 9, 0)


# -- reassigning ----------------------------------------------------------------------------


def second_water_officer():
    return accounts.create_user("officer-water-2", "pw-officer-2", ["field_officer"],
                                unit=accounts.find_unit("water"), email="officer2@demo.invalid")


def test_reassign_to_another_officer_of_the_unit_moves_the_open_resolve_task(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    officer = second_water_officer()

    escalations.reassign(fetch(case_id), "Closer to the site", manager(), officer=officer)

    case = fetch(case_id)
    assert case.assignee.username == "officer-water-2"
    assert open_tasks(case_id) == [("resolve", "officer-water-2", "water")]
    assert "reassigned" in history_kinds(case_id)
    api.logins["officer-water-2"] = {"password": "pw-officer-2"}
    api.resolve(case_id, "officer-water-2", "Cleared")
    api.complete(case_id, "verify", "citizen", {"fixed": False, "comment": "Still wet"})
    api.complete(case_id, "validate_resolution", "escalation",
                 {"verdict": "reject", "reason": "Still wet"})
    assert open_tasks(case_id) == [("resolve", "officer-water-2", "water")]


def test_reassign_to_another_unit_moves_the_open_resolve_task(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    lighting = accounts.find_unit("lighting")

    escalations.reassign(fetch(case_id), "A cable, not a drain", manager(), unit=lighting)

    case = fetch(case_id)
    assert (case.unit.code, case.assignee) == ("lighting", None)
    assert open_tasks(case_id) == [("resolve", None, "lighting")]
    api.resolve(case_id, "officer-lighting", "Cable fixed")
    api.complete(case_id, "verify", "citizen", {"fixed": False, "comment": "Still dark"})
    api.complete(case_id, "validate_resolution", "escalation",
                 {"verdict": "reject", "reason": "Still dark"})
    # Reopened, the case stays with the new unit.
    assert open_tasks(case_id) == [("resolve", None, "lighting")]


def test_reassign_refuses_an_officer_of_another_unit_and_a_missing_reason(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    stranger = accounts.find_user("officer-lighting")

    with pytest.raises(escalations.ActionRefused, match="not a field officer"):
        escalations.reassign(fetch(case_id), "Try them", manager(), officer=stranger)
    with pytest.raises(escalations.ActionRefused, match="reason"):
        escalations.reassign(fetch(case_id), " ", manager(), unit=accounts.find_unit("highway"))

    assert open_tasks(case_id) == [("resolve", "officer-water", "water")]



def test_an_extended_case_escalates_with_its_extended_moments(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    escalations.extend_due(fetch(case_id), 8, "Pipe parts ordered", manager())
    extended, escalate_at = wib(2026, 12, 17, 9, 0), wib(2026, 12, 18, 9, 0)

    clock.travel(escalate_at + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1

    case = fetch(case_id)
    assert (case.status, case.escalation_level) == ("escalated", 2)
    assert (case.sla_due_at, case.sla_escalate_at) == (extended, escalate_at)
    task = api.task(case_id, "handle_escalation", "escalation")
    assert task["due_at"] == escalate_at.isoformat()


def test_an_overdue_case_extended_is_flagged_again_at_its_new_due_moment(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    clock.travel(DUE + MINUTE)
    escalations.fire_due_timers()

    escalations.extend_due(fetch(case_id), 8, "Pump on order", manager())

    case = fetch(case_id)
    extended = wib(2026, 12, 17, 9, 1)  # eight working hours from now
    assert (case.escalation_level, case.sla_due_at) == (0, extended)
    assert case.next_timer_due_at == extended  # the breach watches the new moment
    clock.travel(extended + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1
    case = fetch(case_id)
    assert (case.escalation_level, case.status) == (1, "assigned")
    assert escalation_entries(case_id) == [1, 1]
    assert outbox(case_id, "overdue") == ["sup-water@demo.invalid"] * 2
