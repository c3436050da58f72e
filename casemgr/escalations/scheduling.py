"""Run the periodic jobs: the timer sweep and the outbox flush.

With Redis, RQ's cron scheduler enqueues them and workers run them; without it (embedded
mode) one loop in this process runs them itself.
"""

import logging
import threading
import time

from flask import current_app

log = logging.getLogger(__name__)


def periodic_jobs():
    from casemgr.escalations.jobs import sweep_timers
    from casemgr.notifications.jobs import flush_outbox

    return (sweep_timers, flush_outbox)


def run_rq_scheduler(interval):
    """Enqueue the periodic jobs every `interval` seconds; workers run them (blocks)."""
    from rq.cron import CronScheduler

    from casemgr import jobs

    cron = CronScheduler(connection=jobs.redis_connection(), name="casemgr-periodic")
    for func in periodic_jobs():
        cron.register(
            func,
            queue_name=current_app.config["QUEUE_NAME"],
            interval=interval,
            job_timeout=300,
            ttl=max(interval * 3, 30),
        )
    log.info("periodic jobs scheduled on RQ every %ss", interval)
    cron.start()


def run_in_process(interval, stop=None):
    """Run the periodic jobs here every `interval` seconds until `stop` is set (blocks)."""
    stop = stop or threading.Event()
    log.info("periodic jobs run in-process every %ss (no REDIS_URL)", interval)
    while not stop.is_set():
        started = time.monotonic()
        for func in periodic_jobs():
            try:
                func()
            except Exception:  # noqa: BLE001 - one failed run must not end the loop
                log.exception("periodic job %s failed", func.__name__)
        stop.wait(max(interval - (time.monotonic() - started), 0))
