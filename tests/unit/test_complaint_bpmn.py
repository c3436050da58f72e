"""Every path of workflows/complaint.bpmn, through casemgr.engine alone.

Each step loads the stored state, does one thing and stores the state again, as a worker
does: nothing may survive only in memory between two steps. The engine gets Jakarta's
business calendar as its helpers, and a test clock stands in for every "now".
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from casemgr import engine
from casemgr.accounts.models import ROLE_KEYS
from casemgr.escalations import calendars, sla
from casemgr.escalations.calendar import BusinessCalendar
from casemgr.processes.service import role_for_lane
from tests.clock import Clock

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"
JAKARTA = ZoneInfo("Asia/Jakarta")
CALENDAR = BusinessCalendar(JAKARTA)

#: The role key each user task's lane must map to.
ROLES = {
    "triage": "triage_officer",
    "answer_question": "citizen",
    "assign": "unit_supervisor",
    "resolve": "field_officer",
    "verify": "citizen",
    "handle_escalation": "escalation_manager",
    "validate_resolution": "escalation_manager",
}


def wib(*parts):
    """A moment given in Jakarta's wall-clock time, in UTC."""
    return datetime(*parts, tzinfo=JAKARTA).astimezone(UTC)


#: Filed Monday 7 December 2026 at 09:00; seven working days later is Wednesday the 16th,
#: and eight working hours after that the case goes to the escalation manager.
FILED = wib(2026, 12, 7, 9, 0)
DUE = wib(2026, 12, 16, 9, 0)
ESCALATE = wib(2026, 12, 17, 9, 0)
MINUTE = timedelta(minutes=1)
#: Days the reporter has to verify before the case closes without an answer.
VERIFY_DAYS = 14


def drains(**terms):
    """The demo's drain category: seven working days, escalated eight working hours on."""
    values = {
        "sla_amount": 7,
        "sla_unit": "working_days",
        "escalate_after_hours": 8,
        "triage_days": 1,
        "forward_days": 3,
        "question_days": 5,
    }
    return SimpleNamespace(**{**values, **terms})


@pytest.fixture(scope="module")
def parsed():
    return engine.parse_bpmn(BPMN.read_bytes())


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


class StoredCase:
    """A workflow kept only as its stored state, the way a worker sees it."""

    def __init__(self, parsed, clock, category=None, filed_at=FILED, imported_due_at=None):
        clock.travel(filed_at)
        terms = sla.initial_data(category or drains(), CALENDAR, filed_at, imported_due_at)
        initial = {"category": "drains", "priority": "normal", **terms}
        self.parsed = parsed
        self.state = engine.dump_state(engine.start_workflow(parsed, initial, self.helpers()))

    @staticmethod
    def helpers():
        return calendars.engine_helpers(CALENDAR)

    def load(self, state=None):
        return engine.load_state(self.parsed, state or self.state, self.helpers())

    def _step(self, action):
        workflow = self.load()
        marker = engine.completed_marker(workflow)
        action(workflow)
        state = engine.dump_state(workflow)
        # What was stored reloads to the same state: nothing lives only in memory.
        assert engine.dump_state(self.load(state)) == state
        self.state = state
        return engine.snapshot(self.load(), marker)

    def snap(self):
        return engine.snapshot(self.load())

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


def resolution(note, **facts):
    """What completing resolve hands the engine: the note and validation.service's facts."""
    values = {
        "resolution_note": note,
        "resolver_id": 7,
        "resolution_flagged": False,
        "resolution_flags": [],
        "validation_sample": False,
        "reporter_is_staff": False,
        "verify_days": VERIFY_DAYS,
        "fixed": None,
        "rating": None,
    }
    return {**values, **facts}


def effects(snap):
    return [(effect.effect, effect.bpmn_id) for effect in snap.effects]


def moment(snap, name):
    return datetime.fromisoformat(snap.data[name])


def assign_path(case):
    case.complete("triage", {"decision": "accept", "category": "drains", "note": ""})
    return case.complete("assign", {"assignee": "officer-water"})


def escalated(parsed, clock):
    """A case past both its due moment and its escalation moment, with the manager."""
    case = StoredCase(parsed, clock)
    assign_path(case)
    clock.travel(DUE + MINUTE)
    case.fire_timers()
    clock.travel(ESCALATE + MINUTE)
    case.fire_timers()
    assert case.ready().bpmn_id == "handle_escalation"
    return case


