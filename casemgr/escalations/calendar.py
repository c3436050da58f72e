"""The city's business calendar: working hours, public holidays, collective leave, days off.

Pure logic with no database: the service layer builds a BusinessCalendar from the stored
settings and asks it for SLA due moments. Every datetime in and out is timezone-aware;
results are in UTC.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays

log = logging.getLogger(__name__)

#: How far ahead a due moment is searched before the calendar is called broken.
MAX_DAYS_AHEAD = 3 * 366

SLA_UNITS = ("working_hours", "working_days", "calendar_hours")


class CalendarError(ValueError):
    """A moment or calendar that cannot give a due moment; the message says why."""


@lru_cache(maxsize=16)
def country_holidays(country):
    """Public holidays and, where the package knows them, collective leave (cuti bersama)."""
    wanted = ("public", "government")
    supported = getattr(holidays.country_holidays(country), "supported_categories", ("public",))
    return holidays.country_holidays(country, categories=tuple(c for c in wanted
                                                               if c in supported))


@dataclass(frozen=True)
class WorkingWeek:
    """Opening windows per weekday (0 = Monday), in the city's wall-clock time."""

    windows: dict

    @classmethod
    def office_hours(cls, start=time(8), end=time(16), days=range(5)):
        return cls({day: ((start, end),) for day in days})

    def on(self, weekday):
        return self.windows.get(weekday, ())


DEFAULT_WEEK = WorkingWeek.office_hours()


@dataclass(frozen=True)
class DatedHours:
    """Other working hours for a span of dates, such as Ramadan's shorter days."""

    name: str
    starts_on: date
    ends_on: date
    week: WorkingWeek

    def covers(self, day):
        return self.starts_on <= day <= self.ends_on


@dataclass
class BusinessCalendar:
    zone: ZoneInfo
    week: WorkingWeek = DEFAULT_WEEK
    holiday_country: str | None = "ID"
    #: Extra days off the city declares: date -> name.
    days_off: dict = field(default_factory=dict)
    dated_hours: tuple = ()
    _windows: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def _holidays(self):
        if not self.holiday_country:
            return {}
        categories = ("public", "government")
        supported = getattr(
            holidays.country_holidays(self.holiday_country), "supported_categories", ("public",)
        )
        return holidays.country_holidays(
            self.holiday_country, categories=tuple(c for c in categories if c in supported)
        )

    # -- days ----------------------------------------------------------------------------

    def day_off(self, day):
        """The name of the holiday or day off on `day`, or None for an ordinary day."""
        if day in self.days_off:
            return self.days_off[day]
        return self._holidays.get(day) if self.holiday_country else None

    def windows_on(self, day):
        """Working windows of `day` as aware datetimes in the city zone."""
        # A calendar is fixed once built (calendars.calendar_for builds a new one when the
        # hours change), and one filing asks for the same days some fifty times.
        windows = self._windows.get(day)
        if windows is None:
            windows = self._windows[day] = tuple(self._windows_of(day))
        return windows

    def _windows_of(self, day):
        if self.day_off(day):
            return []
        week = next((d.week for d in self.dated_hours if d.covers(day)), self.week)
        return [
            (datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))
            for start, end in week.on(day.weekday())
        ]

    def is_working_day(self, day):
        return bool(self.windows_on(day))

    # -- moments -------------------------------------------------------------------------

    def _local(self, moment):
        if moment.tzinfo is None:
            raise CalendarError(f"{moment.isoformat()} has no UTC offset")
        return moment.astimezone(self.zone)

    def _days_from(self, day):
        for offset in range(MAX_DAYS_AHEAD):
            yield day + timedelta(days=offset)
        raise CalendarError(f"no working time within {MAX_DAYS_AHEAD} days of {day}")

    def add_working_hours(self, start, hours):
        """The moment `hours` of working time after `start`."""
        remaining = timedelta(hours=float(hours))
        local = self._local(start)
        if remaining <= timedelta(0):
            return start.astimezone(UTC)

        for day in self._days_from(local.date()):
            for opens, closes in self.windows_on(day):
                begin = max(opens, local)
                if begin >= closes:
                    continue
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(UTC)
                remaining -= available
        raise CalendarError("unreachable")  # _days_from raises first

    def add_working_days(self, start, days):
        """The same wall-clock time on the `days`-th working day after `start`'s day.

        A start outside working hours counts from the next working moment, and a result
        past the end of that day's hours is pulled back to its closing time.
        """
        local = self._next_working_moment(self._local(start))
        counted = 0
        day = local.date()
        for day in self._days_from(local.date() + timedelta(days=1)):
            if counted >= int(days):
                break
            if self.is_working_day(day):
                counted += 1
                if counted == int(days):
                    break
        if int(days) <= 0:
            day = local.date()
        windows = self.windows_on(day)
        target = datetime.combine(day, local.timetz().replace(tzinfo=None), self.zone)
        closes = windows[-1][1]
        return min(max(target, windows[0][0]), closes).astimezone(UTC)

    def _next_working_moment(self, local):
        for day in self._days_from(local.date()):
            for opens, closes in self.windows_on(day):
                if local < closes:
                    return max(opens, local)
        raise CalendarError("unreachable")

    def due_at(self, start, amount, unit):
        """The SLA due moment `amount` `unit`s after `start`, in UTC."""
        if unit == "working_hours":
            return self.add_working_hours(start, amount)
        if unit == "working_days":
            return self.add_working_days(start, amount)
        if unit == "calendar_hours":
            return self._local(start).astimezone(UTC) + timedelta(hours=float(amount))
        raise CalendarError(f"unknown SLA unit {unit!r}; use one of {', '.join(SLA_UNITS)}")

    def working_time_between(self, start, end):
        """Working time between two moments, for pausing and resuming an SLA clock."""
        start, end = self._local(start), self._local(end)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            for opens, closes in self.windows_on(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


def parse_moment(text, zone):
    """Read an ISO moment; one without an offset is read in the city zone, never the server's."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise CalendarError(f"{text!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
