"""Editing the calendar and category SLAs from the command line."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from casemgr.cases import service as cases
from casemgr.escalations import calendars
from casemgr.escalations.cli import parse_week

JAKARTA = ZoneInfo("Asia/Jakarta")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["casemgr", "calendar", *args])


def test_parse_week_reads_ranges_and_refuses_nonsense():
    week = parse_week("mon-thu=08:00-15:00,fri=08:00-11:30")
    assert sorted(week) == [0, 1, 2, 3, 4]
    assert week[4][0][1].isoformat("minutes") == "11:30"
    for bad in ("mon=16:00-08:00", "funday=08:00-16:00", "mon=25:00-26:00", ""):
        with pytest.raises(Exception):  # noqa: B017 - click.BadParameter, named in the text
            parse_week(bad)


def test_dated_hours_shorten_the_days_of_new_cases_only(app):
    filed = datetime(2027, 2, 15, 8, 0, tzinfo=JAKARTA)  # a Monday in Ramadan 2027
    before, _ = cases.file_case(category="drains", description="before", filed_at=filed,
                                address="Jl. Sabang 3")
    result = cli(app, "working-hours", "--week", "mon-fri=08:00-15:00", "--name", "Ramadan",
                 "--from", "2027-02-08", "--to", "2027-03-09")
    assert result.exit_code == 0, result.output

    calendar = calendars.calendar_for(before.unit_id)
    assert calendar.due_at(filed, 8, "working_hours") == datetime(2027, 2, 16, 9, 0,
                                                                  tzinfo=JAKARTA)
    assert cases.get(before.id).sla_due_at == before.sla_due_at


def test_day_off_command_and_its_refusals(app):
    assert cli(app, "day-off", "2027-01-02", "City anniversary").exit_code == 0
    assert calendars.calendar_for(None).day_off(date(2027, 1, 2)) == "City anniversary"
    again = cli(app, "day-off", "2027-01-02", "Again")
    assert again.exit_code != 0 and "already a day off" in again.output
    assert cli(app, "day-off", "2027-13-40", "Bad").exit_code != 0
    assert "no unit" in cli(app, "day-off", "2027-01-03", "X", "--unit", "nope").output


def test_category_sla_command(app):
    result = cli(app, "category-sla", "floods", "--amount", "12")
    assert result.exit_code == 0, result.output
    assert cases.category_by_code("floods").sla_amount == 12
    cli(app, "category-sla", "floods", "--amount", "24")
    assert "no category" in cli(app, "category-sla", "nope", "--amount", "1").output
