"""The public map's data: located cases as GeoJSON points, with nothing private in them."""

from flask import url_for
from sqlalchemy import func, select

from casemgr.cases import bbox, clusters
from casemgr.cases.models import Case, Category
from casemgr.db import session

#: Without a view, the newest this many cases are drawn; clustering keeps them readable.
MAX_POINTS = 5000


def feature_collection(statuses=None, category=None, box=None):
    """A GeoJSON FeatureCollection of located cases: reference, status, category, date.

    `box` (west, south, east, north) keeps the cases in the map's view; a view with more
    than clusters.MAX_POINTS cases gets grid clusters with their counts instead of points.
    `kind` says which.
    """
    query = _located(statuses, category)
    if box is not None:
        query = bbox.within(query, box)
        if clusters.has_more_than(query, clusters.MAX_POINTS):
            return clusters.collection(clusters.clusters(query, box), box)
    newest = query.order_by(Case.filed_at.desc()).limit(MAX_POINTS)
    features = [_feature(row) for row in session.execute(newest)]
    total = len(features)
    if total == MAX_POINTS:
        # Only the newest are drawn; `total` still counts every report asked for.
        total = session.scalar(select(func.count()).select_from(query.subquery()))
    return {"type": "FeatureCollection", "kind": "points", "total": total,
            "features": features}


def _located(statuses, category):
    # Only the columns drawn: whole cases with their joined unit, district and people
    # cost most of the answer's time at a few thousand points.
    query = (
        select(Case.reference, Case.status, Case.lat, Case.lon, Case.filed_at,
               Category.code, Category.name)
        .join(Category, Case.category_id == Category.id)
        .where(Case.is_located, Case.lat.is_not(None), Case.lon.is_not(None))
    )
    if statuses:
        query = query.where(Case.status.in_([statuses] if isinstance(statuses, str)
                                            else statuses))
    if category:
        query = query.where(Category.code == category)
    return query


def _feature(row):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {
            "reference": row.reference,
            "status": row.status,
            "category": row.code,
            "category_name": row.name,
            "filed_at": row.filed_at.isoformat() if row.filed_at else None,
            "url": url_for("cases.track", reference=row.reference),
        },
    }