# -- filing and the first task ----------------------------------------------------------


def test_state_at_triage_is_small_and_names_the_triage_lane(parsed, clock):
    case = StoredCase(parsed, clock)

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
    assert task.due_at == wib(2026, 12, 8, 9, 0)  # one working day to triage


def test_compute_sla_counts_working_days_and_the_escalation_in_working_hours(parsed, clock):
    snap = StoredCase(parsed, clock).snap()

    assert moment(snap, "sla_due_at") == DUE
    assert moment(snap, "sla_escalate_at") == ESCALATE


def test_compute_sla_keeps_an_imported_due_moment(parsed, clock):
    imported = wib(2026, 12, 11, 15, 0)  # Friday 15:00

    snap = StoredCase(parsed, clock, imported_due_at=imported).snap()

    assert moment(snap, "sla_due_at") == imported
    assert moment(snap, "sla_escalate_at") == wib(2026, 12, 14, 15, 0)  # Monday 15:00


def test_a_round_the_clock_category_counts_calendar_hours(parsed, clock):
    floods = drains(sla_amount=24, sla_unit="calendar_hours", escalate_after_hours=4)
    saturday_night = wib(2026, 11, 28, 23, 30)

    snap = StoredCase(parsed, clock, category=floods, filed_at=saturday_night).snap()

    assert moment(snap, "sla_due_at") == wib(2026, 11, 29, 23, 30)
    assert moment(snap, "sla_escalate_at") == wib(2026, 11, 30, 3, 30)


def test_every_user_task_lane_maps_to_a_role(parsed):
    assert sorted(parsed.user_task_ids) == sorted(ROLES)
    for bpmn_id, role in ROLES.items():
        lane = parsed.spec.task_specs[bpmn_id].lane
        assert role_for_lane(lane) == role
        assert role in ROLE_KEYS


# -- the happy path and its loops -------------------------------------------------------


def test_accept_assign_resolve_verify_fixed(parsed, clock):
    case = StoredCase(parsed, clock)

    snap = case.complete("triage", {"decision": "accept", "category": "drains", "note": ""})
    assign = case.ready()
    assert assign.bpmn_id == "assign"
    assert role_for_lane(assign.lane) == "unit_supervisor"
    assert assign.properties["status"] == "accepted"
    assert assign.due_at == wib(2026, 12, 10, 9, 0)  # three working days to forward
    assert snap.next_timer_due_at is None

    snap = case.complete("assign", {"assignee": "officer-water"})
    resolve = case.ready()
    assert resolve.bpmn_id == "resolve"
    assert role_for_lane(resolve.lane) == "field_officer"
    assert resolve.assignee == "officer-water"
    assert resolve.due_at == DUE
    # The breach timer is the first of the two waiting on resolve.
    assert snap.next_timer_due_at == DUE

    clock.travel(wib(2026, 12, 14, 10, 0))
    snap = case.complete("resolve", resolution("Drain cleared"))
    verify = case.ready()
    assert verify.bpmn_id == "verify"
    assert role_for_lane(verify.lane) == "citizen"
    assert verify.properties["status"] == "resolved"
    # Resolved in time: both SLA timers went with the resolve task; the reporter has
    # fourteen calendar days to answer.
    assert verify.due_at == wib(2026, 12, 28, 10, 0)
    assert snap.next_timer_due_at == verify.due_at

    snap = case.complete("verify", {"fixed": True, "rating": 5, "comment": "Thanks"})
    assert snap.is_completed
    assert snap.outcome == "fixed"
    assert snap.ready_tasks == []
    assert snap.next_timer_due_at is None
    assert snap.data["rating"] == 5
    assert effects(snap) == []


