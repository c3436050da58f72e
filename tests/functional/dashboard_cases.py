"""A small city of five cases whose KPIs are worked out by hand in the tests' docstrings."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.tasks.models import Task
from tests.conftest import ROXBURY

#: A Monday; every case is filed in its week.
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
#: The moment the tests judge open cases at: T0 + 100 hours.
AS_OF = T0 + timedelta(hours=100)


def at(hours):
    return T0 + timedelta(hours=hours)


@dataclass
class Story:
    """What happened to one case, in hours after T0."""

    category: str
    filed: float = 0
    due: float | None = None
    status: str = "submitted"
    resolved: float | None = None
    closed: float | None = None
    rating: int | None = None
    official: str | None = None
    address: str | None = None


#: A: on time, resolved in 10 h, closed in 20 h, rated 4.
#: B: resolved late (60 h) after one reopening, closed at 70 h, rated 2.
#: C: open and past its due moment (24 h) at AS_OF.
#: D: filed on Thursday, open, due long after AS_OF.
#: E: no due moment, resolved at 30 h and waiting for the citizen's word.
STORIES = {
    "A": Story("drains", due=48, status="closed", resolved=10, closed=20, rating=4,
               official="officer-water", address="=1+2 Formula Street"),
    "B": Story("drains", due=48, status="closed", resolved=60, closed=70, rating=2,
               official="officer-water"),
    "C": Story("drains", due=24, status="assigned"),
    "D": Story("waste", filed=72, due=300),
    "E": Story("waste", status="resolved", resolved=30, official="officer-sanitation"),
}


def _file(story):
    case, _secret = cases.file_case(
        category=story.category,
        description="A case of the dashboard's small city",
        lat=ROXBURY[0],
        lon=ROXBURY[1],
        address=story.address,
        filed_at=at(story.filed),
        sla_due_at=at(story.due) if story.due is not None else None,
        has_sla=story.due is not None,
    )
    # The test writes the outcome straight into the rows: the KPIs only read them.
    case.status = story.status
    case.resolved_at = at(story.resolved) if story.resolved is not None else None
    case.closed_at = at(story.closed) if story.closed is not None else None
    case.rating = story.rating
    case.assignee = accounts.find_user(story.official) if story.official else None
    session.commit()
    return case


def _judge(case, kind, official):
    resolver = accounts.find_user(official)
    history.record(case, kind, kind.replace("_", " "), "sup",
                   {"resolver_id": resolver.id, "unit_id": resolver.unit_id, "reason": "photo"})


def _complete_first_task(case, hours):
    task = session.query(Task).filter_by(case_id=case.id, bpmn_id="triage").one()
    task.status, task.created_at, task.completed_at = "completed", at(0), at(hours)


def _resolve_task(case, official, created, completed):
    """A completed resolve task, as the officer's word on the fix leaves it."""
    resolver = accounts.find_user(official)
    session.add(Task(
        case_id=case.id, engine_task_id=f"resolve-{case.id}-{created}", bpmn_id="resolve",
        name="Resolve", form="resolve", role="officer", unit_id=resolver.unit_id,
        status="completed", created_at=at(created), completed_at=at(completed),
        completed_by_id=resolver.id,
    ))


def small_city():
    """File the five cases with their histories; return them by letter."""
    city = {letter: _file(story) for letter, story in STORIES.items()}
    history.record(city["B"], "status", "Status: resolved -> assigned", None,
                   {"from": "resolved", "to": "assigned"}, at=at(40))
    # A status change that is not a reopening: resolved and then closed.
    history.record(city["A"], "status", "Status: resolved -> closed", None,
                   {"from": "resolved", "to": "closed"}, at=at(20))
    _judge(city["A"], "resolution_confirmed", "officer-water")
    _judge(city["B"], "resolution_rejected", "officer-water")
    _judge(city["E"], "resolution_rejected", "officer-sanitation")
    _complete_first_task(city["A"], 2)
    _complete_first_task(city["B"], 6)
    _complete_first_task(city["C"], 1)
    # Resolutions: A once, B twice (the first rejected), E once (rejected). 8, 24, 20, 10 h.
    _resolve_task(city["A"], "officer-water", 2, 10)
    _resolve_task(city["B"], "officer-water", 6, 30)
    _resolve_task(city["B"], "officer-water", 40, 60)
    _resolve_task(city["E"], "officer-sanitation", 20, 30)
    session.commit()
    return city
