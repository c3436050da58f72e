"""Open311 answers in XML or JSON from one plain structure, and the standard's error list."""

import json
import re
from datetime import datetime
from xml.etree import ElementTree

from flask import Response

#: The element each list's items get in XML, by the list's own element name.
ITEM_NAMES = {
    "service_requests": "request",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_request_updates": "request_update",
    "notes": "note",
    "photos": "photo",
}

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


#: Characters XML 1.0 cannot carry, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return "" if value is None else NOT_XML.sub("\ufffd", str(value))


def _add(parent, name, value):
    element = ElementTree.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element, name, value):
    if isinstance(value, dict):
        for child_name, child in value.items():
            _add(element, child_name, child)
    elif isinstance(value, list):
        for item in value:
            _add(element, ITEM_NAMES[name], item)
    else:
        element.text = _text(value)


def to_xml(root_name, body):
    root = ElementTree.Element(root_name)
    _fill(root, root_name, body)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode").encode("utf-8")


def to_json(body):
    return json.dumps(body, ensure_ascii=False, default=_text).encode("utf-8")


def answer(fmt, root_name, body, status=200):
    """Render `body` (a list or dict) under `root_name` in the asked format."""
    content = to_xml(root_name, body) if fmt == "xml" else to_json(body)
    return Response(content, status=status, content_type=CONTENT_TYPES[fmt])


def error_answer(fmt, error):
    body = [{"code": status, "description": text} for status, text in error.errors]
    return answer(fmt, "errors", body, status=error.status)
