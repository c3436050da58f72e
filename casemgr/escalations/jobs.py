"""RQ jobs of the escalations feature: the timer sweep."""

import logging

from casemgr.jobs import job

log = logging.getLogger(__name__)

#: Cases one sweep job fires before it hands the rest to the next job.
SWEEP_BATCH = 200


@job
def sweep_timers(limit=SWEEP_BATCH):
    """Fire the due timers of up to `limit` cases; queue another sweep if more are due."""
    from casemgr import jobs
    from casemgr.escalations import service
    from casemgr.ops import service as ops

    result = service.fire_due_timers(limit=limit)
    result["at_risk"] = service.flag_at_risk()
    # /healthz shows this moment, so a stopped scheduler is visible from any host.
    ops.record_beat(ops.TIMER_SWEEP)
    if result["remaining"] and jobs.queue() is not None:
        jobs.enqueue(sweep_timers, limit)
    return result
