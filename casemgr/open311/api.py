"""The Open311 GeoReport v2 API under /open311/v2, in XML and JSON."""

import logging

from flask import Blueprint, abort, current_app, request, send_file, url_for

from casemgr.cases import questions
from casemgr.cases import service as cases
from casemgr.media import photos as media
from casemgr.open311 import keys, limits, params, schema, service
from casemgr.open311.errors import Errors, Open311Error
from casemgr.open311.render import answer, error_answer

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FMT = "<any(xml, json):fmt>"


def _format():
    return "json" if request.path.endswith(".json") else "xml"


@bp.errorhandler(Open311Error)
def _refused(exc):
    log.info("open311 %s %s refused (%s): %s", request.method, request.path, exc.status, exc)
    return error_answer(_format(), exc)


def _http_error(exc):
    description = exc.description if exc.code != 413 else (
        f"the request is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes")
    return error_answer(_format(), Open311Error([(exc.code, description)]))


# By code, because the app's error pages are registered by code and would win otherwise.
for _code in (400, 403, 404, 405, 413, 429):
    bp.register_error_handler(_code, _http_error)


def _client():
    """The active API key sent as api_key (in the form, or the query); 403 without one."""
    raw_key = (request.form.get("api_key") or request.args.get("api_key") or "").strip()
    if not raw_key:
        raise Open311Error([(403, "api_key is required")])
    key = keys.active_key(raw_key)
    if key is None:
        raise Open311Error([(403, "api_key is invalid or revoked")])
    return key


# -- discovery and services ----------------------------------------------------------------


@bp.get(f"/discovery.{FMT}")
def discovery(fmt):
    return answer(fmt, "discovery", schema.discovery_dict())


@bp.get(f"/services.{FMT}")
def services(fmt):
    errors = Errors()
    params.check_jurisdiction(request.args, errors)
    errors.raise_any()
    body = [schema.service_dict(c, bool(questions.questions_of(c))) for c in cases.categories()]
    return answer(fmt, "services", body)


@bp.get(f"/services/<code>.{FMT}")
def service_definition(code, fmt):
    errors = Errors()
    params.check_jurisdiction(request.args, errors)
    category = cases.category_by_code(code)
    if category is None or not category.is_active:
        errors.add(f"service_code {code[:40]!r} not found", 404)
    errors.raise_any()
    return answer(fmt, "service_definition",
                  schema.definition_dict(category, questions.questions_of(category)))


# -- requests ------------------------------------------------------------------------------


@bp.post(f"/requests.{FMT}")
def create_request(fmt):
    key = _client()
    fields, errors = params.request_fields(request.form, cases.MAX_DESCRIPTION)
    uploads = request.files.getlist("media") + request.files.getlist("photo")
    photos = cases.checked_photos(uploads)
    if current_app.config["OPEN311_ASYNC"]:
        token = service.queue_request(key, fields, photos, errors)
        notice = f"Queued: tokens/{token}.{fmt} gives its service_request_id once filed."
        body = [{"token": token, "service_notice": notice, "account_id": None}]
        return answer(fmt, "service_requests", body, status=202)

    case, token = service.file_request(key, fields, photos, errors)
    notice = f"Track it at {url_for('cases.track', reference=case.reference, _external=True)}"
    body = [{"service_request_id": case.reference, "token": token,
             "service_notice": notice, "account_id": None}]
    return answer(fmt, "service_requests", body, status=201)


def _request_bodies(found, extensions):
    details = service.details_of([case.id for case in found])
    bodies = []
    for case in found:
        body = schema.request_dict(case, details[case.id])
        if extensions:
            body["extended_attributes"] = schema.extended_dict(
                service.public_history(case.id), service.report_photos(case.id))
        bodies.append(body)
    return bodies


@bp.get(f"/requests.{FMT}")
def list_requests(fmt):
    filters, errors = params.request_filters(request.args)
    errors.raise_any()
    found = service.find_requests(filters)
    return answer(fmt, "service_requests", _request_bodies(found, filters["extensions"]))


@bp.get(f"/requests/<request_id>.{FMT}")
def get_request(request_id, fmt):
    errors = Errors()
    params.check_jurisdiction(request.args, errors)
    case = service.request_by_id(request_id)
    if case is None:
        errors.add(f"service_request_id {request_id[:40]!r} not found", 404)
    errors.raise_any()
    extensions = (request.args.get("extensions") or "").lower() == "true"
    return answer(fmt, "service_requests", _request_bodies([case], extensions))


@bp.get(f"/tokens/<token>.{FMT}")
def get_token(token, fmt):
    case = service.case_for_token(token)
    if case is not None:
        return answer(fmt, "service_requests",
                      [{"service_request_id": case.reference, "token": token}])

    pending = service.pending_for_token(token)
    if pending is None:
        raise Open311Error([(404, f"token {token[:40]!r} not found")])
    if pending.status == "failed":
        raise Open311Error([(404, f"token {token!r} was not filed: {pending.error}")])
    # Queued: the id comes once the job has filed it.
    return answer(fmt, "service_requests", [{"service_request_id": None, "token": token}])


# -- updates -------------------------------------------------------------------------------


@bp.get(f"/servicerequestupdates.{FMT}")
def list_updates(fmt):
    start, end, errors = params.update_window(request.args)
    errors.raise_any()
    rows = service.public_updates(start, end, params.MAX_RESULTS)
    return answer(fmt, "service_request_updates",
                  [schema.update_dict(event, case) for event, case in rows])


@bp.post(f"/servicerequestupdates.{FMT}")
def post_update(fmt):
    key = _client()
    fields, errors = params.update_fields(request.form, cases.MAX_DESCRIPTION)
    event = service.receive_update(key, fields, errors)
    return answer(fmt, "service_request_updates", [{"update_id": str(event.id)}], status=201)


# -- photos --------------------------------------------------------------------------------


@bp.get("/media/<name>", endpoint="media")
def media_file(name):
    photo = service.report_photo(name)
    path = media.path_of(name, current_app.config["UPLOAD_DIR"]) if photo else None
    if path is None:
        abort(404, f"no photo {name[:80]!r}")
    return send_file(path, mimetype=photo.content_type, max_age=3600)


def init_app(app):
    from casemgr.open311 import openapi  # noqa: F401 - registers its route
    from casemgr.web import csrf

    limits.init_app(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
