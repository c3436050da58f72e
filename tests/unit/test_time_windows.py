"""Time-of-day windows of routing rules: wrapping midnight, weekdays, field errors."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from casemgr.cases import time_windows
from casemgr.cases.time_windows import TimeWindow, WindowError, window

ZONE = ZoneInfo("Asia/Jakarta")


def at(day, hour, minute=0):
    """A moment in December 2026 city time: day 4 is a Friday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE)


def test_a_day_window_holds_from_its_start_until_before_its_end():
    office = window("08:00", "17:00")

    assert office.holds_at(at(4, 8)) and office.holds_at(at(4, 16, 59))
    assert not office.holds_at(at(4, 17)) and not office.holds_at(at(4, 7, 59))


def test_a_night_window_wraps_midnight():
    night = window("22:00", "06:00")

    assert night.holds_at(at(4, 22)) and night.holds_at(at(5, 0)) and night.holds_at(at(5, 5, 59))
    assert not night.holds_at(at(5, 6)) and not night.holds_at(at(4, 12))


def test_weekdays_name_the_day_the_window_opens():
    friday_night = window("22:00", "06:00", ["fri"])

    assert friday_night.holds_at(at(4, 23))  # Friday
    assert friday_night.holds_at(at(5, 2))  # early Saturday is still Friday's night
    assert not friday_night.holds_at(at(5, 23))  # Saturday night
    assert not friday_night.holds_at(at(4, 2))  # early Friday belongs to Thursday's night


def test_weekdays_alone_hold_all_day_and_no_window_always_holds():
    weekend = window(weekdays="sat,sun")

    assert weekend.holds_at(at(5, 0)) and weekend.holds_at(at(6, 23, 59))
    assert not weekend.holds_at(at(4, 12))
    assert TimeWindow().is_always and TimeWindow().holds_at(at(4, 3))


def test_describe_reads_like_the_form():
    assert window("22:00", "06:00", [5, 1]).describe() == "22:00-06:00 mon, fri"
    assert window().describe() == "any time"


@pytest.mark.parametrize(("start", "end", "days", "field"), [
    ("25:00", "06:00", None, "time_from"),
    ("22:00", "late", None, "time_to"),
    ("22:00", None, None, "time_to"),
    (None, "06:00", None, "time_from"),
    ("08:00", "08:00", None, "time_to"),
    (None, None, ["someday"], "weekdays"),
    (None, None, 9, "weekdays"),
    (None, None, [8], "weekdays"),
])
def test_bad_windows_name_the_field(start, end, days, field):
    with pytest.raises(WindowError) as caught:
        window(start, end, days)

    assert field in caught.value.fields


def test_weekdays_are_stored_as_iso_numbers():
    days = time_windows.parse_weekdays(["Monday", "fri", 7])

    assert time_windows.weekdays_text(days) == "1,5,7"
    assert time_windows.weekdays_from_text("1,5,7") == days
    assert time_windows.weekdays_text(frozenset()) is None


def test_a_naive_moment_is_city_time():
    local = time_windows.local_moment(datetime(2026, 12, 4, 23, 0), "Asia/Jakarta")

    assert local.utcoffset().total_seconds() == 7 * 3600
    assert window("22:00", "06:00").holds_at(local)
    assert time_windows.parse_time(time(9, 30, 15), "time_from") == time(9, 30)
