"""RQ jobs of the notifications feature."""

from casemgr.jobs import job


# Versions before the outbox delivery job queued one of these per message: kept so that
# jobs still waiting in Redis through an upgrade run rather than fail.
@job
def deliver(notification_id):
    from casemgr.notifications import service

    return service.deliver(notification_id)


@job
def flush_outbox(limit=200):
    from casemgr.notifications import service

    return service.flush_outbox(limit)


@job
def deliver_outbox(limit=500):
    from casemgr.notifications import service

    return service.deliver_outbox(limit)
