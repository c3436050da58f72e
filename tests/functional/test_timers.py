"""The SLA timer sweep: `casemgr fire-timers` and escalations.service.fire_due_timers."""

import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.escalations import service as escalations
from tests.conftest import ROXBURY


@contextmanager
def engine_clock_at(moment):
    """Run the engine's timers as if it were `moment`; the database clock stays put."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    with mock.patch.object(spiff_timer, "datetime", Clock):
        yield


def file_due(sla_due_at, category="drains"):
    case, _secret = cases.file_case(
        category=category,
        description="Drain blocked",
        lat=ROXBURY[0],
        lon=ROXBURY[1],
        sla_due_at=sla_due_at,
        reporter=accounts.find_user("citizen"),
    )
    return case.id


def drive_to_resolve(api, case_id, engine_now=None):
    """Triage and assign the case; `engine_now` is the moment the engine believes it is."""
    with engine_clock_at(engine_now or utcnow()):
        api.complete(case_id, "triage", "triage", {"decision": "accept"})
        api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    return api.task(case_id, "resolve", "officer-water")


def fetch(case_id):
    session.expire_all()
    return cases.get(case_id)


def kinds(api, case_id):
    return [e["kind"] for e in api.get(f"/cases/{case_id}", "admin").get_json()["history"]]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def fire_via_cli(runner):
    result = runner.invoke(args=["casemgr", "fire-timers"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_breached_case_escalates_once_through_the_cli(api, runner):
    due = utcnow() - timedelta(hours=1)
    late = file_due(due)
    # It reached resolve while its due moment was still ahead, then the hour went by.
    drive_to_resolve(api, late, engine_now=due - timedelta(hours=2))
    assert fetch(late).next_timer_due_at == due

    first = fire_via_cli(runner)

    assert first["fired"] == 1
    case = fetch(late)
    assert case.status == "escalated"
    assert case.next_timer_due_at is None
    escalation = api.task(late, "handle_escalation", "escalation")
    assert escalation["role"] == "escalation_manager"
    assert not [
        t for t in api.get("/tasks", "officer-water").get_json()["items"] if t["case_id"] == late
    ]
    assert kinds(api, late).count("timer") == 1

    second = fire_via_cli(runner)

    assert second["fired"] == 0
    assert kinds(api, late).count("timer") == 1
    assert api.task(late, "handle_escalation", "escalation")["id"] == escalation["id"]


def test_case_with_a_future_due_moment_is_not_touched(api, runner):
    due = utcnow() + timedelta(hours=6)
    waiting = file_due(due)
    resolve = drive_to_resolve(api, waiting)
    before = fetch(waiting)
    state, version = before.workflow_state, before.version

    result = fire_via_cli(runner)

    assert result["fired"] == 0
    after = fetch(waiting)
    assert (after.workflow_state, after.version, after.status) == (state, version, "assigned")
    assert after.next_timer_due_at == due
    assert api.task(waiting, "resolve", "officer-water")["id"] == resolve["id"]
    assert "timer" not in kinds(api, waiting)


def test_sweep_fires_only_the_due_cases(api):
    due = utcnow() - timedelta(minutes=30)
    late = file_due(due)
    drive_to_resolve(api, late, engine_now=due - timedelta(hours=1))
    on_time = file_due(utcnow() + timedelta(days=2))
    drive_to_resolve(api, on_time)

    result = escalations.fire_due_timers()

    assert result["fired"] == 1
    assert (fetch(late).status, fetch(on_time).status) == ("escalated", "assigned")
    assert escalations.fire_due_timers()["fired"] == 0


def test_stalled_case_is_left_out_of_the_sweep(api):
    due = utcnow() - timedelta(minutes=30)
    late = file_due(due)
    drive_to_resolve(api, late, engine_now=due - timedelta(hours=1))
    case = fetch(late)
    case.error = "Process stalled at renew_sla: example"
    session.commit()

    assert escalations.fire_due_timers()["fired"] == 0
    assert fetch(late).status == "assigned"


def test_next_timer_column_follows_the_process(api):
    due = utcnow() + timedelta(hours=12)
    case_id = file_due(due)
    assert fetch(case_id).next_timer_due_at is None  # no timer while at triage

    drive_to_resolve(api, case_id)
    assert fetch(case_id).next_timer_due_at == due  # set at resolve

    api.complete(case_id, "resolve", "officer-water", {"resolution_note": "Cleared"})
    assert fetch(case_id).next_timer_due_at is None  # verify has no timer

    api.complete(case_id, "verify", "citizen", {"fixed": False, "comment": "Still blocked"})
    assert fetch(case_id).next_timer_due_at == due  # armed again on reopening

    api.complete(case_id, "resolve", "officer-water", {"resolution_note": "Cleared again"})
    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 4})
    case = fetch(case_id)
    assert (case.status, case.outcome, case.next_timer_due_at) == ("closed", "fixed", None)


def test_escalation_extend_moves_the_column_and_close_clears_it(api):
    due = utcnow() - timedelta(hours=2)
    case_id = file_due(due)
    drive_to_resolve(api, case_id, engine_now=due - timedelta(hours=1))
    assert escalations.fire_due_timers()["fired"] == 1

    before = datetime.now(UTC)
    api.complete(
        case_id,
        "handle_escalation",
        "escalation",
        {"action": "extend", "reason": "Parts ordered", "extend_hours": 8},
    )
    after = datetime.now(UTC)

    case = fetch(case_id)
    assert case.status == "assigned"
    assert before + timedelta(hours=8) <= case.next_timer_due_at <= after + timedelta(hours=8)
    resolve = api.task(case_id, "resolve", "officer-water")
    assert resolve["due_at"] == case.next_timer_due_at.isoformat()

    # The extended moment passes too; this time the manager closes the case.
    with engine_clock_at(after + timedelta(hours=9)):
        assert escalations.fire_due_timers(now=after + timedelta(hours=9))["fired"] == 1
    api.complete(
        case_id,
        "handle_escalation",
        "escalation",
        {"action": "close", "reason": "Handed to the state road agency"},
    )

    case = fetch(case_id)
    assert (case.status, case.outcome) == ("closed", "closed_by_escalation")
    assert case.next_timer_due_at is None
    assert case.closed_at is not None
    assert kinds(api, case_id).count("timer") == 2


def test_case_assigned_after_its_due_moment_escalates_at_once(api):
    case_id = file_due(utcnow() - timedelta(days=1))

    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})

    case = fetch(case_id)
    assert case.status == "escalated"
    assert case.next_timer_due_at is None
    assert api.task(case_id, "handle_escalation", "escalation")
    assert escalations.fire_due_timers()["fired"] == 0
