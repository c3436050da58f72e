"""KPIs, task times, unlocated cases and exports in the staff API (GET /api/v1/kpis...)."""

import json
import logging

from flask import Response, jsonify, request

from casemgr.api import bp, require_user
from casemgr.api import openapi as docs
from casemgr.api.errors import ApiError
from casemgr.dashboard import exports, filters, service

log = logging.getLogger(__name__)


def _staff():
    user = require_user()
    if not service.can_view(user):
        raise ApiError(403, "forbidden", "the KPIs are for city staff")
    return user


def _filter():
    try:
        return filters.parse(request.args)
    except filters.FilterError as exc:
        raise ApiError(422, "invalid", f"bad filter: {exc}", exc.fields) from None


def _checked(read):
    try:
        return read(request.args)
    except filters.FilterError as exc:
        raise ApiError(422, "invalid", str(exc), exc.fields) from None


def _group_by():
    return _checked(filters.group_by)


@bp.get("/kpis")
def kpis_index():
    user = _staff()
    return jsonify(service.figures(user, _filter(), _group_by()))


@bp.get("/kpis/task-times")
def kpis_task_times():
    user = _staff()
    case_filter = _filter()
    return jsonify(service.task_times(user, case_filter, _checked(filters.process_key)))


@bp.get("/kpis/trends")
def kpis_trends():
    user = _staff()
    return jsonify(service.trends(user, _filter()))


@bp.get("/kpis/unlocated")
def kpis_unlocated():
    """The filtered cases without a real point: listed here, never drawn on a map."""
    user = _staff()
    case_filter = _filter()
    moment = service.as_of(user, case_filter)
    found = service.cases_for(user, case_filter, is_located=False)
    return jsonify({"items": [exports.case_record(case, moment) for case in found]})


@bp.get("/kpis/cases.csv")
def kpis_cases_csv():
    user = _staff()
    case_filter = _filter()
    moment = service.as_of(user, case_filter)
    body = exports.csv_text(service.cases_for(user, case_filter), moment)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


@bp.get("/kpis/cases.geojson")
def kpis_cases_geojson():
    user = _staff()
    case_filter = _filter()
    moment = service.as_of(user, case_filter)
    collection = service.case_map(user, case_filter, moment)
    return Response(json.dumps(collection), mimetype="application/geo+json")


# -- the OpenAPI description -------------------------------------------------------------

FILTER_PARAMS = docs._query(*filters.NAMES)
BAD_FILTER = {"422": {"description": "A bad filter value, named in fields",
                      **docs._json(docs._ref("Error"))}}


def _described(summary, content_type="application/json", params=FILTER_PARAMS):
    ok = {"200": {"description": summary, "content": {content_type: {}}}}
    return {"get": docs._op(summary, {**ok, **BAD_FILTER}, params=params)}


docs.PATHS.update(
    {
        "/kpis": _described(
            "Counts, median and p90 hours to resolve and close, on-time share, backlog, "
            "reopen rate and rating per category, unit, official or district, and overall",
            params=FILTER_PARAMS + docs._query("group_by"),
        ),
        "/kpis/task-times": _described(
            "Median hours spent in each BPMN user task (heat: bpmn_id -> hours), for the "
            "diagram's heat map", params=FILTER_PARAMS + docs._query("process"),
        ),
        "/kpis/trends": _described("Cases filed and resolved per week"),
        "/kpis/unlocated": _described("Filtered cases without a real point"),
        "/kpis/cases.csv": _described("The filtered cases as CSV", "text/csv"),
        "/kpis/cases.geojson": _described(
            "The filtered located cases as GeoJSON points (`kind`: points); when `bbox` "
            "holds more cases than a map can draw, grid clusters instead (`kind`: clusters), "
            "each a point at its cases' mean with `count`, `overdue` and the `bbox` of its "
            "cases; `total` counts the cases either way", "application/geo+json"
        ),
    }
)
