"""Queue messages in the outbox with their cause's transaction, and deliver them later.

A message is a row first: queueing it never talks to Redis or a mail server, so intake
works while either is down. After the transaction commits, a delivery job is queued; the
outbox sweep picks up whatever that missed (Redis down) and retries with backoff.
"""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import event, select

from casemgr.db import session, utcnow
from casemgr.notifications import backends, messages
from casemgr.notifications.models import Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: Delay before the n-th retry: 30 s, 1 min, 2 min, 4 min, ...
FIRST_RETRY = timedelta(seconds=30)


def queue(kind, recipient_email, key, context, case=None, user_id=None):
    """Add a message to the outbox in the current transaction; once per key."""
    if not recipient_email:
        return None
    if session.scalar(select(Notification.id).where(Notification.idempotency_key == key)):
        return None
    subject, body = messages.render(kind, context, _recipient_locale(user_id))
    notification = Notification(
        case_id=getattr(case, "id", None),
        recipient_user_id=user_id,
        recipient_email=recipient_email,
        kind=kind,
        subject=subject[:300],
        body=body,
        idempotency_key=key[:200],
    )
    session.add(notification)
    session.info.setdefault("queued_notifications", []).append(notification)
    return notification


def _recipient_locale(user_id):
    """The language the recipient chose, else None for the city's default."""
    from casemgr.accounts.models import User

    return session.scalar(select(User.locale).where(User.id == user_id)) if user_id else None


@event.listens_for(session, "after_commit")
def _enqueue_after_commit(committed_session):
    queued = committed_session.info.pop("queued_notifications", [])
    if not queued or not current_app.config["REDIS_URL"]:
        return
    from casemgr import jobs
    from casemgr.notifications.jobs import deliver

    for notification in queued:
        try:
            jobs.enqueue(deliver, notification.id, job_id=f"notify-{notification.id}")
        except Exception as exc:  # noqa: BLE001 - Redis down: the outbox sweep sends it later
            log.warning("notification %s stays in the outbox: %s", notification.id, exc)


@event.listens_for(session, "after_rollback")
def _forget_after_rollback(rolled_back_session):
    rolled_back_session.info.pop("queued_notifications", None)


def _claim(notification_id):
    query = select(Notification).where(
        Notification.id == notification_id, Notification.status == "pending"
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query.execution_options(populate_existing=True))


def deliver(notification_id):
    """Send one pending message; return its status afterwards, or None if not pending."""
    notification = _claim(notification_id)
    if notification is None:
        session.rollback()
        return None

    backend = backends.backend_for(current_app.config)
    notification.attempts += 1
    try:
        backend.send(notification.recipient_email, notification.subject, notification.body)
    except backends.DeliveryError as exc:
        _failed_attempt(notification, exc)
    else:
        notification.status = "sent"
        notification.sent_at = utcnow()
        notification.last_error = None
        log.info(
            "notification %s (%s) sent to %s",
            notification.id,
            notification.kind,
            notification.recipient_email,
        )
    session.commit()
    return notification.status


def _failed_attempt(notification, exc):
    notification.last_error = str(exc)[:2000]
    if notification.attempts < MAX_ATTEMPTS:
        delay = FIRST_RETRY * (2 ** (notification.attempts - 1))
        notification.next_attempt_at = utcnow() + delay
        log.warning(
            "notification %s attempt %s failed, retry in %s: %s",
            notification.id,
            notification.attempts,
            delay,
            exc,
        )
        return

    notification.status = "failed"
    log.error(
        "notification %s failed for good after %s attempts: %s",
        notification.id,
        notification.attempts,
        exc,
    )
    if notification.case_id:
        from casemgr.cases import history
        from casemgr.cases import service as cases

        history.record(
            cases.get(notification.case_id),
            "notification_failed",
            f"Could not send the {notification.kind} message to "
            f"{notification.recipient_email}: {exc}",
            None,
            {"notification_id": notification.id},
        )


def flush_outbox(limit=200):
    """Deliver pending messages whose time has come; return how many were sent."""
    due = list(
        session.scalars(
            select(Notification.id)
            .where(Notification.status == "pending", Notification.next_attempt_at <= utcnow())
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
    )
    session.rollback()
    return sum(deliver(notification_id) == "sent" for notification_id in due)


def of_case(case_id):
    return list(
        session.scalars(
            select(Notification).where(Notification.case_id == case_id).order_by(Notification.id)
        )
    )
