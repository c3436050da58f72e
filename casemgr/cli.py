"""The `casemgr` command group: flask --app wsgi casemgr <command>."""

import json
import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)

group = AppGroup("casemgr", help="Set up and run casemgr.")


def init_app(app):
    from casemgr.accounts.cli import unlock_user
    from casemgr.citizens.cli import duplicate_radius, train_classifier
    from casemgr.escalations.cli import calendar_group
    from casemgr.open311.cli import api_key_group

    group.add_command(calendar_group)
    group.add_command(api_key_group)
    group.add_command(train_classifier)
    group.add_command(duplicate_radius)
    group.add_command(unlock_user)
    app.cli.add_command(group)


@group.command("init-db")
def init_db():
    """Create or migrate the database schema and deploy the workflows."""
    from casemgr import migrate
    from casemgr.accounts import service as accounts
    from casemgr.db import session
    from casemgr.processes import service as processes

    migrate.upgrade(current_app.config["DATABASE_URL"])
    accounts.ensure_roles()
    try:
        deployed = processes.deploy_directory(current_app.config["WORKFLOW_DIR"])
    except processes.DeployError as exc:
        session.rollback()
        raise click.ClickException(
            f"a workflow in {current_app.config['WORKFLOW_DIR']} cannot be deployed: {exc}"
        ) from exc
    session.commit()
    names = ", ".join(f"{v.process_key} v{v.version}" for v in deployed)
    click.echo(f"database ready; processes: {names or 'none'}")


@group.command("seed-demo")
@click.option("--json", "as_json", is_flag=True, help="Print the logins as a JSON list.")
def seed_demo(as_json):
    """Create the Boston demo: units, neighborhoods, categories, one user per role and unit."""
    from casemgr import demo

    if current_app.config["CASEMGR_ENV"] == "production":
        raise click.ClickException("seed-demo refuses to run with CASEMGR_ENV=production")
    logins = demo.seed()
    if as_json:
        click.echo(json.dumps(logins))
        return
    click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
    for login in logins:
        unit = f"  unit {login['unit']}" if login["unit"] else ""
        click.echo(f"  {login['username']:<24} {','.join(login['roles']):<20}{unit}")


@group.command("import-311")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--timezone",
    "timezone_name",
    default=None,
    help="Zone of the file's local times (Boston: America/New_York).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_311(path, timezone_name, as_json):
    """Import a Boston 311 CSV file; running it twice imports nothing twice."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from casemgr.cases import importer

    timezone_name = timezone_name or current_app.config["CASEMGR_TIMEZONE"]
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{timezone_name!r} is not a time zone", param_hint="--timezone"
        ) from None

    with open(path, "rb") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
    try:
        with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
            summary = importer.import_file(path, timezone_name, progress=bar.update)
    except importer.RowError as exc:
        raise click.ClickException(str(exc)) from exc

    for error in summary.errors:
        click.echo(f"line {error['line']}: {error['message']}", err=True)
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
    else:
        click.echo(
            f"imported {summary.imported} (unlocated {summary.unlocated}), "
            f"skipped {summary.skipped}, errors {len(summary.errors)}"
        )


@group.command("load-districts")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--name-field",
    default="Name",
    show_default=True,
    help="Feature property holding the district name.",
)
@click.option("--code-field", default=None, help="Feature property holding a stable code.")
def load_districts(path, name_field, code_field):
    """Load district polygons from a GeoJSON FeatureCollection."""
    from casemgr.cases import districts
    from casemgr.db import session

    try:
        created, updated = districts.load_geojson(path, name_field, code_field)
    except districts.DistrictFileError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"districts: {created} created, {updated} updated")


@group.command("fire-timers")
@click.option("--limit", default=500, show_default=True, help="Most cases in one sweep.")
def fire_timers(limit):
    """Fire every SLA timer that is due now."""
    from casemgr.escalations import service

    result = service.fire_due_timers(limit=limit)
    click.echo(json.dumps(result))


@group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst):
    """Run an RQ worker for casemgr's queue (needs REDIS_URL)."""
    from rq import SimpleWorker

    from casemgr import jobs
    from casemgr.notifications import service as notifications

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker needed")
    try:
        notifications.resume_delivery()
    except Exception as exc:  # noqa: BLE001 - the worker still serves jobs; the sweep sends
        log.warning("outbox delivery not resumed at start: %s", exc)
    # One app context for the worker's life; each job gets a fresh database session.
    rq_worker = SimpleWorker([current_app.config["QUEUE_NAME"]],
                             connection=jobs.redis_connection())
    rq_worker.work(burst=burst, logging_level="INFO")


@group.command("scheduler")
@click.option("--interval", default=10, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds between timer sweeps.")
@click.option("--once", is_flag=True, help="Run one sweep now and stop.")
def scheduler(interval, once):
    """Sweep due SLA timers every INTERVAL seconds: on RQ with Redis, else in-process."""
    from casemgr.escalations import jobs as escalation_jobs
    from casemgr.escalations import scheduling

    if once:
        click.echo(json.dumps(escalation_jobs.sweep_timers()))
        return
    if current_app.config["REDIS_URL"]:
        scheduling.run_rq_scheduler(interval)
    else:
        scheduling.run_in_process(interval)
