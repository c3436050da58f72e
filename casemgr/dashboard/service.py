"""The dashboard's reading of cases, histories and tasks, and the one writer of overlays."""

import json
import logging
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from casemgr.accounts.models import Unit, User
from casemgr.cases import access, bbox, clusters, districts
from casemgr.cases import service as cases
from casemgr.cases.models import Case, CaseEvent, Category, District
from casemgr.dashboard import exports, kpis, overlays, timeliness
from casemgr.dashboard.filters import AS_OF_DATA
from casemgr.dashboard.models import OverlayLayer
from casemgr.db import session, utcnow
from casemgr.processes.models import ProcessVersion
from casemgr.tasks.models import Task

log = logging.getLogger(__name__)

#: History kinds of a supervisor's word on a resolution (written by the photo checks).
JUDGEMENT_KINDS = ("resolution_confirmed", "resolution_rejected")
LAYER_ADMINS = ("admin",)


def can_view(user):
    """Staff read the dashboard; each sees the cases access.scope_query lets them read."""
    return access.is_staff_reader(user)


def can_manage_layers(user):
    return user is not None and user.has_role(*LAYER_ADMINS)


def city_zone():
    return ZoneInfo(current_app.config["CASEMGR_TIMEZONE"])


# -- which cases -------------------------------------------------------------------------


def _query(user, case_filter):
    query = access.scope_query(select(Case), user)
    query = cases.where_codes(
        query,
        category=case_filter.category,
        unit=case_filter.unit,
        district=case_filter.district,
    )
    if case_filter.status == "open":
        query = query.where(Case.status != "closed")
    elif case_filter.status:
        query = query.where(Case.status == case_filter.status)
    if case_filter.filed_from:
        query = query.where(Case.filed_at >= case_filter.filed_from)
    if case_filter.filed_before:
        query = query.where(Case.filed_at < case_filter.filed_before)
    return bbox.within(query, case_filter.bbox)


def cases_for(user, case_filter, is_located=None):
    """The cases `user` may read that pass the filter, oldest first."""
    query = _query(user, case_filter)
    if is_located is not None:
        query = query.where(Case.is_located == is_located)
    return list(session.scalars(query.order_by(Case.filed_at, Case.id)))


def _record_columns():
    """What an export or the map draws of a case, as columns: no case objects to build."""
    return (
        Case.id, Case.reference, Category.code.label("category"), Case.status, Case.outcome,
        Unit.code.label("unit"), User.username.label("official"),
        District.code.label("district"), Case.filed_at, Case.sla_due_at, Case.resolved_at,
        Case.closed_at, Case.rating, Case.is_located, Case.lat, Case.lon, Case.address,
    )


def _mappable(query):
    return query.where(Case.is_located, Case.lat.is_not(None), Case.lon.is_not(None))


def case_rows(user, case_filter, is_located=None):
    """The filtered cases as rows of their exported columns (exports.record), oldest first."""
    sources = (
        Case.__table__.join(Category, Case.category_id == Category.id)
        .outerjoin(Unit, Case.unit_id == Unit.id)
        .outerjoin(User, Case.assignee_id == User.id)
        .outerjoin(District, Case.district_id == District.id)
    )
    query = _query(user, case_filter).with_only_columns(*_record_columns())
    query = query.select_from(sources)
    if is_located:
        query = _mappable(query)
    return session.execute(query.order_by(Case.filed_at, Case.id)).all()


def case_map(user, case_filter, moment):
    """The map's GeoJSON: the located cases as points, or as grid clusters with their counts
    (all and overdue at `moment`) when the filter's bbox holds more than the map can draw.
    """
    box = case_filter.bbox
    query = _mappable(_query(user, case_filter))
    if box is not None and clusters.has_more_than(query, clusters.MAX_POINTS):
        counted = [("overdue", timeliness.overdue_condition(moment))]
        return clusters.collection(clusters.clusters(query, box, counted), box)
    return exports.feature_collection(case_rows(user, case_filter, is_located=True), moment)


def data_as_of(user):
    """The latest moment recorded on any case `user` may read (filed, due, resolved, closed).

    The moment an imported file implies as "now": see timeliness.timeliness.
    """
    columns = (Case.filed_at, Case.sla_due_at, Case.resolved_at, Case.closed_at)
    query = access.scope_query(select(*(func.max(c) for c in columns)), user)
    moments = [moment for moment in session.execute(query).one() if moment is not None]
    return max(moments) if moments else utcnow()


def as_of(user, case_filter):
    """The moment open cases are judged at: the filter's, the data's, or now."""
    if case_filter.as_of == AS_OF_DATA:
        return data_as_of(user)
    return case_filter.as_of or utcnow()


# -- what the histories add --------------------------------------------------------------


def _was_reopened(details):
    changed = json.loads(details or "{}")
    return changed.get("from") == "resolved" and changed.get("to") not in (None, "closed")


