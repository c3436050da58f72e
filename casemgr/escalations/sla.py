"""SLA moments of a case: what the process starts with, and what SQL keeps of it.

The process computes its due moments with the calendar helpers (see compute_sla in the
diagram); this module hands it the category's terms, copies the results into the indexed
columns, and acts on the effects the process reports (overdue, paused, resumed).
"""

import logging
from datetime import datetime

from casemgr.cases import history
from casemgr.db import utcnow
from casemgr.escalations import calendars

log = logging.getLogger(__name__)


def initial_data(category, calendar, filed_at, imported_due_at=None):
    """The SLA terms a new case's process starts with."""
    return {
        "filed_at": filed_at.isoformat(),
        "sla_amount": category.sla_amount,
        "sla_unit": category.sla_unit,
        "sla_due_at": imported_due_at.isoformat() if imported_due_at else None,
        "escalate_after_hours": category.escalate_after_hours,
        "escalate_unit": calendars.escalate_unit(category),
        "question_days": category.question_days,
        "triage_due_at": calendars.stage_due(calendar, filed_at, category.triage_days)
        .isoformat(),
        "forward_due_at": calendars.stage_due(calendar, filed_at, category.forward_days)
        .isoformat(),
    }


def _moment(value):
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def keep_moments(case, data, calendar, has_sla=True):
    """Copy the process's SLA moments into the case's columns, and the red flag with them."""
    due_at = _moment(data.get("sla_due_at"))
    if has_sla and due_at is not None and due_at != case.sla_due_at:
        case.sla_due_at = due_at
        case.at_risk_at = calendars.at_risk_moment(calendar, case.category, case.filed_at,
                                                   due_at)
        if case.at_risk_at and case.at_risk_at > utcnow():
            case.at_risk_flagged_at = None
    case.sla_escalate_at = _moment(data.get("sla_escalate_at")) or case.sla_escalate_at
    if case.followup_due_at is None:
        case.followup_due_at = calendars.stage_due(calendar, case.filed_at,
                                                   case.category.followup_days)


def apply_effects(case, effects, ready_tasks):
    """Act on what the process reported: flags, pauses, escalation levels."""
    from casemgr.notifications import triggers

    for effect in effects:
        if effect.effect == "overdue":
            case.escalation_level = max(case.escalation_level or 0, 1)
            history.record(case, "escalation", "SLA breached: level 1, supervisor notified",
                           None, {"level": 1, "due_at": case.sla_due_at})
            triggers.case_flagged(case, "overdue")
        elif effect.effect == "sla_paused":
            case.sla_paused_at = utcnow()
            history.record(case, "sla_paused", "SLA clock paused: waiting for the reporter",
                           None, {"question": effect.data.get("question")}, is_public=True)
        elif effect.effect == "sla_resumed":
            _resumed(case, effect)

    for ready in ready_tasks:
        level = int(ready.properties.get("escalation_level") or 0)
        if level > (case.escalation_level or 0):
            case.escalation_level = level
            history.record(case, "escalation", f"Escalated to level {level}: {ready.name}",
                           None, {"level": level})


def _resumed(case, effect):
    paused_at = case.sla_paused_at
    paused = (utcnow() - paused_at) if paused_at else None
    case.sla_paused_at = None
    summary = "SLA clock resumed"
    if paused is not None:
        summary += f" after {paused.total_seconds() / 3600:.1f} h paused"
    history.record(case, "sla_resumed", summary, None,
                   {"paused_seconds": paused.total_seconds() if paused else None,
                    "answer": effect.data.get("answer"),
                    "sla_due_at": effect.data.get("sla_due_at")}, is_public=True)
