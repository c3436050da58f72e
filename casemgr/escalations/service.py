"""Find cases whose SLA timers are due, through the indexed column, and fire them."""

import logging
from datetime import timedelta

from sqlalchemy import select

from casemgr import engine
from casemgr.cases import service as cases
from casemgr.cases.models import Case
from casemgr.db import session, utcnow

log = logging.getLogger(__name__)


#: When the engine has nothing to fire for a due case, look again after this long.
RETRY_AFTER = timedelta(seconds=60)


class NothingFired(Exception):
    """The case was due by its column but the engine had no timer to fire."""


def due_case_ids(now, limit):
    query = (
        select(Case.id)
        .where(Case.next_timer_due_at <= now, Case.error.is_(None))
        .order_by(Case.next_timer_due_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def _lock(case_id, now):
    """Load a due case locked for this sweep; None if another worker holds it or fired it."""
    query = (
        select(Case)
        .where(Case.id == case_id, Case.next_timer_due_at <= now)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Lock the case row alone: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer joins that the case's eager relationships add.
        query = query.with_for_update(skip_locked=True, of=Case)
    return session.scalar(query)


def _fire(case):
    due_at = case.next_timer_due_at

    def step(workflow):
        names = engine.fire_timers(workflow)
        if not names:
            raise NothingFired(case.id)
        fired_names.extend(names)

    fired_names = []
    details = {"due_at": due_at, "timers": fired_names}
    cases.advance(case, step, None, "timer", "Timer fired", details=details)
    return fired_names


def fire_due_timers(now=None, limit=500):
    """Fire the due timers of up to `limit` cases; return counts of what happened."""
    now = now or utcnow()
    fired = stalled = conflicts = 0
    for case_id in due_case_ids(now, limit):
        case = _lock(case_id, now)
        if case is None:
            session.rollback()
            continue
        try:
            _fire(case)
            fired += 1
        except NothingFired:
            session.rollback()
            cases.resync_timer(case_id, retry_after=RETRY_AFTER)
        except cases.ProcessStalled:
            stalled += 1
        except cases.CaseConflict:
            conflicts += 1
    remaining = len(due_case_ids(now, 1))
    if fired or stalled:
        log.info("timer sweep: %s fired, %s stalled, %s conflicts", fired, stalled, conflicts)
    return {"fired": fired, "stalled": stalled, "conflicts": conflicts, "remaining": remaining}
