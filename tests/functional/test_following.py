"""Following a case: "me too", email updates only for those who opted in."""

import re

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.citizens import service as citizens
from casemgr.db import session
from tests.functional.citizen_cases import RESIDENT_PASSWORD, file, log_in, resident
from tests.functional.sla_cases import outbox


def me_too(client, case, **form):
    return client.post(f"/track/{case.reference}/me-too", data=form)


def test_me_too_counts_subscribes_and_goes_into_the_history(client, api):
    case = file(reporter=accounts.find_user("citizen"))
    resident()
    log_in(client, "resident", RESIDENT_PASSWORD)

    response = me_too(client, case)

    assert response.status_code == 302
    assert citizens.me_too_count(case.id) == 1
    follower = citizens.find_follower(case, accounts.find_user("resident"))
    assert follower.is_me_too and follower.wants_email
    assert "me_too" in [e.kind for e in history.events_of(case.id, public_only=True)]
    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert re.search(r'id="me-too-count">2<', page)  # the reporter and the resident

    # The resident now hears about the case; the reporter did not opt in.
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", "sup-water", {"assignee": "officer-water"})
    assert outbox(case.id, "assigned") == ["resident@example.org"]


def test_me_too_twice_on_own_report_or_on_a_closed_case_is_409(client, api):
    own = file(reporter=accounts.find_user("citizen"))
    closed = file()
    api.complete(closed.id, "triage", "triage", {"decision": "reject", "note": "Private land"})
    log_in(client, "citizen", "demo-pass-2026")

    assert me_too(client, own).status_code == 409
    assert me_too(client, closed).status_code == 409
    other = file()
    assert me_too(client, other).status_code == 302
    again = me_too(client, other)
    assert again.status_code == 409
    assert "already" in again.get_data(as_text=True)
    assert citizens.me_too_count(other.id) == 1


def test_me_too_without_an_account_needs_a_valid_email(client):
    case = file()

    assert me_too(client, case).status_code == 422
    assert me_too(client, case, email="not-an-email").status_code == 422
    assert citizens.me_too_count(case.id) == 0

    # A valid address is taken, and counts once its owner confirms (test_me_too_by_email).
    assert me_too(client, case, email="tetangga@example.org").status_code == 302
    assert outbox(case.id, "me_too_confirm") == ["tetangga@example.org"]
    assert client.post("/track/CM-1999-000001/me-too", data={"email": "a@b.org"}).status_code \
        == 404


def test_email_updates_are_opt_in_at_the_report(client):
    quiet = client.post("/report", data={
        "category": "drains", "description": "Blocked drain", "lat": "42.316782",
        "lon": "-71.085581", "reporter_email": "quiet@example.org"})
    told = client.post("/report", data={
        "category": "drains", "description": "Blocked drain", "lat": "42.316782",
        "lon": "-71.085581", "reporter_email": "told@example.org", "email_updates": "y"})

    quiet_case = cases.by_reference(quiet.headers["Location"].rsplit("/", 1)[1])
    told_case = cases.by_reference(told.headers["Location"].rsplit("/", 1)[1])
    assert outbox(quiet_case.id, "received") == []
    assert outbox(told_case.id, "received") == ["told@example.org"]


def test_the_reporter_switches_updates_on_the_tracking_page_by_link(client):
    response = client.post("/report", data={
        "category": "drains", "description": "Blocked drain", "lat": "42.316782",
        "lon": "-71.085581", "reporter_email": "ana@example.org"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    key = re.search(r"\?key=([^\"&]+)", page).group(1)
    case = cases.by_reference(response.headers["Location"].rsplit("/", 1)[1])

    tracked = client.get(f"/track/{case.reference}?key={key}").get_data(as_text=True)
    assert 'id="email-updates"' in tracked

    on = client.post(f"/track/{case.reference}/email-updates",
                     data={"wants_email": "y", "key": key})
    assert on.status_code == 302 and key in on.headers["Location"]
    session.expire_all()
    assert citizens.reporter_follower(case).wants_email

    client.post(f"/track/{case.reference}/email-updates", data={"key": key})
    session.expire_all()
    assert not citizens.reporter_follower(case).wants_email


def test_strangers_cannot_switch_anyone_s_updates(client):
    case = file(reporter_email="ana@example.org", wants_email=True)

    by_nobody = client.post(f"/track/{case.reference}/email-updates", data={"wants_email": ""})
    by_bad_key = client.post(f"/track/{case.reference}/email-updates",
                             data={"wants_email": "", "key": "guess"})

    assert by_nobody.status_code == 403 and by_bad_key.status_code == 403
    session.expire_all()
    assert citizens.reporter_follower(case).wants_email
    assert 'id="email-updates"' not in client.get(f"/track/{case.reference}").get_data(
        as_text=True)


def test_the_api_takes_the_email_opt_in_as_a_flag(api):
    report = {"category": "drains", "description": "Blocked drain", "lat": 42.316782,
              "lon": -71.085581, "reporter_email": "api@example.org"}

    opted = api.post("/cases", json={**report, "email_updates": True}).get_json()
    silent = api.post("/cases", json=report).get_json()
    bad = api.post("/cases", json={**report, "email_updates": "maybe"})

    assert outbox(opted["id"], "received") == ["api@example.org"]
    assert outbox(silent["id"], "received") == []
    assert bad.status_code == 422 and "email_updates" in bad.get_json()["error"]["fields"]
