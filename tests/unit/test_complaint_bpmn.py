"""Every path of workflows/complaint.bpmn, through casemgr.engine alone.

Each step loads the stored state, does one thing and stores the state again, as a worker
does: nothing may survive only in memory between two steps.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from casemgr import engine
from casemgr.accounts.models import ROLE_KEYS
from casemgr.processes.service import role_for_lane

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"

#: The role key each user task's lane must map to.
ROLES = {
    "triage": "triage_officer",
    "assign": "unit_supervisor",
    "resolve": "field_officer",
    "verify": "citizen",
    "handle_escalation": "escalation_manager",
}


@pytest.fixture(scope="module")
def parsed():
    return engine.parse_bpmn(BPMN.read_bytes())


class StoredCase:
    """A workflow kept only as its stored state, the way a worker sees it."""

    def __init__(self, parsed, sla_due_at, sla_hours=72):
        self.parsed = parsed
        initial = {
            "category": "drains",
            "sla_hours": sla_hours,
            "sla_due_at": sla_due_at.isoformat(),
            "priority": "normal",
        }
        self.state = engine.dump_state(engine.start_workflow(parsed, initial))

    def _step(self, action):
        workflow = engine.load_state(self.parsed, self.state)
        action(workflow)
        state = engine.dump_state(workflow)
        # What was stored reloads to the same state: nothing lives only in memory.
        assert engine.dump_state(engine.load_state(self.parsed, state)) == state
        self.state = state
        return self.snap()

    def snap(self):
        return engine.snapshot(engine.load_state(self.parsed, self.state))

    def ready(self):
        """The one ready user task; the process never waits for two people at once."""
        tasks = self.snap().ready_tasks
        assert len(tasks) == 1, [t.bpmn_id for t in tasks]
        return tasks[0]

    def complete(self, bpmn_id, values):
        task = self.ready()
        assert task.bpmn_id == bpmn_id
        return self._step(lambda wf: engine.complete_user_task(wf, task.task_id, values))

    def fire_timers(self):
        return self._step(engine.fire_timers)


def in_hours(hours):
    return datetime.now(UTC) + timedelta(hours=hours)


class _FrozenClock(datetime):
    moment = None

    @classmethod
    def now(cls, tz=None):
        return cls.moment.astimezone(tz) if tz else cls.moment.replace(tzinfo=None)


@pytest.fixture
def travel(monkeypatch):
    """Move the engine's timer clock to a given moment (the wall clock stays put)."""

    def to(moment):
        _FrozenClock.moment = moment
        monkeypatch.setattr(spiff_timer, "datetime", _FrozenClock)

    return to


def assign_path(case):
    case.complete("triage", {"decision": "accept", "category": "drains", "note": ""})
    case.complete("assign", {"assignee": "officer-water"})


def test_state_at_triage_is_small_and_names_the_triage_lane(parsed):
    case = StoredCase(parsed, in_hours(72))

    assert len(case.state.encode()) <= 6 * 1024
    snap = case.snap()
    assert not snap.is_completed
    assert snap.next_timer_due_at is None
    task = case.ready()
    assert (task.bpmn_id, task.lane, task.properties["form"]) == (
        "triage",
        "Triage officer",
        "triage",
    )
    assert task.properties["status"] == "submitted"


def test_every_user_task_lane_maps_to_a_role(parsed):
    assert sorted(parsed.user_task_ids) == sorted(ROLES)
    for bpmn_id, role in ROLES.items():
        lane = parsed.spec.task_specs[bpmn_id].lane
        assert role_for_lane(lane) == role
        assert role in ROLE_KEYS


def test_accept_assign_resolve_verify_fixed(parsed):
    due = in_hours(72)
    case = StoredCase(parsed, due)

    snap = case.complete("triage", {"decision": "accept", "category": "drains", "note": ""})
    assign = case.ready()
    assert assign.bpmn_id == "assign"
    assert role_for_lane(assign.lane) == "unit_supervisor"
    assert assign.properties["status"] == "accepted"
    assert snap.next_timer_due_at is None

    snap = case.complete("assign", {"assignee": "officer-water"})
    resolve = case.ready()
    assert resolve.bpmn_id == "resolve"
    assert role_for_lane(resolve.lane) == "field_officer"
    assert resolve.assignee == "officer-water"
    assert resolve.due_at == due
    assert snap.next_timer_due_at == due

    snap = case.complete("resolve", {"resolution_note": "Drain cleared"})
    verify = case.ready()
    assert verify.bpmn_id == "verify"
    assert role_for_lane(verify.lane) == "citizen"
    assert verify.properties["status"] == "resolved"
    # Resolved in time: the SLA timer went with the resolve task.
    assert snap.next_timer_due_at is None

    snap = case.complete("verify", {"fixed": True, "rating": 5, "comment": "Thanks"})
    assert snap.is_completed
    assert snap.outcome == "fixed"
    assert snap.ready_tasks == []
    assert snap.next_timer_due_at is None
    assert snap.data["rating"] == 5


