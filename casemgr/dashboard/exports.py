"""The filtered case list as CSV and as GeoJSON; unlocated cases never get a point."""

import csv
import io
from types import SimpleNamespace

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
    return record(flat(case), as_of)


def flat(case):
    """A case's exported values under the names of service.RECORD_COLUMNS."""
    return SimpleNamespace(
        id=case.id, reference=case.reference, category=case.category.code,
        status=case.status, outcome=case.outcome,
        unit=case.unit.code if case.unit else None,
        official=case.assignee.username if case.assignee else None,
        district=case.district.code if case.district else None,
        filed_at=case.filed_at, sla_due_at=case.sla_due_at, resolved_at=case.resolved_at,
        closed_at=case.closed_at, rating=case.rating, is_located=case.is_located,
        lat=case.lat, lon=case.lon, address=case.address,
    )


def record(row, as_of):
    """The exported fields of a flat row (a case's values, or a row of its columns)."""
    resolved = resolution_moment(row)
    hours = (resolved - row.filed_at).total_seconds() / 3600 if resolved else None
    return {
        "id": row.id,
        "reference": row.reference,
        "category": row.category,
        "status": row.status,
        "outcome": row.outcome,
        "unit": row.unit,
        "official": row.official,
        "district": row.district,
        "filed_at": _iso(row.filed_at),
        "sla_due_at": _iso(row.sla_due_at),
        "resolved_at": _iso(resolved),
        "closed_at": _iso(row.closed_at),
        "timeliness": timeliness(row, as_of),
        "hours_to_resolve": round(hours, 3) if hours is not None else None,
        "rating": row.rating,
        "is_located": row.is_located,
        "lat": row.lat if row.is_located else None,
        "lon": row.lon if row.is_located else None,
        "address": row.address,
    }


def is_mappable(case):
    return case.is_located and case.lat is not None and case.lon is not None


def feature_collection(rows, as_of):
    """Located cases as GeoJSON points, from flat rows; the unlocated ones are left out."""
    features = []
    for row in rows:
        if not is_mappable(row):
            continue
        properties = record(row, as_of)
        del properties["lat"], properties["lon"]
        features.append(
            {
                "type": "Feature",
                "id": row.id,
                "properties": properties,
                "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
            }
        )
    return {"type": "FeatureCollection", "kind": "points", "total": len(features),
            "features": features}


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
