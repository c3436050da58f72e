"""Real RQ worker processes racing over due timers, and one killed mid-sweep.

Needs Redis: .ci/run sets REDIS_URL (and PostgreSQL); without it these tests are skipped
with that reason, since the embedded mode has no workers to test.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemgr import loadgen
from casemgr.cases.models import Case, CaseEvent
from casemgr.db import session, utcnow

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)"
)

ROOT = Path(__file__).resolve().parents[2]
DUE = 1_000


@pytest.fixture
def rq_queue():
    from redis import Redis
    from rq import Queue

    queue = Queue(
        f"test-{uuid.uuid4().hex[:8]}", connection=Redis.from_url(os.environ["REDIS_URL"])
    )
    yield queue
    queue.delete(delete_jobs=True)


@pytest.fixture
def due_cases(app):
    template = loadgen.case_waiting_at_resolve(utcnow() + timedelta(days=1))
    moments = [utcnow() - timedelta(hours=1, seconds=i) for i in range(DUE)]
    loadgen.clone_cases(template, moments, "RACE")
    return DUE


def worker(app, queue, log_dir, burst=True):
    """Start `flask casemgr worker` as its own process; its log goes to `log_dir`."""
    env = dict(
        os.environ,
        DATABASE_URL=app.config["DATABASE_URL"],
        CASEMGR_QUEUE=queue.name,
        CASEMGR_ENV="test",
        SECRET_KEY="test",
    )
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "casemgr", "worker"]
    with open(log_dir / f"worker-{uuid.uuid4().hex[:6]}.log", "w") as log:
        return subprocess.Popen(
            command + (["--burst"] if burst else []),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def fires_per_case():
    rows = session.execute(
        select(Case.reference, func.count(CaseEvent.id))
        .join(CaseEvent, (CaseEvent.case_id == Case.id) & (CaseEvent.kind == "timer"))
        .where(Case.reference.like("RACE-%"))
        .group_by(Case.reference)
    ).all()
    session.rollback()
    return dict(rows)


def sweep_jobs(queue, jobs, limit):
    for _ in range(jobs):
        queue.enqueue("casemgr.escalations.jobs.sweep_timers", limit)


def test_two_workers_fire_each_due_timer_once(app, rq_queue, due_cases, tmp_path):
    sweep_jobs(rq_queue, jobs=10, limit=100)
    workers = [worker(app, rq_queue, tmp_path), worker(app, rq_queue, tmp_path)]
    for process in workers:
        assert process.wait(timeout=600) == 0

    fired = fires_per_case()
    assert len(fired) == due_cases
    assert set(fired.values()) == {1}


def test_a_worker_killed_mid_sweep_loses_nothing_and_fires_nothing_twice(
    app, rq_queue, due_cases, tmp_path
):
    sweep_jobs(rq_queue, jobs=20, limit=50)
    victim = worker(app, rq_queue, tmp_path, burst=False)
    deadline = time.monotonic() + 300
    while len(fires_per_case()) < 150 and time.monotonic() < deadline:
        time.sleep(0.2)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert 0 < len(fires_per_case()) < due_cases

    sweep_jobs(rq_queue, jobs=1, limit=DUE)
    assert worker(app, rq_queue, tmp_path).wait(timeout=600) == 0

    fired = fires_per_case()
    assert len(fired) == due_cases
    assert set(fired.values()) == {1}
