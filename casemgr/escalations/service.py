"""Find cases whose SLA timers are due, through the indexed column, and fire them."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

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


# -- at risk -----------------------------------------------------------------------------


def flag_at_risk(now=None, limit=500):
    """Give open cases past their red-flag moment the at-risk flag, once, and tell the unit."""
    from casemgr.cases import history
    from casemgr.notifications import triggers

    now = now or utcnow()
    query = (
        select(Case)
        .where(Case.at_risk_at <= now, Case.at_risk_flagged_at.is_(None),
               Case.status != "closed", Case.escalation_level == 0)
        .order_by(Case.at_risk_at)
        .limit(limit)
    )
    flagged = 0
    for case in session.scalars(query):
        case.at_risk_flagged_at = now
        history.record(case, "at_risk", f"At risk: due {case.sla_due_at:%Y-%m-%d %H:%M} UTC",
                       None, {"at_risk_at": case.at_risk_at, "due_at": case.sla_due_at})
        triggers.case_flagged(case, "at_risk")
        flagged += 1
    try:
        session.commit()
    except StaleDataError:
        # A case changed under the flagging; the next sweep flags it.
        session.rollback()
        return 0
    if flagged:
        log.info("at-risk sweep: %s cases flagged", flagged)
    return flagged


# -- escalation manager actions outside the BPMN task -------------------------------------


#: Roles that work the escalation dashboard: managers city-wide, supervisors in their unit.
DASHBOARD_ROLES = ("escalation_manager", "unit_supervisor")


def can_act_on(user, case):
    """True when `user` may extend, reassign or retry `case`."""
    if user is None or case is None:
        return False
    if user.has_role("escalation_manager"):
        return True
    is_supervisor = user.has_role("unit_supervisor") and user.unit_id is not None
    return is_supervisor and user.unit_id == case.unit_id


def late_by(case, now=None):
    """How long past its due moment a case is; negative while it is still due, None if never."""
    if case.sla_due_at is None:
        return None
    return (now or utcnow()) - case.sla_due_at


def overdue_and_at_risk(user, *, unit=None, category=None, district=None, level=None,
                        include_at_risk=True, limit=500):
    """Open cases past their due moment (and at risk), the latest first."""
    from sqlalchemy import or_

    from casemgr.cases import access

    now = utcnow()
    late = Case.sla_due_at < now
    query = access.scope_query(select(Case), user).where(Case.status != "closed")
    query = query.where(or_(late, Case.at_risk_at <= now) if include_at_risk else late)
    query = cases.where_codes(query, category=category, unit=unit, district=district)
    if level not in (None, ""):
        query = query.where(Case.escalation_level == int(level))
    return list(session.scalars(query.order_by(Case.sla_due_at).limit(limit)))


def stalled_cases(user, limit=200):
    """Cases whose process stalled on a script or timer, the latest first."""
    from casemgr.cases import access

    query = access.scope_query(select(Case), user).where(Case.error.is_not(None))
    return list(session.scalars(query.order_by(Case.updated_at.desc()).limit(limit)))


class ActionRefused(Exception):
    """An escalation action that cannot be applied to this case; the message says why."""


def _refuse_escalated(case):
    # At level 2 the SLA timers have fired and the process waits at handle_escalation:
    # moving timers or holders here would change the columns but not the process.
    if case.status == "escalated":
        raise ActionRefused(
            f"{case.reference} waits at its Handle escalation task: extend or reassign it there"
        )


def extend_due(case, hours, reason, actor):
    """Move a case's due moment `hours` working hours on, with its timers; needs a reason."""
    from casemgr.escalations import calendars

    if not (reason or "").strip():
        raise ActionRefused("give the reason for the extension")
    if case.status == "closed" or case.sla_due_at is None:
        raise ActionRefused(f"{case.reference} has no open due moment to extend")
    _refuse_escalated(case)
    calendar = calendars.calendar_for(case.unit_id)
    start = max(case.sla_due_at, utcnow())
    new_due = calendar.due_at(start, float(hours), "working_hours")
    unit = calendars.escalate_unit(case.category)
    new_escalate = calendar.due_at(new_due, case.category.escalate_after_hours, unit)

    def step(workflow):
        engine.move_timers(
            workflow, {"sla_breach": new_due, "sla_escalation": new_escalate},
            {"sla_due_at": new_due.isoformat(), "sla_escalate_at": new_escalate.isoformat()})

    old_due = case.sla_due_at
    cases.advance(case, step, actor, "extended",
                  f"Due moment extended by {hours} working hours: {reason}",
                  changes={"escalation_level": 0, "at_risk_flagged_at": None},
                  details={"from": old_due, "to": new_due, "reason": reason})
    return case


