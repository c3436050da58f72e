"""The staff JSON API under /api/v1: plumbing shared by the features' api modules."""

import logging
from contextlib import contextmanager

from flask import Blueprint, request

from casemgr.accounts.auth import api_user
from casemgr.api.errors import ApiError, error_response
from casemgr.db import row_id
from config import parse_flag

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def _api_error(exc):
    return error_response(exc.status, exc.code, exc.message, exc.fields)


@contextmanager
def conflicts_as_409():
    """Answer 409 when a case moved on meanwhile or its process stalled on this step."""
    from casemgr.cases import service as cases
    from casemgr.tasks import service as tasks

    try:
        yield
    except (cases.CaseConflict, tasks.TaskConflict) as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    except cases.ProcessStalled as exc:
        raise ApiError(
            409, "process_stalled", f"the process could not go on and the case is marked: {exc}"
        ) from exc


def require_user(*roles):
    """Return the caller; 401 without a valid token, 403 without one of `roles`."""
    user = api_user()
    if user is None:
        raise ApiError(401, "unauthorized", "send a valid token: Authorization: Bearer <token>")
    if roles and not user.has_role(*roles):
        raise ApiError(403, "forbidden", f"this needs one of the roles: {', '.join(roles)}")
    return user


def optional_user():
    """Return the caller or None; a token that is sent must be valid."""
    user = api_user()
    if user is None and request.headers.get("Authorization"):
        raise ApiError(401, "unauthorized", "the token is invalid or expired")
    return user


def json_body():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "send a JSON object with Content-Type application/json")
    return payload


#: Pages past this are refused rather than handed to the database as huge offsets.
MAX_PAGE = 100_000


def page_args():
    try:
        page = int(request.args.get("page", 1))
        size = int(request.args.get("page_size", 50))
    except ValueError:
        raise ApiError(400, "bad_request", "page and page_size must be whole numbers") from None
    if page > MAX_PAGE:
        raise ApiError(400, "bad_request", f"page must be at most {MAX_PAGE}",
                       {"page": "out of range"})
    return max(page, 1), min(max(size, 1), 200)


def flag_arg(name):
    """A query-string flag: true for true/yes/on/1, false otherwise."""
    return parse_flag(request.args.get(name, "")) is True


def id_arg(name):
    """A row id from the query string, or None; 400 when it is not one."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    value = row_id(raw)
    if value is None:
        raise ApiError(400, "bad_request", f"{name} must be a row id", {name: "not an id"})
    return value


def init_app(app):
    from casemgr.accounts import api as accounts_api  # noqa: F401 - registers routes
    from casemgr.api import openapi  # noqa: F401
    from casemgr.cases import api as cases_api  # noqa: F401
    from casemgr.cases import questions_api, routing_api  # noqa: F401
    from casemgr.dashboard import api as dashboard_api  # noqa: F401
    from casemgr.escalations import api as escalations_api  # noqa: F401
    from casemgr.processes import api as processes_api  # noqa: F401
    from casemgr.tasks import api as tasks_api  # noqa: F401
    from casemgr.web import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
