"""Append entries to a case's history; nothing here updates or deletes one."""

import json
import logging

from sqlalchemy import or_, select

from casemgr.cases.models import Case, CaseEvent
from casemgr.db import session, utcnow

log = logging.getLogger(__name__)


def actor_label(actor):
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.username


def record(case, kind, summary, actor=None, details=None, is_public=False, at=None):
    """Add one history entry to `case` in the current transaction."""
    event = CaseEvent(
        case_id=case.id,
        at=at or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label(actor),
        kind=kind,
        summary=summary,
        details=json.dumps(details or {}, default=str, ensure_ascii=False),
        is_public=is_public,
    )
    session.add(event)
    return event


def events_of(case_id, public_only=False):
    """The history of a case, with the history of the duplicates merged into it."""
    merged = select(Case.id).where(or_(Case.id == case_id, Case.duplicate_of_id == case_id))
    query = select(CaseEvent).where(CaseEvent.case_id.in_(merged))
    if public_only:
        query = query.where(CaseEvent.is_public)
    return list(session.scalars(query.order_by(CaseEvent.at, CaseEvent.id)))
