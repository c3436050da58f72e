"""Commands to edit the business calendar and category SLAs: flask casemgr calendar ..."""

import re
from datetime import time

import click
from flask.cli import AppGroup

calendar_group = AppGroup("calendar", help="Days off, working hours and category SLAs.")

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
WINDOW = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)=(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d)$")


def parse_week(text):
    """Parse 'mon-fri=08:00-16:00,sat=08:00-12:00' into weekday -> [(start, end)]."""
    windows = {}
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        match = WINDOW.match(part)
        if match is None:
            raise click.BadParameter(f"{part!r} is not DAY[-DAY]=HH:MM-HH:MM", param_hint="--week")
        first, _, last = match["days"].partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise click.BadParameter(f"{match['days']!r}: use mon..sun", param_hint="--week")
        try:
            start, end = time.fromisoformat(match["start"]), time.fromisoformat(match["end"])
        except ValueError:
            raise click.BadParameter(f"{part!r} has an impossible time",
                                     param_hint="--week") from None
        if start >= end:
            raise click.BadParameter(f"{part!r} ends before it starts", param_hint="--week")
        for day in range(WEEKDAYS[first], WEEKDAYS[last or first] + 1):
            windows.setdefault(day, []).append((start, end))
    if not windows:
        raise click.BadParameter("no working window given", param_hint="--week")
    return windows


def _unit_id(code):
    from casemgr.accounts import service as accounts

    if code is None:
        return None
    unit = accounts.find_unit(code)
    if unit is None:
        raise click.BadParameter(f"no unit {code!r}", param_hint="--unit")
    return unit.id


@calendar_group.command("day-off")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("name")
@click.option("--unit", default=None, help="Unit code; the whole city when left out.")
def day_off(day, name, unit):
    """Declare DAY (YYYY-MM-DD) a day off; existing due moments do not move."""
    from casemgr.escalations import calendars

    try:
        calendars.add_day_off(day.date(), name, _unit_id(unit))
    except calendars.CalendarError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{day.date().isoformat()} is a day off: {name}")


@calendar_group.command("working-hours")
@click.option("--week", required=True, help="e.g. 'mon-thu=08:00-15:00,fri=08:00-11:30'")
@click.option("--name", default="Working hours", show_default=True)
@click.option("--unit", default=None, help="Unit code; the whole city when left out.")
@click.option("--from", "starts_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First day of dated hours (Ramadan); standard hours when left out.")
@click.option("--to", "ends_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def working_hours(week, name, unit, starts_on, ends_on):
    """Set standard or dated working hours for the city or one unit."""
    from casemgr.escalations import calendars

    windows = parse_week(week)
    if (starts_on is None) != (ends_on is None):
        raise click.UsageError("give --from and --to together, or neither")
    if starts_on and ends_on < starts_on:
        raise click.UsageError("--to is before --from")
    try:
        calendars.set_working_hours(
            name, windows, _unit_id(unit),
            starts_on.date() if starts_on else None, ends_on.date() if ends_on else None)
    except calendars.CalendarError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} saved for {unit or 'the city'}")


@calendar_group.command("category-sla")
@click.argument("code")
@click.option("--amount", type=click.FloatRange(min=0.25, max=10_000), default=None)
@click.option("--unit", "sla_unit", type=click.Choice(["working_hours", "working_days",
                                                       "calendar_hours"]), default=None)
@click.option("--at-risk", type=click.FloatRange(min=0), default=None,
              help="Red flag after this much of the SLA's unit (0: at 80%).")
@click.option("--escalate-after", type=click.FloatRange(min=0), default=None,
              help="Hours after the breach before the escalation manager takes over.")
def category_sla(code, amount, sla_unit, at_risk, escalate_after):
    """Change a category's SLA terms; cases filed before keep their due moments."""
    from casemgr.escalations import calendars

    try:
        category = calendars.set_category_sla(code, amount=amount, sla_unit=sla_unit,
                                              at_risk=at_risk, escalate_after=escalate_after)
    except calendars.CalendarError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{category.code}: {category.sla_amount:g} {category.sla_unit}, red flag "
               f"{category.at_risk_amount or '80%'}, escalation after "
               f"{category.escalate_after_hours:g} h")
