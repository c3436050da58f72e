"""Map views that hold more cases than a map can usefully draw: counts on a grid, in SQL.

A city-wide view holds tens of thousands of cases; sending each as a point costs seconds
and draws a blot. Above MAX_POINTS cases the maps get one feature per grid cell instead,
with the number of cases in it, placed at their mean point. The grid's cell is a power of
two of degrees, so the cells stay where they are while the map pans at one zoom.
"""

import math

from sqlalchemy import func, select

from casemgr.cases.models import Case
from casemgr.db import session

#: The most points a map view gets; with more cases in view it gets clusters.
MAX_POINTS = 2000
#: Grid cells across the wider side of a view, at most (a power of two rounds it down).
CELLS_ACROSS = 24


def has_more_than(query, limit):
    """True when the cases `query` selects (a select over Case) are more than `limit`."""
    capped = query.with_only_columns(Case.id).order_by(None).limit(limit + 1).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar() > limit


def cell_degrees(box):
    """The grid's cell for a view: the power of two of degrees that fits CELLS_ACROSS."""
    west, south, east, north = box
    span = max(east - west, north - south, 1e-6)
    return 2.0 ** math.ceil(math.log2(span / CELLS_ACROSS))


def clusters(query, box, counted=()):
    """One cluster per grid cell of `query`'s cases in `box`, as dicts.

    `counted` names more counts as (name, SQL condition) pairs, such as the overdue ones.
    """
    cell = cell_degrees(box)
    # Cells counted from the meridian and the equator, not from the view's corner: a cell
    # keeps its cases while the view moves.
    column = func.floor(Case.lon / cell)
    row = func.floor(Case.lat / cell)
    extra = [func.count().filter(condition).label(name) for name, condition in counted]
    grid = query.with_only_columns(
        func.count().label("count"),
        func.avg(Case.lon).label("lon"), func.avg(Case.lat).label("lat"),
        func.min(Case.lon).label("west"), func.min(Case.lat).label("south"),
        func.max(Case.lon).label("east"), func.max(Case.lat).label("north"),
        *extra,
    ).order_by(None).group_by(column, row)
    names = [name for name, _condition in counted]
    return [_cluster(found, names) for found in session.execute(grid)]


def _cluster(found, names):
    return {
        "count": found.count,
        "lon": found.lon,
        "lat": found.lat,
        "bbox": [found.west, found.south, found.east, found.north],
        **{name: getattr(found, name) for name in names},
    }


def feature(cluster):
    """A cluster as a GeoJSON point at its cases' mean point."""
    properties = {key: value for key, value in cluster.items() if key not in ("lon", "lat")}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [cluster["lon"], cluster["lat"]]},
        "properties": {"cluster": True, **properties},
    }


def collection(found, box):
    """The clusters as a FeatureCollection that says it holds clusters, and how many cases."""
    return {
        "type": "FeatureCollection",
        "kind": "clusters",
        "total": sum(cluster["count"] for cluster in found),
        "cell_degrees": cell_degrees(box),
        "features": [feature(cluster) for cluster in found],
    }
