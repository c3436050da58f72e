"""Resolution integrity over the API: flagged photos, validation outside the unit, people
kept off their own cases, the random share, and the verify timer."""

import io
import json
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.escalations import service as escalations
from casemgr.notifications import service as notifications
from casemgr.validation import service as validation
from tests import photo_files as files
from tests.conftest import ROXBURY
from tests.functional.sla_cases import MINUTE, MONDAY, fetch, file_complaint

#: About 370 m north of the Roxbury case point, and about 15 m from it.
FAR = (ROXBURY[0] + 0.0033, ROXBURY[1])
NEAR = (ROXBURY[0] + 0.00013, ROXBURY[1])
STABLE_KINDS = ("resolution_flagged", "validation_requested", "resolution_confirmed",
                "resolution_rejected")


def to_resolve(api, case_id, officer="officer-water"):
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": officer})
    return api.task(case_id, "resolve", officer)


def photo(taken_at=None, position=None):
    """A JPEG whose camera says when (UTC) and where it was taken."""
    tags = files.exif(taken_at=taken_at, offset="+00:00" if taken_at else None,
                      position=position)
    return (io.BytesIO(files.jpeg(tags=tags)), "after.jpg")


def resolve_with(api, case_id, *photos, officer="officer-water", expect=200):
    task = api.task(case_id, "resolve", officer)
    response = api.post(
        f"/tasks/{task['id']}/complete",
        officer,
        data={"resolution_note": "Drain cleared", "resolution_photo": list(photos)},
        content_type="multipart/form-data",
    )
    assert response.status_code == expect, response.get_json()
    return response


def events(case_id, kind):
    return [event for event in history.events_of(case_id) if event.kind == kind]


def details(case_id, kind):
    return [json.loads(event.details) for event in events(case_id, kind)]


def kinds(case_id):
    return [event.kind for event in history.events_of(case_id)
            if event.kind in STABLE_KINDS + ("verify_expired",)]


def open_bpmn_ids(api, case_id):
    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    return [task["bpmn_id"] for task in detail["tasks"]]


def officer_id(username="officer-water"):
    return accounts.find_user(username).id


def water_id():
    return accounts.find_unit("water").id


# -- the fix is shown with a photo -------------------------------------------------------


def test_the_api_refuses_a_resolution_without_a_photo(api, drain_case):
    case_id = drain_case["id"]
    task = to_resolve(api, case_id)
    # The task's own description says so before anyone tries.
    photo = [f for f in task["fields"] if f["name"] == "resolution_photo"]
    assert photo and photo[0]["required"] is True

    response = api.post(f"/tasks/{task['id']}/complete", "officer-water",
                        json={"resolution_note": "Cleared"})

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "resolution_photo": "add a photo of the fix"}
    assert open_bpmn_ids(api, case_id) == ["resolve"]
    assert fetch(case_id).status == "assigned"
    assert kinds(case_id) == []


def test_the_resolve_page_names_the_missing_photo(api, client, logins, drain_case):
    from tests.functional.test_pages import log_in

    task = to_resolve(api, drain_case["id"])
    log_in(client, logins, "officer-water")

    response = client.post(f"/tasks/{task['id']}", data={"resolution_note": "Cleared"},
                           content_type="multipart/form-data")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="resolution_photo-error"' in page and "Add a photo of the fix." in page
    assert open_bpmn_ids(api, drain_case["id"]) == ["resolve"]


def test_the_service_completes_no_resolution_without_a_photo(api, drain_case):
    from casemgr.tasks import service as tasks
    from casemgr.tasks.models import Task

    task = session.get(Task, to_resolve(api, drain_case["id"])["id"])

    with pytest.raises(tasks.MissingPhoto):
        tasks.complete(task, accounts.find_user("officer-water"), {"resolution_note": "x"})
    session.rollback()
    assert fetch(drain_case["id"]).status == "assigned"


# -- photos that flag the resolution -----------------------------------------------------


def test_a_photo_taken_before_the_case_was_filed_flags_the_resolution(api, drain_case):
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    last_year = (utcnow() - timedelta(days=365)).replace(tzinfo=None, microsecond=0)

    resolve_with(api, case_id, photo(taken_at=last_year, position=NEAR))

    [flag] = details(case_id, "resolution_flagged")
    assert flag["reason"] == "photo_before_filing"
    assert (flag["resolver_id"], flag["unit_id"]) == (officer_id(), water_id())
    assert flag["taken_at"].startswith(str(last_year.year))
    assert fetch(case_id).status == "resolved"
    # A flagged fix still asks the reporter first; a happy answer does not close it.
    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 5})
    assert open_bpmn_ids(api, case_id) == ["validate_resolution"]
    [request] = details(case_id, "validation_requested")
    assert request == {"resolver_id": officer_id(), "unit_id": water_id(),
                       "reason": "photo_before_filing", "reasons": ["photo_before_filing"]}


