"""Check an uploaded GeoJSON overlay before it is stored: size, shape and coordinates."""

import json
import math

#: Geometry type -> how deep its positions are nested (0: one position).
DEPTHS = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
MAX_FEATURES = 20_000
MAX_NAME = 100


class LayerError(Exception):
    """A file that cannot become an overlay; the message says what is wrong and where."""


def _position(value, where):
    is_numbers = isinstance(value, list) and 2 <= len(value) <= 3 and all(
        isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n)
        for n in value
    )
    if not is_numbers:
        raise LayerError(f"{where}: a position must be [longitude, latitude] numbers")
    lon, lat = value[0], value[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise LayerError(
            f"{where}: [{lon}, {lat}] is out of range "
            "(longitude -180..180, latitude -90..90, in that order)"
        )


def _positions(value, depth, where):
    if depth == 0:
        _position(value, where)
        return
    if not isinstance(value, list) or not value:
        raise LayerError(f"{where}: coordinates must be a non-empty list")
    for item in value:
        _positions(item, depth - 1, where)


def _shape_rules(kind, coordinates, where):
    """Lines need two positions; polygon rings four, closed."""
    if kind == "LineString":
        lines = [coordinates]
    else:
        lines = coordinates if kind == "MultiLineString" else []
    if any(len(line) < 2 for line in lines):
        raise LayerError(f"{where}: a line needs at least two positions")
    if kind == "Polygon":
        rings = coordinates
    else:
        rings = [r for polygon in coordinates for r in polygon] if kind == "MultiPolygon" else []
    for ring in rings:
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise LayerError(f"{where}: a polygon ring needs four or more positions, closed")


def check_geometry(geometry, where):
    if not isinstance(geometry, dict) or geometry.get("type") not in DEPTHS:
        raise LayerError(f"{where}: the geometry must be one of {', '.join(DEPTHS)}")
    kind, coordinates = geometry["type"], geometry.get("coordinates")
    _positions(coordinates, DEPTHS[kind], where)
    _shape_rules(kind, coordinates, where)


def _feature(feature, number):
    where = f"feature {number}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise LayerError(f"{where} is not a GeoJSON Feature")
    check_geometry(feature.get("geometry"), where)
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise LayerError(f"{where}: properties must be an object")
    geometry = {"type": feature["geometry"]["type"],
                "coordinates": feature["geometry"]["coordinates"]}
    return {"type": "Feature", "properties": properties or {}, "geometry": geometry}


def _parsed(content):
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise LayerError(f"the file is not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        raise LayerError("the file is nested too deeply to be GeoJSON") from None
    except ValueError as exc:
        raise LayerError(f"the file is not JSON: {exc}") from None


def checked_collection(content, max_bytes):
    """Return the FeatureCollection in `content` (bytes) rebuilt from checked parts."""
    if not content:
        raise LayerError("the file is empty")
    if len(content) > max_bytes:
        raise LayerError(
            f"the file has {len(content):,} bytes; the limit is {max_bytes:,} bytes"
        )
    collection = _parsed(content)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise LayerError("the file must hold a GeoJSON FeatureCollection")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise LayerError("the FeatureCollection has no features")
    if len(features) > MAX_FEATURES:
        raise LayerError(f"the file has {len(features):,} features; at most {MAX_FEATURES:,}")
    return {
        "type": "FeatureCollection",
        "features": [_feature(f, number) for number, f in enumerate(features, start=1)],
    }


def checked_name(name):
    name = (name or "").strip()
    if not name:
        raise LayerError("give the layer a name")
    if len(name) > MAX_NAME:
        raise LayerError(f"the name has more than {MAX_NAME} characters")
    return name