def test_not_fixed_goes_to_validation_which_sends_it_back_to_resolve(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    first_resolve = case.ready()
    case.complete("resolve", resolution("Cleared"))

    snap = case.complete("verify", {"fixed": False, "rating": None, "comment": "Still wet"})

    validate = case.ready()
    assert (validate.bpmn_id, role_for_lane(validate.lane)) == (
        "validate_resolution", "escalation_manager")
    assert validate.properties["status"] == "validating"
    assert effects(snap) == [("validation_requested", "request_validation")]
    assert snap.next_timer_due_at is None

    snap = case.complete("validate_resolution", {"verdict": "reject", "reason": "Photo old"})
    again = case.ready()
    assert not snap.is_completed
    assert again.bpmn_id == "resolve"
    assert again.task_id != first_resolve.task_id
    assert again.assignee == "officer-water"
    # The original due moment is armed again.
    assert snap.next_timer_due_at == DUE

    case.complete("resolve", resolution("Cleared properly"))
    snap = case.complete("verify", {"fixed": True, "rating": 3, "comment": ""})
    assert (snap.is_completed, snap.outcome) == (True, "fixed")


@pytest.mark.parametrize(
    "facts, answer",
    [
        ({}, {"fixed": True, "rating": 2}),
        ({}, {"fixed": True, "rating": 1}),
        ({"resolution_flagged": True, "resolution_flags": ["photo_far_from_case"]},
         {"fixed": True, "rating": 5}),
        ({"validation_sample": True}, {"fixed": True, "rating": None}),
    ],
    ids=["rated-2", "rated-1", "flagged", "sampled"],
)
def test_doubtful_resolution_is_validated_and_confirmed(parsed, clock, facts, answer):
    case = StoredCase(parsed, clock)
    assign_path(case)
    case.complete("resolve", resolution("Cleared", **facts))

    snap = case.complete("verify", {**answer, "comment": ""})

    assert case.ready().bpmn_id == "validate_resolution"
    assert effects(snap) == [("validation_requested", "request_validation")]
    snap = case.complete("validate_resolution", {"verdict": "confirm", "reason": ""})
    assert (snap.is_completed, snap.outcome) == (True, "fixed")


def test_a_case_filed_by_staff_skips_verify_and_goes_to_validation(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)

    snap = case.complete("resolve", resolution("Cleared", reporter_is_staff=True))

    assert case.ready().bpmn_id == "validate_resolution"
    assert effects(snap) == [("validation_requested", "request_validation")]
    assert snap.next_timer_due_at is None


def test_no_answer_to_verify_closes_the_case_after_the_verification_days(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    resolved_at = clock.travel(wib(2026, 12, 9, 11, 0))
    snap = case.complete("resolve", resolution("Cleared", verify_days=3))
    expires_at = resolved_at + timedelta(days=3)
    assert snap.next_timer_due_at == expires_at

    clock.travel(expires_at - MINUTE)
    assert case.fire_timers().ready_tasks[0].bpmn_id == "verify"

    clock.travel(expires_at + MINUTE)
    snap = case.fire_timers()

    assert effects(snap) == [("verify_unanswered", "verify_unanswered")]
    assert (snap.is_completed, snap.outcome) == (True, "auto_closed")
    assert snap.next_timer_due_at is None


def test_no_answer_on_a_flagged_resolution_goes_to_validation(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    case.complete("resolve", resolution("Cleared", resolution_flagged=True))

    clock.travel(FILED + timedelta(days=VERIFY_DAYS + 1))
    snap = case.fire_timers()

    assert effects(snap) == [("verify_unanswered", "verify_unanswered"),
                             ("validation_requested", "request_validation")]
    assert case.ready().bpmn_id == "validate_resolution"


@pytest.mark.parametrize("decision", ["reject", "duplicate"])
def test_triage_can_end_the_case(parsed, clock, decision):
    case = StoredCase(parsed, clock)

    snap = case.complete("triage", {"decision": decision, "note": "Private land"})

    assert snap.is_completed
    assert snap.outcome == {"reject": "rejected", "duplicate": "duplicate"}[decision]
    assert snap.ready_tasks == []
    assert snap.next_timer_due_at is None


# -- questions to the reporter ----------------------------------------------------------


def ask(case, clock):
    """Ask the reporter on Tuesday 8 December at 10:00."""
    asked_at = clock.travel(wib(2026, 12, 8, 10, 0))
    snap = case.complete("triage", {"decision": "ask", "question": "Which side of the road?"})
    return asked_at, snap


def test_ask_pauses_the_sla_and_waits_for_the_reporter(parsed, clock):
    case = StoredCase(parsed, clock)

    asked_at, snap = ask(case, clock)

    question = case.ready()
    assert question.bpmn_id == "answer_question"
    assert role_for_lane(question.lane) == "citizen"
    assert question.properties["status"] == "waiting"
    expires_at = asked_at + timedelta(days=5)  # question_days, in calendar days
    assert question.due_at == expires_at
    assert snap.next_timer_due_at == expires_at
    assert effects(snap) == [("sla_paused", "pause_sla")]
    assert moment(snap, "sla_paused_at") == asked_at
    assert moment(snap, "sla_due_at") == DUE  # not moved until the clock resumes


def test_answer_resumes_the_sla_with_the_paused_working_time_added(parsed, clock):
    case = StoredCase(parsed, clock)
    first_triage = case.ready()
    ask(case, clock)
    clock.travel(wib(2026, 12, 9, 10, 0))  # a day later: eight working hours paused

    snap = case.complete("answer_question", {"answer": "The north side, by the mosque"})

    triage = case.ready()
    assert triage.bpmn_id == "triage"
    assert triage.task_id != first_triage.task_id
    assert effects(snap) == [("sla_resumed", "resume_sla")]
    assert moment(snap, "sla_due_at") == wib(2026, 12, 17, 9, 0)
    assert moment(snap, "sla_escalate_at") == wib(2026, 12, 18, 9, 0)
    assert snap.data["sla_paused_at"] is None
    assert snap.data["answer"] == "The north side, by the mosque"
    assert snap.next_timer_due_at is None  # the question's timer went with the answer

    snap = assign_path(case)
    assert case.ready().due_at == wib(2026, 12, 17, 9, 0)
    assert snap.next_timer_due_at == wib(2026, 12, 17, 9, 0)


def test_unanswered_question_expires_and_triage_goes_on(parsed, clock):
    case = StoredCase(parsed, clock)
    asked_at, _snap = ask(case, clock)
    question = case.ready()

    clock.travel(asked_at + timedelta(days=5))
    snap = case.fire_timers()
    assert case.ready().task_id == question.task_id  # due, not yet past
    assert effects(snap) == []

    clock.travel(asked_at + timedelta(days=5) + MINUTE)  # Sunday 13 December, 10:01
    snap = case.fire_timers()

    assert case.ready().bpmn_id == "triage"
    assert effects(snap) == [("sla_resumed", "resume_sla")]
    # Paused Tuesday 10:00 to the weekend: 30 working hours, so Wednesday 09:00 becomes
    # Monday 21 December 15:00.
    assert moment(snap, "sla_due_at") == wib(2026, 12, 21, 15, 0)
    assert snap.data["sla_paused_at"] is None
    assert snap.next_timer_due_at is None


# -- the SLA timers on resolve ------------------------------------------------------------


def test_resolved_before_the_breach_cancels_both_timers(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    clock.travel(DUE - timedelta(hours=1))

    snap = case.complete("resolve", resolution("Cleared"))
    verify = case.ready()
    # Only the reporter's verification clock is left.
    assert snap.next_timer_due_at == verify.due_at

    clock.travel(ESCALATE + timedelta(days=1))
    snap = case.fire_timers()

    assert case.ready().task_id == verify.task_id
    assert effects(snap) == []
    assert snap.next_timer_due_at == verify.due_at


def test_breach_flags_the_case_overdue_and_leaves_resolve_open(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    resolve = case.ready()

    clock.travel(DUE)
    snap = case.fire_timers()
    assert effects(snap) == []  # due, not yet past
    assert snap.next_timer_due_at == DUE

    clock.travel(DUE + MINUTE)
    snap = case.fire_timers()

    assert effects(snap) == [("overdue", "flag_overdue")]
    assert case.ready().task_id == resolve.task_id
    assert not snap.is_completed
    assert snap.next_timer_due_at == ESCALATE

    snap = case.fire_timers()
    assert effects(snap) == []  # the breach fires once
    assert case.ready().task_id == resolve.task_id


def test_overdue_case_resolved_before_the_escalation_never_escalates(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    clock.travel(DUE + MINUTE)
    case.fire_timers()

    snap = case.complete("resolve", resolution("Cleared, late"))
    assert case.ready().bpmn_id == "verify"
    assert snap.next_timer_due_at == case.ready().due_at

    clock.travel(ESCALATE + MINUTE)
    snap = case.fire_timers()
    assert case.ready().bpmn_id == "verify"
    assert effects(snap) == []


def move(case, due_at, escalate_at):
    """Move both SLA timers as an extension outside the diagram does."""
    moments = {"sla_breach": due_at, "sla_escalation": escalate_at}
    data = {"sla_due_at": due_at.isoformat(), "sla_escalate_at": escalate_at.isoformat()}
    return case._step(lambda wf: engine.move_timers(wf, moments, data))


def test_timers_moved_before_the_breach_fire_at_their_new_moments(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    due_at, escalate_at = wib(2026, 12, 17, 9, 0), wib(2026, 12, 18, 9, 0)

    snap = move(case, due_at, escalate_at)
    assert snap.next_timer_due_at == due_at
    assert case.ready().due_at == due_at

    clock.travel(DUE + MINUTE)
    assert effects(case.fire_timers()) == []
    clock.travel(escalate_at + MINUTE)
    snap = case.fire_timers()

    assert effects(snap) == [("overdue", "flag_overdue")]
    escalation = case.ready()
    assert escalation.bpmn_id == "handle_escalation"
    # The escalation branch carries the moved moments, not the ones it started with.
    assert (moment(snap, "sla_due_at"), escalation.due_at) == (due_at, escalate_at)


def test_a_breach_moved_after_it_fired_watches_the_new_moment(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    clock.travel(DUE + MINUTE)
    case.fire_timers()
    due_at, escalate_at = wib(2026, 12, 17, 9, 1), wib(2026, 12, 18, 9, 1)

    snap = move(case, due_at, escalate_at)

    assert snap.next_timer_due_at == due_at
    clock.travel(due_at + MINUTE)
    snap = case.fire_timers()
    assert effects(snap) == [("overdue", "flag_overdue")]
    assert case.ready().bpmn_id == "resolve"
    assert snap.next_timer_due_at == escalate_at

    snap = case.complete("resolve", resolution("Cleared, late twice"))
    assert case.ready().bpmn_id == "verify"
    assert snap.next_timer_due_at == case.ready().due_at


def test_escalation_timer_hands_the_case_to_the_escalation_manager(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)
    clock.travel(DUE + MINUTE)
    case.fire_timers()

    clock.travel(ESCALATE + MINUTE)
    snap = case.fire_timers()

    escalation = case.ready()
    assert escalation.bpmn_id == "handle_escalation"
    assert role_for_lane(escalation.lane) == "escalation_manager"
    assert escalation.properties["status"] == "escalated"
    assert escalation.properties["escalation_level"] == "2"
    assert escalation.due_at == ESCALATE
    assert effects(snap) == []  # level 1 was reported by the breach already
    assert snap.next_timer_due_at is None

    case.fire_timers()
    assert case.ready().task_id == escalation.task_id


def test_a_case_left_past_both_moments_gets_both_levels_in_one_sweep(parsed, clock):
    case = StoredCase(parsed, clock)
    assign_path(case)

    clock.travel(ESCALATE + timedelta(days=2))
    snap = case.fire_timers()

    assert case.ready().bpmn_id == "handle_escalation"
    assert effects(snap) == [("overdue", "flag_overdue")]
    assert snap.next_timer_due_at is None


def test_due_moment_already_past_at_resolve_flags_overdue_at_once(parsed, clock):
    imported = FILED - timedelta(hours=1)  # Monday 08:00, escalated at Monday 16:00
    case = StoredCase(parsed, clock, imported_due_at=imported)
    case.complete("triage", {"decision": "accept", "note": ""})

    snap = case.complete("assign", {"assignee": "officer-water"})

    assert case.ready().bpmn_id == "resolve"
    assert effects(snap) == [("overdue", "flag_overdue")]
    assert snap.next_timer_due_at == wib(2026, 12, 7, 16, 0)


def test_escalation_moment_already_past_at_resolve_escalates_at_once(parsed, clock):
    case = StoredCase(parsed, clock, imported_due_at=FILED - timedelta(days=4))
    case.complete("triage", {"decision": "accept", "note": ""})

    snap = case.complete("assign", {"assignee": "officer-water"})

    escalation = case.ready()
    assert escalation.bpmn_id == "handle_escalation"
    assert role_for_lane(escalation.lane) == "escalation_manager"
    assert escalation.properties["status"] == "escalated"
    assert effects(snap) == [("overdue", "flag_overdue")]
    assert snap.next_timer_due_at is None


# -- what the escalation manager decides --------------------------------------------------


def handle(case, action, **values):
    fields = {"action": action, "reason": "Decided", "extend_hours": None, "unit": None}
    return case.complete("handle_escalation", {**fields, **values})


def test_escalation_extend_renews_the_due_moment_in_working_hours(parsed, clock):
    case = escalated(parsed, clock)
    clock.travel(wib(2026, 12, 17, 15, 0))  # Thursday 15:00: one working hour left today

    snap = handle(case, "extend", extend_hours=5)

    resolve = case.ready()
    assert resolve.bpmn_id == "resolve"
    assert resolve.assignee == "officer-water"
    assert resolve.due_at == wib(2026, 12, 18, 12, 0)  # Friday 12:00
    assert snap.next_timer_due_at == wib(2026, 12, 18, 12, 0)
    assert moment(snap, "sla_escalate_at") == wib(2026, 12, 21, 12, 0)  # Monday 12:00


def test_escalation_extend_without_hours_gives_the_category_sla(parsed, clock):
    case = escalated(parsed, clock)
    clock.travel(wib(2026, 12, 17, 15, 0))

    snap = handle(case, "extend")

    assert case.ready().bpmn_id == "resolve"
    # Seven working days over Christmas and its collective leave (24 and 25 December).
    assert snap.next_timer_due_at == wib(2026, 12, 30, 15, 0)


def test_an_extended_due_moment_is_watched_again(parsed, clock):
    case = escalated(parsed, clock)
    clock.travel(wib(2026, 12, 17, 15, 0))
    handle(case, "extend", extend_hours=5)
    resolve = case.ready()

    clock.travel(wib(2026, 12, 18, 12, 1))
    snap = case.fire_timers()

    assert effects(snap) == [("overdue", "flag_overdue")]
    assert case.ready().task_id == resolve.task_id
    assert snap.next_timer_due_at == wib(2026, 12, 21, 12, 0)


def test_escalation_reassign_goes_back_to_assign(parsed, clock):
    case = escalated(parsed, clock)
    clock.travel(wib(2026, 12, 17, 15, 0))

    snap = handle(case, "reassign", reason="Wrong crew", unit="water")

    assert case.ready().bpmn_id == "assign"
    assert snap.next_timer_due_at is None
    clock.travel(wib(2026, 12, 18, 9, 0))
    snap = case.complete("assign", {"assignee": "officer-two"})
    resolve = case.ready()
    assert resolve.assignee == "officer-two"
    # A fresh SLA from the decision: seven working days over Christmas.
    assert resolve.due_at == wib(2026, 12, 30, 15, 0)
    assert snap.next_timer_due_at == wib(2026, 12, 30, 15, 0)


def test_escalation_close_ends_the_case(parsed, clock):
    case = escalated(parsed, clock)

    snap = handle(case, "close", reason="Not ours to fix")

    assert snap.is_completed
    assert snap.outcome == "closed_by_escalation"
    assert snap.ready_tasks == []
    assert snap.next_timer_due_at is None


def test_completing_a_task_that_is_not_waiting_is_an_engine_error(parsed, clock):
    case = StoredCase(parsed, clock)
    triage = case.ready()
    case.complete("triage", {"decision": "accept", "note": ""})
    workflow = case.load()

    for task_id in (triage.task_id, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(engine.EngineError, match="not waiting"):
            engine.complete_user_task(workflow, task_id, {})


# -- the diagram as the modeller draws it ------------------------------------------------


def test_every_element_is_drawn_and_every_node_sits_in_its_lane():
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
          "dc": "http://www.omg.org/spec/DD/20100524/DC"}
    tree = etree.parse(str(BPMN))
    process = tree.find("bpmn:process", ns)
    elements = {node.get("id") for node in process
                if etree.QName(node).localname not in ("laneSet", "documentation")}
    bounds = {
        shape.get("bpmnElement"): tuple(float(shape.find("dc:Bounds", ns).get(k))
                                        for k in ("x", "y", "width", "height"))
        for shape in tree.iterfind(".//bpmndi:BPMNShape", ns)
    }
    edges = {edge.get("bpmnElement") for edge in tree.iterfind(".//bpmndi:BPMNEdge", ns)}

    assert elements - set(bounds) - edges == set()
    for lane in process.iterfind(".//bpmn:lane", ns):
        x, y, width, height = bounds[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", ns):
            nx, ny, nwidth, nheight = bounds[ref.text]
            centre = (nx + nwidth / 2, ny + nheight / 2)
            assert x <= centre[0] <= x + width and y <= centre[1] <= y + height, ref.text
