"""What `make prod` refuses to start with, and how production mode logs."""

import json
import logging
import sys

import pytest

import config
from casemgr.ops import production, supervisor

GOOD = {
    "CASEMGR_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret",
    "DATABASE_URL": "postgresql+psycopg://casemgr@db.internal:5432/casemgr",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in [
        *GOOD,
        "CASEMGR_LOG_FORMAT",
        "CASEMGR_RQ_WORKERS",
        "CASEMGR_WEB_WORKERS",
        "CASEMGR_WEB_THREADS",
        "CASEMGR_SWEEP_INTERVAL",
        "CASEMGR_BIND",
        "CASEMGR_PASSWORD_HASH",
        "CASEMGR_PROCESSES",
    ]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_complete_settings_pass_with_the_production_defaults():
    settings = production.check_settings(GOOD)

    assert settings["LOG_FORMAT"] == "json"
    assert settings["WEB_BIND"] == "127.0.0.1:8000"
    assert (settings["WEB_WORKERS"], settings["WEB_THREADS"], settings["RQ_WORKERS"]) == (2, 4, 2)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": config.SETTINGS["SECRET_KEY"][2]}, "SECRET_KEY must be set to a real"),
        ({"DATABASE_URL": "sqlite:///casemgr.db"}, "DATABASE_URL must name PostgreSQL"),
        ({"REDIS_URL": ""}, "REDIS_URL must name Redis"),
        ({"CASEMGR_ENV": "development"}, "make prod runs production only"),
        ({"CASEMGR_RQ_WORKERS": "0"}, "CASEMGR_RQ_WORKERS=0 must be at least 1"),
        ({"CASEMGR_WEB_THREADS": "many"}, "CASEMGR_WEB_THREADS='many' is not a valid int"),
        ({"CASEMGR_LOG_FORMAT": "xml"}, "CASEMGR_LOG_FORMAT='xml': use json or text"),
    ],
)
def test_incomplete_settings_are_refused_by_name(changes, complaint):
    with pytest.raises(production.NotReady, match=complaint):
        production.check_settings({**GOOD, **changes})


def test_every_problem_is_named_at_once():
    with pytest.raises(production.NotReady) as refused:
        production.check_settings({"CASEMGR_ENV": "production"})

    assert "SECRET_KEY" in str(refused.value)
    assert "DATABASE_URL" in str(refused.value)
    assert "REDIS_URL" in str(refused.value)


def test_main_refuses_with_exit_code_2_and_starts_nothing(clean_environment, capsys):
    clean_environment.setenv("DATABASE_URL", "sqlite:///casemgr.db")

    assert production.main([]) == 2
    assert "make prod: " in capsys.readouterr().err


def test_check_only_does_not_migrate_or_start(clean_environment, capsys):
    for name, value in GOOD.items():
        clean_environment.setenv(name, value)

    assert production.main(["--check"]) == 0
    assert "production settings are complete" in capsys.readouterr().out


def test_text_logs_in_development_json_when_asked(clean_environment):
    assert config.load()["LOG_FORMAT"] == "text"
    clean_environment.setenv("CASEMGR_LOG_FORMAT", "json")
    assert config.load()["LOG_FORMAT"] == "json"


def test_processes_get_production_mode_and_the_venv_on_their_path():
    environ = production.process_environ(
        {**GOOD, "PATH": "/usr/bin"}, production.check_settings(GOOD)
    )

    assert environ["CASEMGR_ENV"] == "production"
    assert environ["CASEMGR_SWEEP_INTERVAL"] == "10"
    assert environ["PATH"].endswith(":/usr/bin")


def test_procfile_runs_gunicorn_workers_and_one_scheduler():
    procfile = supervisor.parse_procfile(production.PROCFILE.read_text())

    assert set(procfile.processes) == {"web", "worker", "scheduler"}
    assert "gunicorn" in procfile.processes["web"]
    assert "casemgr worker" in procfile.processes["worker"]
    assert "casemgr scheduler" in procfile.processes["scheduler"]


def test_supervisor_keeps_json_lines_and_wraps_plain_ones():
    record = {"level": "INFO", "logger": "casemgr.requests", "message": "GET / 200"}

    kept = json.loads(supervisor.json_line(json.dumps(record), "web.1"))
    wrapped = json.loads(supervisor.json_line("[2026] Booting worker", "web.1"))

    assert kept == {**record, "process": "web.1"}
    assert wrapped["message"] == "[2026] Booting worker"
    assert wrapped["logger"] == "web.1" and wrapped["level"] == "INFO"
    assert set(wrapped) == {"time", "level", "logger", "message", "process"}


def test_json_formatter_writes_one_object_per_line_with_the_fields():
    from casemgr.ops import logs

    formatter = logs.json_formatter()
    record = logging.LogRecord(
        "casemgr.cases", logging.WARNING, __file__, 1, "case %s\nfiled", ("CM-1",), None
    )
    record.request_id = "abc12345"
    record.status = 201

    line = formatter.format(record)

    assert "\n" not in line
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "WARNING",
        "logger": "casemgr.cases",
        "message": "case CM-1\nfiled",
        "request_id": "abc12345",
        "status": 201,
    }


def test_keepalive_starts_a_crashed_command_again_until_it_exits_cleanly(tmp_path, monkeypatch):
    from casemgr.ops import keepalive

    monkeypatch.setattr(keepalive, "FIRST_DELAY", 0.01)
    runs = tmp_path / "runs"
    # Fails on its first two runs (Redis away), then exits cleanly.
    script = (
        f"import pathlib, sys; p = pathlib.Path({str(runs)!r}); "
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x'); "
        "sys.exit(0 if len(p.read_text()) == 3 else 1)"
    )

    assert keepalive.run([sys.executable, "-c", script]) == 0
    assert runs.read_text() == "xxx"


def test_keepalive_stops_restarting_once_asked_to_stop(tmp_path):
    import threading

    from casemgr.ops import keepalive

    stop = threading.Event()
    stop.set()

    assert keepalive.run([sys.executable, "-c", "import sys; sys.exit(3)"], stop) == 0


def test_a_host_can_run_some_of_the_processes(clean_environment):
    clean_environment.setenv("CASEMGR_RQ_WORKERS", "3")

    everything = production.concurrency(production.check_settings(GOOD))
    workers_only = production.concurrency(
        production.check_settings({**GOOD, "CASEMGR_PROCESSES": "worker"})
    )

    assert everything == {"web": 1, "worker": 3, "scheduler": 1}
    assert workers_only == {"web": 0, "worker": 3, "scheduler": 0}


@pytest.mark.parametrize("processes", ["web,cron", " , ", "queue"])
def test_unknown_process_types_are_refused(processes):
    with pytest.raises(production.NotReady, match="CASEMGR_PROCESSES="):
        production.check_settings({**GOOD, "CASEMGR_PROCESSES": processes})
