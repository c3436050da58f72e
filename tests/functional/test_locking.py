"""Optimistic locking: of two writers who read the same case, the second one loses cleanly."""

import json
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.cases.models import Case, CaseEvent
from casemgr.db import engine_for, session
from casemgr.tasks import service as tasks
from casemgr.tasks.models import Task

ASSIGN = {"assignee": "officer-water"}


@pytest.fixture
def assign_task_id(api, drain_case):
    api.complete(drain_case["id"], "triage", "triage", {"decision": "accept"})
    return api.task(drain_case["id"], "assign", "sup-water")["id"]


def in_thread(app, work):
    """Run `work()` in another thread with its own app context and database session."""
    outcome = {}

    def target():
        with app.app_context():
            try:
                outcome["result"] = work()
            except Exception as exc:  # noqa: BLE001 - handed back to the test
                outcome["error"] = exc
            finally:
                session.remove()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def complete_assign(task_id, values=ASSIGN):
    task = session.get(Task, task_id)
    tasks.complete(task, accounts.find_user("sup-water"), dict(values))
    return task.case.version


def completions(case_id, bpmn_id="assign"):
    """The history entries that record completing the case's `bpmn_id` task."""
    session.expire_all()
    query = select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.kind == "task_completed"
    )
    return [e for e in session.scalars(query) if json.loads(e.details)["bpmn_id"] == bpmn_id]


def test_second_writer_gets_case_conflict_and_leaves_no_trace(app, assign_task_id):
    # Writer one reads the task and its case...
    task = session.get(Task, assign_task_id)
    case_id = task.case_id
    user = accounts.find_user("sup-water")
    assert task.case.status == "accepted"
    events_before = len(cases.history.events_of(case_id))

    # ...writer two completes the same task meanwhile...
    in_thread(app, lambda: complete_assign(assign_task_id))
    winner = session.execute(
        select(Case.workflow_state, Case.version).where(Case.id == case_id)
    ).one()

    # ...and writer one, working from what it read, must not overwrite that.
    with pytest.raises(cases.CaseConflict):
        tasks.complete(task, user, {"assignee": "officer-water"})

    session.rollback()
    assert len(completions(case_id)) == 1
    case = session.get(Case, case_id)
    assert (case.workflow_state, case.version) == tuple(winner)
    assert case.status == "assigned"
    assert case.assignee.username == "officer-water"
    # Filed, routed, status, triage completion: the winner added its completion + status.
    assert len(cases.history.events_of(case_id)) == events_before + 2
    rows = list(session.scalars(select(Task).where(Task.case_id == case_id).order_by(Task.id)))
    assert [(r.bpmn_id, r.status) for r in rows] == [
        ("triage", "completed"),
        ("assign", "completed"),
        ("resolve", "open"),
    ]


def test_concurrent_writers_one_wins(app, assign_task_id):
    barrier = threading.Barrier(2)
    outcomes = []

    def writer():
        with app.app_context():
            try:
                task = session.get(Task, assign_task_id)
                user = accounts.find_user("sup-water")
                assert task.case.status == "accepted"
                # The timeout only keeps a failed partner from hanging the suite.
                barrier.wait(timeout=60)
                tasks.complete(task, user, dict(ASSIGN))
                outcomes.append("completed")
            except (cases.CaseConflict, tasks.TaskConflict) as exc:
                outcomes.append(type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - shown by the assertion below
                outcomes.append(repr(exc))
            finally:
                session.remove()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2, outcomes
    assert "completed" in outcomes, outcomes
    outcomes.remove("completed")
    assert outcomes[0] in ("CaseConflict", "TaskConflict"), outcomes
    case_id = session.get(Task, assign_task_id).case_id
    assert len(completions(case_id)) == 1
    open_rows = session.scalars(select(Task).where(Task.case_id == case_id, Task.status == "open"))
    assert [r.bpmn_id for r in open_rows] == ["resolve"]


def test_version_column_guards_every_writer(app, api, drain_case):
    """A second session that read the case before a step cannot write it afterwards."""
    case_id = drain_case["id"]
    other = Session(engine_for(app.config["DATABASE_URL"]), expire_on_commit=False)
    try:
        stale = other.get(Case, case_id)
        read_version = stale.version
        other.commit()  # end the read transaction; the object keeps what it read

        api.complete(case_id, "triage", "triage", {"decision": "accept"})

        stale.priority = "high"
        with pytest.raises(StaleDataError):
            other.commit()
        other.rollback()
    finally:
        other.close()

    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["version"] > read_version
    assert detail["priority"] == "normal"
    assert detail["status"] == "accepted"


def test_api_maps_a_lost_race_to_409(api, assign_task_id, app):
    case_id = session.get(Task, assign_task_id).case_id
    version = api.get(f"/cases/{case_id}", "admin").get_json()["version"]
    in_thread(app, lambda: complete_assign(assign_task_id))

    response = api.post(
        f"/tasks/{assign_task_id}/complete",
        "sup-water",
        json={**ASSIGN, "case_version": version},
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert len(completions(case_id)) == 1
