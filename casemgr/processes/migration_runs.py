"""Batch migrations as recorded runs: started from a page or the API, run as a job.

The run row holds the counts the page polls. Each case is moved on its own, so one that
fails, even unexpectedly, is written down and the others go on.

The job beats a heartbeat (`migration-run-<id>`) when it starts and after each batch. A
queued or running run with no beat for MIGRATION_STALE_MINUTES (counted from its start
when it has none) has lost its worker: the first read of it records it as failed,
"worker stopped", so that an owner can start the migration again.
"""

import json
import logging
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from casemgr import jobs
from casemgr.accounts import service as accounts
from casemgr.db import session, utcnow
from casemgr.ops import service as ops
from casemgr.processes import jobs as process_jobs
from casemgr.processes import migration
from casemgr.processes import service as processes
from casemgr.processes.models import MigrationRun

log = logging.getLogger(__name__)

#: Cases moved between two saves of the run's counts.
BATCH_SIZE = 25
#: The start of the error of a run whose job stopped showing progress.
WORKER_STOPPED = "worker stopped"


class RunAbandoned(Exception):
    """The run was recorded as failed while its job was still going: the job stops."""


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
    """The run, recorded as failed first if its worker stopped; None if there is none."""
    run = session.get(MigrationRun, run_id)
    if run is not None:
        fail_if_stale(run)
    return run


def _beat_name(run_id):
    return f"migration-run-{run_id}"


def _stale_after():
    return timedelta(minutes=current_app.config["MIGRATION_STALE_MINUTES"])


def last_progress_at(run):
    """When the run last showed life: its job's last beat, else the moment it started."""
    return ops.last_beat(_beat_name(run.id)) or run.created_at


def is_stale(run):
    """A queued or running run whose job showed no progress for the stale time."""
    if run.is_finished:
        return False
    return utcnow() - last_progress_at(run) > _stale_after()


def fail_if_stale(run):
    """Record a run whose worker stopped as failed, so that an owner can start it again."""
    if not is_stale(run):
        return
    since = last_progress_at(run)
    minutes = current_app.config["MIGRATION_STALE_MINUTES"]
    log.warning("migration run %s shows no progress since %s: its worker stopped", run.id,
                since.isoformat())
    _finish(run.id, "failed", f"{WORKER_STOPPED}: no progress for more than {minutes} "
                              f"minutes (last at {since.isoformat(timespec='seconds')})")


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
    ops.record_beat(_beat_name(run_id))

    try:
        case_ids = json.loads(run.case_ids)
        for start_at in range(0, len(case_ids), BATCH_SIZE):
            _move_batch(run_id, target, actor, case_ids[start_at:start_at + BATCH_SIZE])
    except RunAbandoned:
        log.warning("migration run %s was recorded as failed meanwhile; its job stops", run_id)
        return
    except Exception as exc:  # noqa: BLE001 - whatever broke, the run row must say so
        # The job itself broke (the database went away, say): the run says so.
        log.exception("migration run %s broke", run_id)
        session.rollback()
        _finish(run_id, "failed", f"{type(exc).__name__}: {exc}")
        return
    _finish(run_id, "done")


def _running(run_id):
    """The run as stored now; RunAbandoned once it is no longer running."""
    run = session.get(MigrationRun, run_id, populate_existing=True)
    if run.status != "running":
        raise RunAbandoned(run_id)
    return run


def _move_batch(run_id, target, actor, case_ids):
    _running(run_id)
    moved, failures = 0, []
    for case_id in case_ids:
        done, failure = _move_one(target, actor, case_id)
        moved += done
        if failure:
            failures.append(failure)

    run = session.get(MigrationRun, run_id, populate_existing=True)
    run.moved += moved
    run.failed += len(failures)
    run.failures = json.dumps(failures_of(run) + failures)
    session.commit()
    if run.status == "running":
        ops.record_beat(_beat_name(run_id))


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
    run = session.get(MigrationRun, run_id)
    run.status = status
    run.error = error
    run.finished_at = utcnow()
    ops.forget_beat(_beat_name(run_id))
    session.commit()
    log.info("migration run %s %s: %s moved, %s failed of %s", run_id, status, run.moved,
             run.failed, run.total)


def runs_of(process_key, limit=20):
    """The latest runs of a process, those whose worker stopped recorded as failed."""
    query = (select(MigrationRun).where(MigrationRun.process_key == process_key)
             .order_by(MigrationRun.id.desc()).limit(limit))
    runs = list(session.scalars(query))
    for run in runs:
        fail_if_stale(run)
    return runs
