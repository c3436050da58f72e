"""Delivery jobs on RQ: a burst of filings queues one job, and nothing is left behind.

Needs Redis (.ci/run sets REDIS_URL); the embedded mode queues no jobs at all.
"""

import os
import uuid

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from casemgr.db import session
from casemgr.notifications import service as notifications
from casemgr.notifications.models import Notification
from tests.functional.sla_cases import file_complaint

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)"
)


@pytest.fixture
def rq_queue(app, monkeypatch):
    name = f"outbox-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", os.environ["REDIS_URL"])
    monkeypatch.setitem(app.config, "QUEUE_NAME", name)
    queue = Queue(name, connection=Redis.from_url(os.environ["REDIS_URL"]))
    yield queue
    queue.delete(delete_jobs=True)
    queue.connection.delete(notifications.DELIVERY_QUEUED.format(queue=name))


def statuses():
    rows = session.scalars(select(Notification.status).order_by(Notification.id)).all()
    session.rollback()
    return rows


def test_a_burst_of_filings_queues_one_delivery_job_that_sends_them_all(
    rq_queue, mailbox
):
    for _ in range(3):
        file_complaint()

    # Each filing queued a received and a new-task message; one job waits for all six.
    assert statuses() == ["pending"] * 6
    assert [job.func_name for job in rq_queue.jobs] == [
        "casemgr.notifications.jobs.deliver_outbox"]

    rq_queue.jobs[0].perform()
    assert statuses() == ["sent"] * 6
    assert len(mailbox.outbox) == 6


def test_a_filing_after_the_job_started_queues_the_next_one(rq_queue, mailbox):
    file_complaint()
    first = rq_queue.jobs[0]
    first.perform()
    rq_queue.remove(first)

    # The running job cleared the flag first, so this filing is not left for the sweep.
    file_complaint()
    assert len(rq_queue.jobs) == 1
    rq_queue.jobs[0].perform()
    assert statuses() == ["sent"] * 4


def test_a_starting_worker_takes_over_from_a_job_that_died(rq_queue, mailbox):
    # A job that died with its worker: the flag stays, so filings queue nothing.
    rq_queue.connection.set(notifications.DELIVERY_QUEUED.format(queue=rq_queue.name), "1")
    file_complaint()
    assert rq_queue.jobs == []

    notifications.resume_delivery()  # what `casemgr worker` does first

    assert len(rq_queue.jobs) == 1
    rq_queue.jobs[0].perform()
    assert statuses() == ["sent"] * 2
