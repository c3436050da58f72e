"""Escalations in the staff API: overdue cases, extensions, reassignments and incidents."""

import logging
import math
from contextlib import contextmanager

from flask import jsonify, request

from casemgr.accounts import service as accounts
from casemgr.api import bp, conflicts_as_409, json_body, require_user
from casemgr.api.errors import ApiError
from casemgr.cases import service as cases
from casemgr.cases.schema import iso, unit_dict
from casemgr.db import utcnow
from casemgr.escalations import schema, service
from casemgr.escalations.calendar import CalendarError
from forms.escalations import MAX_EXTEND_HOURS

log = logging.getLogger(__name__)

LEVELS = ("0", "1", "2")
MAX_REASON = 500


@bp.get("/escalations")
def list_escalations():
    user = require_user(*service.DASHBOARD_ROLES)
    args = request.args
    level = args.get("level") or None
    if level is not None and level not in LEVELS:
        raise ApiError(422, "invalid", "level must be 0, 1 or 2", {"level": "must be 0, 1 or 2"})

    found = service.overdue_and_at_risk(
        user,
        unit=args.get("unit"),
        category=args.get("category"),
        district=args.get("district"),
        level=level,
    )
    return jsonify({"items": [schema.row_dict(row) for row in schema.rows_of(found, utcnow())]})


def _case_for(user, case_id):
    case = cases.get(case_id)
    if case is None:
        raise ApiError(404, "not_found", f"no case {case_id}")
    if not service.can_act_on(user, case):
        raise ApiError(403, "forbidden", f"you may not act on case {case_id}")
    return case


@contextmanager
def _refusals():
    """Turn the services' refusals into 409 answers."""
    try:
        with conflicts_as_409():
            yield
    except (service.ActionRefused, CalendarError) as exc:
        raise ApiError(409, "refused", str(exc)) from exc


def _reason(payload, fields):
    reason = payload.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        fields["reason"] = "required"
    elif len(reason) > MAX_REASON:
        fields["reason"] = f"at most {MAX_REASON} characters"
    return reason.strip() if isinstance(reason, str) else None


def _hours(payload, fields):
    hours = payload.get("hours")
    is_whole = (
        isinstance(hours, int | float)
        and not isinstance(hours, bool)
        and math.isfinite(hours)
        and hours == int(hours)
    )
    if not is_whole:
        fields["hours"] = "a whole number of working hours"
    elif not 1 <= hours <= MAX_EXTEND_HOURS:
        fields["hours"] = f"between 1 and {MAX_EXTEND_HOURS}"
    return int(hours) if is_whole else None


def _invalid(fields):
    if fields:
        raise ApiError(422, "invalid", "the request has errors", fields)


@bp.post("/cases/<int:case_id>/extend")
def extend_case(case_id):
    user = require_user(*service.DASHBOARD_ROLES)
    case = _case_for(user, case_id)
    payload, fields = json_body(), {}
    hours, reason = _hours(payload, fields), _reason(payload, fields)
    _invalid(fields)

    with _refusals():
        service.extend_due(case, hours, reason, user)
    return jsonify(
        {
            "id": case.id,
            "reference": case.reference,
            "due_at": iso(case.sla_due_at),
            "level": case.escalation_level or 0,
            "version": case.version,
        }
    )


def _target(payload, case, fields):
    """The officer or unit a reassignment names, checked; (officer, unit)."""
    username, code = payload.get("officer"), payload.get("unit")
    if bool(username) == bool(code):
        fields["officer"] = "give an officer's username or a unit code, one of them"
        return None, None
    if code:
        unit = accounts.find_unit(str(code))
        if unit is None:
            fields["unit"] = f"no unit {code}"
        return None, unit

    officer = accounts.find_user(str(username))
    if officer is None or not officer.has_role("field_officer"):
        fields["officer"] = f"no field officer {username}"
    elif officer.unit_id != case.unit_id:
        fields["officer"] = f"not a field officer of {case.unit.name}"
    return officer, None


@bp.post("/cases/<int:case_id>/reassign")
def reassign_case(case_id):
    user = require_user(*service.DASHBOARD_ROLES)
    case = _case_for(user, case_id)
    payload, fields = json_body(), {}
    officer, unit = _target(payload, case, fields)
    reason = _reason(payload, fields)
    _invalid(fields)

    with _refusals():
        service.reassign(case, reason, user, officer=officer, unit=unit)
    return jsonify(
        {
            "id": case.id,
            "reference": case.reference,
            "unit": unit_dict(case.unit),
            "assignee": officer.username if officer else None,
            "version": case.version,
        }
    )


def _incident_dict(case):
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "unit": unit_dict(case.unit),
        "error": case.error,
        "updated_at": iso(case.updated_at),
        "version": case.version,
    }


@bp.get("/incidents")
def list_incidents():
    user = require_user(*service.DASHBOARD_ROLES)
    return jsonify({"items": [_incident_dict(c) for c in service.stalled_cases(user)]})


@bp.post("/cases/<int:case_id>/retry")
def retry_case(case_id):
    user = require_user(*service.DASHBOARD_ROLES)
    case = _case_for(user, case_id)
    with _refusals():
        service.retry_stalled(case, user)
    return jsonify(_incident_dict(case))
