"""Import Boston 311 service requests (the city's open-data CSV layout) as cases."""

import csv
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from casemgr.cases import service
from casemgr.cases.models import Case
from casemgr.db import session

log = logging.getLogger(__name__)

#: Boston publishes rows with no known place at this point (City Hall Plaza).
PLACEHOLDER_POINT = (42.3594, -71.0587)
REQUIRED_COLUMNS = (
    "case_enquiry_id",
    "open_dt",
    "target_dt",
    "closed_dt",
    "case_status",
    "type",
    "latitude",
    "longitude",
)

#: (pattern over type, reason and queue, category code); the first match wins.
CATEGORY_RULES = [
    (r"street light|lighting|knockdown", "street_lights"),
    (r"flood", "floods"),
    (r"catch ?basin|drain|sewer", "drains"),
    (r"snow|ice", "snow"),
    (r"pothole|sidewalk|manhole|roadway|pavement repair", "roads"),
    (r"graffiti", "graffiti"),
    (r"trash|waste|bulk item|recycling|litter|ce collection|street cleaning", "waste"),
    (r"parking|vehicle|traffic|sign|crosswalk|pavement marking", "traffic"),
    (r"dead animal|rodent|needle|pest|animal", "environment"),
    (r"property|living conditions|utilities|electrical|rental|housing", "housing"),
    (r"ground maintenance|park|tree", "parks"),
]


@dataclass
class ImportSummary:
    imported: int = 0
    skipped: int = 0
    unlocated: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self):
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "unlocated": self.unlocated,
            "errors": self.errors,
        }


#: Dates outside these years are typing errors or placeholders, not complaints.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


class RowError(Exception):
    """A row that cannot be imported; the message names the field."""


def category_for(row):
    text = " ".join(row.get(k) or "" for k in ("type", "reason", "queue")).lower()
    for pattern, code in CATEGORY_RULES:
        if re.search(pattern, text):
            return code
    return "other"


def _moment(value, zone, column):
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a date and time") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise RowError(f"{column} {value!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    if moment.tzinfo is None:
        # The file's times are local wall-clock times in the zone the operator named.
        moment = moment.replace(tzinfo=zone)
    return moment


def _point(row):
    try:
        lat = float(row["latitude"]) if (row.get("latitude") or "").strip() else None
        lon = float(row["longitude"]) if (row.get("longitude") or "").strip() else None
    except ValueError:
        raise RowError(
            f"latitude/longitude {row.get('latitude')!r},{row.get('longitude')!r} are not numbers"
        ) from None
    if lat is None or lon is None:
        return None, None, False
    is_placeholder = (round(lat, 4), round(lon, 4)) == PLACEHOLDER_POINT
    return lat, lon, not is_placeholder


def _description(row):
    parts = [row.get("case_title"), row.get("type")]
    text = " - ".join(p.strip() for p in parts if p and p.strip())
    return text or "Imported 311 request"


def import_row(row, zone):
    """Import one CSV row; return 'imported', 'skipped' or 'unlocated'."""
    if None in row or None in row.values():
        raise RowError("the row has a different number of fields than the header")
    enquiry_id = (row.get("case_enquiry_id") or "").strip()
    if not (enquiry_id.isascii() and enquiry_id.isdigit()):
        raise RowError(f"case_enquiry_id {enquiry_id!r} is not a number")
    external_id = f"boston311:{enquiry_id}"
    if session.scalar(select(Case.id).where(Case.external_id == external_id)):
        return "skipped"

    opened = _moment(row.get("open_dt"), zone, "open_dt")
    if opened is None:
        raise RowError("open_dt is empty")
    target = _moment(row.get("target_dt"), zone, "target_dt")
    closed = _moment(row.get("closed_dt"), zone, "closed_dt")
    if closed is not None and closed < opened:
        raise RowError(f"closed_dt {row['closed_dt']!r} is before open_dt {row['open_dt']!r}")
    lat, lon, located = _point(row)

    case, _secret = service.file_case(
        category=category_for(row),
        description=_description(row),
        lat=lat,
        lon=lon,
        is_located=located,
        district_name=row.get("neighborhood"),
        address=row.get("location"),
        reporter_name=None,
        source="import",
        filed_at=opened,
        sla_due_at=target,
        has_sla=target is not None,
        external_id=external_id,
        require_place=False,
        # A 311 export is the record: a point outside the city is kept, off the maps.
        refuse_outside_area=False,
    )
    if closed is not None or (row.get("case_status") or "").lower() == "closed":
        reason = (row.get("closure_reason") or "").strip() or "Closed"
        service.close_imported(case, closed or opened, reason)
        session.commit()
    return "imported" if case.is_located else "unlocated"


def read_rows(path):
    """The rows of a 311 CSV; RowError for a file that is not one, naming where."""
    reader = None
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise RowError(f"{path} lacks the column(s): {', '.join(missing)}")
            return list(reader)
    except UnicodeDecodeError as exc:
        raise RowError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        line = reader.line_num if reader else 0
        raise RowError(f"{path} line {line}: not a readable CSV row ({exc})") from None


def import_file(path, timezone_name, progress=None):
    """Import every row of a Boston 311 CSV; malformed rows are reported and skipped."""
    zone = ZoneInfo(timezone_name)
    summary = ImportSummary()
    rows = read_rows(path)

    for index, row in enumerate(rows):
        line = index + 2  # the header is line 1
        try:
            result = import_row(row, zone)
        except (RowError, service.IntakeError) as exc:
            session.rollback()
            summary.errors.append({"line": line, "message": str(exc)})
            log.warning("line %s skipped: %s", line, exc)
            continue
        if result == "skipped":
            summary.skipped += 1
        else:
            summary.imported += 1
            summary.unlocated += result == "unlocated"
        if progress:
            progress(1)
    log.info("import of %s: %s", path, summary.as_dict())
    return summary
