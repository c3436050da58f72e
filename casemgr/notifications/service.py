"""Queue messages in the outbox with their cause's transaction, and deliver them later.

A message is a row first: queueing it never talks to Redis or a mail server, so intake
works while either is down. After the transaction commits, a delivery job is queued unless
one is already waiting; the outbox sweep picks up whatever that missed (Redis down) and
retries with backoff.
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


#: Set while a delivery job waits in the queue, so that a burst of filings queues one job.
DELIVERY_QUEUED = "casemgr:{queue}:outbox-delivery-queued"
#: How long the flag may outlive a job that never ran; the outbox sweep covers that gap.
DELIVERY_FLAG_SECONDS = 60


def queue(kind, recipient_email, key, context, case=None, user_id=None, locale=None):
    """Add a message to the outbox in the current transaction; once per key.

    Returns the new row's id, or None when there is no address or the key was used before.
    `locale` is the recipient's language, read with the address (None: the city's default).
    """
    if not recipient_email:
        return None
    subject, body = messages.render(kind, context, locale)
    values = {
        "case_id": getattr(case, "id", None),
        "recipient_user_id": user_id,
        "recipient_email": recipient_email,
        "kind": kind,
        "subject": subject[:300],
        "body": body,
        "idempotency_key": key[:200],
    }
    notification_id = session.execute(_insert_once(values)).scalar()
    if notification_id is not None:
        session.info.setdefault("queued_notifications", []).append(notification_id)
    return notification_id


def _insert_once(values):
    """INSERT ... ON CONFLICT DO NOTHING on the key: one statement, not a look then a write."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Notification).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    return statement.returning(Notification.id)


@event.listens_for(session, "after_commit")
def _enqueue_after_commit(committed_session):
    queued = committed_session.info.pop("queued_notifications", [])
    if not queued or not current_app.config["REDIS_URL"]:
        return
    try:
        request_delivery()
    except Exception as exc:  # noqa: BLE001 - Redis down: the outbox sweep sends it later
        log.warning("notifications %s stay in the outbox: %s", queued, exc)


def request_delivery():
    """Queue one job that delivers the outbox, unless one is already waiting.

    One job per message made the workers spend more on RQ's own bookkeeping than on the
    messages. A job waiting in the queue will see every row committed before it starts.
    """
    from casemgr import jobs
    from casemgr.notifications.jobs import deliver_outbox

    redis = jobs.redis_connection()
    if redis.set(_delivery_flag(), "1", nx=True, ex=DELIVERY_FLAG_SECONDS):
        jobs.enqueue(deliver_outbox)


def _delivery_flag():
    # Per queue: two cities (or test runs) sharing one Redis keep their own flag.
    return DELIVERY_QUEUED.format(queue=current_app.config["QUEUE_NAME"])


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


def deliver_outbox(limit=500):
    """The delivery job: send whatever is due, then let the next filing queue a job.

    The flag stays set while the job sends, so that messages committed meanwhile join this
    job instead of queueing one each.
    """
    sent = 0
    while True:
        batch = flush_outbox(limit)
        sent += batch
        if batch == 0:
            break
    resume_delivery()
    return sent


def resume_delivery():
    """Clear the delivery flag, then queue a job if messages are due.

    At the end of a delivery job: the flag is cleared before the last look for due rows,
    so a row committed after that look finds it cleared and queues the next job. At a
    worker's start: a job that died with its worker left the flag set, and until it
    expired no filing would queue a job (only the scheduler's outbox sweep would send).
    """
    from casemgr import jobs

    jobs.redis_connection().delete(_delivery_flag())
    if _due_ids(1):
        request_delivery()


def _due_ids(limit):
    due = list(
        session.scalars(
            select(Notification.id)
            .where(Notification.status == "pending", Notification.next_attempt_at <= utcnow())
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
    )
    session.rollback()
    return due


def flush_outbox(limit=200):
    """Deliver pending messages whose time has come; return how many were sent."""
    return sum(deliver(notification_id) == "sent" for notification_id in _due_ids(limit))


def of_case(case_id):
    return list(
        session.scalars(
            select(Notification).where(Notification.case_id == case_id).order_by(Notification.id)
        )
    )
