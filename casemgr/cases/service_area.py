"""The city's service area: the box around its districts, widened by a margin.

A report whose point lies outside it is refused at intake (web form, /api/v1/cases,
Open311); an imported row keeps its point but is stored unlocated. A city without
districts has no known area and takes every point.
"""

import logging
import math
from dataclasses import dataclass

from flask import current_app

from casemgr.cases import districts

log = logging.getLogger(__name__)

#: Metres in one degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = 111_320
#: The message of a refused point, in the language of the API and Open311 answers.
OUTSIDE = "the point is outside the city's service area"


@dataclass(frozen=True)
class Area:
    """A box in degrees: south, west, north, east."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def holds(self, lat, lon):
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def _widened(min_lat, min_lon, max_lat, max_lon, margin_m):
    """The box grown by `margin_m` on every side; longitude at the box's poleward edge."""
    lat_margin = margin_m / METRES_PER_DEGREE
    widest = math.cos(math.radians(min(max(abs(min_lat), abs(max_lat)), 89)))
    lon_margin = margin_m / (METRES_PER_DEGREE * widest)
    return Area(max(min_lat - lat_margin, -90), max(min_lon - lon_margin, -180),
                min(max_lat + lat_margin, 90), min(max_lon + lon_margin, 180))


def current():
    """The service area, or None when it is unknown (no districts) or the check is off."""
    if not current_app.config["CHECK_SERVICE_AREA"]:
        return None
    bounds = districts.extent()
    if bounds is None or None in bounds:
        return None
    return _widened(*bounds, current_app.config["SERVICE_AREA_MARGIN_M"])


def holds(lat, lon):
    """Whether the city takes reports at this point (every point when its area is unknown)."""
    area = current()
    return area is None or area.holds(lat, lon)
