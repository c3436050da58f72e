"""Cases in the staff API: intake, listing and one case with its tasks and history."""

import logging

from flask import jsonify, request, url_for

from casemgr.api import bp, optional_user, page_args, require_user
from casemgr.api.errors import ApiError
from casemgr.cases import access, history, service
from casemgr.cases.schema import case_dict, category_dict, event_dict, photo_dict, task_dict
from casemgr.tasks import service as tasks

log = logging.getLogger(__name__)

TRUE_WORDS = {"1", "true", "yes", "on"}


@bp.get("/categories")
def list_categories():
    return jsonify({"items": [category_dict(c) for c in service.categories()]})


def _intake_fields():
    if request.mimetype == "multipart/form-data" or request.mimetype.endswith("urlencoded"):
        form = request.form
        fields = {key: form.get(key) for key in form}
        fields["anonymous"] = str(form.get("anonymous", "")).lower() in TRUE_WORDS
        return fields, request.files.getlist("photo") + request.files.getlist("photos")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "send JSON or multipart form data")
    return payload, []


def _number(value, name):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ApiError(422, "invalid", f"{name} must be a number", {name: "must be a number"})
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(
            422, "invalid", f"{name} must be a number", {name: "must be a number"}
        ) from None


@bp.post("/cases")
def file_case():
    user = optional_user()
    fields, files = _intake_fields()
    try:
        case, secret = service.file_case(
            category=fields.get("category"),
            description=fields.get("description"),
            lat=_number(fields.get("lat"), "lat"),
            lon=_number(fields.get("lon"), "lon"),
            reporter=user,
            reporter_name=_text(fields.get("reporter_name"), 200),
            reporter_email=_text(fields.get("reporter_email"), 200),
            is_anonymous=bool(fields.get("anonymous")),
            address=_text(fields.get("address"), 300),
            photos=service.checked_photos(files),
            source="api",
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


def _text(value, limit):
    if value is None:
        return None
    return str(value).strip()[:limit] or None


@bp.get("/cases")
def list_cases():
    user = require_user()
    page, size = page_args()
    args = request.args
    located = args.get("located")
    rows, total = service.list_cases(
        user,
        status=args["status"].split(",") if args.get("status") else None,
        category=args.get("category"),
        unit=args.get("unit"),
        district=args.get("district"),
        is_overdue=args.get("overdue") in TRUE_WORDS,
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
        raise ApiError(403, "forbidden", f"case {case_id} is not in your unit")

    staff = access.is_staff_reader(user)
    body = case_dict(case, staff=staff)
    body["tasks"] = [task_dict(t) for t in tasks.open_tasks_of(case.id)]
    body["history"] = [event_dict(e) for e in history.events_of(case.id, public_only=not staff)]
    body["photos"] = [photo_dict(a) for a in service.attachments_of(case.id)]
    return jsonify(body)
