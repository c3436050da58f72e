"""Defects found by trying casemgr as its users would, each pinned by a test."""

import re

import pytest
from sqlalchemy import func, select

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.escalations.models import DayOff, WorkingHours
from casemgr.processes import service as processes
from tests.conftest import ROXBURY
from tests.functional.citizen_cases import NEARBY, file, log_in, resolve
from tests.functional.overdue import fresh, late_case
from tests.functional.test_migration import complaint_xml

#: Larger than any integer column of SQLite (8 bytes) or PostgreSQL.
HUGE = 10**30


# -- merging into an original that is closed ---------------------------------------------


def test_a_report_is_not_merged_into_a_closed_original(client, logins, api):
    """Merging would close the new report while nobody works on the closed original."""
    original = resolve(api, file(reporter=accounts.find_user("citizen")).id)
    api.complete(original.id, "verify", "citizen", {"fixed": True})
    session.expire_all()
    assert cases.get(original.id).status == "closed"
    again = file(NEARBY)
    log_in(client, "triage", logins["triage"]["password"])

    response = client.post(f"/cases/{again.id}/merge", data={"original": original.reference})

    assert response.status_code == 409
    assert f"{original.reference} is closed" in response.get_data(as_text=True)
    session.expire_all()
    again = cases.get(again.id)
    assert (again.status, again.duplicate_of_id) == ("submitted", None)



# -- the report form sent twice ----------------------------------------------------------


def test_the_same_report_form_sent_twice_files_one_case(client):
    """A double click or a reload that sends the form again must not file a second case."""
    form = client.get("/report").get_data(as_text=True)
    submission = re.search(r'name="submission" type="hidden" value="([^"]+)"', form)[1]
    data = {"submission": submission, "category": "drains", "description": "Drain blocked",
            "lat": str(ROXBURY[0]), "lon": str(ROXBURY[1])}

    first = client.post("/report", data=data)
    again = client.post("/report", data=data)

    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert cases.case_count() == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "was filed already" in page


def test_the_same_bulk_extension_sent_twice_extends_once(api, client, logins):
    case = late_case(api, 3)
    log_in(client, "escalation", logins["escalation"]["password"])
    form = client.get("/escalations/").get_data(as_text=True)
    submission = re.search(r'name="submission" type="hidden" value="([^"]+)"', form)[1]
    data = {"case_ids": [str(case.id)], "action": "extend", "hours": "6",
            "reason": "Pump truck broken", "submission": submission}

    first = client.post("/escalations/", data=data)
    extended_to = fresh(case.id).sla_due_at
    again = client.post("/escalations/", data=data)

    assert first.status_code == again.status_code == 302
    assert fresh(case.id).sla_due_at == extended_to
    assert [e.kind for e in history.events_of(case.id)].count("extended") == 1
    assert "made already" in client.get("/escalations/").get_data(as_text=True)

# -- where a form sends the browser next -------------------------------------------------


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example/", "/\r\n/evil.example",
                                    "/\x0b/evil.example", "\t//evil.example"])
def test_the_language_switch_never_redirects_to_another_site(client, target):
    """Browsers drop tabs and newlines from a URL: "/<tab>/evil" would become "//evil"."""
    response = client.post("/language", data={"locale": "id", "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_login_never_redirects_to_another_site(client, logins):
    response = client.post("/login?next=/%09/evil.example/",
                           data={"username": "triage", "password": logins["triage"]["password"]})

    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


# -- process versions and keys out of range ----------------------------------------------


def test_a_version_number_beyond_any_integer_is_refused_not_a_500(client, logins, api):
    preview = api.post("/processes/complaint/migration/preview", "owner", json={"version": HUGE})
    run = api.post("/processes/complaint/migrations", "owner", json={"version": HUGE})
    log_in(client, "owner", logins["owner"]["password"])
    page = client.get(f"/processes/complaint/migration?version={HUGE}")
    posted = client.post("/processes/complaint/migration", data={"version": str(HUGE)})

    # The API names the field it cannot take; the page has no such version to show.
    assert preview.status_code == 422 and run.status_code == 422
    assert preview.get_json()["error"]["fields"]["version"].startswith("a whole number")
    assert page.status_code == 404
    assert posted.status_code in (404, 422)


@pytest.mark.parametrize("key", ["k" * 81, "x y", "<b>", "1st"])
def test_a_draft_under_a_key_no_process_can_have_is_refused(api, key):
    response = api.client.put(f"/api/v1/processes/{key}/draft", json={"xml": "<a/>"},
                              headers=api.headers("owner"))

    assert response.status_code == 422
    assert "not a process id" in response.get_json()["errors"][0]["message"]
    assert processes.get_draft(key) is None


def test_a_process_whose_id_or_name_does_not_fit_its_columns_does_not_deploy(app, api):
    long_id = complaint_xml(app, **{'processRef="complaint"': f'processRef="{"k" * 81}"',
                                    'process id="complaint"': f'process id="{"k" * 81}"'})
    long_name = complaint_xml(app, **{'process id="complaint" name="City complaint"':
                                      f'process id="complaint" name="{"n" * 201}"'})

    for text, message in ((long_id, "is not a process id"), (long_name, "longer than 200")):
        with pytest.raises(processes.DeployError) as refused:
            processes.deploy(text)
        assert message in str(refused.value)
    assert processes.latest_version("k" * 81) is None
    assert processes.latest_version("complaint").version == 1



@pytest.mark.parametrize("xml", ["<a/>", '<definitions xmlns="urn:other"/>'])
def test_a_draft_the_modeller_could_not_open_is_refused(api, xml):
    """Such a draft was kept, and the modeller then showed a blank canvas for good."""
    response = api.client.put("/api/v1/processes/complaint/draft", json={"xml": xml},
                              headers=api.headers("owner"))

    assert response.status_code == 422
    assert "not BPMN" in response.get_json()["errors"][0]["message"]
    assert processes.get_draft("complaint") is None

# -- the calendar from the command line --------------------------------------------------


@pytest.mark.parametrize("args", [
    ["day-off", "2026-12-24", ""],
    ["day-off", "2026-12-24", "   "],
    ["day-off", "2026-12-24", "n" * 201],
    ["working-hours", "--week", "mon-fri=08:00-15:00", "--name", ""],
    ["working-hours", "--week", "mon-fri=08:00-15:00", "--name", "n" * 201],
])
def test_a_calendar_entry_without_a_fitting_name_is_refused_and_nothing_stored(app, args):
    result = app.test_cli_runner().invoke(args=["casemgr", "calendar", *args])

    assert result.exit_code != 0
    assert "name" in result.output and "Traceback" not in result.output
    assert session.scalar(select(func.count(DayOff.id))) == 0
    assert session.scalar(select(func.count(WorkingHours.id))) == 0
