"""GET /healthz: can this app server reach its database and Redis, and is the sweep alive?

The answer is 503 when a required part is down: the database always, Redis when REDIS_URL
is set. The queue depths and the last timer sweep are reported, not judged: a late sweep
means the scheduler needs a look, not that this app server should leave the load balancer.
"""

import logging
import time

from flask import current_app, jsonify
from sqlalchemy import text

from casemgr.db import session, utcnow
from casemgr.ops import service

log = logging.getLogger(__name__)

#: Seconds a health check waits for Redis before calling it unreachable.
REDIS_TIMEOUT = 2


def _timed(check):
    started = time.perf_counter()
    check()
    return round((time.perf_counter() - started) * 1000, 1)


def database_health():
    """("ok", latency in ms, last sweep moment) or ("unreachable", None, None)."""
    try:
        latency = _timed(lambda: session.execute(text("SELECT 1")))
        last_sweep_at = service.last_beat(service.TIMER_SWEEP)
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        log.error("health check: database unreachable: %s", exc)
        session.rollback()
        return "unreachable", None, None
    session.rollback()
    return "ok", latency, last_sweep_at


def redis_health(url, queue_name):
    """("ok", latency in ms, {queue: depth}), ("unreachable", None, {}) or not configured."""
    if not url:
        return "not configured", None, {}
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    connection = Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        latency = _timed(connection.ping)
        queue = Queue(queue_name, connection=connection)
        depths = {queue_name: {"queued": queue.count, "failed": queue.failed_job_registry.count}}
    except (RedisError, OSError) as exc:
        log.error("health check: Redis unreachable: %s", exc)
        return "unreachable", None, {}
    finally:
        connection.close()
    return "ok", latency, depths


def healthz():
    database, database_ms, last_sweep_at = database_health()
    redis, redis_ms, queues = redis_health(
        current_app.config["REDIS_URL"], current_app.config["QUEUE_NAME"]
    )
    is_healthy = database == "ok" and redis in ("ok", "not configured")
    now = utcnow()
    body = {
        "status": "ok" if is_healthy else "error",
        "database": database,
        "database_latency_ms": database_ms,
        "redis": redis,
        "redis_latency_ms": redis_ms,
        "queues": queues,
        "last_sweep_at": last_sweep_at.isoformat() if last_sweep_at else None,
        "sweep_age_seconds": round((now - last_sweep_at).total_seconds())
        if last_sweep_at
        else None,
        "checked_at": now.isoformat(),
    }
    return jsonify(body), 200 if is_healthy else 503


def init_app(app):
    app.add_url_rule("/healthz", "healthz", healthz)
