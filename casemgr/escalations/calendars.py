"""Build the business calendar of a unit from settings and stored rows; compute SLA moments.

The engine gets the calendar as plain helper functions (business_due, resume_due) that
process owners can call in scripts and timer expressions.
"""

import json
import logging
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from casemgr.db import session
from casemgr.escalations.calendar import (
    DEFAULT_WEEK,
    BusinessCalendar,
    CalendarError,
    DatedHours,
    WorkingWeek,
)
from casemgr.escalations.models import DayOff, WorkingHours

log = logging.getLogger(__name__)

#: Room for the name of a day off or of working hours.
MAX_NAME = 200

#: Share of the SLA's working time after which an open case is flagged at risk.
AT_RISK_SHARE = 0.8


def _week(windows_json):
    """Parse stored windows {"0": [["08:00", "16:00"]]} into a WorkingWeek."""
    raw = json.loads(windows_json)
    return WorkingWeek({
        int(day): tuple((time.fromisoformat(start), time.fromisoformat(end))
                        for start, end in spans)
        for day, spans in raw.items()
    })


def week_to_json(week):
    return json.dumps({str(day): [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in spans]
                       for day, spans in week.windows.items()})


#: Seconds a built calendar is reused; a change made in another process shows after this.
CACHE_SECONDS = 60
_cache = {}


def invalidate():
    """Forget built calendars, after working hours or days off changed."""
    _cache.clear()


def calendar_for(unit_id=None):
    """The business calendar of a unit (or the city): hours, holidays and days off."""
    key = (unit_id, current_app.config["CASEMGR_TIMEZONE"],
           current_app.config["CITY"].holiday_country)
    cached = _cache.get(key)
    if cached is not None and cached[0] > time_module.monotonic():
        return cached[1]
    calendar = _build(unit_id)
    _cache[key] = (time_module.monotonic() + CACHE_SECONDS, calendar)
    return calendar


def _build(unit_id):
    zone = ZoneInfo(current_app.config["CASEMGR_TIMEZONE"])
    rows = list(session.scalars(
        select(WorkingHours)
        .where(or_(WorkingHours.unit_id.is_(None), WorkingHours.unit_id == unit_id))
        .order_by(WorkingHours.unit_id.is_(None), WorkingHours.id)
    ))
    standard = next((r for r in rows if r.starts_on is None), None)
    dated = tuple(DatedHours(r.name, r.starts_on, r.ends_on or r.starts_on, _week(r.windows))
                  for r in rows if r.starts_on is not None)
    days_off = {row.day: row.name for row in session.scalars(
        select(DayOff).where(or_(DayOff.unit_id.is_(None), DayOff.unit_id == unit_id)))}
    return BusinessCalendar(
        zone=zone,
        week=_week(standard.windows) if standard else DEFAULT_WEEK,
        holiday_country=current_app.config["CITY"].holiday_country,
        days_off=days_off,
        dated_hours=dated,
    )


def _moment(value):
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise CalendarError(f"{value!r} has no UTC offset")
    return moment


def engine_helpers(calendar):
    """The calendar as helper functions for BPMN scripts and timer expressions."""

    def business_due(start, amount, unit):
        """The moment `amount` `unit`s (working_hours, working_days, calendar_hours) on."""
        return calendar.due_at(_moment(start), float(amount), unit).isoformat()

    def resume_due(due_at, paused_at, unit):
        """The due moment after a pause: the time left at the pause, counted from now."""
        now = datetime.now(UTC)
        due_at, paused_at = _moment(due_at), _moment(paused_at)
        if unit == "calendar_hours":
            return (now + max(due_at - paused_at, timedelta(0))).isoformat()
        left = calendar.working_time_between(paused_at, due_at)
        return calendar.add_working_hours(now, left.total_seconds() / 3600).isoformat()

    return {"business_due": business_due, "resume_due": resume_due}


def at_risk_moment(calendar, category, filed_at, due_at):
    """When an open case gets its red flag: the category's own amount, else 80% of the SLA.

    A due moment that came from elsewhere (an import, an extension) may be nearer than the
    category's red flag; then the flag falls at 80% of the time actually given.
    """
    if due_at is None:
        return None
    if category.at_risk_amount:
        flag = calendar.due_at(filed_at, category.at_risk_amount, category.sla_unit)
        if flag < due_at:
            return flag
    if category.sla_unit == "calendar_hours":
        return filed_at + (due_at - filed_at) * AT_RISK_SHARE
    working = calendar.working_time_between(filed_at, due_at)
    return calendar.add_working_hours(filed_at, working.total_seconds() / 3600 * AT_RISK_SHARE)


def stage_due(calendar, filed_at, days):
    """A stage deadline `days` working days after filing."""
    return calendar.due_at(filed_at, days, "working_days")


def escalate_unit(category):
    return "calendar_hours" if category.sla_unit == "calendar_hours" else "working_hours"


def _checked_name(name, what):
    """The name of a calendar entry, stripped; CalendarError when blank or too long."""
    name = (name or "").strip()
    if not name:
        raise CalendarError(f"give {what} a name")
    if len(name) > MAX_NAME:
        raise CalendarError(f"the name of {what} is longer than {MAX_NAME} characters")
    return name


def add_day_off(day, name, unit_id=None, actor=None):
    """Declare a day off (collective leave); existing due moments do not move."""
    if not isinstance(day, date):
        raise CalendarError(f"{day!r} is not a date")
    name = _checked_name(name, "the day off")
    if session.scalar(select(DayOff).where(DayOff.day == day, DayOff.unit_id == unit_id)):
        raise CalendarError(f"{day.isoformat()} is already a day off")
    row = DayOff(day=day, name=name, unit_id=unit_id, created_by_id=getattr(actor, "id", None))
    session.add(row)
    session.commit()
    invalidate()
    log.info("day off %s (%s) added by %s", day, name, getattr(actor, "username", "system"))
    return row


def set_working_hours(name, windows, unit_id=None, starts_on=None, ends_on=None):
    """Store standard (no dates) or dated working hours; a unit's standard hours replace
    its previous standard hours. Existing due moments do not move."""
    name = _checked_name(name, "the working hours")
    week = WorkingWeek({day: tuple(spans) for day, spans in windows.items()})
    if starts_on is None:
        previous = session.scalars(select(WorkingHours).where(
            WorkingHours.starts_on.is_(None),
            WorkingHours.unit_id.is_(None) if unit_id is None
            else WorkingHours.unit_id == unit_id))
        for row in previous:
            session.delete(row)
    row = WorkingHours(name=name, unit_id=unit_id, starts_on=starts_on, ends_on=ends_on,
                       windows=week_to_json(week))
    session.add(row)
    session.commit()
    invalidate()
    log.info("working hours %r set for unit %s from %s to %s", name, unit_id, starts_on,
             ends_on)
    return row


def set_category_sla(code, amount=None, sla_unit=None, at_risk=None, escalate_after=None):
    """Change a category's SLA terms; cases filed before keep their due moments."""
    from casemgr.cases.models import Category

    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise CalendarError(f"no category {code!r}")
    if amount is not None:
        category.sla_amount = amount
    if sla_unit is not None:
        category.sla_unit = sla_unit
    if at_risk is not None:
        category.at_risk_amount = at_risk or None
    if escalate_after is not None:
        category.escalate_after_hours = escalate_after
    session.commit()
    log.info("category %s SLA set to %s %s", code, category.sla_amount, category.sla_unit)
    return category
