"""Rows of the escalation dashboard: one shape for the page, the CSV export and the API."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from casemgr.cases.schema import iso, unit_dict
from casemgr.escalations import service

#: Level names of Case.escalation_level, as the dashboard shows them.
LEVELS = {0: "on time", 1: "breached", 2: "escalated"}

#: The export's columns, in the order the dashboard shows them.
CSV_COLUMNS = (
    "reference",
    "category",
    "district",
    "unit",
    "assignee",
    "status",
    "level",
    "due_at_city_time",
    "lateness",
    "late_seconds",
    "at_risk",
    "error",
)

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    """One overdue or at-risk case, with its lateness worked out once."""

    case: object
    late: timedelta | None
    #: Past its red flag but not yet due.
    is_at_risk: bool = False

    @property
    def late_seconds(self):
        return int(self.late.total_seconds()) if self.late is not None else None

    @property
    def is_late(self):
        return self.late is not None and self.late > timedelta(0)

    @property
    def lateness(self):
        return lateness_words(self.late)


def rows_of(cases, now):
    """Dashboard rows of `cases`, the latest first."""
    rows = [_row(case, now) for case in cases]
    return sorted(rows, key=lambda row: -(row.late_seconds or 0))


def _row(case, now):
    late = service.late_by(case, now)
    flagged = case.at_risk_at is not None and case.at_risk_at <= now
    return Row(case, late, is_at_risk=flagged and not (late and late > timedelta(0)))


def lateness_words(late):
    """'3 h 20 min late' or 'due in 45 min'."""
    if late is None:
        return "no due moment"
    words = _duration_words(abs(late))
    return f"{words} late" if late > timedelta(0) else f"due in {words}"


def _duration_words(span):
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def row_dict(row):
    """A row in the API."""
    case = row.case
    return {
        "id": case.id,
        "reference": case.reference,
        "category": {"code": case.category.code, "name": case.category.name},
        "district": {"code": case.district.code, "name": case.district.name}
        if case.district
        else None,
        "unit": unit_dict(case.unit),
        "assignee": case.assignee.username if case.assignee else None,
        "status": case.status,
        "level": case.escalation_level or 0,
        "due_at": iso(case.sla_due_at),
        "late_seconds": row.late_seconds,
        "at_risk": row.is_at_risk,
        "error": case.error,
        "version": case.version,
    }


def csv_cells(row, local_time):
    """A row in the export, every text cell safe to open in a spreadsheet."""
    case = row.case
    cells = (
        case.reference,
        case.category.name,
        case.district.name if case.district else "",
        case.unit.name if case.unit else "",
        case.assignee.username if case.assignee else "",
        case.status,
        case.escalation_level or 0,
        local_time(case.sla_due_at),
        row.lateness,
        row.late_seconds if row.late_seconds is not None else "",
        "yes" if row.is_at_risk else "no",
        case.error or "",
    )
    return [csv_safe(cell) for cell in cells]


def csv_safe(cell):
    """Quote a text cell that a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def export_name(now: datetime):
    return f"escalations-{now:%Y%m%d-%H%M}.csv"
