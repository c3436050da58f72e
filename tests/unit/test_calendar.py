"""The business calendar: working hours, Indonesian holidays, collective leave, days off."""

import os
import time as clock
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from casemgr.escalations.calendar import (
    BusinessCalendar,
    CalendarError,
    DatedHours,
    WorkingWeek,
    parse_moment,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(*parts):
    return datetime(*parts, tzinfo=JAKARTA)


@pytest.fixture
def calendar():
    return BusinessCalendar(JAKARTA)


def test_saturday_night_with_eight_working_hours_is_due_monday_at_four(calendar):
    filed = wib(2026, 11, 28, 23, 30)  # a Saturday
    assert calendar.due_at(filed, 8, "working_hours") == wib(2026, 11, 30, 16, 0)


def test_working_hours_carry_over_to_the_next_day(calendar):
    filed = wib(2026, 12, 1, 14, 0)  # Tuesday 14:00: two hours left that day
    assert calendar.due_at(filed, 8, "working_hours") == wib(2026, 12, 2, 14, 0)


def test_sla_spanning_idul_fitri_and_its_collective_leave(calendar):
    # 2026: Idul Fitri 21-22 March (weekend), collective leave 20, 23 and 24 March.
    filed = wib(2026, 3, 19, 9, 0)  # Thursday, itself Nyepi: a public holiday
    assert calendar.day_off(date(2026, 3, 19))
    assert calendar.day_off(date(2026, 3, 20))  # collective leave
    assert calendar.day_off(date(2026, 3, 23))
    assert calendar.day_off(date(2026, 3, 24))
    # The first working day is Wednesday 25 March.
    assert calendar.due_at(filed, 8, "working_hours") == wib(2026, 3, 25, 16, 0)
    assert calendar.due_at(filed, 2, "working_days") == wib(2026, 3, 27, 8, 0)


def test_a_day_off_the_city_adds_moves_the_due_moment():
    plain = BusinessCalendar(JAKARTA)
    with_day_off = BusinessCalendar(JAKARTA, days_off={date(2026, 12, 2): "City anniversary"})
    filed = wib(2026, 12, 1, 9, 0)
    assert plain.due_at(filed, 1, "working_days") == wib(2026, 12, 2, 9, 0)
    assert with_day_off.due_at(filed, 1, "working_days") == wib(2026, 12, 3, 9, 0)
    assert with_day_off.day_off(date(2026, 12, 2)) == "City anniversary"


def test_dated_hours_such_as_ramadan_shorten_the_day():
    ramadan = DatedHours(
        "Ramadan", date(2027, 2, 8), date(2027, 3, 9), WorkingWeek.office_hours(time(8), time(15))
    )
    calendar = BusinessCalendar(JAKARTA, dated_hours=(ramadan,))
    filed = wib(2027, 2, 15, 8, 0)  # Monday in Ramadan: seven working hours a day
    assert calendar.due_at(filed, 8, "working_hours") == wib(2027, 2, 16, 9, 0)


def test_calendar_hours_ignore_the_calendar(calendar):
    filed = wib(2026, 11, 28, 23, 30)
    assert calendar.due_at(filed, 24, "calendar_hours") == wib(2026, 11, 29, 23, 30)


def test_naive_moments_are_refused(calendar):
    with pytest.raises(CalendarError, match="no UTC offset"):
        calendar.due_at(datetime(2026, 12, 1, 9, 0), 8, "working_hours")


def test_text_without_offset_is_read_in_the_city_zone_even_with_another_process_tz():
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    clock.tzset()
    try:
        moment = parse_moment("2026-12-01 09:00", JAKARTA)
    finally:
        if previous is None:
            os.environ.pop("TZ")
        else:
            os.environ["TZ"] = previous
        clock.tzset()
    assert moment == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_unknown_unit_and_garbage_text_are_named(calendar):
    with pytest.raises(CalendarError, match="unknown SLA unit"):
        calendar.due_at(wib(2026, 12, 1, 9), 1, "fortnights")
    with pytest.raises(CalendarError, match="not an ISO 8601"):
        parse_moment("next tuesday", JAKARTA)


def test_a_calendar_without_working_days_says_so():
    closed = BusinessCalendar(JAKARTA, week=WorkingWeek({}))
    with pytest.raises(CalendarError, match="no working time"):
        closed.due_at(wib(2026, 12, 1, 9), 1, "working_hours")


def test_working_time_between_counts_only_open_hours(calendar):
    spent = calendar.working_time_between(wib(2026, 12, 4, 15, 0), wib(2026, 12, 7, 9, 0))
    assert spent.total_seconds() == 2 * 3600  # Friday 15-16 and Monday 8-9


def test_red_flag_never_falls_after_a_nearer_imported_due_moment(calendar):
    from types import SimpleNamespace

    from casemgr.escalations.calendars import at_risk_moment

    drains = SimpleNamespace(at_risk_amount=6, sla_unit="working_days")
    filed = wib(2026, 12, 1, 9, 0)
    own_due = calendar.due_at(filed, 7, "working_days")
    assert at_risk_moment(calendar, drains, filed, own_due) == calendar.due_at(
        filed, 6, "working_days")

    imported_due = wib(2026, 12, 2, 9, 0)  # one working day, nearer than day six
    flag = at_risk_moment(calendar, drains, filed, imported_due)
    assert filed < flag < imported_due
