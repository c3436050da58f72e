"""Waiting on the reporter: the SLA clock pauses for a question and resumes with its answer."""

from datetime import timedelta

from casemgr.cases import history
from casemgr.escalations import calendars
from casemgr.escalations import service as escalations
from tests.functional.sla_cases import DUE, MINUTE, fetch, file_complaint, wib

#: Asked on Tuesday 8 December at 10:00; the question stays open five calendar days.
ASKED = wib(2026, 12, 8, 10, 0)
EXPIRES = ASKED + timedelta(days=5)


def ask(api, clock, case_id):
    clock.travel(ASKED)
    api.complete(case_id, "triage", "triage",
                 {"decision": "ask", "question": "Which side of the road is it?"})


def entries(api, case_id, kind, as_user="admin"):
    body = api.get(f"/cases/{case_id}", as_user).get_json()
    return [event for event in body["history"] if event["kind"] == kind]


def test_a_question_pauses_the_sla_in_the_public_history(api, clock):
    case_id = file_complaint()

    ask(api, clock, case_id)

    case = fetch(case_id)
    assert (case.status, case.sla_paused_at) == ("waiting", ASKED)
    [paused] = entries(api, case_id, "sla_paused")
    assert paused["public"] is True
    assert len(entries(api, case_id, "sla_paused", as_user="citizen")) == 1
    assert paused["details"]["question"] == "Which side of the road is it?"
    question = api.task(case_id, "answer_question", "citizen")
    assert question["due_at"] == EXPIRES.isoformat()
    assert case.next_timer_due_at == EXPIRES


def test_the_answer_resumes_the_sla_with_the_paused_working_time_added(api, clock):
    case_id = file_complaint()
    ask(api, clock, case_id)
    answered_at = clock.travel(wib(2026, 12, 9, 10, 0))

    api.complete(case_id, "answer_question", "citizen", {"answer": "The north side"})

    [resumed] = entries(api, case_id, "sla_resumed")
    assert resumed["public"] is True
    assert resumed["details"]["paused_seconds"] == (answered_at - ASKED).total_seconds()
    calendar = calendars.calendar_for(fetch(case_id).unit_id)
    paused = calendar.working_time_between(ASKED, answered_at)
    expected = calendar.add_working_hours(DUE, paused.total_seconds() / 3600)
    case = fetch(case_id)
    assert abs(case.sla_due_at - expected) <= MINUTE
    assert case.sla_due_at == wib(2026, 12, 17, 9, 0)  # eight working hours later
    assert (case.status, case.sla_paused_at) == ("submitted", None)
    assert api.task(case_id, "triage", "triage")["status"] == "open"


def test_an_unanswered_question_expires_in_the_sweep_and_triage_goes_on(api, clock):
    case_id = file_complaint()
    ask(api, clock, case_id)

    clock.travel(EXPIRES - MINUTE)
    assert escalations.fire_due_timers()["fired"] == 0
    clock.travel(EXPIRES + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1

    case = fetch(case_id)
    assert (case.status, case.sla_paused_at) == ("submitted", None)
    assert api.task(case_id, "triage", "triage")["status"] == "open"
    kinds = [event.kind for event in history.events_of(case_id)]
    assert kinds.count("sla_paused") == kinds.count("sla_resumed") == 1
    # Paused from Tuesday 10:00 to the weekend: 30 working hours more.
    assert case.sla_due_at == wib(2026, 12, 21, 15, 0)
