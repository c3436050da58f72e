"""Read Open311 parameters into plain values, collecting one error per bad parameter."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from casemgr.db import utcnow
from casemgr.open311.errors import Errors

#: The widest span of one GET requests call, and the default span back from now.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 1000
NOT_PINPOINTED = "#NOTPINPOINTED#"
STATUSES = ("open", "closed")
#: A tag such as <b>, </p> or <!-- -->: descriptions are plain text.
HTML_TAG = re.compile(r"<\s*[/!?]?\s*[A-Za-z][^>]*>|<!--")
URL = re.compile(r"^https?://[^\s<>\"']{1,490}$")
PHONE = re.compile(r"^[0-9+()./ -]{3,40}$")
DIGITS = re.compile(r"^[0-9]{1,9}$")
#: Years a date filter may name; wider ones cannot take the 90-day window arithmetic.
YEARS = range(1900, 3000)
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")


def text(source, name, limit, errors, *, label=None):
    """A stripped text parameter, or None; too long is an error."""
    value = (source.get(name) or "").strip()
    if len(value) > limit:
        errors.add(f"{label or name} must be at most {limit} characters")
        return None
    return value or None


def number(source, name, low, high, errors):
    raw = (source.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.add(f"{name} must be a decimal number, got {raw[:40]!r}")
        return None
    if not low <= value <= high:
        errors.add(f"{name} must be between {low} and {high}")
        return None
    return value


def moment(source, name, errors):
    """A W3C/ISO 8601 date or datetime; one without an offset is city time."""
    raw = (source.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+") if "T" in raw else raw)
    except ValueError:
        errors.add(f"{name} must be a W3C datetime such as 2026-01-31T09:30:00+07:00")
        return None
    if value.year not in YEARS:
        errors.add(f"{name} must be a date between {YEARS[0]} and {YEARS[-1]}")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(current_app.config["CASEMGR_TIMEZONE"]))
    return value


def whole_number(source, name, low, high, default, errors):
    raw = (source.get(name) or "").strip()
    if not raw:
        return default
    if not DIGITS.match(raw) or not low <= int(raw) <= high:
        errors.add(f"{name} must be a whole number from {low} to {high}")
        return default
    return int(raw)


def word_list(source, name):
    """A comma-separated parameter as a list of its non-empty items."""
    return [part.strip() for part in (source.get(name) or "").split(",") if part.strip()]


def check_jurisdiction(source, errors):
    """Refuse a jurisdiction_id other than this server's, when one is configured."""
    wanted = current_app.config["OPEN311_JURISDICTION"]
    given = (source.get("jurisdiction_id") or "").strip()
    if wanted and given and given != wanted:
        errors.add(f"unknown jurisdiction_id {given[:80]!r}; this server is {wanted!r}", 404)


# -- GET requests ----------------------------------------------------------------------------


def _date_window(args, errors):
    start, end = moment(args, "start_date", errors), moment(args, "end_date", errors)
    if start and end and end < start:
        errors.add("end_date must not be before start_date")
    elif start and end and end - start > WINDOW:
        errors.add("start_date and end_date may not span more than 90 days")
    if start and not end:
        end = start + WINDOW
    elif end and not start:
        start = end - WINDOW
    return start, end


def request_filters(args):
    """The filters of GET requests; `errors` tells what was wrong."""
    errors = Errors()
    check_jurisdiction(args, errors)
    filters = {"ids": word_list(args, "service_request_id")[: MAX_IDS + 1],
               "codes": word_list(args, "service_code"), "statuses": word_list(args, "status")}
    if len(filters["ids"]) > MAX_IDS:
        errors.add(f"at most {MAX_IDS} service_request_id values")
    for status in filters["statuses"]:
        if status.lower() not in STATUSES:
            errors.add(f"status must be open or closed, got {status[:20]!r}")
    filters["statuses"] = [s.lower() for s in filters["statuses"]]

    filters["start"], filters["end"] = _date_window(args, errors)
    filters["updated_after"] = moment(args, "updated_after", errors)
    filters["updated_before"] = moment(args, "updated_before", errors)
    after, before = filters["updated_after"], filters["updated_before"]
    if after and before and before < after:
        errors.add("updated_before must not be before updated_after")
    if not (filters["start"] or after or before):
        # The standard's default: requests of the last 90 days.
        filters["start"], filters["end"] = utcnow() - WINDOW, None

    filters["page"] = whole_number(args, "page", 1, 1_000_000, 1, errors)
    filters["page_size"] = whole_number(args, "page_size", 1, MAX_RESULTS, MAX_RESULTS, errors)
    filters["extensions"] = (args.get("extensions") or "").strip().lower() == "true"
    return filters, errors