def test_a_photo_taken_far_from_the_case_point_flags_the_resolution(api, drain_case):
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    just_now = (utcnow() + MINUTE).replace(tzinfo=None, microsecond=0)

    resolve_with(api, case_id, photo(taken_at=just_now, position=NEAR),
                 photo(taken_at=just_now, position=FAR))

    [flag] = details(case_id, "resolution_flagged")
    assert flag["reason"] == "photo_far_from_case"
    assert 300 < flag["distance_m"] < 450
    distances = sorted(a.distance_m for a in fetch_attachments(case_id))
    assert distances[0] < 20 and distances[1] > 300


def fetch_attachments(case_id):
    session.expire_all()
    return cases.attachments_of(case_id, "resolution")


def test_a_fresh_photo_on_the_spot_or_one_without_metadata_flags_nothing(api, drain_case):
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    just_now = (utcnow() + MINUTE).replace(tzinfo=None, microsecond=0)

    resolve_with(api, case_id, photo(taken_at=just_now, position=NEAR), photo())
    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 4})

    case = fetch(case_id)
    assert (case.status, case.outcome) == ("closed", "fixed")
    assert kinds(case_id) == []


# -- what sends a resolution to validation, and the validator's verdict --------------------


@pytest.mark.parametrize(
    "answer, reason",
    [({"fixed": False, "comment": "Still flooded"}, "not_fixed"),
     ({"fixed": True, "rating": 2}, "low_rating"),
     ({"fixed": True, "rating": 1}, "low_rating")],
    ids=["not-fixed", "rated-2", "rated-1"],
)
def test_unhappy_reporter_sends_the_resolution_to_validation(api, drain_case, answer, reason):
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")

    api.complete(case_id, "verify", "citizen", answer)

    assert open_bpmn_ids(api, case_id) == ["validate_resolution"]
    task = api.task(case_id, "validate_resolution", "escalation")
    assert (task["role"], task["form"]) == ("escalation_manager", "validate_resolution")
    [request] = details(case_id, "validation_requested")
    assert (request["reason"], request["resolver_id"], request["unit_id"]) == (
        reason, officer_id(), water_id())
    # Nobody in the resolving unit sees it as theirs.
    assert api.get(f"/tasks?case_id={case_id}", "sup-water").get_json()["items"] == []


def test_validator_confirms_and_the_case_closes(api, drain_case):
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")
    api.complete(case_id, "verify", "citizen", {"fixed": False, "comment": "Not sure"})

    api.complete(case_id, "validate_resolution", "escalation",
                 {"verdict": "confirm", "reason": "Site photo shows a clear grate"})

    case = fetch(case_id)
    assert (case.status, case.outcome) == ("closed", "fixed")
    [confirmed] = details(case_id, "resolution_confirmed")
    assert confirmed == {"resolver_id": officer_id(), "unit_id": water_id(),
                         "reason": "Site photo shows a clear grate",
                         "validator_id": accounts.find_user("escalation").id}
    assert kinds(case_id) == ["validation_requested", "resolution_confirmed"]


def test_validator_sends_it_back_to_resolve_with_a_reason(api, drain_case):
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")
    api.complete(case_id, "verify", "citizen", {"fixed": False})

    missing = api.complete(case_id, "validate_resolution", "escalation",
                           {"verdict": "reject"}, expect=422)
    assert "reason" in missing.get_json()["error"]["fields"]
    api.complete(case_id, "validate_resolution", "escalation",
                 {"verdict": "reject", "reason": "Water still on the road"})

    assert open_bpmn_ids(api, case_id) == ["resolve"]
    assert api.task(case_id, "resolve", "officer-water")["assignee"] == "officer-water"
    [rejected] = details(case_id, "resolution_rejected")
    assert (rejected["resolver_id"], rejected["unit_id"], rejected["reason"]) == (
        officer_id(), water_id(), "Water still on the road")

    # The second resolution, happily verified, closes the case.
    api.resolve(case_id, "officer-water", "Pumped out")
    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 5})
    assert fetch(case_id).status == "closed"
    assert kinds(case_id) == ["validation_requested", "resolution_rejected"]


