"""The `casemgr` command group: init-db, seed-demo and their refusals."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemgr.accounts.models import User
from casemgr.processes import service as processes

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    return runner.invoke(args=["casemgr", *args])


def user_count():
    from casemgr.db import session

    return session.scalar(select(func.count(User.id)))


def test_init_db_again_changes_nothing(runner):
    versions = processes.version_count()

    result = invoke(runner, "init-db")

    assert result.exit_code == 0, result.output
    assert "database ready; processes: complaint v1" in result.output
    assert processes.version_count() == versions


@pytest.mark.parametrize(
    "diagram, problem",
    [
        (BPMN.read_text().replace('name="Escalation manager"', 'name="Janitor"'), "Janitor"),
        (BPMN.read_text().replace('value="verify"', 'value="no_such_form"'), "no_such_form"),
        ("<bpmn:definitions", "not well-formed"),
    ],
    ids=["lane without a role", "unknown form", "broken XML"],
)
def test_init_db_refuses_a_diagram_it_cannot_run(
    app, runner, monkeypatch, tmp_path, diagram, problem
):
    (tmp_path / "complaint.bpmn").write_text(diagram)
    monkeypatch.setitem(app.config, "WORKFLOW_DIR", str(tmp_path))
    versions = processes.version_count()

    result = invoke(runner, "init-db")

    assert result.exit_code != 0
    assert "cannot be deployed" in result.output
    assert problem in result.output
    assert processes.version_count() == versions


def test_seed_demo_prints_logins_and_adds_nothing_twice(runner, logins):
    users = user_count()

    result = invoke(runner, "seed-demo", "--json")

    assert result.exit_code == 0, result.output
    printed = {login["username"]: login for login in json.loads(result.output)}
    assert set(printed) == set(logins)
    assert printed["escalation"]["roles"] == ["escalation_manager"]
    assert printed["sup-water"]["unit"] == "water"
    assert user_count() == users


def test_seed_demo_text_lists_every_login(runner, logins):
    result = invoke(runner, "seed-demo")

    assert result.exit_code == 0, result.output
    assert "Demo logins" in result.output
    for username in logins:
        assert username in result.output


def test_fire_timers_with_nothing_due_prints_zero(runner):
    result = invoke(runner, "fire-timers")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fired"] == 0


def test_load_districts_refuses_a_file_that_is_not_geojson(runner, tmp_path):
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}}))

    result = invoke(runner, "load-districts", str(path))

    assert result.exit_code != 0
    assert "FeatureCollection" in result.output
