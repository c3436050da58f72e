"""Processes in the staff API: validate, drafts, deploy, versions. Process owners only."""

import json
import logging

from flask import Response, jsonify, request

from casemgr.api import bp, require_user
from casemgr.api.errors import ApiError
from casemgr.cases.schema import iso
from casemgr.processes import migration, migration_runs, service, versions
from casemgr.web import MAX_ID

log = logging.getLogger(__name__)

EDITORS = ("process_owner", "admin")
XML_TYPES = ("application/xml", "text/xml", "application/bpmn+xml", "application/octet-stream")


def _xml_body():
    """The BPMN document: a raw XML body, or JSON {"xml": "..."}."""
    if request.mimetype in XML_TYPES or request.mimetype.startswith("text/"):
        return request.get_data()
    payload = request.get_json(silent=True)
    if isinstance(payload, dict) and isinstance(payload.get("xml"), str):
        return payload["xml"].encode("utf-8")
    raise ApiError(400, "bad_request", "send the BPMN as an XML body, or JSON {\"xml\": ...}")


def _invalid(errors):
    body = {"error": {"code": "invalid", "message": "the process has problems",
                      "fields": {}}, "errors": errors}
    return jsonify(body), 422


@bp.post("/processes/validate")
def validate_process():
    require_user(*EDITORS)
    parsed, errors = service.validate(_xml_body())
    if errors:
        return _invalid(errors)
    return jsonify({"errors": [], "process_id": parsed.process_id})


def _summary(key):
    latest = service.latest_version(key)
    draft = service.get_draft(key)
    return {
        "key": key,
        "latest_version": latest.version if latest else None,
        "deployed_at": iso(latest.created_at) if latest else None,
        "has_draft": draft is not None,
    }


@bp.get("/processes")
def list_processes():
    require_user(*EDITORS)
    return jsonify({"items": [_summary(key) for key in service.process_keys()]})


@bp.get("/processes/<key>/draft")
def get_draft(key):
    require_user(*EDITORS)
    draft = service.get_draft(key)
    if draft is not None:
        errors = json.loads(draft.errors or "[]")
        return jsonify({"key": key, "xml": draft.bpmn_xml, "errors": errors,
                        "is_valid": not errors, "updated_at": iso(draft.updated_at)})
    latest = service.latest_version(key)
    if latest is None:
        raise ApiError(404, "not_found", f"no process {key}")
    return jsonify({"key": key, "xml": latest.bpmn_xml, "errors": [], "is_valid": True,
                    "updated_at": None, "from_version": latest.version})


@bp.put("/processes/<key>/draft")
def save_draft(key):
    user = require_user(*EDITORS)
    try:
        _draft, errors = service.save_draft(key, _xml_body(), user)
    except service.DeployError as exc:
        return _invalid(exc.errors)
    return jsonify({"key": key, "errors": errors, "is_valid": not errors})


@bp.post("/processes/<key>/deploy")
def deploy_draft(key):
    user = require_user(*EDITORS)
    try:
        version = service.deploy_draft(key, user)
    except service.DeployError as exc:
        return _invalid(exc.errors)
    log.info("process %s version %s deployed by %s", key, version.version, user.username)
    return jsonify({"key": key, "version": version.version}), 201


@bp.get("/processes/<key>/versions")
def list_versions(key):
    require_user(*EDITORS)
    rows = versions.history(key)
    if not rows:
        raise ApiError(404, "not_found", f"no deployed process {key}")
    return jsonify({"items": [
        {"version": row.version.version, "name": row.version.name,
         "created_at": iso(row.version.created_at), "sha256": row.version.sha256,
         "created_by": row.deployed_by, "open_cases": row.open_cases} for row in rows]})


@bp.get("/processes/<key>/versions/<int:number>.bpmn")
def download_version(key, number):
    require_user(*EDITORS)
    version = service.version_by_number(key, number)
    if version is None:
        raise ApiError(404, "not_found", f"no version {number} of {key}")
    return Response(version.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}-v{number}.bpmn"'})


def _is_row_number(value):
    # Past MAX_ID PostgreSQL refuses the number itself: that would be a 500, not a 404.
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _target(key):
    payload = request.get_json(silent=True) or {}
    number = payload.get("version")
    if not _is_row_number(number):
        raise ApiError(422, "invalid", "give the target version number",
                       {"version": f"a whole number from 1 to {MAX_ID}"})
    version = service.version_by_number(key, number)
    if version is None:
        raise ApiError(404, "not_found", f"no version {number} of {key}")
    case_ids = payload.get("case_ids")
    if case_ids is not None and (not isinstance(case_ids, list) or not all(
            _is_row_number(i) for i in case_ids)):
        raise ApiError(422, "invalid", "case_ids must be a list of ids",
                       {"case_ids": "a list of whole numbers"})
    return version, case_ids


def _check_dict(check):
    return {"case_id": check.case_id, "reference": check.reference,
            "from_version": check.from_version, "movable": check.is_movable,
            "reasons": check.reasons}


@bp.post("/processes/<key>/migration/preview")
def preview_migration(key):
    require_user(*EDITORS)
    version, _case_ids = _target(key)
    checks = migration.preview(version)
    return jsonify({"version": version.version, "items": [_check_dict(c) for c in checks],
                    "movable": sum(c.is_movable for c in checks),
                    "not_movable": sum(not c.is_movable for c in checks)})


@bp.post("/processes/<key>/migration")
def run_migration(key):
    user = require_user(*EDITORS)
    version, case_ids = _target(key)
    moved, refused = migration.migrate(version, user, case_ids)
    return jsonify({"version": version.version, "moved": [_check_dict(c) for c in moved],
                    "refused": [_check_dict(c) for c in refused]})


def run_dict(run):
    """A migration run as the API and the progress page show it."""
    target = service.get_version(run.target_version_id)
    return {"id": run.id, "key": run.process_key, "version": target.version,
            "status": run.status, "total": run.total, "moved": run.moved,
            "failed": run.failed, "done": run.done_count, "is_finished": run.is_finished,
            "percent": round(100 * run.done_count / run.total) if run.total else 100,
            "failures": migration_runs.failures_of(run), "error": run.error,
            "created_at": iso(run.created_at), "finished_at": iso(run.finished_at)}


@bp.post("/processes/<key>/migrations")
def start_migration_run(key):
    """Start a batch migration as a job; poll the answer's URL for its progress."""
    user = require_user(*EDITORS)
    version, case_ids = _target(key)
    run_id = migration_runs.start(version, user, case_ids)
    response = jsonify(run_dict(migration_runs.get(run_id)))
    response.headers["Location"] = f"/api/v1/processes/{key}/migrations/{run_id}"
    return response, 202


@bp.get("/processes/<key>/migrations/<int:run_id>")
def migration_run_status(key, run_id):
    require_user(*EDITORS)
    run = migration_runs.get(run_id)
    if run is None or run.process_key != key:
        raise ApiError(404, "not_found", f"no migration run {run_id} of {key}")
    return jsonify(run_dict(run))


@bp.get("/processes/<key>/versions/<int:older>/diff/<int:newer>")
def diff_versions(key, older, newer):
    require_user(*EDITORS)
    versions = [service.version_by_number(key, number) for number in (older, newer)]
    if None in versions:
        raise ApiError(404, "not_found", f"{key} has no version {older} or {newer}")
    return jsonify({"key": key, "from": older, "to": newer,
                    **service.diff_versions(*versions)})
