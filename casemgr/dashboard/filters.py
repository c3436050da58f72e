"""The dashboard's filters, read from a query string and checked, for pages and API alike."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from casemgr.accounts import service as accounts
from casemgr.cases import bbox, districts
from casemgr.cases import service as cases
from casemgr.cases.models import STATUSES
from casemgr.processes import service as processes

#: `status=open` stands for every status but closed.
STATUS_CHOICES = ("open", *STATUSES)
GROUPS = ("category", "unit", "official", "district")
#: `as_of=data` judges open cases at the latest moment the data records (imports).
AS_OF_DATA = "data"
#: Query-string names the filters own; anything else is left to the caller.
#: `bbox` (west,south,east,north) keeps the cases of a map view.
NAMES = ("from", "to", "category", "unit", "district", "status", "as_of", "bbox")


class FilterError(Exception):
    """Filter values that cannot be used; `fields` maps each parameter to its problem."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in fields.items()))


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a view shows. Times are aware; None means no limit."""

    filed_from: datetime | None = None
    filed_before: datetime | None = None
    category: str | None = None
    unit: str | None = None
    district: str | None = None
    status: str | None = None
    #: None: now. AS_OF_DATA: the data's own latest moment. Else an aware datetime.
    as_of: object = None
    #: (west, south, east, north) in degrees, or None for anywhere.
    bbox: tuple | None = None

    def query_args(self):
        """The filter as query-string arguments, for links to exports and data."""
        return {name: value for name, value in self._raw.items() if value}

    @property
    def _raw(self):
        zone = _zone()
        last_day = self.filed_before - timedelta(days=1) if self.filed_before else None
        as_of = self.as_of.isoformat() if isinstance(self.as_of, datetime) else self.as_of
        return {
            "from": self.filed_from.astimezone(zone).date().isoformat() if self.filed_from else "",
            "to": last_day.astimezone(zone).date().isoformat() if last_day else "",
            "category": self.category,
            "unit": self.unit,
            "district": self.district,
            "status": self.status,
            "as_of": as_of,
            "bbox": ",".join(f"{value:g}" for value in self.bbox) if self.bbox else "",
        }


def _zone():
    return ZoneInfo(current_app.config["CASEMGR_TIMEZONE"])


def _day(args, name, fields):
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fields[name] = f"{raw!r} is not a date (YYYY-MM-DD)"
        return None


def _as_of(args, fields):
    raw = (args.get("as_of") or "").strip()
    if not raw or raw == AS_OF_DATA:
        return raw or None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        fields["as_of"] = f"{raw!r} is neither a date and time (ISO 8601) nor 'data'"
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=_zone())


def _code(args, name, exists, fields):
    raw = (args.get(name) or "").strip()
    if raw and not exists(raw):
        fields[name] = f"there is no {name} with the code {raw!r}"
    return raw or None


def _bbox(args, fields):
    try:
        return bbox.parse(args.get("bbox"))
    except bbox.BboxError as exc:
        fields["bbox"] = str(exc)
        return None


def _district_exists(code):
    return any(d.code == code for d in districts.list_districts())


def parse(args):
    """Read the filters from `args` (a mapping); FilterError names every bad parameter."""
    fields = {}
    first, last = _day(args, "from", fields), _day(args, "to", fields)
    if first and last and first > last:
        fields["to"] = "must not be before from"
    status = (args.get("status") or "").strip() or None
    if status and status not in STATUS_CHOICES:
        fields["status"] = f"must be one of: {', '.join(STATUS_CHOICES)}"
    found = CaseFilter(
        filed_from=datetime.combine(first, time(), _zone()) if first else None,
        filed_before=datetime.combine(last + timedelta(days=1), time(), _zone()) if last else None,
        category=_code(args, "category", cases.category_by_code, fields),
        unit=_code(args, "unit", accounts.find_unit, fields),
        district=_code(args, "district", _district_exists, fields),
        status=status,
        as_of=_as_of(args, fields),
        bbox=_bbox(args, fields),
    )
    if fields:
        raise FilterError(fields)
    return found


def group_by(args, default="category"):
    """The `group_by` parameter; FilterError when it names no grouping."""
    raw = (args.get("group_by") or "").strip() or default
    if raw not in GROUPS:
        raise FilterError({"group_by": f"must be one of: {', '.join(GROUPS)}"})
    return raw


def process_key(args):
    """The `process` parameter of the task times; FilterError when no such process exists."""
    raw = (args.get("process") or "").strip()
    if raw and raw not in processes.process_keys():
        raise FilterError({"process": f"there is no process {raw!r}"})
    return raw or None
