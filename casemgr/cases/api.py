"""Cases in the staff API: intake, listing and one case with its tasks and history."""

import logging
import math

from flask import jsonify, request, url_for

from casemgr.api import bp, flag_arg, optional_user, page_args, require_user
from casemgr.api.errors import ApiError
from casemgr.cases import access, history, service
from casemgr.cases.models import STATUSES
from casemgr.cases.schema import case_dict, category_dict, event_dict, photo_dict, task_dict
from casemgr.tasks import service as tasks
from config import parse_flag

log = logging.getLogger(__name__)



@bp.get("/categories")
def list_categories():
    return jsonify({"items": [category_dict(c) for c in service.categories()]})


def _intake_fields():
    if request.mimetype == "multipart/form-data" or request.mimetype.endswith("urlencoded"):
        form = request.form
        fields = {key: form.get(key) for key in form}
        return fields, request.files.getlist("photo") + request.files.getlist("photos")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "send JSON or multipart form data")
    return payload, []


class _Fields:
    """Read intake fields by type, collecting one message per bad field."""

    def __init__(self, raw):
        self.raw = raw
        self.errors = {}

    def number(self, name):
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
        except (TypeError, ValueError, OverflowError):
            self.errors[name] = "must be a number"
            return None

    def text(self, name, limit):
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[name] = "must be text"
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.errors[name] = "is not valid UTF-8 text"
            return None
        if len(value.strip()) > limit:
            self.errors[name] = f"at most {limit} characters"
            return None
        return value.strip() or None

    def flag(self, name):
        value = self.raw.get(name, False)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and not value.strip():
            return False
        if isinstance(value, str) and parse_flag(value) is not None:
            return parse_flag(value)
        self.errors[name] = "must be true or false"
        return False


@bp.post("/cases")
def file_case():
    user = optional_user()
    raw, files = _intake_fields()
    fields = _Fields(raw)
    intake = {
        "category": fields.text("category", 40),
        "description": fields.text("description", service.MAX_DESCRIPTION),
        "lat": fields.number("lat"),
        "lon": fields.number("lon"),
        "reporter_name": fields.text("reporter_name", 200),
        "reporter_email": fields.text("reporter_email", 200),
        "is_anonymous": fields.flag("anonymous"),
        "wants_email": fields.flag("email_updates"),
        "address": fields.text("address", 300),
    }
    if fields.errors:
        raise ApiError(422, "invalid", "the report has errors", fields.errors)
    try:
        case, secret = service.file_case(
            **intake, reporter=user, photos=service.checked_photos(files), source="api"
        )
    except service.IntakeError as exc:
        raise ApiError(422, "invalid", "the report has errors", exc.fields) from exc

    body = {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "tracking_url": url_for("cases.track", reference=case.reference),
    }
    if secret:
        body["verify_url"] = url_for("cases.track", reference=case.reference, key=secret)
    return jsonify(body), 201


@bp.get("/cases")
def list_cases():
    user = require_user()
    page, size = page_args()
    args = request.args
    located = args.get("located")
    statuses = args["status"].split(",") if args.get("status") else None
    unknown = sorted(set(statuses or ()) - set(STATUSES))
    if unknown:
        raise ApiError(422, "invalid", f"unknown status {', '.join(unknown)}",
                       {"status": f"use one of {', '.join(STATUSES)}"})
    rows, total = service.list_cases(
        user,
        status=statuses,
        category=args.get("category"),
        unit=args.get("unit"),
        district=args.get("district"),
        is_overdue=flag_arg("overdue"),
        is_located={"true": True, "false": False}.get(located),
        text=args.get("q"),
        page=page,
        size=size,
    )
    # A citizen's listing shows what their case page shows, not the staff fields.
    staff = access.is_staff_reader(user)
    return jsonify(
        {
            "items": [case_dict(c, staff=staff) for c in rows],
            "page": page,
            "page_size": size,
            "total": total,
        }
    )


@bp.get("/cases/<int:case_id>")
def get_case(case_id):
    user = require_user()
    case = service.get(case_id)
    if case is None:
        raise ApiError(404, "not_found", f"no case {case_id}")
    if not access.can_view(user, case):
        raise ApiError(403, "forbidden", f"you may not read case {case_id}")

    staff = access.is_staff_reader(user)
    body = case_dict(case, staff=staff)
    body["tasks"] = [task_dict(t) for t in tasks.open_tasks_of(case.id)]
    body["history"] = [
        event_dict(e, staff) for e in history.events_of(case.id, public_only=not staff)
    ]
    body["photos"] = [photo_dict(a) for a in service.attachments_of(case.id)]
    return jsonify(body)
