"""Batch migration as a recorded run: preview page, job, progress JSON, per-case failures."""

import os
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete

from casemgr import jobs, loadgen
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.ops.models import Heartbeat
from casemgr.processes import migration, migration_runs
from casemgr.processes import service as processes
from casemgr.processes.models import MigrationRun
from tests.functional.test_migration import complaint_xml
from tests.functional.test_pages import log_in
from tests.functional.test_version_pages import renamed_resolve


def deploy(text):
    version = processes.deploy(text)
    session.commit()
    return version


@pytest.fixture
def renamed_verify(app):
    return deploy(complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'}))


def test_the_preview_page_says_which_cases_can_move_and_why_not(app, client, logins,
                                                                drain_case):
    at_resolve = loadgen.case_waiting_at_resolve(utcnow() + timedelta(days=3))
    target = deploy(renamed_resolve(app))
    log_in(client, logins, "owner")

    page = client.get(f"/processes/complaint/migration?version={target.version}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    movable = text.split(f'data-case="{drain_case["id"]}"')[1].split("</tr>")[0]
    refused = text.split(f'data-case="{at_resolve.id}"')[1].split("</tr>")[0]
    assert "<td>yes</td>" in movable
    assert "<td>no</td>" in refused and "resolve does not exist" in refused
    assert "Migrate to v" in text and "(1 can move)" in text
    assert client.get("/processes/complaint/migration?version=99").status_code == 404


def test_migrating_from_the_page_records_a_run_with_failures_and_history(app, client, logins,
                                                                         drain_case):
    at_resolve = loadgen.case_waiting_at_resolve(utcnow() + timedelta(days=3))
    target = deploy(renamed_resolve(app))
    log_in(client, logins, "owner")

    started = client.post("/processes/complaint/migration", data={"version": target.version})

    assert started.status_code == 302
    run_id = int(re.search(r"/migrations/(\d+)$", started.headers["Location"])[1])
    status = client.get(f"/processes/complaint/migrations/{run_id}.json").get_json()
    assert status | {"failures": None} == status | {
        "status": "done", "total": 2, "moved": 1, "failed": 1, "percent": 100,
        "is_finished": True, "failures": None}
    assert status["failures"][0]["case_id"] == at_resolve.id
    assert "resolve does not exist" in status["failures"][0]["reason"]
    moved = cases.get(drain_case["id"])
    assert moved.process_version_id == target.id
    event = next(e for e in history.events_of(moved.id) if e.kind == "migrated")
    assert event.actor_label == "owner" and f"version {target.version}" in event.summary

    page = client.get(f"/processes/complaint/migrations/{run_id}").get_data(as_text=True)
    assert "migration-run.js" in page and 'data-finished="true"' in page
    assert "resolve does not exist" in page
    history_page = client.get("/processes/complaint/versions").get_data(as_text=True)
    assert f"/processes/complaint/migrations/{run_id}" in history_page


def test_one_case_that_breaks_does_not_stop_the_others(app, api, monkeypatch):
    first = api.post("/cases", "citizen", json={"category": "drains", "description": "one",
                                                "lat": 42.3168, "lon": -71.0856}).get_json()
    second = api.post("/cases", "citizen", json={"category": "drains", "description": "two",
                                                 "lat": 42.3168, "lon": -71.0856}).get_json()
    target = deploy(complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'}))
    real_move = migration._move

    def breaks_on_first(case, *args):
        if case.id == first["id"]:
            raise RuntimeError("disk on fire")
        return real_move(case, *args)

    monkeypatch.setattr(migration, "_move", breaks_on_first)

    run_id = migration_runs.start(target, None)

    run = migration_runs.get(run_id)
    assert (run.status, run.moved, run.failed, run.total) == ("done", 1, 1, 2)
    assert migration_runs.failures_of(run) == [
        {"case_id": first["id"], "reference": None, "reason": "unexpected error: RuntimeError"}]
    assert cases.get(second["id"]).process_version_id == target.id
    assert cases.get(first["id"]).process_version_id != target.id


def test_runs_over_the_api_and_status_polling(api, drain_case, renamed_verify):
    started = api.post("/processes/complaint/migrations", "owner",
                       json={"version": renamed_verify.version})

    assert started.status_code == 202, started.get_json()
    location = started.headers["Location"]
    status = api.get(location.removeprefix("/api/v1"), "owner").get_json()
    assert (status["status"], status["moved"], status["total"]) == ("done", 1, 1)
    assert status["version"] == renamed_verify.version
    assert api.get(location.removeprefix("/api/v1"), "sup-water").status_code == 403
    assert api.get("/processes/complaint/migrations/999999", "owner").status_code == 404
    assert api.post("/processes/complaint/migrations", "sup-water",
                    json={"version": renamed_verify.version}).status_code == 403
    bad = api.post("/processes/complaint/migrations", "owner", json={"version": "x"})
    assert bad.status_code == 422 and "version" in bad.get_json()["error"]["fields"]
    assert api.post("/processes/complaint/migrations", "owner",
                    json={"version": 99}).status_code == 404


def test_the_old_synchronous_endpoint_answers_as_before(api, drain_case, renamed_verify):
    ran = api.post("/processes/complaint/migration", "owner",
                   json={"version": renamed_verify.version})

    assert set(ran.get_json()) == {"version", "moved", "refused"}
    assert [c["case_id"] for c in ran.get_json()["moved"]] == [drain_case["id"]]


@pytest.mark.parametrize("username", ["citizen", "officer-water", "triage"])
def test_other_roles_cannot_migrate_from_the_pages(client, logins, username, drain_case,
                                                   renamed_verify):
    log_in(client, logins, username)

    started = client.post("/processes/complaint/migration",
                          data={"version": renamed_verify.version})

    assert started.status_code == 403
    assert cases.get(drain_case["id"]).process_version_id != renamed_verify.id


def test_a_bad_target_is_a_4xx(client, logins):
    log_in(client, logins, "owner")

    assert client.post("/processes/complaint/migration", data={"version": "x"}).status_code == 400
    assert client.post("/processes/complaint/migration", data={"version": 99}).status_code == 404
    assert client.get("/processes/complaint/migrations/999999").status_code == 404
    assert client.get("/processes/complaint/migrations/999999.json").status_code == 404


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)")
def test_with_redis_the_run_waits_for_a_worker_and_then_finishes(app, monkeypatch, drain_case,
                                                                  renamed_verify):
    from redis import Redis
    from rq import Queue, SimpleWorker

    name = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", os.environ["REDIS_URL"])
    monkeypatch.setitem(app.config, "QUEUE_NAME", name)
    queue = Queue(name, connection=Redis.from_url(os.environ["REDIS_URL"]))
    try:
        run_id = migration_runs.start(renamed_verify, None)
        assert migration_runs.get(run_id).status == "queued"

        SimpleWorker([queue], connection=queue.connection).work(burst=True)

        session.expire_all()
        run = migration_runs.get(run_id)
        assert (run.status, run.moved, run.failed) == ("done", 1, 0)
    finally:
        queue.delete(delete_jobs=True)


def test_an_unreachable_queue_fails_the_run_with_the_reason(app, monkeypatch, drain_case,
                                                            renamed_verify):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/2")

    run = migration_runs.get(migration_runs.start(renamed_verify, None))

    assert run.status == "failed" and "job queue is unreachable" in run.error
    assert (run.moved, run.failed) == (0, 0)
    assert cases.get(drain_case["id"]).process_version_id != renamed_verify.id


# -- runs whose worker stopped -------------------------------------------------------------

STALE = timedelta(minutes=16)  # beyond the default CASEMGR_MIGRATION_STALE_MINUTES of 15


@pytest.fixture
def held_jobs(monkeypatch):
    """Queue nothing: the run waits as it would for a worker that never comes."""
    held = []
    monkeypatch.setattr(jobs, "enqueue", lambda func, *args, **kwargs: held.append(args))
    return held


def backdate(run_id, by, beat=True):
    """Make the run look started `by` ago, its job last beating then (or never)."""
    run = session.get(MigrationRun, run_id)
    run.created_at = utcnow() - by
    session.execute(delete(Heartbeat).where(Heartbeat.name == f"migration-run-{run_id}"))
    if beat:
        session.add(Heartbeat(name=f"migration-run-{run_id}", beat_at=utcnow() - by))
    session.commit()


def test_a_running_run_whose_worker_died_shows_failed_and_starts_again(
        api, client, logins, drain_case, renamed_verify, held_jobs):
    run_id = migration_runs.start(renamed_verify, None)
    migration_runs.get(run_id).status = "running"  # the worker took it, then died
    session.commit()
    backdate(run_id, STALE)
    log_in(client, logins, "owner")

    status = client.get(f"/processes/complaint/migrations/{run_id}.json").get_json()
    page = client.get(f"/processes/complaint/migrations/{run_id}").get_data(as_text=True)
    polled = api.get(f"/processes/complaint/migrations/{run_id}", "owner").get_json()

    assert (status["status"], status["is_finished"]) == ("failed", True)
    assert status["error"].startswith("worker stopped: no progress for more than 15 minutes")
    assert polled["status"] == "failed" and polled["error"] == status["error"]
    assert 'data-finished="true"' in page and "worker stopped" in page
    assert f"/processes/complaint/migration?version={renamed_verify.version}" in page
    assert session.get(Heartbeat, f"migration-run-{run_id}") is None

    held_jobs.clear()
    again = client.post("/processes/complaint/migration",
                        data={"version": renamed_verify.version})
    new_id = int(re.search(r"/migrations/(\d+)$", again.headers["Location"])[1])
    migration_runs.execute(new_id)
    assert migration_runs.get(new_id).status == "done"
    assert cases.get(drain_case["id"]).process_version_id == renamed_verify.id


def test_a_queued_run_no_worker_took_fails_after_the_stale_time(drain_case, renamed_verify,
                                                                held_jobs):
    run_id = migration_runs.start(renamed_verify, None)
    backdate(run_id, timedelta(minutes=14), beat=False)
    assert migration_runs.get(run_id).status == "queued"

    backdate(run_id, STALE, beat=False)
    run = migration_runs.get(run_id)

    assert (run.status, run.moved) == ("failed", 0)
    assert run.error.startswith("worker stopped")
    # The job that comes at last finds the run over and moves nothing.
    migration_runs.execute(run_id)
    assert cases.get(drain_case["id"]).process_version_id != renamed_verify.id


def test_a_long_run_that_still_beats_is_not_stale(drain_case, renamed_verify, held_jobs):
    run_id = migration_runs.start(renamed_verify, None)
    migration_runs.get(run_id).status = "running"
    session.commit()
    backdate(run_id, timedelta(hours=3), beat=False)
    session.add(Heartbeat(name=f"migration-run-{run_id}", beat_at=utcnow()))
    session.commit()

    assert migration_runs.get(run_id).status == "running"
    assert [run.status for run in migration_runs.runs_of("complaint")] == ["running"]


def test_a_job_that_wakes_after_its_run_failed_stops(app, api, monkeypatch):
    first, second = (api.post("/cases", "citizen", json={
        "category": "drains", "description": "stuck", "lat": 42.3168, "lon": -71.0856,
    }).get_json() for _ in range(2))
    target = deploy(complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'}))
    monkeypatch.setattr(migration_runs, "BATCH_SIZE", 1)
    real_migrate = migration.migrate

    def stalls_on_first(target, actor, case_ids):
        if case_ids == [first["id"]]:
            # The worker hangs past the stale time; the page reads the run meanwhile.
            backdate(run_id, STALE)
            assert migration_runs.get(run_id).status == "failed"
        return real_migrate(target, actor, case_ids)

    monkeypatch.setattr(migration, "migrate", stalls_on_first)
    monkeypatch.setattr(jobs, "enqueue", lambda func, *args, **kwargs: None)
    run_id = migration_runs.start(target, None)
    migration_runs.execute(run_id)

    run = migration_runs.get(run_id)
    assert (run.status, run.moved, run.total) == ("failed", 1, 2)
    assert run.error.startswith("worker stopped")
    assert cases.get(second["id"]).process_version_id != target.id
