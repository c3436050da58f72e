"""The public map's data: located cases as GeoJSON points, with nothing private in them."""

from flask import url_for
from sqlalchemy import select

from casemgr.cases import bbox
from casemgr.cases.models import Case
from casemgr.db import session

#: The newest this many cases are drawn; clustering keeps that many readable.
MAX_POINTS = 5000


def feature_collection(statuses=None, category=None, box=None):
    """A GeoJSON FeatureCollection of located cases: reference, status, category, date.

    `box` (west, south, east, north) keeps the cases in the map's view.
    """
    query = select(Case).where(Case.is_located, Case.lat.is_not(None), Case.lon.is_not(None))
    query = bbox.within(query, box)
    if statuses:
        query = query.where(Case.status.in_([statuses] if isinstance(statuses, str)
                                            else statuses))
    if category:
        query = query.where(Case.category.has(code=category))
    query = query.order_by(Case.filed_at.desc()).limit(MAX_POINTS)
    return {
        "type": "FeatureCollection",
        "features": [_feature(case) for case in session.scalars(query)],
    }


def _feature(case):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
        "properties": {
            "reference": case.reference,
            "status": case.status,
            "category": case.category.code,
            "category_name": case.category.name,
            "filed_at": case.filed_at.isoformat() if case.filed_at else None,
            "url": url_for("cases.track", reference=case.reference),
        },
    }
