"""Accountability figures over a list of cases: pure functions, no database."""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from casemgr.dashboard.timeliness import ON_TIME, resolution_moment, timeliness

HOUR = 3600


@dataclass
class History:
    """What the case histories add to the case rows."""

    #: Ids of the cases sent back from `resolved` to work again at least once.
    reopened_ids: set = field(default_factory=set)
    #: One Judgement per confirmed or rejected resolution.
    judgements: list = field(default_factory=list)
    #: One Resolution per completed resolve task.
    resolutions: list = field(default_factory=list)


@dataclass(frozen=True)
class Judgement:
    """A supervisor's word on a resolution, with whom and which unit it was about."""

    case_id: int
    is_rejected: bool
    official: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Resolution:
    """A completed resolve task: the case, who resolved it and for which unit."""

    case_id: int
    official: str | None = None
    unit: str | None = None


def rejected_share(judgements, resolutions):
    """The share of resolutions rejected: rejections over all completed resolutions.

    The one definition of the figure: a resolution nobody judged counts as not rejected.
    """
    rejected = sum(1 for judgement in judgements if judgement.is_rejected)
    return _share(rejected, len(resolutions))


def percentile(values, fraction):
    """The `fraction` quantile by linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _hours(start, end):
    return (end - start).total_seconds() / HOUR


def _rounded(value, digits=3):
    return None if value is None else round(value, digits)


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def _durations(cases):
    to_resolve, to_close = [], []
    for case in cases:
        resolved = resolution_moment(case)
        if resolved is not None:
            to_resolve.append(_hours(case.filed_at, resolved))
        if case.status == "closed" and case.closed_at is not None:
            to_close.append(_hours(case.filed_at, case.closed_at))
    return to_resolve, to_close


def _timeliness_counts(cases, as_of):
    counts = {"on_time": 0, "overdue": 0, "open_overdue": 0, "without_due": 0}
    for case in cases:
        verdict = timeliness(case, as_of)
        counts["on_time" if verdict == ON_TIME else "overdue"] += 1
        counts["open_overdue"] += verdict != ON_TIME and resolution_moment(case) is None
        counts["without_due"] += case.sla_due_at is None
    return counts


def summarize(cases, as_of, history, judged=None):
    """The figures of one group of cases.

    `judged` is (judgements, resolutions) of the group; both default to those of its cases.
    """
    ids = {case.id for case in cases}
    if judged is None:
        judged = (
            [j for j in history.judgements if j.case_id in ids],
            [r for r in history.resolutions if r.case_id in ids],
        )
    judgements, resolutions = judged
    to_resolve, to_close = _durations(cases)
    ever_resolved = [case for case in cases if case.resolved_at is not None]
    ratings = [case.rating for case in cases if case.rating is not None]
    rejected = sum(1 for j in judgements if j.is_rejected)
    counts = _timeliness_counts(cases, as_of)

    return {
        "total": len(cases),
        "count": len(cases),
        **counts,
        "on_time_share": _share(counts["on_time"], len(cases)),
        "backlog": sum(1 for case in cases if case.status != "closed"),
        "resolved": len(to_resolve),
        "closed": len(to_close),
        "median_hours_to_resolve": _rounded(percentile(to_resolve, 0.5)),
        "p90_hours_to_resolve": _rounded(percentile(to_resolve, 0.9)),
        "median_hours_to_close": _rounded(percentile(to_close, 0.5)),
        "p90_hours_to_close": _rounded(percentile(to_close, 0.9)),
        "reopened": len(ids & history.reopened_ids),
        "reopen_rate": _share(len(ids & history.reopened_ids), len(ever_resolved)),
        "rated": len(ratings),
        "avg_rating": _rounded(statistics.fmean(ratings), 2) if ratings else None,
        "resolutions_completed": len(resolutions),
        "resolutions_judged": len(judgements),
        "resolutions_rejected": rejected,
        "rejected_share": rejected_share(judgements, resolutions),
    }


# -- groups ------------------------------------------------------------------------------

NO_GROUP = {
    "category": ("none", "No category"),
    "unit": ("none", "No unit"),
    "official": ("unassigned", "Unassigned"),
    "district": ("none", "No district"),
}


def group_of(case, group_by):
    """(key, label) of the group `case` falls in."""
    owner = {
        "category": case.category,
        "unit": case.unit,
        "official": case.assignee,
        "district": case.district,
    }[group_by]
    if owner is None:
        return NO_GROUP[group_by]
    if group_by == "official":
        return owner.username, owner.display_name
    return owner.code, owner.name


def _resolver_key(item, group_by, case_keys):
    """Resolutions and their judgements count for the official and unit that resolved."""
    named = {"official": item.official, "unit": item.unit}.get(group_by)
    return named or case_keys.get(item.case_id)


def _by_group(items, group_by, case_keys, members):
    grouped_items = defaultdict(list)
    for item in items:
        key = _resolver_key(item, group_by, case_keys)
        if key in members:
            grouped_items[key].append(item)
    return grouped_items


def grouped(cases, group_by, as_of, history):
    """{key: figures with a label} for each group, largest group first."""
    members, labels, case_keys = defaultdict(list), {}, {}
    for case in cases:
        key, label = group_of(case, group_by)
        members[key].append(case)
        labels[key] = label
        case_keys[case.id] = key
    judged = _by_group(history.judgements, group_by, case_keys, members)
    resolved = _by_group(history.resolutions, group_by, case_keys, members)

    order = sorted(members, key=lambda key: (-len(members[key]), labels[key]))
    return {
        key: {
            "label": labels[key],
            **summarize(members[key], as_of, history, (judged[key], resolved[key])),
        }
        for key in order
    }


def leaderboard(official_groups, limit=20):
    """Officials ranked by on-time share, then by how many cases they resolved."""
    rows = [
        {"key": key, **figures}
        for key, figures in official_groups.items()
        if key != NO_GROUP["official"][0] and figures["total"]
    ]
    rows.sort(key=lambda row: (-(row["on_time_share"] or 0), -row["resolved"], row["label"]))
    return rows[:limit]


# -- trends ------------------------------------------------------------------------------


def _week_of(moment, zone):
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def trends(cases, zone):
    """Per week (Monday, in the city's zone): filed, resolved and median hours to resolve."""
    filed, resolved_hours = defaultdict(int), defaultdict(list)
    for case in cases:
        filed[_week_of(case.filed_at, zone)] += 1
        resolved = resolution_moment(case)
        if resolved is not None:
            resolved_hours[_week_of(resolved, zone)].append(_hours(case.filed_at, resolved))
    weeks = sorted(set(filed) | set(resolved_hours))
    return {
        "weeks": [week.isoformat() for week in weeks],
        "filed": [filed[week] for week in weeks],
        "resolved": [len(resolved_hours[week]) for week in weeks],
        "median_hours_to_resolve": [
            _rounded(percentile(resolved_hours[week], 0.5)) for week in weeks
        ],
    }


# -- time spent in each BPMN task ----------------------------------------------------------


def task_times(durations):
    """Median and p90 hours per BPMN task id from (bpmn_id, name, created_at, completed_at)."""
    hours, names = defaultdict(list), {}
    for bpmn_id, name, created_at, completed_at in durations:
        hours[bpmn_id].append(_hours(created_at, completed_at))
        names[bpmn_id] = name
    items = [
        {
            "bpmn_id": bpmn_id,
            "name": names[bpmn_id],
            "count": len(values),
            "median_hours": _rounded(percentile(values, 0.5)),
            "p90_hours": _rounded(percentile(values, 0.9)),
        }
        for bpmn_id, values in sorted(hours.items())
    ]
    return {"items": items, "heat": {item["bpmn_id"]: item["median_hours"] for item in items}}
