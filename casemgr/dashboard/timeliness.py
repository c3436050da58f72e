"""Whether a case is on time against its SLA: the one rule of the KPIs, the map and exports."""

from sqlalchemy import and_, case, func, or_

from casemgr.cases.models import Case

ON_TIME = "on_time"
OVERDUE = "overdue"


def resolution_moment(case):
    """When the case was resolved, or None while it waits for a fix.

    A case that is resolved (waiting for the citizen's word) or closed counts as resolved
    at `resolved_at`; one closed without a fix (a duplicate, an import without a
    resolution time) at `closed_at`. A reopened case is open again: its earlier
    `resolved_at` no longer counts.
    """
    if case.status == "closed":
        return case.resolved_at or case.closed_at
    if case.status == "resolved":
        return case.resolved_at
    return None


def timeliness(case, as_of):
    """Return ON_TIME or OVERDUE for `case`, judging open cases at the moment `as_of`.

    - No due moment (some imported rows): on time, as Boston's own `ontime` column does.
    - Resolved: on time when resolved at or before the due moment.
    - Still open: overdue once `as_of` has reached the due moment, since it can no
      longer be resolved by then.

    `as_of` is "now" for live figures. For an imported file "now" is the moment the file
    was written, which the file does not state; it comes after every moment the file
    records. Boston's sample (boston311-100.csv) marks an open row due 2022-05-20 13:03:21
    as OVERDUE although that is its latest recorded moment (no row was closed after
    2022-04-25), so the file was written at or after it: `service.data_as_of` takes that
    latest recorded moment, and judging at it reproduces the file's 83 ONTIME / 17 OVERDUE.
    """
    due = case.sla_due_at
    if due is None:
        return ON_TIME
    resolved = resolution_moment(case)
    if resolved is not None:
        return ON_TIME if resolved <= due else OVERDUE
    return OVERDUE if as_of >= due else ON_TIME


def is_on_time(case, as_of):
    return timeliness(case, as_of) == ON_TIME


def overdue_condition(as_of):
    """The rule of timeliness() as an SQL condition on cases: true for the OVERDUE ones.

    For counting in the database (the map's clusters); the tests hold the two to agree.
    """
    resolved = case(
        (Case.status == "closed", func.coalesce(Case.resolved_at, Case.closed_at)),
        (Case.status == "resolved", Case.resolved_at),
        else_=None,
    )
    return and_(
        Case.sla_due_at.is_not(None),
        or_(
            and_(resolved.is_not(None), resolved > Case.sla_due_at),
            and_(resolved.is_(None), Case.sla_due_at <= as_of),
        ),
    )