def test_not_fixed_sends_the_case_back_to_resolve(parsed):
    due = in_hours(72)
    case = StoredCase(parsed, due)
    assign_path(case)
    first_resolve = case.ready()
    case.complete("resolve", {"resolution_note": "Cleared"})

    snap = case.complete("verify", {"fixed": False, "rating": None, "comment": "Still wet"})

    again = case.ready()
    assert not snap.is_completed
    assert again.bpmn_id == "resolve"
    assert again.task_id != first_resolve.task_id
    assert again.assignee == "officer-water"
    # The original due moment is armed again.
    assert snap.next_timer_due_at == due

    case.complete("resolve", {"resolution_note": "Cleared properly"})
    snap = case.complete("verify", {"fixed": True, "rating": 3, "comment": ""})
    assert (snap.is_completed, snap.outcome) == (True, "fixed")


@pytest.mark.parametrize("decision", ["reject", "duplicate"])
def test_triage_can_end_the_case(parsed, decision):
    case = StoredCase(parsed, in_hours(72))

    snap = case.complete("triage", {"decision": decision, "note": "Private land"})

    assert snap.is_completed
    assert snap.outcome == {"reject": "rejected", "duplicate": "duplicate"}[decision]
    assert snap.ready_tasks == []
    assert snap.next_timer_due_at is None


def test_due_moment_already_past_at_resolve_escalates_at_once(parsed):
    case = StoredCase(parsed, in_hours(-1))
    case.complete("triage", {"decision": "accept", "note": ""})

    snap = case.complete("assign", {"assignee": "officer-water"})

    escalation = case.ready()
    assert escalation.bpmn_id == "handle_escalation"
    assert role_for_lane(escalation.lane) == "escalation_manager"
    assert escalation.properties["status"] == "escalated"
    assert snap.next_timer_due_at is None


def test_timer_waits_until_its_moment_then_fires_once(parsed, travel):
    due = in_hours(2)
    case = StoredCase(parsed, due)
    assign_path(case)
    resolve = case.ready()

    # Nothing is due yet: firing changes nothing.
    snap = case.fire_timers()
    assert case.ready().task_id == resolve.task_id
    assert snap.next_timer_due_at == due

    travel(due + timedelta(minutes=1))
    snap = case.fire_timers()

    assert case.ready().bpmn_id == "handle_escalation"
    assert snap.next_timer_due_at is None
    escalation = case.ready()
    snap = case.fire_timers()
    assert case.ready().task_id == escalation.task_id


def breached(parsed, travel, sla_hours=72):
    due = in_hours(1)
    case = StoredCase(parsed, due, sla_hours=sla_hours)
    assign_path(case)
    travel(due + timedelta(hours=1))
    case.fire_timers()
    assert case.ready().bpmn_id == "handle_escalation"
    return case


def test_escalation_extend_renews_the_due_moment(parsed, travel):
    case = breached(parsed, travel)

    before = datetime.now(UTC)
    snap = case.complete(
        "handle_escalation",
        {"action": "extend", "reason": "Parts ordered", "extend_hours": 5, "unit": None},
    )
    after = datetime.now(UTC)

    resolve = case.ready()
    assert resolve.bpmn_id == "resolve"
    assert resolve.assignee == "officer-water"
    assert before + timedelta(hours=5) <= snap.next_timer_due_at <= after + timedelta(hours=5)
    assert resolve.due_at == snap.next_timer_due_at


def test_escalation_extend_without_hours_gives_the_category_sla(parsed, travel):
    case = breached(parsed, travel, sla_hours=24)

    before = datetime.now(UTC)
    snap = case.complete(
        "handle_escalation",
        {"action": "extend", "reason": "Busy week", "extend_hours": None, "unit": None},
    )
    after = datetime.now(UTC)

    assert case.ready().bpmn_id == "resolve"
    assert before + timedelta(hours=24) <= snap.next_timer_due_at <= after + timedelta(hours=24)


def test_escalation_reassign_goes_back_to_assign(parsed, travel):
    case = breached(parsed, travel, sla_hours=48)

    before = datetime.now(UTC)
    snap = case.complete(
        "handle_escalation",
        {"action": "reassign", "reason": "Wrong crew", "extend_hours": None, "unit": "water"},
    )
    after = datetime.now(UTC)

    assert case.ready().bpmn_id == "assign"
    assert snap.next_timer_due_at is None
    snap = case.complete("assign", {"assignee": "officer-two"})
    resolve = case.ready()
    assert resolve.assignee == "officer-two"
    assert before + timedelta(hours=48) <= snap.next_timer_due_at <= after + timedelta(hours=48)


def test_escalation_close_ends_the_case(parsed, travel):
    case = breached(parsed, travel)

    snap = case.complete(
        "handle_escalation",
        {"action": "close", "reason": "Not ours to fix", "extend_hours": None, "unit": None},
    )

    assert snap.is_completed
    assert snap.outcome == "closed_by_escalation"
    assert snap.ready_tasks == []
    assert snap.next_timer_due_at is None


def test_completing_a_task_that_is_not_waiting_is_an_engine_error(parsed):
    case = StoredCase(parsed, in_hours(72))
    triage = case.ready()
    case.complete("triage", {"decision": "accept", "note": ""})
    workflow = engine.load_state(parsed, case.state)

    for task_id in (triage.task_id, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(engine.EngineError, match="not waiting"):
            engine.complete_user_task(workflow, task_id, {})
