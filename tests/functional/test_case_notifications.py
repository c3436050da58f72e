"""Who hears what as a case moves: rows queued with the change, each once, then delivered."""

from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.notifications import service as notifications
from casemgr.notifications import triggers
from casemgr.tasks import service as tasks
from tests.functional.sla_cases import fetch, file_complaint, outbox, to_resolve


def second_water_supervisor():
    return accounts.create_user("sup-water-2", "pw-sup-2", ["unit_supervisor"],
                                unit=accounts.find_unit("water"), email="sup2@demo.invalid")


def test_filing_tells_the_reporter_by_the_email_given(clock):
    anonymous = file_complaint(reporter=None, reporter_email="warga@example.org")
    with_account = file_complaint()

    assert outbox(anonymous, "received") == ["warga@example.org"]
    assert outbox(with_account, "received") == ["citizen@demo.invalid"]


def test_a_new_task_is_announced_to_the_people_who_may_work_on_it(api, clock):
    second_water_supervisor()
    case_id = file_complaint()
    assert outbox(case_id, "new_task") == ["triage@demo.invalid"]  # a city-wide role

    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    # The assign task: every supervisor of the water unit, nobody of another unit.
    assert outbox(case_id, "new_task") == [
        "sup-water@demo.invalid", "sup2@demo.invalid", "triage@demo.invalid"]

    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    # The resolve task goes to its assignee alone.
    assert outbox(case_id, "new_task") == [
        "officer-water@demo.invalid", "sup-water@demo.invalid", "sup2@demo.invalid",
        "triage@demo.invalid"]
    assert outbox(case_id, "assigned") == ["citizen@demo.invalid"]


def test_each_message_is_queued_once(api, clock):
    case_id = file_complaint()
    to_resolve(api, case_id)
    before = sorted(n.idempotency_key for n in notifications.of_case(case_id))

    case = fetch(case_id)
    triggers.case_filed(case)
    for task in tasks.open_tasks_of(case_id):
        triggers.task_created(task)

    after = sorted(n.idempotency_key for n in notifications.of_case(case_id))
    assert after == before
    assert len(set(after)) == len(after)


def test_flush_delivers_every_queued_message_once(api, clock, mailbox):
    case_id = file_complaint()
    to_resolve(api, case_id)
    queued = notifications.of_case(case_id)
    assert {n.status for n in queued} == {"pending"}

    assert notifications.flush_outbox() == len(queued)

    assert sorted(m["to"] for m in mailbox.outbox) == sorted(n.recipient_email for n in queued)
    reference = cases.get(case_id).reference
    assert all(reference in m["subject"] for m in mailbox.outbox)
    assert {n.status for n in notifications.of_case(case_id)} == {"sent"}
    assert notifications.flush_outbox() == 0
    assert len(mailbox.outbox) == len(queued)