@pytest.mark.parametrize("share, validated", [(1.0, True), (0.0, False)])
def test_a_configured_share_of_closures_is_drawn_for_validation(app, api, drain_case,
                                                                monkeypatch, share, validated):
    monkeypatch.setitem(app.config, "VALIDATION_SAMPLE_SHARE", share)
    case_id = drain_case["id"]
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")

    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 5})

    if validated:
        assert open_bpmn_ids(api, case_id) == ["validate_resolution"]
        assert details(case_id, "validation_requested")[0]["reason"] == "random_sample"
    else:
        assert fetch(case_id).status == "closed"
        assert kinds(case_id) == []


# -- nobody resolves, verifies or validates their own case --------------------------------


def second_water_officer():
    return accounts.create_user("officer-water-2", "pw-officer-2", ["field_officer"],
                                unit=accounts.find_unit("water"))


def test_staff_cannot_resolve_a_case_they_filed_and_it_skips_their_verify(api):
    second_water_officer()
    api.logins["officer-water-2"] = {"password": "pw-officer-2"}
    response = api.post("/cases", "officer-water", json={
        "category": "drains", "description": "Seen on my round", "lat": ROXBURY[0],
        "lon": ROXBURY[1]})
    assert response.status_code == 201, response.get_json()
    case_id = response.get_json()["id"]
    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    task = api.task(case_id, "resolve", "officer-water")
    refused = api.post(f"/tasks/{task['id']}/complete", "officer-water",
                       data={"resolution_note": "Done by me", "resolution_photo": photo()},
                       content_type="multipart/form-data")
    assert refused.status_code == 403
    assert "You filed this case" in refused.get_json()["error"]["message"]
    claim = api.post(f"/tasks/{task['id']}/claim", "officer-water")
    assert claim.status_code == 403

    # The supervisor hands it to a colleague, whose fix goes straight to validation.
    assert api.post(f"/tasks/{task['id']}/release", "sup-water").status_code == 200
    api.resolve(case_id, "officer-water-2", "Cleared")
    assert open_bpmn_ids(api, case_id) == ["validate_resolution"]
    [request] = details(case_id, "validation_requested")
    assert (request["reason"], request["resolver_id"]) == (
        "filed_by_staff", officer_id("officer-water-2"))
    # The staff reporter is not asked to confirm a fix they cannot verify.
    assert fetch(case_id).status == "validating"
    assert "resolved" not in {n.kind for n in notifications.of_case(case_id)}


def test_staff_reporter_cannot_verify_their_own_case(drain_case):
    officer = accounts.find_user("officer-water")
    case = SimpleNamespace(reporter_id=officer.id)
    verify = SimpleNamespace(form="verify", case=case)

    assert "You filed this case" in validation.refusal(verify, officer)
    citizen = accounts.find_user("citizen")
    assert validation.refusal(
        SimpleNamespace(form="verify", case=SimpleNamespace(reporter_id=citizen.id)),
        citizen) is None


def test_validator_from_the_resolving_unit_or_who_filed_it_is_refused(api):
    accounts.create_user("esc-water", "pw-esc-water", ["escalation_manager"],
                         unit=accounts.find_unit("water"))
    api.logins["esc-water"] = {"password": "pw-esc-water"}
    response = api.post("/cases", "escalation", json={
        "category": "drains", "description": "Seen from the car", "lat": ROXBURY[0],
        "lon": ROXBURY[1]})
    case_id = response.get_json()["id"]
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")

    task = api.task(case_id, "validate_resolution", "escalation")
    for who, words in (("escalation", "You filed this case"),
                       ("esc-water", "You work in the unit that resolved")):
        refused = api.post(f"/tasks/{task['id']}/complete", who,
                           json={"verdict": "confirm"})
        assert refused.status_code == 403
        assert words in refused.get_json()["error"]["message"]
    assert open_bpmn_ids(api, case_id) == ["validate_resolution"]


def test_validate_page_refuses_the_unit_with_its_reason(api, client, logins):
    accounts.create_user("esc-water", "pw-esc-water", ["escalation_manager"],
                         unit=accounts.find_unit("water"))
    case_id = file_complaint()
    to_resolve(api, case_id)
    resolve_with(api, case_id, photo(position=FAR))
    api.complete(case_id, "verify", "citizen", {"fixed": False})
    task = api.task(case_id, "validate_resolution", "escalation")

    client.post("/login", data={"username": "esc-water", "password": "pw-esc-water"})
    refused = client.post(f"/tasks/{task['id']}", data={"verdict": "confirm"})
    assert refused.status_code == 403
    assert "You work in the unit that resolved" in refused.get_data(as_text=True)

    client.post("/logout")
    client.post("/login", data={"username": "escalation",
                                "password": logins["escalation"]["password"]})
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "Validate the resolution" in page and "Photos of the fix" in page
    facts = "after.jpg: taken at a time the camera did not record,\n        36"
    assert facts in page and "m from the case point" in page
    done = client.post(f"/tasks/{task['id']}", data={"verdict": "reject",
                                                     "reason": "Not on the photos"})
    assert done.status_code == 302
    assert open_bpmn_ids(api, case_id) == ["resolve"]


