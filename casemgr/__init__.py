"""casemgr: city complaints, each one run as a BPMN process."""

import logging
from pathlib import Path

from flask import Flask

import config as settings

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app: settings, database, login, CSRF, features, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(settings.load(config))
    app.config["WTF_CSRF_TIME_LIMIT"] = None

    _set_up_logging(app)
    _set_up_database(app)
    _set_up_web(app)
    _register_features(app)
    return app


def _set_up_logging(app):
    from casemgr.ops import logs

    logs.init_app(app)


def _set_up_database(app):
    from casemgr import db

    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"][len("sqlite:///") :]).parent.mkdir(
            parents=True, exist_ok=True
        )
    db.init_app(app)


def _set_up_web(app):
    from casemgr.accounts.auth import init_app as init_auth
    from casemgr.i18n import init_app as init_i18n
    from casemgr.web import init_app as init_web

    init_auth(app)
    init_web(app)
    init_i18n(app)


def _register_features(app):
    from casemgr import cli
    from casemgr.accounts import lock_pages
    from casemgr.accounts import routes as account_pages
    from casemgr.api import init_app as init_api
    from casemgr.cases import question_pages
    from casemgr.cases import routes as case_pages
    from casemgr.cases import routing_routes as routing_pages
    from casemgr.citizens import routes as citizen_pages
    from casemgr.dashboard import routes as dashboard_pages
    from casemgr.escalations import routes as escalation_pages
    from casemgr.open311 import api as open311_api
    from casemgr.open311 import routes as open311_pages
    from casemgr.ops import init_app as init_ops
    from casemgr.processes import routes as process_pages
    from casemgr.processes import version_routes as process_version_pages
    from casemgr.tasks import routes as task_pages

    init_api(app)
    init_ops(app)
    app.register_blueprint(account_pages.bp)
    app.register_blueprint(lock_pages.bp)
    app.register_blueprint(case_pages.bp)
    app.register_blueprint(task_pages.bp)
    app.register_blueprint(escalation_pages.bp)
    app.register_blueprint(process_pages.bp)
    app.register_blueprint(dashboard_pages.bp)
    app.register_blueprint(process_version_pages.bp)
    app.register_blueprint(routing_pages.bp)
    open311_api.init_app(app)
    app.register_blueprint(open311_pages.bp)
    app.register_blueprint(question_pages.bp)
    app.register_blueprint(citizen_pages.bp)
    cli.init_app(app)
