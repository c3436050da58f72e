"""Batch migrations as recorded runs: started from a page or the API, run as a job.

The run row holds the counts the page polls. Each case is moved on its own, so one that
fails, even unexpectedly, is written down and the others go on.
"""

import json
import logging

from redis.exceptions import RedisError
from sqlalchemy import select

from casemgr import jobs
from casemgr.accounts import service as accounts
from casemgr.db import session, utcnow
from casemgr.processes import jobs as process_jobs
from casemgr.processes import migration
from casemgr.processes import service as processes
from casemgr.processes.models import MigrationRun

log = logging.getLogger(__name__)

#: Cases moved between two saves of the run's counts.
BATCH_SIZE = 25


def start(target, actor, case_ids=None):
    """Record a run of the open cases that are not on `target` yet, and queue its job."""
    candidates = migration.open_case_ids(target, case_ids)
    run = MigrationRun(
        process_key=target.process_key,
        target_version_id=target.id,
        status="queued",
        case_ids=json.dumps(candidates),
        total=len(candidates),
        started_by_id=getattr(actor, "id", None),
    )
    session.add(run)
    session.commit()
    run_id = run.id
    log.info("migration run %s of %s to v%s started by %s: %s cases", run_id,
             target.process_key, target.version, getattr(actor, "username", "system"),
             run.total)

    try:
        jobs.enqueue(process_jobs.run_migration, run_id, job_id=f"migration-run-{run_id}")
    except RedisError as exc:
        # No case has moved: the run says why instead of waiting forever for a worker.
        log.error("migration run %s could not be queued: %s", run_id, exc)
        _finish(run_id, "failed", f"the job queue is unreachable: {exc}")
    return run_id


def get(run_id):
    return session.get(MigrationRun, run_id)


def failures_of(run):
    return json.loads(run.failures or "[]")


def execute(run_id):
    """Move the run's cases in batches, saving the counts after each batch."""
    run = get(run_id)
    if run is None or run.status != "queued":
        log.warning("migration run %s is not waiting to run", run_id)
        return
    target = processes.get_version(run.target_version_id)
    actor = accounts.get_user(run.started_by_id) if run.started_by_id else None
    run.status = "running"
    session.commit()

    try:
        case_ids = json.loads(run.case_ids)
        for start_at in range(0, len(case_ids), BATCH_SIZE):
            _move_batch(run_id, target, actor, case_ids[start_at:start_at + BATCH_SIZE])
    except Exception as exc:  # noqa: BLE001 - whatever broke, the run row must say so
        # The job itself broke (the database went away, say): the run says so.
        log.exception("migration run %s broke", run_id)
        session.rollback()
        _finish(run_id, "failed", f"{type(exc).__name__}: {exc}")
        return
    _finish(run_id, "done")


def _move_batch(run_id, target, actor, case_ids):
    moved, failures = 0, []
    for case_id in case_ids:
        done, failure = _move_one(target, actor, case_id)
        moved += done
        if failure:
            failures.append(failure)

    run = get(run_id)
    run.moved += moved
    run.failed += len(failures)
    run.failures = json.dumps(failures_of(run) + failures)
    session.commit()


def _move_one(target, actor, case_id):
    """(1, None) when the case moved, (0, failure) when it did not."""
    try:
        moved, refused = migration.migrate(target, actor, [case_id])
    except Exception as exc:  # noqa: BLE001 - one broken case must not stop the others
        log.exception("case %s could not be migrated to %s v%s", case_id, target.process_key,
                      target.version)
        session.rollback()
        return 0, {"case_id": case_id, "reference": None,
                   "reason": f"unexpected error: {type(exc).__name__}"}
    if moved:
        return 1, None
    if refused:
        check = refused[0]
        return 0, {"case_id": case_id, "reference": check.reference,
                   "reason": "; ".join(check.reasons)}
    return 0, {"case_id": case_id, "reference": None,
               "reason": "no longer open on an older version of the process"}


def _finish(run_id, status, error=None):
    run = get(run_id)
    run.status = status
    run.error = error
    run.finished_at = utcnow()
    session.commit()
    log.info("migration run %s %s: %s moved, %s failed of %s", run_id, status, run.moved,
             run.failed, run.total)


def runs_of(process_key, limit=20):
    query = (select(MigrationRun).where(MigrationRun.process_key == process_key)
             .order_by(MigrationRun.id.desc()).limit(limit))
    return list(session.scalars(query))
