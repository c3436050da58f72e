"""The outbox: queued with the case change, sent once, retried with backoff, failures shown."""

from datetime import timedelta

import pytest

from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.notifications import service as notifications
from casemgr.notifications.models import Notification


@pytest.fixture
def memory_mail(mailbox):
    """The memory backend of tests/functional/conftest.py."""
    return mailbox


@pytest.fixture
def case(drain_case, memory_mail):
    """A filed case whose own messages (received, new task) are already sent."""
    notifications.flush_outbox()
    memory_mail.outbox.clear()
    return cases.get(drain_case["id"])


def _queue(case, key="k-1"):
    notification_id = notifications.queue(
        "received",
        "warga@example.org",
        key,
        {"reference": case.reference, "category": "drains"},
        case=case,
    )
    session.commit()
    return notification_id


def test_a_message_is_queued_once_per_key_and_sent_once(memory_mail, case):
    notification_id = _queue(case)
    assert _queue(case) is None
    assert session.query(Notification).filter_by(idempotency_key="k-1").count() == 1

    assert notifications.deliver(notification_id) == "sent"
    assert notifications.deliver(notification_id) is None
    assert notifications.flush_outbox() == 0
    assert len(memory_mail.outbox) == 1
    assert case.reference in memory_mail.outbox[0]["subject"]


def test_a_failed_send_is_retried_later_with_backoff(memory_mail, case):
    notification_id = _queue(case)
    memory_mail.fail_times = 1

    assert notifications.deliver(notification_id) == "pending"
    stored = session.get(Notification, notification_id)
    assert stored.attempts == 1
    assert stored.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert notifications.flush_outbox() == 0  # not due yet

    stored.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert notifications.flush_outbox() == 1
    assert len(memory_mail.outbox) == 1


def test_a_final_failure_is_visible_on_the_case(memory_mail, case):
    notification_id = _queue(case)
    memory_mail.fail_times = notifications.MAX_ATTEMPTS
    for _ in range(notifications.MAX_ATTEMPTS):
        stored = session.get(Notification, notification_id)
        stored.next_attempt_at = utcnow() - timedelta(seconds=1)
        session.commit()
        notifications.flush_outbox()

    assert session.get(Notification, notification_id).status == "failed"
    kinds = [event.kind for event in history.events_of(case.id)]
    assert "notification_failed" in kinds
    assert memory_mail.outbox == []


def test_redis_down_keeps_the_message_in_the_outbox(app, memory_mail, case, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    notification_id = _queue(case)  # the enqueue after commit fails; the commit does not

    monkeypatch.setitem(app.config, "REDIS_URL", "")
    assert session.get(Notification, notification_id).status == "pending"
    assert notifications.flush_outbox() == 1
    assert memory_mail.outbox[0]["to"] == "warga@example.org"
