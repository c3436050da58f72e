"""Cases for the escalation tests: late, at risk, stalled."""

from datetime import timedelta
from pathlib import Path

from casemgr.cases import service as cases
from casemgr.db import session, utcnow
from casemgr.processes import service as processes
from tests.conftest import ROXBURY

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn"
COMPUTE_SLA = "sla_due_at = sla_due_at or business_due(filed_at, sla_amount, sla_unit)"
DOWNTOWN = (42.3601, -71.0589)


def waiting_case(api, due_at, category="drains", point=ROXBURY):
    """A case filed with `due_at`, triaged and assigned by its unit: it waits at resolve."""
    case, _secret = cases.file_case(
        category=category,
        description="Reported last month and still there",
        lat=point[0],
        lon=point[1],
        sla_due_at=due_at,
    )
    unit = case.unit.code
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", f"sup-{unit}", {"assignee": f"officer-{unit}"})
    return fresh(case.id)


def fresh(case_id):
    session.expire_all()
    return cases.get(case_id)


def late_case(api, hours, **kwargs):
    return waiting_case(api, utcnow() - timedelta(hours=hours), **kwargs)


def at_risk_case(api, due_in_hours=5):
    """A case still due, with its red flag already past."""
    case = waiting_case(api, utcnow() + timedelta(hours=due_in_hours))
    case.at_risk_at = utcnow() - timedelta(hours=1)  # a test may move the clock of a row
    session.commit()
    return case


def stalled_at_filing():
    """A case filed on a diagram whose SLA script fails: stalled, and stalling again on retry."""
    xml = BPMN.read_text()
    assert xml.count(COMPUTE_SLA) == 1
    processes.deploy(xml.replace(COMPUTE_SLA, COMPUTE_SLA.replace("sla_unit)", "sla_units)")))
    session.commit()
    case, _secret = cases.file_case(
        category="drains", description="Filed on a broken diagram", lat=ROXBURY[0], lon=ROXBURY[1]
    )
    assert case.error and "compute_sla" in case.error
    return case


def marked_stalled(case, message="Process stalled at sla_breach: the calendar had no hours"):
    """Mark a healthy case as stalled, as a failure whose cause is fixed since would leave it."""
    case.error = message
    session.commit()
    return case
