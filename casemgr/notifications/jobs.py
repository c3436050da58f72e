"""RQ jobs of the notifications feature."""

from casemgr.jobs import job


@job
def deliver(notification_id):
    from casemgr.notifications import service

    return service.deliver(notification_id)


@job
def flush_outbox(limit=200):
    from casemgr.notifications import service

    return service.flush_outbox(limit)