# -- the verify timer --------------------------------------------------------------------


def test_no_answer_closes_the_case_after_the_configured_days(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    api.resolve(case_id, "officer-water", "Cleared")
    expires_at = MONDAY + timedelta(days=14)
    assert fetch(case_id).next_timer_due_at == expires_at

    clock.travel(expires_at - MINUTE)
    assert escalations.fire_due_timers()["fired"] == 0
    clock.travel(expires_at + MINUTE)
    assert escalations.fire_due_timers()["fired"] == 1

    case = fetch(case_id)
    assert (case.status, case.outcome, case.next_timer_due_at) == ("closed", "auto_closed",
                                                                    None)
    [expired] = events(case_id, "verify_expired")
    assert expired.is_public and "14 days" in expired.summary


def test_a_category_sets_its_own_verification_days(app, api, clock, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_DAYS", 30)
    case_id = file_complaint()
    fetch(case_id).category.verify_days = 3
    session.commit()
    try:
        to_resolve(api, case_id)
        api.resolve(case_id, "officer-water", "Cleared")
        assert fetch(case_id).next_timer_due_at == MONDAY + timedelta(days=3)
    finally:
        fetch(case_id).category.verify_days = None
        session.commit()


def test_no_answer_on_a_flagged_resolution_goes_to_validation(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    old = datetime(2025, 1, 1, 10, 0)
    resolve_with(api, case_id, photo(taken_at=old))

    clock.travel(MONDAY + timedelta(days=14) + MINUTE)
    escalations.fire_due_timers()

    assert fetch(case_id).status == "validating"
    assert open_bpmn_ids(api, case_id) == ["validate_resolution"]
    assert kinds(case_id) == ["resolution_flagged", "verify_expired", "validation_requested"]


# -- KPIs --------------------------------------------------------------------------------


def test_rejection_shares_per_unit_and_official(api):
    """One of two resolutions was rejected; the confirmed-only count would say one of one."""
    for answer, verdict in (({"fixed": False}, "reject"), ({"fixed": True, "rating": 5}, None)):
        case_id = file_complaint()
        to_resolve(api, case_id)
        api.resolve(case_id, "officer-water", "Cleared")
        api.complete(case_id, "verify", "citizen", answer)
        if verdict:
            api.complete(case_id, "validate_resolution", "escalation",
                         {"verdict": verdict, "reason": "Still wet"})

    units = api.get("/kpis", "admin", query_string={"group_by": "unit"}).get_json()["groups"]
    officials = api.get("/kpis", "admin", query_string={"group_by": "official"}).get_json()

    water = units["water"]
    assert (water["resolutions_completed"], water["resolutions_rejected"]) == (2, 1)
    assert water["rejected_share"] == 0.5
    assert officials["groups"]["officer-water"]["rejected_share"] == 0.5


# -- cases started before this version of the diagram ------------------------------------


def test_cases_started_before_validation_move_to_it_and_run_on(app, api):
    from pathlib import Path

    from casemgr.processes import migration
    from casemgr.processes import service as processes

    earlier = Path(__file__).with_name("bpmn") / "complaint-before-validation.bpmn"
    processes.deploy(earlier.read_text())
    session.commit()
    at_resolve, at_verify = file_complaint(), file_complaint()
    to_resolve(api, at_resolve)
    to_resolve(api, at_verify)
    api.resolve(at_verify, "officer-water", "Cleared")
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as current:
        target = processes.deploy(current.read())
    session.commit()

    moved, refused = migration.migrate(target, None)

    assert [c.case_id for c in moved] == [at_resolve]
    # Waiting at resolve, the case goes through the new gateway and the verify clock.
    api.resolve(at_resolve, "officer-water", "Cleared")
    assert fetch(at_resolve).next_timer_due_at is not None
    api.complete(at_resolve, "verify", "citizen", {"fixed": False})
    assert open_bpmn_ids(api, at_resolve) == ["validate_resolution"]
    # A case already waiting at verify would miss the verify timer: it stays where it is,
    # and still closes there.
    [stays] = refused
    assert stays.case_id == at_verify
    assert "verify has boundary events in the new version" in stays.reasons[0]
    api.complete(at_verify, "verify", "citizen", {"fixed": True, "rating": 5})
    assert (fetch(at_verify).status, fetch(at_verify).outcome) == ("closed", "fixed")
