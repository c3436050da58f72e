"""Routing rules in the staff API, and "test a point". Process owners and admins."""

from flask import jsonify, request

from casemgr.accounts import service as accounts
from casemgr.api import bp, json_body, require_user
from casemgr.api.errors import ApiError
from casemgr.cases import districts, routing, service
from casemgr.cases.models import Category, District
from casemgr.cases.schema import unit_dict
from casemgr.db import session

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
    if fields:
        raise ApiError(422, "invalid", "the rule has errors", fields)

    rule = routing.add_rule(unit, category, district, position, actor=user)
    session.commit()
    return jsonify(_rule_dict(rule)), 201


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
    if fields:
        raise ApiError(422, "invalid", "the test point has errors", fields)

    district = districts.district_at(lat, lon)
    rule = routing.matching_rule(category, district)
    unit = rule.unit if rule is not None else category.unit
    return jsonify({
        "district": {"code": district.code, "name": district.name} if district else None,
        "rule": _rule_dict(rule) if rule is not None else None,
        "unit": unit_dict(unit),
        "explanation": (f"rule {rule.id} at position {rule.position}" if rule is not None
                        else "no rule matched: the category's own unit"),
    })