def _names(model, column, ids):
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return dict(session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def _judgements(rows):
    details = [(case_id, kind, json.loads(text or "{}")) for case_id, kind, text in rows]
    officials = _names(User, User.username, [d.get("resolver_id") for _, _, d in details])
    units = _names(Unit, Unit.code, [d.get("unit_id") for _, _, d in details])
    return [
        kpis.Judgement(
            case_id=case_id,
            is_rejected=kind == "resolution_rejected",
            official=officials.get(detail.get("resolver_id")),
            unit=units.get(detail.get("unit_id")),
        )
        for case_id, kind, detail in details
    ]


def _resolutions(case_ids):
    """The completed resolve tasks of the cases, with who resolved them for which unit."""
    rows = session.execute(
        select(Task.case_id, User.username, Unit.code)
        .outerjoin(User, User.id == Task.completed_by_id)
        .outerjoin(Unit, Unit.id == Task.unit_id)
        .where(Task.case_id.in_(case_ids))
        .where(Task.form == "resolve", Task.status == "completed")
        .order_by(Task.id)
    ).all()
    return [
        kpis.Resolution(case_id=case_id, official=username, unit=code)
        for case_id, username, code in rows
    ]


def history_of(user, case_filter):
    """Reopened cases, resolutions and their judgements of the filtered cases."""
    ids = _query(user, case_filter).with_only_columns(Case.id)
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.details)
        .where(CaseEvent.case_id.in_(ids))
        .where(CaseEvent.kind.in_(("status", *JUDGEMENT_KINDS)))
        .order_by(CaseEvent.id)
    ).all()
    reopened = {row.case_id for row in rows if row.kind == "status" and _was_reopened(row.details)}
    judged = [row for row in rows if row.kind in JUDGEMENT_KINDS]
    return kpis.History(
        reopened_ids=reopened, judgements=_judgements(judged), resolutions=_resolutions(ids)
    )


# -- the figures -------------------------------------------------------------------------


def figures(user, case_filter, group_by):
    """The KPI answer: the moment judged at, the groups, the overall figures, the officials."""
    found = cases_for(user, case_filter)
    moment = as_of(user, case_filter)
    history = history_of(user, case_filter)
    groups = kpis.grouped(found, group_by, moment, history)
    officials = groups if group_by == "official" else kpis.grouped(
        found, "official", moment, history
    )
    return {
        "as_of": moment.isoformat(),
        "group_by": group_by,
        "filters": case_filter.query_args(),
        "groups": groups,
        "overall": kpis.summarize(found, moment, history),
        "leaderboard": kpis.leaderboard(officials),
    }


def trends(user, case_filter):
    return kpis.trends(cases_for(user, case_filter), city_zone())


def task_times(user, case_filter, process_key=None):
    """Median hours spent in each BPMN user task, over the completed tasks of the cases.

    `process_key` keeps the cases of one process, whose diagram the figures colour.
    """
    query = _query(user, case_filter)
    if process_key:
        versions = select(ProcessVersion.id).where(ProcessVersion.process_key == process_key)
        query = query.where(Case.process_version_id.in_(versions))
    ids = query.with_only_columns(Case.id)
    rows = session.execute(
        select(Task.bpmn_id, Task.name, Task.created_at, Task.completed_at)
        .where(Task.case_id.in_(ids))
        .where(Task.status == "completed", Task.completed_at.is_not(None))
        .order_by(Task.id)
    ).all()
    return {"process": process_key, **kpis.task_times(rows)}


def district_figures(user, case_filter):
    """The district outlines as GeoJSON, each with its open, overdue and median figures."""
    found = cases_for(user, case_filter)
    moment = as_of(user, case_filter)
    groups = kpis.grouped(found, "district", moment, history_of(user, case_filter))
    collection = districts.feature_collection()
    for feature in collection["features"]:
        group = groups.get(feature["properties"]["code"])
        feature["properties"].update(
            total=group["total"] if group else 0,
            open=group["backlog"] if group else 0,
            overdue=group["open_overdue"] if group else 0,
            median_hours_to_resolve=group["median_hours_to_resolve"] if group else None,
        )
    return collection


# -- overlay layers ----------------------------------------------------------------------


def list_layers():
    return list(session.scalars(select(OverlayLayer).order_by(OverlayLayer.name)))


def get_layer(layer_id):
    return session.get(OverlayLayer, layer_id)


def add_layer(name, content, original_name, actor):
    """Check and store an uploaded GeoJSON overlay; LayerError names what is wrong."""
    name = overlays.checked_name(name)
    if session.scalar(select(OverlayLayer.id).where(OverlayLayer.name == name)):
        raise overlays.LayerError(f"there is already a layer named {name!r}")
    collection = overlays.checked_collection(content, current_app.config["MAX_LAYER_BYTES"])

    layer = OverlayLayer(
        name=name,
        geojson=json.dumps(collection, separators=(",", ":"), ensure_ascii=False),
        feature_count=len(collection["features"]),
        size_bytes=len(content),
        original_name=(original_name or "")[:255],
        uploaded_by_id=actor.id,
    )
    session.add(layer)
    session.commit()
    log.info("overlay layer %s (%r, %s features) added by %s",
             layer.id, name, layer.feature_count, actor.username)
    return layer


def delete_layer(layer, actor):
    session.delete(layer)
    session.commit()
    log.info("overlay layer %s (%r) deleted by %s", layer.id, layer.name, actor.username)
