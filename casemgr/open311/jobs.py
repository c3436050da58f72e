"""RQ jobs of Open311: filing a request that was queued (asynchronous intake)."""

from casemgr.jobs import job


@job
def file_pending(pending_id):
    from casemgr.open311 import service

    return service.file_pending(pending_id)
