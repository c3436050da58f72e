"""District boundaries: load them from GeoJSON and find the one that holds a point."""

import json
import logging
import re

from shapely import make_valid, prepare, unary_union
from shapely.errors import GEOSException
from shapely.geometry import Point, mapping, shape
from shapely.validation import explain_validity
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from casemgr.cases.models import District
from casemgr.db import session

log = logging.getLogger(__name__)

# Prepared shapes by district id, rebuilt when the district table changes.
_shapes = {"key": None, "items": []}


class DistrictFileError(Exception):
    """A GeoJSON file that cannot be loaded as districts."""


def _code(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]


def load_geojson(path, name_field="Name", code_field=None):
    """Create or update one district per feature; return (created, updated)."""
    try:
        with open(path, encoding="utf-8") as handle:
            collection = json.load(handle)
    except (OSError, ValueError) as exc:
        raise DistrictFileError(f"{path}: {exc}") from exc
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise DistrictFileError(f"{path}: not a GeoJSON FeatureCollection")

    created = updated = 0
    for number, feature in enumerate(collection.get("features") or [], start=1):
        if not isinstance(feature, dict):
            raise DistrictFileError(f"{path}: feature {number} is not a GeoJSON feature")
        properties = feature.get("properties") or {}
        name = properties.get(name_field)
        if not name:
            raise DistrictFileError(f"{path}: feature {number} has no {name_field!r} property")
        code = str(properties.get(code_field) if code_field else _code(str(name)))
        geometry = _polygon(feature.get("geometry"), f"{path}: feature {number} ({name})")

        district = session.scalar(select(District).where(District.code == code))
        if district is None:
            district = District(code=code)
            session.add(district)
            created += 1
        else:
            updated += 1
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        district.name = str(name)
        district.geometry = json.dumps(mapping(geometry))
        district.min_lat, district.min_lon = min_lat, min_lon
        district.max_lat, district.max_lon = max_lat, max_lon

    session.flush()
    _shapes["key"] = None
    session.info.pop("district_state", None)
    log.info("districts loaded from %s: %s created, %s updated", path, created, updated)
    return created, updated


def _polygon(geojson, where):
    """The feature's polygon, repaired if it crosses itself; DistrictFileError otherwise."""
    try:
        geometry = shape(geojson)
    except (GEOSException, ValueError, TypeError, AttributeError, KeyError, IndexError):
        raise DistrictFileError(f"{where} has no readable geometry") from None
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise DistrictFileError(f"{where} is not a polygon")
    if not geometry.is_valid:
        # Official boundaries sometimes cross themselves at a vertex; the repaired shape
        # covers the same ground, so a point test still works.
        log.warning("%s crosses itself (%s); stored repaired", where, explain_validity(geometry))
        geometry = make_valid(geometry)
        polygons = [g for g in getattr(geometry, "geoms", [geometry])
                    if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polygons:
            raise DistrictFileError(f"{where} has no area")
        geometry = unary_union(polygons)
    return geometry


def _table_state():
    """(count, highest id, south, west, north, east) of the district table.

    Read once per transaction: filing a case asks for the extent and for the district.
    The bounds in it also notice a district whose boundary was loaded again.
    """
    transaction = session().get_transaction()
    memo = session.info.get("district_state")
    if memo is None or memo[0] is not transaction or transaction is None:
        state = tuple(session.execute(select(
            func.count(District.id), func.max(District.id),
            func.min(District.min_lat), func.min(District.min_lon),
            func.max(District.max_lat), func.max(District.max_lon),
        )).one())
        memo = (transaction, state)
        session.info["district_state"] = memo
    return memo[1]


def extent():
    """(south, west, north, east) around every district, or None when there are none."""
    state = _table_state()
    return None if not state[0] else state[2:]


def _prepared():
    key = _table_state()
    if _shapes["key"] != key:
        items = []
        for district in session.scalars(select(District).options(undefer(District.geometry))):
            geometry = shape(json.loads(district.geometry))
            prepare(geometry)
            items.append((district.id, geometry))
        _shapes.update(key=key, items=items)
    return _shapes["items"]


def district_at(lat, lon):
    """Return the district whose polygon holds the point, or None."""
    if lat is None or lon is None:
        return None
    point = Point(lon, lat)
    for district_id, geometry in _prepared():
        if geometry.contains(point):
            return session.get(District, district_id)
    return None


def find_by_name(name):
    """Match a district by its name, ignoring case and punctuation."""
    if not name:
        return None
    wanted = _code(name)
    return session.scalar(select(District).where(District.code == wanted)) or session.scalar(
        select(District).where(func.lower(District.name) == name.strip().lower())
    )


def list_districts():
    return list(session.scalars(select(District).order_by(District.name)))


def extent_bbox():
    """The box around every district as "west,south,east,north", or "" without districts.

    The maps open on it: the city as its districts draw it, whatever the configured centre.
    """
    found = extent()
    if found is None or None in found:
        return ""
    south, west, north, east = found
    return ",".join(f"{value:.6f}" for value in (west, south, east, north))


def feature_collection(tolerance=0.0001):
    """Return every district as GeoJSON, simplified by `tolerance` degrees for drawing."""
    features = []
    query = select(District).options(undefer(District.geometry)).order_by(District.name)
    for district in session.scalars(query):
        geometry = shape(json.loads(district.geometry))
        features.append(
            {
                "type": "Feature",
                "properties": {"id": district.id, "code": district.code, "name": district.name},
                "geometry": mapping(geometry.simplify(tolerance, preserve_topology=True)),
            }
        )
    return {"type": "FeatureCollection", "features": features}
