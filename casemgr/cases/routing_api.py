"""Routing rules and each category's process in the staff API, and "test a point".

Process owners and admins only.
"""

from datetime import datetime

from flask import current_app, jsonify, request

from casemgr.accounts import service as accounts
from casemgr.api import bp, json_body, require_user
from casemgr.api.errors import ApiError
from casemgr.cases import category_processes, districts, routing, service, time_windows
from casemgr.cases.models import Category, District
from casemgr.cases.schema import iso, unit_dict
from casemgr.db import session
from casemgr.processes import service as processes

EDITORS = ("process_owner", "admin")


def _rule_dict(rule):
    category = session.get(Category, rule.category_id) if rule.category_id else None
    district = session.get(District, rule.district_id) if rule.district_id else None
    return {
        "id": rule.id,
        "position": rule.position,
        "category": category.code if category else None,
        "district": {"code": district.code, "name": district.name} if district else None,
        "unit": unit_dict(rule.unit),
        "time_from": f"{rule.time_from:%H:%M}" if rule.time_from else None,
        "time_to": f"{rule.time_to:%H:%M}" if rule.time_to else None,
        "weekdays": [time_windows.WEEKDAYS[n] for n in sorted(rule.window.weekdays)],
        "window": rule.window.describe(),
    }


@bp.get("/routing-rules")
def list_routing_rules():
    require_user(*EDITORS)
    return jsonify({"items": [_rule_dict(rule) for rule in routing.list_rules()]})


@bp.post("/routing-rules")
def add_routing_rule():
    user = require_user(*EDITORS)
    payload = json_body()
    fields = {}
    unit = accounts.find_unit(payload.get("unit")) if isinstance(payload.get("unit"), str) \
        else None
    if unit is None:
        fields["unit"] = "a unit code"
    category = None
    if payload.get("category") is not None:
        category = service.category_by_code(str(payload["category"]))
        if category is None:
            fields["category"] = f"unknown category {payload['category']!r}"
    district = None
    if payload.get("district") is not None:
        district = session.query(District).filter_by(code=str(payload["district"])).first()
        if district is None:
            fields["district"] = f"unknown district {payload['district']!r}"
    position = payload.get("position", 100)
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 10**6:
        fields["position"] = "a whole number from 0 to 1000000"
    window = _window(payload, fields)
    if fields:
        raise ApiError(422, "invalid", "the rule has errors", fields)

    rule = routing.add_rule(unit, category, district, position, actor=user, window=window)
    session.commit()
    return jsonify(_rule_dict(rule)), 201


def _window(payload, fields):
    """The rule's optional time window; its problems go into `fields`."""
    try:
        return time_windows.window(payload.get("time_from"), payload.get("time_to"),
                                   payload.get("weekdays"))
    except time_windows.WindowError as exc:
        fields.update(exc.fields)
        return None


@bp.post("/routing-rules/<int:rule_id>/move")
def move_routing_rule(rule_id):
    """Swap a rule with the one above or below it: {"direction": "up" | "down"}."""
    user = require_user(*EDITORS)
    direction = json_body().get("direction")
    if direction not in ("up", "down"):
        raise ApiError(422, "invalid", "say which way to move the rule",
                       {"direction": "up or down"})
    if not routing.move_rule(rule_id, direction, user):
        raise ApiError(404, "not_found", f"no routing rule {rule_id}")
    return jsonify({"items": [_rule_dict(rule) for rule in routing.list_rules()]})


@bp.delete("/routing-rules/<int:rule_id>")
def delete_routing_rule(rule_id):
    user = require_user(*EDITORS)
    if not routing.delete_rule(rule_id, user):
        raise ApiError(404, "not_found", f"no routing rule {rule_id}")
    return "", 204


@bp.post("/routing/test")
def test_a_point():
    """Which district holds the point and which rule (or the category) picks the unit."""
    require_user(*EDITORS)
    payload = request.get_json(silent=True) or {}
    category = service.category_by_code(str(payload.get("category", "")))
    fields = {} if category else {"category": "a category code"}
    try:
        lat, lon = float(payload.get("lat")), float(payload.get("lon"))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError
    except (TypeError, ValueError):
        fields["lat"] = "lat and lon must be numbers on the globe"
    at = _moment(payload.get("at"), fields)
    if fields:
        raise ApiError(422, "invalid", "the test point has errors", fields)

    return jsonify(routing_answer(category, districts.district_at(lat, lon), at))


def _moment(raw, fields):
    """The optional filing moment: ISO 8601; without an offset it is city time."""
    if raw in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        fields["at"] = "a moment in ISO 8601, such as 2026-12-04T22:30 (city time)"
        return None


def routing_answer(category, district, at=None):
    """Which rule fires for a category, district and moment, and the unit it gives."""
    rule = routing.matching_rule(category, district, at)
    unit = rule.unit if rule is not None else category.unit
    local = routing.city_time(at) if at is not None else None
    return {
        "district": {"code": district.code, "name": district.name} if district else None,
        "rule": _rule_dict(rule) if rule is not None else None,
        "unit": unit_dict(unit),
        "at": local.isoformat(timespec="minutes") if local else None,
        "timezone": current_app.config["CASEMGR_TIMEZONE"],
        "explanation": (f"rule {rule.id} at position {rule.position}" if rule is not None
                        else "no rule matched: the category's own unit"),
    }


# -- which process each category runs -----------------------------------------------------


def _category_dict(category):
    latest = processes.latest_version(category.process_key)
    return {"code": category.code, "name": category.name, "process_key": category.process_key,
            "latest_version": latest.version if latest else None,
            "is_active": category.is_active}


def _change_dict(change):
    return {"category": change.category.code, "from": change.from_key, "to": change.to_key,
            "at": iso(change.changed_at), "by": change.changed_by_label}


@bp.get("/category-processes")
def list_category_processes():
    require_user(*EDITORS)
    return jsonify({"items": [_category_dict(c) for c in category_processes.categories()],
                    "processes": category_processes.deployed_keys()})


@bp.put("/category-processes/<code>")
def set_category_process(code):
    """Choose the process a category's new cases run on: {"process_key": "..."}."""
    user = require_user(*EDITORS)
    key = json_body().get("process_key")
    category = service.category_by_code(code)
    if category is None:
        raise ApiError(404, "not_found", f"no category {code!r}")
    if not isinstance(key, str) or not key.strip():
        raise ApiError(422, "invalid", "give the process key", {"process_key": "a process key"})
    try:
        category_processes.set_process(category, key, user)
    except category_processes.UnknownProcess as exc:
        raise ApiError(422, "invalid", str(exc), {"process_key": str(exc)}) from exc
    return jsonify(_category_dict(category))


@bp.get("/category-processes/log")
def category_process_log():
    require_user(*EDITORS)
    return jsonify({"items": [_change_dict(c) for c in category_processes.recent_changes()]})
