"""Times of day when a routing rule applies: a local window that may wrap midnight.

A window runs from `start` (included) to `end` (excluded) in the city's time zone. When
`end` is earlier than `start` it wraps midnight (22:00-06:00 is the night). Weekdays, when
given, name the day the window opens: a Friday night window still holds at 02:00 Saturday.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

#: ISO weekday number (Monday 1) -> the short name used in forms and the API.
WEEKDAYS = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}
DAY_NUMBERS = {name: number for number, name in WEEKDAYS.items()}


class WindowError(ValueError):
    """A window that cannot be used, with field -> message."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))


@dataclass(frozen=True)
class TimeWindow:
    start: time | None = None
    end: time | None = None
    #: ISO weekday numbers; empty means every day.
    weekdays: frozenset = frozenset()

    @property
    def is_always(self):
        return self.start is None and not self.weekdays

    def holds_at(self, local):
        """True when the local (city time) moment falls inside the window."""
        if self.start is None:
            return self._opens_on(local.date())
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= clock < self.end and self._opens_on(local.date())
        if clock >= self.start:
            return self._opens_on(local.date())
        if clock < self.end:
            return self._opens_on(local.date() - timedelta(days=1))
        return False

    def _opens_on(self, day):
        return not self.weekdays or day.isoweekday() in self.weekdays

    def describe(self):
        """Readable text such as "22:00-06:00 mon, fri" or "any time"."""
        hours = f"{self.start:%H:%M}-{self.end:%H:%M}" if self.start is not None else ""
        days = ", ".join(WEEKDAYS[number] for number in sorted(self.weekdays))
        return " ".join(part for part in (hours, days) if part) or "any time"


def parse_time(raw, field):
    """A time of day from "HH:MM" text (or a time); None for blank."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return datetime.strptime(str(raw).strip(), "%H:%M").time()
    except ValueError:
        raise WindowError({field: "a time of day as HH:MM, 00:00 to 23:59"}) from None


def parse_weekdays(raw):
    """ISO weekday numbers from names ("mon") or numbers (1-7); a string may use commas."""
    if raw is None or raw == "":
        return frozenset()
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        raise WindowError({"weekdays": "a list of days such as [\"mon\", \"fri\"]"})
    numbers = set()
    for item in items:
        number = _day_number(item)
        if number is None:
            raise WindowError({"weekdays": f"{item!r} is not a day: use mon to sun"})
        numbers.add(number)
    return frozenset(numbers)


def _day_number(item):
    if isinstance(item, int) and not isinstance(item, bool):
        return item if item in WEEKDAYS else None
    if isinstance(item, str):
        return DAY_NUMBERS.get(item.strip().lower()[:3])
    return None


def window(start=None, end=None, weekdays=None):
    """A checked TimeWindow; WindowError names each field that is wrong."""
    fields = {}
    parsed = {}
    for name, raw in (("time_from", start), ("time_to", end)):
        try:
            parsed[name] = parse_time(raw, name)
        except WindowError as exc:
            fields.update(exc.fields)
    try:
        days = parse_weekdays(weekdays)
    except WindowError as exc:
        fields.update(exc.fields)
        days = frozenset()
    if not fields:
        fields.update(_check_pair(parsed["time_from"], parsed["time_to"]))
    if fields:
        raise WindowError(fields)
    return TimeWindow(parsed["time_from"], parsed["time_to"], days)


def _check_pair(start, end):
    if (start is None) != (end is None):
        missing = "time_to" if end is None else "time_from"
        return {missing: "give both the start and the end of the window, or neither"}
    if start is not None and start == end:
        return {"time_to": "the end must differ from the start"}
    return {}


def weekdays_text(weekdays):
    """How a rule stores its weekdays: "1,5" for Monday and Friday; None for every day."""
    return ",".join(str(n) for n in sorted(weekdays)) or None


def weekdays_from_text(text):
    return frozenset(int(n) for n in text.split(",")) if text else frozenset()


def local_moment(moment, zone_name):
    """The aware moment in the city's zone; a naive moment is taken as city time already."""
    zone = ZoneInfo(zone_name)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def utc_moment(moment, zone_name):
    return local_moment(moment, zone_name).astimezone(UTC)