def reassign(case, reason, actor, officer=None, unit=None):
    """Give an overdue case to another official of its unit, or to another unit."""
    from casemgr.tasks import service as tasks

    if not (reason or "").strip():
        raise ActionRefused("give the reason for the reassignment")
    if case.status == "closed":
        raise ActionRefused(f"{case.reference} is closed")
    _refuse_escalated(case)
    if officer is not None and unit is not None:
        raise ActionRefused("choose an official or a unit, not both")
    if officer is not None and (not officer.has_role("field_officer")
                                or officer.unit_id != case.unit_id):
        raise ActionRefused(f"{officer.username} is not a field officer of {case.unit.name}")
    if officer is None and unit is None:
        raise ActionRefused("choose an official or a unit")

    def step(workflow):
        # Moved to another unit, the case is nobody's there yet: a resolve task that opens
        # again (reopened, extended) must not go back to the old unit's officer.
        assignee = officer.username if officer is not None else None
        engine.move_timers(workflow, {}, {"assignee": assignee})

    def before():
        if unit is not None:
            cases.reroute(case, unit, actor)
        tasks.hand_over(case, officer)

    target = officer.username if officer is not None else unit.code
    cases.advance(case, step, actor, "reassigned", f"Reassigned to {target}: {reason}",
                  changes={"assignee_id": officer.id if officer else None},
                  details={"officer": getattr(officer, "username", None),
                           "unit": getattr(unit, "code", None), "reason": reason},
                  before=before)
    return case


def retry_stalled(case, actor):
    """Run a stalled case's process again after the cause is fixed; clear its error."""
    if case.error is None:
        raise ActionRefused(f"{case.reference} is not stalled")
    cases.advance(case, engine.retry, actor, "retried", "Process retried after a stall",
                  details={"error": case.error})
    return case


# -- many cases at once -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one case of a bulk action came to: `error` says why it was not done."""

    case_id: int
    reference: str | None
    error: str | None = None

    @property
    def is_done(self):
        return self.error is None


def for_each_case(case_ids, actor, action):
    """Apply `action(case)` to each case on its own; one refusal does not stop the others."""
    return [_apply(case_id, actor, action) for case_id in case_ids]


def _apply(case_id, actor, action):
    from casemgr.escalations.calendar import CalendarError

    case = cases.get(case_id)
    if case is None or not can_act_on(actor, case):
        return Outcome(case_id, None, f"case {case_id} is not one you can act on")

    reference = case.reference
    try:
        action(case)
    except (ActionRefused, CalendarError, cases.CaseConflict, cases.ProcessStalled) as exc:
        return Outcome(case_id, reference, str(exc))
    return Outcome(case_id, reference)


# -- the calendar as the admin sees it -----------------------------------------------------


def days_off():
    """The declared days off, city-wide and per unit, by date."""
    from casemgr.escalations.models import DayOff

    return list(session.scalars(select(DayOff).order_by(DayOff.day, DayOff.unit_id)))


def public_holidays(year):
    """The city calendar's public holidays and collective leave in `year`, as (day, name)."""
    from casemgr.escalations import calendars
    from casemgr.escalations.calendar import BusinessCalendar

    city = calendars.calendar_for(None)
    # A calendar without the declared days off, so that only the country's holidays show.
    country = BusinessCalendar(zone=city.zone, holiday_country=city.holiday_country)
    day, found = date(year, 1, 1), []
    while day.year == year:
        name = country.day_off(day)
        if name:
            found.append((day, name))
        day += timedelta(days=1)
    return found
