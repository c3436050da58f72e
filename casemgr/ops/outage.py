"""Answer 503 while the database is away, and let the next request find it again.

A lost connection (PostgreSQL restarting, a network cut) surfaces as an OperationalError
or InterfaceError from wherever the request touched the database. The caller gets a JSON
error or a plain page with status 503 and a Retry-After, never a traceback; the pool's
pre-ping replaces dead connections once the server is back.
"""

import logging

from flask import render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from casemgr.api.errors import error_response, wants_json
from casemgr.db import session

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = _l("The database is not reachable right now. Please try again in a moment.")
#: The page's languages: the browser chooses, as a user's saved choice is in the database.
PAGE_LOCALES = ("id", "en")


def _first_line(exc):
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def database_unavailable(exc):
    log.error("database unavailable on %s %s: %s", request.method, request.path, _first_line(exc))
    # The session's connection may be dead: drop it so the next request starts clean.
    try:
        session.remove()
    except Exception as cleanup:  # noqa: BLE001 - the connection is gone either way
        log.warning("could not close the broken database session: %s", _first_line(cleanup))

    if wants_json():
        with force_locale("en"):
            body, status = error_response(503, "unavailable", str(MESSAGE))
    else:
        # Not error.html: its layout asks the database who is logged in.
        with force_locale(request.accept_languages.best_match(PAGE_LOCALES) or "en"):
            body, status = render_template("ops/unavailable.html", message=str(MESSAGE)), 503
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app):
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, database_unavailable)
