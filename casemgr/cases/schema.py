"""Plain-dict shapes of cases and their parts, shared by the API and the pages."""

import json

from flask import url_for


def iso(moment):
    return moment.isoformat() if moment is not None else None


def unit_dict(unit):
    if unit is None:
        return None
    return {"id": unit.id, "code": unit.code, "name": unit.name}


def category_dict(category):
    return {
        "code": category.code,
        "name": category.name,
        "unit": unit_dict(category.unit),
        "sla": {"amount": category.sla_amount, "unit": category.sla_unit},
    }


def event_dict(event, staff=True):
    """One history entry; a citizen sees what happened, not who in the city or the notes."""
    if not staff:
        return {"at": iso(event.at), "kind": event.kind, "summary": event.summary,
                "public": True}
    return {
        "at": iso(event.at),
        "actor": event.actor_label,
        "kind": event.kind,
        "summary": event.summary,
        "details": json.loads(event.details or "{}"),
        "public": event.is_public,
    }


def photo_dict(attachment):
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "url": url_for("cases.photo", attachment_id=attachment.id, _external=False),
        "width": attachment.width,
        "height": attachment.height,
    }


def case_dict(case, staff=True):
    body = {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "outcome": case.outcome,
        "category": {"code": case.category.code, "name": case.category.name},
        "description": case.description,
        "address": case.address,
        "lat": case.lat if case.is_located else None,
        "lon": case.lon if case.is_located else None,
        "is_located": case.is_located,
        "district": {"code": case.district.code, "name": case.district.name}
        if case.district
        else None,
        "unit": unit_dict(case.unit),
        "priority": case.priority,
        "public_note": case.public_note,
        "rating": case.rating,
        "filed_at": iso(case.filed_at),
        "sla_due_at": iso(case.sla_due_at),
        "resolved_at": iso(case.resolved_at),
        "closed_at": iso(case.closed_at),
        "source": case.source,
    }
    if staff:
        body.update(
            {
                "version": case.version,
                "error": case.error,
                "assignee": case.assignee.username if case.assignee else None,
                "reporter": None
                if case.reporter_id is None and not case.reporter_name
                else {
                    "name": case.reporter_name,
                    "email": case.reporter_email,
                    "username": case.reporter.username if case.reporter else None,
                    "anonymous": case.is_anonymous,
                },
                "next_timer_due_at": iso(case.next_timer_due_at),
                "external_id": case.external_id,
            }
        )
    return body


def task_dict(task, fields=None):
    return {
        "id": task.id,
        "case_id": task.case_id,
        "case_reference": task.case.reference,
        "bpmn_id": task.bpmn_id,
        "name": task.name,
        "documentation": task.documentation,
        "role": task.role,
        "unit": unit_dict(task.unit),
        "assignee": task.assignee.username if task.assignee else None,
        "claimed_at": iso(task.claimed_at),
        "due_at": iso(task.due_at),
        "is_overdue": task.is_overdue,
        "status": task.status,
        "form": task.form,
        "fields": fields or [],
    }
