"""The map's viewport: a bounding box from a query string, and the cases inside it."""

import math

from casemgr.cases.models import Case


class BboxError(ValueError):
    """A `bbox` parameter that does not describe a box on the globe."""


def parse(raw):
    """`west,south,east,north` in degrees (GeoJSON's order) as a tuple, or None if empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    parts = raw.split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise BboxError("give four numbers: west,south,east,north") from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise BboxError("give four finite numbers: west,south,east,north")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise BboxError("west and east must be between -180 and 180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise BboxError("south and north must be between -90 and 90")
    if south > north or west > east:
        raise BboxError("south must not exceed north, nor west east")
    return west, south, east, north


def within(query, box):
    """Limit a query over Case to the cases whose point lies in `box` (None: no limit)."""
    if box is None:
        return query
    west, south, east, north = box
    return query.where(Case.lat.between(south, north), Case.lon.between(west, east))
