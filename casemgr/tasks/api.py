"""Tasks in the staff API: the caller's inbox, claim, release and complete."""

import logging

from flask import jsonify, request, url_for

from casemgr.api import bp, conflicts_as_409, flag_arg, id_arg, require_user
from casemgr.api.errors import ApiError, form_errors
from casemgr.cases import service as cases
from casemgr.cases.schema import task_dict
from casemgr.db import row_id
from casemgr.media.photos import PhotoError
from casemgr.tasks import cursor, service
from forms.tasks import describe

log = logging.getLogger(__name__)


def _fields(task, known_choices=None):
    return describe(service.build_form(task, csrf=False, known_choices=known_choices))


@bp.get("/tasks")
def list_tasks():
    user = require_user()
    args = request.args
    page = service.inbox_page(
        user,
        size=_page_size(),
        after=_after(),
        category=args.get("category"),
        district_id=id_arg("district_id"),
        overdue=flag_arg("overdue"),
        bpmn_id=args.get("bpmn_id"),
        mine=flag_arg("mine"),
        case_id=id_arg("case_id"),
    )
    known_choices = {}  # officers, units and categories: read once for the whole page
    return jsonify({
        "items": [task_dict(t, _fields(t, known_choices)) for t in page.tasks],
        "next_after": page.next_after,
        "next": _next_url(page.next_after),
    })


def _page_size():
    raw = request.args.get("limit")
    if raw in (None, ""):
        return service.PAGE_SIZE
    size = row_id(raw)
    if size is None or not 1 <= size <= service.MAX_PAGE_SIZE:
        problem = f"a whole number from 1 to {service.MAX_PAGE_SIZE}"
        raise ApiError(400, "bad_request", f"limit must be {problem}", {"limit": problem})
    return size


def _after():
    try:
        return cursor.parse(request.args.get("after"))
    except cursor.CursorError as exc:
        raise ApiError(400, "bad_request", f"after: {exc}", {"after": str(exc)}) from None


def _next_url(after):
    """The next page's URL with the same filters; None on the last page."""
    if after is None:
        return None
    return url_for("api.list_tasks", **{**request.args.to_dict(), "after": after})


def _task_for(user, task_id):
    try:
        task = service.get_for(user, task_id)
    except service.TaskForbidden as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    if task is None:
        raise ApiError(404, "not_found", f"no task {task_id}")
    return task


@bp.get("/tasks/<int:task_id>")
def get_task(task_id):
    user = require_user()
    task = _task_for(user, task_id)
    return jsonify(task_dict(task, _fields(task)))


@bp.post("/tasks/<int:task_id>/claim")
def claim_task(task_id):
    user = require_user()
    task = _task_for(user, task_id)
    try:
        service.claim(task, user)
    except service.TaskForbidden as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    except service.TaskConflict as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return jsonify(task_dict(task))


@bp.post("/tasks/<int:task_id>/release")
def release_task(task_id):
    user = require_user()
    # A supervisor may release an officer's task, which is not theirs to work on.
    task = service.get_task(task_id)
    if task is None:
        raise ApiError(404, "not_found", f"no task {task_id}")
    try:
        service.release(task, user)
    except service.TaskForbidden as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    except service.TaskConflict as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return jsonify(task_dict(task))


def _submitted():
    """Form data and files from JSON or multipart; the case version if the caller sent it."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.form.copy(), request.files
    payload = request.get_json(silent=True)
    if payload is None and not request.data:
        payload = {}
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "send a JSON object or multipart form data")
    return service.json_to_formdata(payload), None


def _expected_version(formdata):
    raw = formdata.pop("case_version", None) or request.headers.get("If-Match")
    if raw in (None, ""):
        return None
    try:
        return int(str(raw).strip('"'))
    except ValueError:
        raise ApiError(400, "bad_request", "case_version must be a whole number") from None


@bp.post("/tasks/<int:task_id>/complete")
def complete_task(task_id):
    user = require_user()
    task = _task_for(user, task_id)
    if task.status != "open":
        raise ApiError(409, "conflict", f"task {task_id} is already {task.status}")

    formdata, files = _submitted()
    expected = _expected_version(formdata)
    form = service.build_form(task, formdata, csrf=False)
    photos = []
    for name in form.file_fields:
        photos += cases.checked_photos(files.getlist(name) if files else [])
    photo_errors = {
        name: str(p) for name in form.file_fields for p in photos if isinstance(p, PhotoError)
    }
    if not photo_errors and service.needs_photo(task, photos):
        photo_errors[service.RESOLUTION_PHOTO] = str(service.MissingPhoto())
    if not form.validate() or photo_errors:
        fields = {**form_errors(form), **photo_errors}
        raise ApiError(422, "invalid", "the form has errors", fields)

    try:
        with conflicts_as_409():
            service.complete(task, user, form.engine_values(), photos, expected)
    except service.TaskForbidden as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    return jsonify(
        {
            "task": task_dict(task),
            "case": {"id": task.case_id, "status": task.case.status, "version": task.case.version},
        }
    )
