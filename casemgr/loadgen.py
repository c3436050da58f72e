"""Synthetic cases for benchmarks and load tests: many copies of one real case's state.

Filing through the service runs about a hundred cases a second; a benchmark of the timer
sweep needs a hundred thousand. So one case is driven to `resolve` for real, and its
stored row is copied with other due moments written into the workflow state.
"""

import logging

from sqlalchemy import insert, text

from casemgr.cases import service as cases
from casemgr.cases.models import Case
from casemgr.db import session, utcnow
from casemgr.tasks import service as tasks

log = logging.getLogger(__name__)

ROXBURY = (42.316782, -71.085581)
BATCH = 5_000


def case_waiting_at_resolve(due_at, officer="officer-water"):
    """File a drain case and drive it to `resolve`, waiting on an SLA timer at `due_at`."""
    case, _secret = cases.file_case(
        category="drains",
        description="load template",
        lat=ROXBURY[0],
        lon=ROXBURY[1],
        sla_due_at=due_at,
    )
    steps = (
        ("triage", {"decision": "accept", "priority": "normal", "category": "drains", "note": ""}),
        ("assign", {"assignee": officer}),
    )
    for bpmn_id, values in steps:
        task = next(t for t in tasks.open_tasks_of(case.id) if t.bpmn_id == bpmn_id)
        tasks.complete(task, None, values, actor_label="load generator")
    case = cases.get(case.id)
    if case.next_timer_due_at is None:
        raise RuntimeError(f"template case {case.reference} has no timer: {case.error}")
    return case


def clone_cases(template, moments, prefix):
    """Insert one case per due moment, each a copy of `template` due at that moment.

    The copies have no task rows: they exist to be found and fired by the sweep.
    """
    marker = template.next_timer_due_at.isoformat()
    rows = []
    for number, due_at in enumerate(moments):
        rows.append(
            {
                "reference": f"{prefix}-{number:07d}",
                "category_id": template.category_id,
                "description": "synthetic case",
                "lat": template.lat,
                "lon": template.lon,
                "is_located": True,
                "district_id": template.district_id,
                "unit_id": template.unit_id,
                "status": template.status,
                "priority": "normal",
                "source": "loadgen",
                "process_version_id": template.process_version_id,
                "workflow_state": template.workflow_state.replace(marker, due_at.isoformat()),
                "next_timer_due_at": due_at,
                "sla_due_at": due_at,
                "filed_at": template.filed_at,
                "version": 1,
                "updated_at": utcnow(),
                "is_anonymous": False,
            }
        )
        if len(rows) == BATCH:
            session.execute(insert(Case), rows)
            rows = []
    if rows:
        session.execute(insert(Case), rows)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # After a bulk load the planner needs fresh statistics (autovacuum would get there
        # later) or it scans the whole table instead of the due-moment index.
        session.execute(text("ANALYZE cases"))
        session.commit()
