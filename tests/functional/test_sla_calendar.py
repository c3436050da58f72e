"""Due moments of filed and imported cases on the city's business calendar."""

import csv
import os
import time
from datetime import date, datetime

import pytest
from sqlalchemy import select

from casemgr import engine
from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.cases.models import Case, Category
from casemgr.db import session
from casemgr.escalations import calendars
from casemgr.escalations.calendar import parse_moment
from tests.functional.sla_cases import JAKARTA, fetch, file_complaint, to_resolve, wib


def eight_working_hours():
    """A category of the water unit with an SLA of eight working hours."""
    category = Category(
        code="drains_urgent",
        name="Blocked drain, urgent",
        unit=accounts.find_unit("water"),
        sla_amount=8,
        sla_unit="working_hours",
        escalate_after_hours=8,
    )
    session.add(category)
    session.commit()
    return category.code


def test_saturday_night_with_eight_working_hours_is_due_monday_at_four(api, clock):
    saturday_night = clock.travel(wib(2026, 11, 28, 23, 30))

    case_id = file_complaint(eight_working_hours(), filed_at=saturday_night)

    case = fetch(case_id)
    assert case.filed_at == saturday_night
    assert case.sla_due_at == wib(2026, 11, 30, 16, 0)
    clock.travel(wib(2026, 11, 29, 10, 0))  # Sunday: triaged and assigned before it is due
    resolve = to_resolve(api, case_id)
    assert resolve["due_at"] == case.sla_due_at.isoformat()
    assert fetch(case_id).next_timer_due_at == case.sla_due_at


def test_sla_spanning_idul_fitri_and_its_collective_leave(clock):
    # Nyepi on 18-19 March 2026, Idul Fitri on 21-22 March (a weekend) with collective
    # leave on the 20th, 23rd and 24th: the first working day after Tuesday is the 25th.
    filed_at = clock.travel(wib(2026, 3, 17, 9, 0))

    drains = fetch(file_complaint("drains", filed_at=filed_at))
    urgent = fetch(file_complaint(eight_working_hours(), filed_at=filed_at))

    assert drains.sla_due_at == wib(2026, 4, 2, 9, 0)  # seven working days
    assert drains.at_risk_at == wib(2026, 4, 1, 9, 0)  # the red flag at day six
    # Seven working hours on Tuesday the 17th, the eighth after the holidays.
    assert urgent.sla_due_at == wib(2026, 3, 25, 9, 0)


@pytest.fixture
def city_anniversary():
    """Declare Thursday 26 March 2026 a city day off; forget it after the test."""

    def declare():
        return calendars.add_day_off(date(2026, 3, 26), "City anniversary")

    yield declare
    calendars.invalidate()


def test_a_day_off_added_by_the_city_moves_cases_filed_after_it(clock, city_anniversary):
    filed_at = clock.travel(wib(2026, 3, 17, 9, 0))
    before = file_complaint(filed_at=filed_at)

    city_anniversary()
    after = file_complaint(filed_at=filed_at)

    # One working day later, and 3 April is Good Friday: Monday 6 April.
    assert fetch(after).sla_due_at == wib(2026, 4, 6, 9, 0)
    assert fetch(before).sla_due_at == wib(2026, 4, 2, 9, 0)


def test_a_day_off_added_later_does_not_move_an_existing_case(api, clock, city_anniversary):
    filed_at = clock.travel(wib(2026, 3, 17, 9, 0))
    case_id = file_complaint(filed_at=filed_at)

    city_anniversary()
    clock.travel(wib(2026, 3, 25, 9, 0))
    resolve = to_resolve(api, case_id)

    case = fetch(case_id)
    assert case.sla_due_at == wib(2026, 4, 2, 9, 0)
    assert case.next_timer_due_at == wib(2026, 4, 2, 9, 0)
    assert resolve["due_at"] == wib(2026, 4, 2, 9, 0).isoformat()
    assert case.sla_escalate_at == wib(2026, 4, 6, 9, 0)  # after Good Friday


# -- moments written without a UTC offset ---------------------------------------------------


@pytest.fixture
def server_in_los_angeles():
    """Run the test with the process's own zone far from the city's."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = previous
    time.tzset()


def boston_311_file(path, rows):
    columns = ["case_enquiry_id", "open_dt", "target_dt", "closed_dt", "case_status",
               "type", "latitude", "longitude"]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for enquiry_id, open_dt, target_dt in rows:
            writer.writerow({
                "case_enquiry_id": enquiry_id, "open_dt": open_dt, "target_dt": target_dt,
                "closed_dt": "", "case_status": "Open", "type": "Catch Basin",
                "latitude": "42.316782", "longitude": "-71.085581",
            })
    return path


def imported(enquiry_id):
    return session.scalar(select(Case).where(Case.external_id == f"boston311:{enquiry_id}"))


def test_text_without_offset_is_read_in_the_city_zone_not_the_servers(
    app, tmp_path, server_in_los_angeles
):
    rows = [
        ("101", "2026-11-28 23:30:00", "2026-11-30 16:00:00"),
        ("102", "2026-11-28 23:30:00", ""),
    ]
    path = boston_311_file(tmp_path / "requests.csv", rows)

    # No --timezone: the file's wall-clock times are the city's.
    result = app.test_cli_runner().invoke(args=["casemgr", "import-311", str(path), "--json"])

    assert result.exit_code == 0, result.output
    with_target, without = imported("101"), imported("102")
    assert with_target.filed_at == without.filed_at == wib(2026, 11, 28, 23, 30)
    assert with_target.sla_due_at == wib(2026, 11, 30, 16, 0)
    assert with_target.sla_due_at == parse_moment("2026-11-30 16:00:00", JAKARTA)
    # Without a target the process computes one on the calendar: seven working days from
    # Monday 08:00. The row keeps none, as the source system did.
    assert without.sla_due_at is None
    data = engine.snapshot(cases.load_workflow(without)).data
    assert datetime.fromisoformat(data["sla_due_at"]) == wib(2026, 12, 9, 8, 0)
