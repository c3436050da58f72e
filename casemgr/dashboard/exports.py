"""The filtered case list as CSV and as GeoJSON; unlocated cases never get a point."""

import csv
import io

from casemgr.dashboard.timeliness import resolution_moment, timeliness
from casemgr.escalations.schema import csv_safe

COLUMNS = (
    "reference",
    "category",
    "status",
    "outcome",
    "unit",
    "official",
    "district",
    "filed_at",
    "sla_due_at",
    "resolved_at",
    "closed_at",
    "timeliness",
    "hours_to_resolve",
    "rating",
    "is_located",
    "lat",
    "lon",
    "address",
)


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def case_record(case, as_of):
    """One case's exported fields; the point only when the case has a real one."""
    resolved = resolution_moment(case)
    hours = (resolved - case.filed_at).total_seconds() / 3600 if resolved else None
    return {
        "id": case.id,
        "reference": case.reference,
        "category": case.category.code,
        "status": case.status,
        "outcome": case.outcome,
        "unit": case.unit.code if case.unit else None,
        "official": case.assignee.username if case.assignee else None,
        "district": case.district.code if case.district else None,
        "filed_at": _iso(case.filed_at),
        "sla_due_at": _iso(case.sla_due_at),
        "resolved_at": _iso(resolved),
        "closed_at": _iso(case.closed_at),
        "timeliness": timeliness(case, as_of),
        "hours_to_resolve": round(hours, 3) if hours is not None else None,
        "rating": case.rating,
        "is_located": case.is_located,
        "lat": case.lat if case.is_located else None,
        "lon": case.lon if case.is_located else None,
        "address": case.address,
    }


def is_mappable(case):
    return case.is_located and case.lat is not None and case.lon is not None


def feature_collection(cases, as_of):
    """The located cases as GeoJSON points; the unlocated ones are left out."""
    features = []
    for case in cases:
        if not is_mappable(case):
            continue
        record = case_record(case, as_of)
        del record["lat"], record["lon"]
        features.append(
            {
                "type": "Feature",
                "id": case.id,
                "properties": record,
                "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def csv_text(cases, as_of):
    """Every filtered case, located or not, one row each, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for case in cases:
        record = case_record(case, as_of)
        writer.writerow([csv_safe(_cell(record[name])) for name in COLUMNS])
    return out.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