# -- POST requests ---------------------------------------------------------------------------


def description(source, errors, limit):
    value = (source.get("description") or "").strip()
    if not value:
        errors.add("description is required")
    elif len(value) > limit:
        errors.add(f"description must be at most {limit} characters")
    elif HTML_TAG.search(value):
        errors.add("description must be plain text, without HTML tags")
    else:
        return value
    return None


def reporter_name(form, errors):
    """first_name and last_name as one name; a last name of "-" stands for none."""
    first = text(form, "first_name", 100, errors)
    last = text(form, "last_name", 100, errors)
    parts = [part for part in (first, last) if part and part != "-"]
    return " ".join(parts) or None


def attributes(form):
    """attribute[CODE] (or attribute[CODE][]) parameters as code -> list of values."""
    given = {}
    for name in form:
        match = ATTRIBUTE.match(name)
        if match:
            given.setdefault(match.group(1), []).extend(form.getlist(name))
    return given


def _place(form, errors):
    lat = number(form, "lat", -90, 90, errors)
    lon = number(form, "long", -180, 180, errors)
    lat_given, lon_given = bool(form.get("lat", "").strip()), bool(form.get("long", "").strip())
    if lat_given != lon_given:
        errors.add("give both lat and long, or neither")
    address = text(form, "address_string", 300, errors)
    address_id = text(form, "address_id", 80, errors)
    if not (lat_given or lon_given or address or address_id):
        errors.add("a location is required: lat and long, address_string or address_id")
    return {"lat": lat if lon is not None else None, "lon": lon if lat is not None else None,
            "address": address, "address_id": address_id}


def request_fields(form, description_limit):
    """The fields of POST requests, checked one by one; returns (fields, errors)."""
    errors = Errors()
    check_jurisdiction(form, errors)
    fields = {"service_code": text(form, "service_code", 40, errors), **_place(form, errors)}
    if not fields["service_code"]:
        errors.add("service_code is required")
    fields["description"] = description(form, errors, description_limit)
    fields["reporter_email"] = text(form, "email", 200, errors)
    fields["reporter_name"] = reporter_name(form, errors)
    fields["phone"] = text(form, "phone", 40, errors)
    if fields["phone"] and not PHONE.match(fields["phone"]):
        errors.add("phone may hold digits, spaces and + ( ) . / - only")
    fields["device_id"] = text(form, "device_id", 80, errors)
    fields["media_url"] = text(form, "media_url", 500, errors)
    if fields["media_url"] and not URL.match(fields["media_url"]):
        errors.add("media_url must be an http or https URL")
    fields["attributes"] = attributes(form)
    return fields, errors


# -- servicerequestupdates -------------------------------------------------------------------


def update_fields(form, description_limit):
    """The fields of POST servicerequestupdates; returns (fields, errors)."""
    errors = Errors()
    check_jurisdiction(form, errors)
    fields = {
        "service_request_id": text(form, "service_request_id", 40, errors),
        "update_id": text(form, "update_id", 80, errors),
        "updated_at": moment(form, "updated_datetime", errors),
        "status": (text(form, "status", 20, errors) or "").lower() or None,
        "description": description(form, errors, description_limit),
        "media_url": text(form, "media_url", 500, errors),
    }
    for name in ("service_request_id", "update_id"):
        if not fields[name]:
            errors.add(f"{name} is required")
    if fields["status"] and fields["status"] not in STATUSES:
        errors.add("status must be open or closed")
    if fields["media_url"] and not URL.match(fields["media_url"]):
        errors.add("media_url must be an http or https URL")
    fields["reporter_name"] = reporter_name(form, errors)
    return fields, errors


def update_window(args):
    """start_date and end_date of GET servicerequestupdates (default: the last 90 days)."""
    errors = Errors()
    check_jurisdiction(args, errors)
    start, end = _date_window(args, errors)
    if start is None:
        start = utcnow() - WINDOW
    return start, end, errors
