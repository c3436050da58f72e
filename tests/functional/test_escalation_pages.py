"""The escalation pages: dashboard, bulk actions, CSV export, incidents and the calendar."""

import csv
import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.db import session, utcnow
from casemgr.escalations import service as escalations
from casemgr.escalations.models import DayOff
from casemgr.tasks import service as tasks
from tests.functional.overdue import (
    DOWNTOWN,
    at_risk_case,
    fresh,
    late_case,
    marked_stalled,
    stalled_at_filing,
    waiting_case,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


def log_in(client, logins, username):
    response = client.post(
        "/login", data={"username": username, "password": logins[username]["password"]}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def page(client, path="/escalations/", **args):
    response = client.get(path, query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def listed(text, *found):
    """The references of `found` cases that the page shows, in the page's order."""
    places = {c.reference: text.find(c.reference) for c in found if c.reference in text}
    return sorted(places, key=places.get)


def bulk(client, case_ids, path="/escalations/", **fields):
    return client.post(path, data={"case_ids": [str(i) for i in case_ids], **fields})


def flashes(client):
    text = page(client)
    return re.findall(r'<p class="flash[^"]*" role="\w+">([^<]*)</p>', text)


# -- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["citizen", "officer-water", "triage", "admin", "owner"])
def test_other_roles_get_403(client, logins, username):
    log_in(client, logins, username)

    for path in ("/escalations/", "/escalations/export.csv", "/escalations/incidents"):
        assert client.get(path).status_code == 403, path
    assert client.post("/escalations/", data={"reason": "x"}).status_code == 403
    assert client.post("/escalations/incidents/1/retry").status_code == 403
    assert "Escalations</a>" not in page(client, "/cases/")


def test_pages_need_a_login(client):
    for path in ("/escalations/", "/escalations/incidents", "/escalations/calendar"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_calendar_is_for_admins_only(client, logins):
    log_in(client, logins, "escalation")
    assert client.get("/escalations/calendar").status_code == 403
    assert 'href="/escalations/"' in page(client, "/cases/")
    client.post("/logout")

    log_in(client, logins, "admin")
    assert 'href="/escalations/calendar"' in page(client, "/escalations/calendar")


def test_supervisor_sees_only_their_units_cases(api, client, logins):
    drain = late_case(api, 3)
    light = late_case(api, 3, category="street_lights")

    log_in(client, logins, "sup-water")
    assert listed(page(client), drain, light) == [drain.reference]
    assert 'name="unit"' not in page(client).split('id="bulk-form"')[0]  # no unit filter
    client.post("/logout")

    log_in(client, logins, "escalation")
    assert set(listed(page(client), drain, light)) == {drain.reference, light.reference}


# -- the dashboard ---------------------------------------------------------------------------


def test_rows_are_sorted_by_lateness_with_level_due_and_badges(api, client, logins):
    a_little = late_case(api, 2)  # breached, and hours short of its escalation moment
    very = late_case(api, 20 * 24)  # long past its escalation moment too
    risky = at_risk_case(api)
    on_time = waiting_case(api, utcnow() + timedelta(days=3))
    log_in(client, logins, "escalation")

    text = page(client)

    assert listed(text, a_little, very, risky, on_time) == [
        very.reference,
        a_little.reference,
        risky.reference,
    ]
    row = text.split(f'data-case="{very.id}"')[1].split("</tr>")[0]
    assert "20 d late" in row
    assert re.search(r"\w{3} \d\d?, \d{4},? \d\d?:\d\d\W[AP]M WIB", row)  # city time, Jakarta
    assert 'class="level level-2"' in row and "escalated</span>" in row
    assert f'href="/cases/{very.id}"' in row and "Officer water" in row
    row = text.split(f'data-case="{a_little.id}"')[1].split("</tr>")[0]
    assert re.search(r"(1 h 5\d min|2 h) late", row) and 'class="level level-1"' in row
    row = text.split(f'data-case="{risky.id}"')[1].split("</tr>")[0]
    assert "due in 4 h" in row and "at risk" in row and "level-0" in row


def test_filters_by_unit_category_district_and_level(api, client, logins):
    drain = late_case(api, 3)
    light = late_case(api, 3, category="street_lights", point=DOWNTOWN)
    risky = at_risk_case(api)
    log_in(client, logins, "escalation")
    everything = (drain, light, risky)

    def shown(**args):
        return set(listed(page(client, **args), *everything))

    assert shown() == {drain.reference, light.reference, risky.reference}
    assert shown(unit="lighting") == {light.reference}
    assert shown(category="drains") == {drain.reference, risky.reference}
    assert shown(district=drain.district.code) == {drain.reference, risky.reference}
    assert shown(district=light.district.code) == {light.reference}
    assert shown(level="0") == {risky.reference}
    assert shown(level="1") == {drain.reference, light.reference}
    assert shown(level="2") == set()
    assert shown(level="9") == shown()  # a level that is not offered is no filter
    assert "Nothing is overdue or at risk with these filters" in page(client, level="2")


def test_bulk_extend_moves_each_due_moment_with_the_reason(api, client, logins):
    first, second = late_case(api, 3), late_case(api, 5)
    log_in(client, logins, "escalation")

    response = bulk(
        client,
        [first.id, second.id],
        path="/escalations/?category=drains",
        action="extend",
        hours="6",
        reason="Pump truck broken until Monday",
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/escalations/?category=drains"
    [message] = flashes(client)
    assert message.startswith("Extended 2 of 2 cases by 6 working hours")
    for case in (fresh(first.id), fresh(second.id)):
        assert case.sla_due_at > utcnow()
        assert case.escalation_level == 0
        events = [e for e in history.events_of(case.id) if e.kind == "extended"]
        assert "Pump truck broken until Monday" in events[0].summary
        assert events[0].actor_label == "escalation"


def test_bulk_extend_needs_a_reason_hours_and_a_ticked_case(api, client, logins):
    case = late_case(api, 3)
    due_at = case.sla_due_at
    log_in(client, logins, "escalation")

    no_reason = bulk(client, [case.id], action="extend", hours="4", reason=" ")
    assert no_reason.status_code == 422
    text = no_reason.get_data(as_text=True)
    assert 'id="reason-error"' in text and "Give the reason." in text
    assert f'value="{case.id}" aria-label="Tick {case.reference}" checked' in text

    no_hours = bulk(client, [case.id], action="extend", reason="More time")
    assert no_hours.status_code == 422 and 'id="hours-error"' in no_hours.get_data(as_text=True)
    too_many = bulk(client, [case.id], action="extend", hours="4000", reason="More time")
    assert too_many.status_code == 422
    nothing_ticked = bulk(client, [], action="extend", hours="4", reason="More time")
    assert "Tick at least one case." in nothing_ticked.get_data(as_text=True)

    assert fresh(case.id).sla_due_at == due_at
    assert not [e for e in history.events_of(case.id) if e.kind == "extended"]


def test_bulk_reassign_to_a_unit(api, client, logins):
    first, second = late_case(api, 3), late_case(api, 4)
    log_in(client, logins, "escalation")

    response = bulk(
        client, [first.id, second.id], action="reassign", unit="highway", reason="Road collapse"
    )

    assert response.status_code == 302
    assert "Reassigned 2 of 2 cases to Public Works: Highway Maintenance" in flashes(client)[0]
    for case_id in (first.id, second.id):
        case = fresh(case_id)
        assert (case.unit.code, case.assignee_id) == ("highway", None)
        resolve = [t for t in tasks.open_tasks_of(case_id) if t.bpmn_id == "resolve"][0]
        assert (resolve.unit.code, resolve.assignee_id) == ("highway", None)


def test_one_refused_case_does_not_stop_the_others(api, client, logins):
    drain, light = late_case(api, 3), late_case(api, 4, category="street_lights")
    log_in(client, logins, "escalation")

    response = bulk(
        client,
        [light.id, drain.id, 999999],
        action="reassign",
        officer="officer-water",
        reason="Closest crew",
    )

    assert response.status_code == 302
    done, refused = flashes(client)
    assert done == f"Reassigned 1 of 3 cases to officer-water: {drain.reference}."
    assert f"{light.reference}: officer-water is not a field officer of" in refused
    assert "999999: case 999999 is not one you can act on" in refused
    assert fresh(drain.id).assignee.username == "officer-water"
    assert fresh(light.id).unit.code == "lighting"


def test_escalated_cases_are_left_to_their_task(api, client, logins):
    late, escalated = late_case(api, 3), late_case(api, 20 * 24)
    assert escalated.status == "escalated"
    log_in(client, logins, "escalation")

    bulk(client, [escalated.id, late.id], action="extend", hours="4", reason="More time")

    done, refused = flashes(client)
    assert done.startswith(f"Extended 1 of 2 cases by 4 working hours: {late.reference}")
    assert f"{escalated.reference} waits at its Handle escalation task" in refused
    assert fresh(escalated.id).sla_due_at == escalated.sla_due_at


def test_reassign_needs_a_known_officer_or_a_unit(api, client, logins):
    case = late_case(api, 3)
    log_in(client, logins, "escalation")

    neither = bulk(client, [case.id], action="reassign", reason="x")
    assert neither.status_code == 422 and 'id="unit-error"' in neither.get_data(as_text=True)
    both = bulk(client, [case.id], action="reassign", unit="highway", officer="x", reason="x")
    assert "not both" in both.get_data(as_text=True)
    unknown = bulk(client, [case.id], action="reassign", officer="sup-water", reason="x")
    assert unknown.status_code == 422
    assert "There is no field officer sup-water." in unknown.get_data(as_text=True)
    assert fresh(case.id).unit.code == "water"


def test_supervisor_cannot_act_on_another_units_case(api, client, logins):
    light = late_case(api, 3, category="street_lights")
    due_at = light.sla_due_at
    log_in(client, logins, "sup-water")

    bulk(client, [light.id], action="extend", hours="4", reason="More time")

    assert f"{light.id}: case {light.id} is not one you can act on" in flashes(client)[0]
    assert fresh(light.id).sla_due_at == due_at


# -- the export ----------------------------------------------------------------------------


def export(client, **args):
    response = client.get("/escalations/export.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.match(
        r'attachment; filename="escalations-\d{8}-\d{4}\.csv"',
        response.headers["Content-Disposition"],
    )
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_has_the_dashboards_columns_and_filters(api, client, logins):
    a_little, very = late_case(api, 2), late_case(api, 3)
    light = late_case(api, 1, category="street_lights")
    log_in(client, logins, "escalation")

    header, *rows = export(client)

    assert header[:4] == ["reference", "category", "district", "unit"]
    assert [r[0] for r in rows] == [very.reference, a_little.reference, light.reference]
    first = dict(zip(header, rows[0], strict=True))
    assert first["category"] == "Clogged drain" and first["unit"] == "Water and Sewer"
    assert first["district"] == very.district.name
    assert (first["assignee"], first["status"], first["level"]) == (
        "officer-water",
        "assigned",
        "1",
    )
    assert first["due_at_city_time"].endswith("WIB") and first["lateness"].endswith("late")
    assert 3 * 3600 <= int(first["late_seconds"]) < 3 * 3600 + 600
    assert (first["at_risk"], first["error"]) == ("no", "")

    _header, *lights = export(client, unit="lighting")
    assert [r[0] for r in lights] == [light.reference]


def test_csv_export_defuses_formulas(api, client, logins):
    case = late_case(api, 3)
    unit = accounts.ensure_unit("formula", '=HYPERLINK("http://evil.test","x")')
    session.commit()
    escalations.reassign(fresh(case.id), "test", None, unit=unit)
    marked_stalled(fresh(case.id), "-2+3 @SUM(A1)")
    log_in(client, logins, "escalation")

    header, row = export(client)

    cells = dict(zip(header, row, strict=True))
    assert cells["unit"] == '\'=HYPERLINK("http://evil.test","x")'
    assert cells["error"] == "'-2+3 @SUM(A1)"
    assert cells["reference"] == case.reference  # ordinary text is left alone


# -- incidents -----------------------------------------------------------------------------


def test_incidents_list_stalled_cases_and_retry_reports_a_second_stall(client, logins):
    case = stalled_at_filing()
    log_in(client, logins, "escalation")

    text = page(client, "/escalations/incidents")
    assert case.reference in text and "NameError" in text and "sla_units" in text
    assert f'action="/escalations/incidents/{case.id}/retry"' in text
    assert 'badge badge-late">1</span>' in page(client)  # the dashboard's tab counts it

    response = client.post(f"/escalations/incidents/{case.id}/retry")

    assert response.status_code == 302
    assert response.headers["Location"] == "/escalations/incidents"
    text = page(client, "/escalations/incidents")
    assert f"{case.reference} stalled again: NameError" in text
    assert fresh(case.id).error


def test_retry_after_a_fix_runs_the_case_again(api, client, logins):
    case = marked_stalled(late_case(api, 3))
    log_in(client, logins, "sup-water")
    assert case.reference in page(client, "/escalations/incidents")

    response = client.post(f"/escalations/incidents/{case.id}/retry")

    assert response.status_code == 302
    text = page(client, "/escalations/incidents")
    assert f"{case.reference} runs again." in text and "No case is stalled." in text
    case = fresh(case.id)
    assert case.error is None and case.status == "assigned"
    assert [e.kind for e in history.events_of(case.id)][-1] == "retried"

    again = client.post(f"/escalations/incidents/{case.id}/retry")
    assert again.status_code == 302
    assert f"{case.reference} was not retried" in page(client, "/escalations/incidents")


def test_retry_of_another_units_case_is_403(api, client, logins):
    case = marked_stalled(late_case(api, 3, category="street_lights"))
    log_in(client, logins, "sup-water")

    assert case.reference not in page(client, "/escalations/incidents")
    assert client.post(f"/escalations/incidents/{case.id}/retry").status_code == 403
    assert client.post("/escalations/incidents/999999/retry").status_code == 404
    assert fresh(case.id).error


# -- the calendar --------------------------------------------------------------------------


def add_day_off(client, **fields):
    return client.post("/escalations/calendar", data=fields)


def test_admin_adds_a_day_off_for_the_city_and_for_a_unit(client, logins):
    log_in(client, logins, "admin")
    text = page(client, "/escalations/calendar")
    assert "Due moments already set do not move" in text
    assert re.search(r"<td[^>]*>\w{3} 17 Aug</td>", text)  # Indonesia's independence day
    assert f"Public holidays {utcnow().astimezone(JAKARTA).year}" in text

    response = add_day_off(client, day="2031-04-02", name="Cuti bersama Idulfitri")
    assert response.status_code == 302
    response = add_day_off(client, day="2031-04-03", name="Water works day", unit="water")
    assert response.status_code == 302

    text = page(client, "/escalations/calendar")
    assert "is a day off now: Water works day" in text
    assert "Cuti bersama Idulfitri" in text and "The whole city" in text
    assert "Water and Sewer" in text.split("<td>Water works day</td>")[1].split("</tr>")[0]
    rows = session.query(DayOff).filter(DayOff.day >= date(2031, 1, 1)).all()
    assert {(r.day, r.unit_id is None) for r in rows} == {
        (date(2031, 4, 2), True),
        (date(2031, 4, 3), False),
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"day": "2031-02-30", "name": "Nope"}, "day", "Not a valid date value"),
        ({"day": "", "name": "Nope"}, "day", "Give the date."),
        ({"day": "2031-04-02", "name": " "}, "name", "Give the day a name."),
        ({"day": "2031-04-02", "name": "Again"}, "day", "2031-04-02 is already a day off"),
    ],
)
def test_day_off_form_errors(client, logins, fields, field, message):
    log_in(client, logins, "admin")
    assert add_day_off(client, day="2031-04-02", name="Cuti bersama").status_code == 302

    response = add_day_off(client, **fields)

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text and message in text
    assert session.query(DayOff).filter(DayOff.day == date(2031, 4, 2)).count() == 1


def test_the_same_day_may_be_off_for_the_city_and_a_unit(client, logins):
    log_in(client, logins, "admin")
    assert add_day_off(client, day="2031-05-05", name="City").status_code == 302
    assert add_day_off(client, day="2031-05-05", name="Unit", unit="water").status_code == 302
    duplicate = add_day_off(client, day="2031-05-05", name="Unit again", unit="water")
    assert duplicate.status_code == 422
