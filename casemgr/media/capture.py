"""Read when and where a photo was taken from its EXIF data, before the data is stripped."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

log = logging.getLogger(__name__)

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME = 0x0132
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE_REF, GPS_LATITUDE = 1, 2
GPS_LONGITUDE_REF, GPS_LONGITUDE = 3, 4

#: Everything a malformed EXIF block can raise while it is read.
BAD_EXIF = (ValueError, TypeError, ZeroDivisionError, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class Capture:
    """When and where the camera says a photo was taken; None where it does not say."""

    taken_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def has_position(self):
        return self.lat is not None and self.lon is not None


def read_capture(image, zone=None):
    """The capture moment (aware, in UTC) and position of an opened image.

    A capture time without an offset is taken as wall-clock time in `zone` (the city's),
    or left out when no zone is given. Unreadable EXIF gives an empty Capture.
    """
    try:
        exif = image.getexif()
    except BAD_EXIF + (OSError, SyntaxError):
        return Capture()

    taken_at = _taken_at(exif, zone)
    lat, lon = _position(exif)
    return Capture(taken_at=taken_at, lat=lat, lon=lon)


def _taken_at(exif, zone):
    try:
        details = exif.get_ifd(EXIF_IFD)
        text = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        if not text:
            return None
        moment = datetime.strptime(str(text).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        offset = _offset(details.get(OFFSET_TIME_ORIGINAL))
    except BAD_EXIF:
        return None

    if offset is not None:
        return moment.replace(tzinfo=offset).astimezone(UTC)
    if zone is None:
        return None
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _offset(text):
    """'+07:00' -> a fixed offset; anything else -> None."""
    if not text:
        return None
    text = str(text).strip("\x00 ")
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _position(exif):
    try:
        gps = exif.get_ifd(GPS_IFD)
        if GPS_LATITUDE not in gps or GPS_LONGITUDE not in gps:
            return None, None
        lat = _degrees(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF), "S")
        lon = _degrees(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF), "W")
    except BAD_EXIF:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(parts, ref, negative_ref):
    degrees, minutes, seconds = (float(part) for part in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(ref or "").strip("\x00 ").upper() == negative_ref else value
