"""Reliability against the real PostgreSQL and Redis: races, a Redis crash, a database restart.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL, as .ci/run sets them; without them these
tests are skipped with that reason. Outages are staged on servers the test starts itself
(tests/functional/servers.py): the machine's shared PostgreSQL and Redis are never stopped.
"""

import json
import os
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from casemgr.cases.models import CaseEvent
from casemgr.db import session
from casemgr.notifications.models import Notification
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

ASSIGN = {"assignee": "officer-water"}
RACERS = 1_000
CLIENT_PROCESSES = 4


def process_settings():
    return {
        "CASEMGR_ENV": "test",
        "SECRET_KEY": "test-secret",
        "CASEMGR_LOG_FORMAT": "json",
        "CASEMGR_MAIL_BACKEND": "console",
    }


def task_completions(case_id, bpmn_id):
    session.expire_all()
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "task_completed")
    )
    found = [e for e in events if json.loads(e.details)["bpmn_id"] == bpmn_id]
    session.rollback()
    return found


# -- 1,000 completions of one task at once ------------------------------------------------


@pytest.fixture
def race_server(app, tmp_path):
    environ = servers.app_environ(
        **process_settings(), DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=""
    )
    process = servers.gunicorn(
        servers.RACE_PORT, environ, tmp_path / "gunicorn.log", workers=3, threads=4
    )
    yield process
    servers.stop(process)


def hammer(path, token, count, start_at):
    command = [
        servers.PYTHON,
        "-m",
        "tests.functional.hammer",
        str(servers.RACE_PORT),
        path,
        token,
        str(count),
        "25",
        str(start_at),
    ]
    return subprocess.Popen(
        command, cwd=servers.ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def test_a_thousand_concurrent_completions_one_wins(api, drain_case, race_server):
    api.complete(drain_case["id"], "triage", "triage", {"decision": "accept"})
    task_id = api.task(drain_case["id"], "assign", "sup-water")["id"]
    token = api.token("sup-water")

    # Several client processes, each with many threads, all let go at the same moment.
    start_at = time.time() + 3
    path = f"/api/v1/tasks/{task_id}/complete"
    clients = [
        hammer(path, token, RACERS // CLIENT_PROCESSES, start_at) for _ in range(CLIENT_PROCESSES)
    ]
    statuses = {}
    for client in clients:
        out, _ = client.communicate(json.dumps(ASSIGN), timeout=600)
        assert client.returncode == 0
        for status, count in json.loads(out).items():
            statuses[status] = statuses.get(status, 0) + count

    assert statuses == {"200": 1, "409": RACERS - 1}
    assert len(task_completions(drain_case["id"], "assign")) == 1
    case = api.get(f"/cases/{drain_case['id']}", "sup-water").get_json()
    assert case["status"] == "assigned"


# -- Redis dies during intake -------------------------------------------------------------


@pytest.fixture
def throwaway_redis(tmp_path):
    redis = servers.ThrowawayRedis(servers.THROWAWAY_REDIS_PORT, tmp_path / "redis.log")
    redis.start()
    yield redis
    redis.kill()


def pending_and_sent(case_id):
    session.expire_all()
    rows = session.scalars(select(Notification).where(Notification.case_id == case_id)).all()
    session.rollback()
    return [r.status for r in rows]


def test_intake_survives_redis_down_and_the_outbox_is_sent_after(
    app, api, monkeypatch, throwaway_redis, tmp_path
):
    queue_name = f"outage-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", throwaway_redis.url)
    monkeypatch.setitem(app.config, "QUEUE_NAME", queue_name)
    throwaway_redis.kill()

    filed = api.post(
        "/cases",
        "citizen",
        json={
            "category": "drains",
            "description": "Drain blocked while Redis is down",
            "lat": ROXBURY[0],
            "lon": ROXBURY[1],
        },
    )

    assert filed.status_code == 201, filed.get_json()
    case_id = filed.get_json()["id"]
    statuses = pending_and_sent(case_id)
    assert statuses and set(statuses) == {"pending"}

    # Redis comes back empty (no persistence): the sweep must find the rows in the outbox.
    throwaway_redis.start()
    environ = servers.app_environ(
        **process_settings(),
        DATABASE_URL=app.config["DATABASE_URL"],
        REDIS_URL=throwaway_redis.url,
        CASEMGR_QUEUE=queue_name,
    )
    processes = [
        servers.start(
            servers.flask_command("scheduler", "--interval", "1"),
            environ,
            tmp_path / "scheduler.log",
        ),
        servers.start(servers.flask_command("worker"), environ, tmp_path / "worker.log"),
    ]
    try:
        servers.wait_for(
            lambda: set(pending_and_sent(case_id)) == {"sent"}, 120, "the outbox to be sent"
        )
    finally:
        for process in processes:
            servers.stop(process)

    assert len(pending_and_sent(case_id)) == len(statuses)


# -- PostgreSQL restarts under a running app ----------------------------------------------


@pytest.fixture
def postgres_proxy(app):
    target = urlsplit(app.config["DATABASE_URL"])
    proxy = servers.TcpProxy(servers.POSTGRES_PROXY_PORT, (target.hostname, target.port or 5432))
    proxy.start()
    yield proxy
    proxy.cut()


@pytest.fixture
def app_behind_proxy(app, postgres_proxy, tmp_path):
    target = urlsplit(app.config["DATABASE_URL"])
    netloc = target.netloc.replace(
        f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{postgres_proxy.port}"
    )
    if target.port is None:
        netloc = f"{target.netloc}:{postgres_proxy.port}"
    url = target._replace(netloc=netloc).geturl()
    environ = servers.app_environ(**process_settings(), DATABASE_URL=url, REDIS_URL="")
    log_path = tmp_path / "gunicorn.log"
    process = servers.gunicorn(servers.OUTAGE_PORT, environ, log_path, workers=2, threads=2)
    yield process
    servers.stop(process)


def ask(path, token=None, accept="application/json"):
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    answer = servers.request(servers.OUTAGE_PORT, "GET", path, headers, timeout=30)
    assert answer is not None, f"no answer to {path}"
    return answer


def test_requests_fail_cleanly_while_postgres_is_away_and_then_recover(
    api, drain_case, postgres_proxy, app_behind_proxy
):
    token = api.token("sup-water")
    track = f"/track/{drain_case['reference']}"
    for _ in range(6):  # through both workers, so their pools hold connections to lose
        assert ask("/api/v1/cases", token)[0] == 200
        assert ask(track, accept="text/html")[0] == 200

    postgres_proxy.cut()

    for _ in range(4):
        status, headers, body = ask("/api/v1/cases", token)
        assert status == 503
        assert json.loads(body)["error"]["code"] == "unavailable"
        assert headers["Retry-After"] == "5"
        assert "Traceback" not in body
        status, headers, body = ask(track, accept="text/html")
        assert status == 503
        assert headers["Content-Type"].startswith("text/html")
        assert "Temporarily unavailable" in body
        assert "Traceback" not in body and "psycopg" not in body
    status, _, body = ask("/healthz")
    assert status == 503 and json.loads(body)["database"] == "unreachable"

    postgres_proxy.restore()

    for _ in range(6):
        assert ask("/api/v1/cases", token)[0] == 200
        assert ask(track, accept="text/html")[0] == 200
    assert ask("/healthz")[0] == 200
