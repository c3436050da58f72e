"""Staff merge a duplicate into its original: one closes, the other keeps both histories."""

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.citizens import service as citizens
from casemgr.db import session
from casemgr.tasks import service as tasks
from tests.functional.citizen_cases import NEARBY, file, log_in, resident


def merge(client, duplicate, original_reference):
    return client.post(f"/cases/{duplicate.id}/merge", data={"original": original_reference})


def test_triage_merges_a_duplicate_and_the_original_keeps_both_histories(client, logins):
    original = file(reporter=accounts.find_user("citizen"))
    neighbour = resident("neighbour")
    duplicate = file(NEARBY, reporter=neighbour, wants_email=True)
    log_in(client, "triage", logins["triage"]["password"])

    staff_page = client.get(f"/cases/{duplicate.id}").get_data(as_text=True)
    assert 'id="merge-form"' in staff_page
    response = merge(client, duplicate, original.reference.lower())

    assert response.status_code == 302
    session.expire_all()
    duplicate, original = cases.get(duplicate.id), cases.get(original.id)
    assert (duplicate.status, duplicate.outcome) == ("closed", "duplicate")
    assert duplicate.duplicate_of_id == original.id and duplicate.closed_at is not None
    assert tasks.open_tasks_of(duplicate.id) == []
    assert original.status == "submitted" and original.is_open

    kinds = [(e.case_id, e.kind) for e in history.events_of(original.id)]
    assert (duplicate.id, "filed") in kinds and (duplicate.id, "merged") in kinds
    assert (original.id, "filed") in kinds and (original.id, "merged_in") in kinds
    # The duplicate's reporter now follows the original, counted as "me too".
    follower = citizens.find_follower(original, neighbour)
    assert follower.is_me_too and follower.wants_email

    track = client.get(f"/track/{duplicate.reference}").get_data(as_text=True)
    assert 'id="merged-into"' in track and f"/track/{original.reference}" in track


def test_merge_refuses_what_it_cannot_do_and_stores_nothing(client, logins, api):
    original = file()
    duplicate = file(NEARBY)
    waste = file(NEARBY, category="waste", description="Bags on the corner")
    log_in(client, "triage", logins["triage"]["password"])

    assert merge(client, duplicate, "CM-1999-000001").status_code == 422
    assert merge(client, duplicate, duplicate.reference).status_code == 422
    assert merge(client, duplicate, "").status_code == 422
    assert merge(client, waste, original.reference).status_code == 422
    assert client.post("/cases/999999/merge", data={"original": "x"}).status_code == 404

    assert merge(client, duplicate, original.reference).status_code == 302
    third = file(NEARBY)
    assert merge(client, third, cases.get(duplicate.id).reference).status_code == 422
    assert merge(client, cases.get(duplicate.id), original.reference).status_code == 409
    session.expire_all()
    assert cases.get(third.id).status == "submitted"
    assert cases.get(waste.id).duplicate_of_id is None


def test_only_mergers_of_the_case_s_unit_may_merge(client, logins):
    original = file()
    duplicate = file(NEARBY)

    for username, expected in (("citizen", 403), ("sup-lighting", 403),
                               ("officer-water", 403)):
        log_in(client, username, logins[username]["password"])
        assert merge(client, duplicate, original.reference).status_code == expected, username
        client.post("/logout")

    log_in(client, "sup-water", logins["sup-water"]["password"])
    assert merge(client, duplicate, original.reference).status_code == 302
    client.post("/logout")
    assert client.post(f"/cases/{duplicate.id}/merge",
                       data={"original": original.reference}).status_code == 302  # to login
    session.expire_all()
    assert cases.get(duplicate.id).outcome == "duplicate"
