"""Open reports near a point in the same category: the duplicates a citizen may join."""

import math

from sqlalchemy import select

from casemgr.cases.models import OPEN_STATUSES, Case
from casemgr.citizens.service import me_too_count
from casemgr.db import session

EARTH_RADIUS_M = 6_371_000
#: Metres in one degree of latitude.
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
MAX_SUGGESTIONS = 5


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_open(category, lat, lon):
    """Open, located, unmerged cases of `category` within its radius, nearest first.

    Returns (case, metres) pairs; a radius of 0 turns the suggestions off.
    """
    radius = category.duplicate_radius_m or 0
    if radius <= 0:
        return []

    # A bounding box first, so the index on (lat, lon) does the coarse work.
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    query = select(Case).where(
        Case.category_id == category.id,
        Case.status.in_(OPEN_STATUSES),
        Case.is_located,
        Case.duplicate_of_id.is_(None),
        Case.lat.between(lat - dlat, lat + dlat),
        Case.lon.between(lon - dlon, lon + dlon),
    )
    found = [(case, distance_m(lat, lon, case.lat, case.lon)) for case in session.scalars(query)]
    found = sorted((pair for pair in found if pair[1] <= radius), key=lambda pair: pair[1])
    return found[:MAX_SUGGESTIONS]


def suggestion_dict(case, metres, tracking_url):
    """What the report page shows of a possible duplicate: nothing about its reporter."""
    return {
        "reference": case.reference,
        "category": case.category.name,
        "status": case.status,
        "filed_at": case.filed_at.isoformat() if case.filed_at else None,
        "distance_m": round(metres),
        "me_too_count": me_too_count(case.id),
        "tracking_url": tracking_url,
    }
