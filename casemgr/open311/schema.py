"""Plain-dict shapes of Open311 answers: services, definitions, requests and updates."""

import json
from zoneinfo import ZoneInfo

from flask import current_app, url_for

from casemgr.cases import questions

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The day this server's Open311 face last changed, for discovery.
CHANGESET = "2026-12-04T00:00:00+00:00"


def w3c(moment):
    """A datetime in city time with its offset, as W3C datetime text; None stays None."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["CASEMGR_TIMEZONE"])
    return moment.astimezone(zone).isoformat(timespec="seconds")


def discovery_dict():
    city = current_app.config["CITY"]
    return {
        "changeset": CHANGESET,
        "contact": f"{city.name}: ask the city's casemgr administrators",
        "key_service": "API keys are issued by the city's casemgr administrators.",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0],
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }


def service_dict(category, has_questions):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": has_questions,
        "type": "realtime",
        "keywords": None,
        "group": category.unit.name if category.unit else None,
    }


def attribute_dict(question):
    return {
        "variable": question.is_variable,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.is_required,
        "datatype_description": question.datatype_description or None,
        "order": question.position,
        "description": question.prompt,
        "values": [{"key": key, "name": name} for key, name in questions.choices_of(question)],
    }


def definition_dict(category, category_questions):
    return {"service_code": category.code,
            "attributes": [attribute_dict(q) for q in category_questions]}


def photo_url(attachment):
    return url_for("open311.media", name=attachment.stored_name, _external=True)


def _media_url(details):
    if details["photo"] is not None:
        return photo_url(details["photo"])
    return details["request"].media_url if details["request"] is not None else None


def request_dict(case, details):
    """One service request as GET requests shows it: no reporter's personal data."""
    open311_row = details["request"]
    return {
        "service_request_id": case.reference,
        "status": "closed" if case.status == "closed" else "open",
        "status_notes": case.public_note or details["note"],
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.unit.name if case.unit else None,
        "service_notice": None,
        "requested_datetime": w3c(case.filed_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.sla_due_at),
        "address": case.address,
        "address_id": open311_row.address_id if open311_row is not None else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": _media_url(details),
    }


def extended_dict(events, photos):
    """The extensions=true block: the public notes history and the report photos."""
    return {
        "notes": [{"datetime": w3c(e.at), "type": e.kind, "summary": e.summary}
                  for e in events],
        "photos": [{"media_url": photo_url(p), "created_datetime": w3c(p.created_at)}
                   for p in photos],
    }


def _closed_at_event(event, case):
    """Whether the case was closed once this history entry was written."""
    if event.kind == "status":
        return json.loads(event.details or "{}").get("to") == "closed"
    return case.closed_at is not None and case.closed_at <= event.at


def update_dict(event, case):
    closed = _closed_at_event(event, case)
    return {
        "update_id": str(event.id),
        "service_request_id": case.reference,
        "status": "closed" if closed else "open",
        "updated_datetime": w3c(event.at),
        "description": event.summary,
        "media_url": None,
    }
