"""`make prod`: check the settings, migrate the database, then run every process together.

Usage: python -m casemgr.ops.production [--check]

Production mode is gunicorn serving the app, CASEMGR_RQ_WORKERS RQ workers and one
scheduler, all configured from the environment and supervised by honcho (see Procfile).
CASEMGR_PROCESSES picks a subset for hosts with one job (docs/scaling.md).
"""

import os
import subprocess
import sys
from pathlib import Path

import config
from casemgr.ops import supervisor

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "Procfile"
PROCESS_TYPES = ("web", "worker", "scheduler")


class NotReady(Exception):
    """A setting that production mode will not start with."""


def check_settings(environ):
    """Return the loaded settings for `environ`, or raise NotReady naming every problem."""
    if environ.get("CASEMGR_ENV", "production") != "production":
        raise NotReady(f"CASEMGR_ENV={environ['CASEMGR_ENV']!r}: make prod runs production only")
    problems = []
    if not environ.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set: give it a long random value")
    if not environ.get("DATABASE_URL", "").startswith("postgresql"):
        problems.append("DATABASE_URL must name PostgreSQL (postgresql+psycopg://...)")
    if not environ.get("REDIS_URL", "").startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL must name Redis (redis://host:6379/0)")
    if problems:
        raise NotReady("; ".join(problems))

    settings = _load(environ)
    for name, env_var in (
        ("WEB_WORKERS", "CASEMGR_WEB_WORKERS"),
        ("WEB_THREADS", "CASEMGR_WEB_THREADS"),
        ("RQ_WORKERS", "CASEMGR_RQ_WORKERS"),
        ("SWEEP_INTERVAL", "CASEMGR_SWEEP_INTERVAL"),
    ):
        if settings[name] < 1:
            raise NotReady(f"{env_var}={settings[name]} must be at least 1")
    process_types(settings)
    return settings


def process_types(settings):
    """The Procfile process types this host runs, from CASEMGR_PROCESSES."""
    chosen = {name.strip() for name in settings["PROCESSES"].split(",") if name.strip()}
    unknown = chosen - set(PROCESS_TYPES)
    if unknown or not chosen:
        raise NotReady(
            f"CASEMGR_PROCESSES={settings['PROCESSES']!r}: list one or more of "
            f"{', '.join(PROCESS_TYPES)}"
        )
    return chosen


def concurrency(settings):
    """How many of each process type to start: none of those this host does not run."""
    counts = {"web": 1, "worker": settings["RQ_WORKERS"], "scheduler": 1}
    chosen = process_types(settings)
    return {name: counts[name] if name in chosen else 0 for name in PROCESS_TYPES}


def _load(environ):
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        return config.load()
    except config.ConfigError as exc:
        # config.load also refuses the development SECRET_KEY in production.
        raise NotReady(str(exc)) from exc
    finally:
        os.environ.clear()
        os.environ.update(saved)


def process_environ(environ, settings):
    """What every process gets: the environment, production mode, the venv's commands."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **environ,
        "CASEMGR_ENV": "production",
        "CASEMGR_SWEEP_INTERVAL": str(settings["SWEEP_INTERVAL"]),
        "PATH": os.pathsep.join([bin_dir, environ.get("PATH", os.defpath)]),
        # Each process's log lines reach honcho at once, not when a buffer fills.
        "PYTHONUNBUFFERED": "1",
    }


def migrate(environ, log_format):
    """Bring the schema to the newest migration, add missing roles, deploy the workflows."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "casemgr", "init-db"]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environ,
        check=False,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    for line in result.stdout.splitlines():
        print(supervisor.json_line(line, "init-db") if log_format == "json" else line, flush=True)
    if result.returncode != 0:
        raise NotReady(f"the database could not be migrated (init-db exited {result.returncode})")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    environ = {**os.environ, "CASEMGR_ENV": os.environ.get("CASEMGR_ENV", "production")}
    try:
        settings = check_settings(environ)
        environ = process_environ(environ, settings)
        if "--check" in argv:
            print("production settings are complete")
            return 0
        migrate(environ, settings["LOG_FORMAT"])
    except NotReady as exc:
        print(f"make prod: {exc}", file=sys.stderr)
        return 2
    return supervisor.run(
        PROCFILE, environ, concurrency(settings), settings["LOG_FORMAT"], cwd=ROOT
    )


if __name__ == "__main__":
    sys.exit(main())
