"""`make prod`'s entry point: migrate, then gunicorn, RQ workers and the scheduler, stopped as one.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL, as .ci/run sets them; without them it is
skipped with that reason, since production mode refuses to run on anything else.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime

import pytest

from casemgr.db import utcnow
from tests.conftest import ROXBURY
from tests.functional import servers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgresql")
        or not os.environ.get("REDIS_URL"),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL (set by .ci/run)",
    ),
]


@pytest.fixture
def queue_name():
    from redis import Redis
    from rq import Queue

    name = f"prod-{uuid.uuid4().hex[:8]}"
    yield name
    Queue(name, connection=Redis.from_url(os.environ["REDIS_URL"])).delete(delete_jobs=True)


def healthy_with_a_sweep():
    answer = servers.request(servers.PROD_PORT, "GET", "/healthz", timeout=5)
    if answer is None or answer[0] != 200:
        return None
    body = json.loads(answer[2])
    return body if body["last_sweep_at"] else None


def started_pids(log_text):
    return [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", log_text)]


def is_running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def production_environ(app, redis_url, queue_name):
    environ = servers.app_environ(
        CASEMGR_ENV="production",
        SECRET_KEY="a-production-secret-for-this-test",
        DATABASE_URL=app.config["DATABASE_URL"],
        REDIS_URL=redis_url,
        CASEMGR_QUEUE=queue_name,
        CASEMGR_BIND=f"127.0.0.1:{servers.PROD_PORT}",
        CASEMGR_WEB_WORKERS=1,
        CASEMGR_WEB_THREADS=2,
        CASEMGR_RQ_WORKERS=2,
        CASEMGR_SWEEP_INTERVAL=1,
        CASEMGR_MAIL_BACKEND="console",
    )
    environ.pop("CASEMGR_LOG_FORMAT", None)
    return environ


def start_prod(environ, log_path):
    return servers.start([sys.executable, "-m", "casemgr.ops.production"], environ, log_path)


def stop_prod(prod):
    os.kill(prod.pid, signal.SIGTERM)
    try:
        prod.wait(timeout=60)
    except subprocess.TimeoutExpired:
        servers.stop(prod)
        raise


def test_make_prod_serves_sweeps_and_stops_everything_on_sigterm(app, queue_name, tmp_path):
    environ = production_environ(app, os.environ["REDIS_URL"], queue_name)
    log_path = tmp_path / "prod.log"
    prod = start_prod(environ, log_path)
    try:
        health = servers.wait_for(healthy_with_a_sweep, 120, "a healthy app with a timer sweep")
        status, headers, _ = servers.request(
            servers.PROD_PORT, "GET", "/healthz", {"X-Request-ID": "prod-test-000001"}
        )
    finally:
        stop_prod(prod)

    assert health["database"] == "ok" and health["redis"] == "ok"
    assert queue_name in health["queues"]
    assert status == 200 and headers["X-Request-ID"] == "prod-test-000001"

    # SIGTERM stopped all: honcho's exit code for it, and none of its processes is left.
    assert prod.returncode == 143
    output = log_path.read_text()
    pids = started_pids(output)
    assert len(pids) == 4  # web, two workers, scheduler
    assert not [pid for pid in pids if is_running(pid)]
    assert servers.request(servers.PROD_PORT, "GET", "/healthz", timeout=2) is None

    # Production logs are JSON, one object per line, and the request carries its id.
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    requests = [line for line in lines if line.get("request_id") == "prod-test-000001"]
    assert requests and requests[-1]["path"] == "/healthz" and requests[-1]["status"] == 200
    assert requests[-1]["process"] == "web.1"
    stopped = {
        line["message"].split()[0]
        for line in lines
        if line["process"] == "system" and " stopped (rc=" in line["message"]
    }
    assert stopped == {"web.1", "worker.1", "worker.2", "scheduler.1"}


def health():
    answer = servers.request(servers.PROD_PORT, "GET", "/healthz", timeout=5)
    return (answer[0], json.loads(answer[2])) if answer else (None, None)


def test_a_redis_restart_leaves_the_web_up_and_the_workers_come_back(
    app, api, queue_name, tmp_path
):
    redis = servers.ThrowawayRedis(servers.THROWAWAY_REDIS_PORT, tmp_path / "redis.log")
    redis.start()
    prod = start_prod(production_environ(app, redis.url, queue_name), tmp_path / "prod.log")
    try:
        servers.wait_for(healthy_with_a_sweep, 120, "a healthy app with a timer sweep")
        token = api.token("citizen")

        redis.kill()
        time.sleep(3)  # long enough for the workers and the scheduler to lose Redis
        status, body = health()
        filed = servers.request(
            servers.PROD_PORT,
            "POST",
            "/api/v1/cases",
            {"Authorization": f"Bearer {token}"},
            {
                "category": "drains",
                "description": "Filed while Redis is down",
                "lat": ROXBURY[0],
                "lon": ROXBURY[1],
            },
        )

        redis.start()
        restarted_at = utcnow()
        servers.wait_for(
            lambda: (
                health()[0] == 200
                and datetime.fromisoformat(health()[1]["last_sweep_at"]) > restarted_at
            ),
            120,
            "sweeps after Redis is back",
        )
        assert prod.poll() is None
    finally:
        stop_prod(prod)
        redis.kill()

    assert status == 503 and body["redis"] == "unreachable" and body["database"] == "ok"
    assert filed[0] == 201
