"""GET /healthz: the database, Redis, queue depths and the last timer sweep."""

import os
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from casemgr.db import session, utcnow
from casemgr.escalations import jobs as escalation_jobs
from tests.functional.servers import THROWAWAY_REDIS_PORT

NOBODY_LISTENS = f"redis://127.0.0.1:{THROWAWAY_REDIS_PORT + 8}/0"


def test_healthy_without_redis(client):
    response = client.get("/healthz")
    body = response.get_json()

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["database_latency_ms"] >= 0
    assert body["redis"] == "not configured"
    assert body["redis_latency_ms"] is None
    assert body["queues"] == {}


def test_last_sweep_is_the_moment_of_the_latest_timer_sweep(client):
    before = utcnow()
    escalation_jobs.sweep_timers()

    body = client.get("/healthz").get_json()

    swept_at = datetime.fromisoformat(body["last_sweep_at"])
    assert before <= swept_at <= utcnow()
    assert 0 <= body["sweep_age_seconds"] <= 5


def test_a_late_sweep_is_reported_not_judged(client, monkeypatch):
    escalation_jobs.sweep_timers()
    later = utcnow() + timedelta(hours=1)
    monkeypatch.setattr("casemgr.ops.health.utcnow", lambda: later)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["sweep_age_seconds"] >= 3599


def test_unreachable_redis_is_unhealthy(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", NOBODY_LISTENS)

    response = client.get("/healthz")
    body = response.get_json()

    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["redis"] == "unreachable"
    assert body["database"] == "ok"


def test_unreachable_database_is_unhealthy(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(session, "execute", refuse)

    response = client.get("/healthz")
    body = response.get_json()

    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["database"] == "unreachable"
    assert body["database_latency_ms"] is None


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)")
def test_queue_depths_come_from_redis(app, client, monkeypatch):
    from casemgr import jobs

    name = f"health-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", os.environ["REDIS_URL"])
    monkeypatch.setitem(app.config, "QUEUE_NAME", name)
    queue = jobs.queue()
    try:
        for _ in range(3):
            queue.enqueue("casemgr.escalations.jobs.sweep_timers")

        response = client.get("/healthz")
    finally:
        queue.delete(delete_jobs=True)
    body = response.get_json()

    assert response.status_code == 200
    assert body["redis"] == "ok"
    assert body["redis_latency_ms"] >= 0
    assert body["queues"] == {name: {"queued": 3, "failed": 0}}
