"""Log lines: JSON objects in production, plain text in development, each with a request id.

Every request gets an id, taken from a well-formed incoming X-Request-ID (a proxy's) or
made here, echoed in the response and stamped on every log line written while serving it.
"""

import logging
import re
import sys
import time
import uuid

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger(__name__)
request_log = logging.getLogger("casemgr.requests")

REQUEST_ID_HEADER = "X-Request-ID"
#: What an incoming id may look like: short, printable, no spaces or quotes to forge lines.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{8,128}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = ["levelname", "name", "message", "request_id"]


class RequestIdFilter(logging.Filter):
    """Stamp the current request's id on each record ("-" outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def json_formatter():
    """One JSON object per line: time, level, logger, message, request_id and any extras."""
    return JsonFormatter(
        JSON_FIELDS,
        timestamp="time",
        rename_fields={"levelname": "level", "name": "logger"},
    )


def handler(log_format, stream=None):
    """A stream handler writing `log_format` ("json" or "text") lines with request ids."""
    stream_handler = logging.StreamHandler(stream or sys.stderr)
    formatter = json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    stream_handler.setFormatter(formatter)
    stream_handler.addFilter(RequestIdFilter())
    return stream_handler


def configure(log_format):
    """Send the root logger's records to stderr as `log_format`, once per process."""
    root = logging.getLogger()
    if any(getattr(h, "casemgr_format", None) == log_format for h in root.handlers):
        return
    # A test runner's capture handlers stay; only a handler of ours is swapped.
    for old in [h for h in root.handlers if getattr(h, "casemgr_format", None)]:
        root.removeHandler(old)
    if root.handlers and log_format == "text":
        _stamp_existing(root)
        return
    new = handler(log_format)
    new.casemgr_format = log_format
    root.addHandler(new)
    root.setLevel(logging.INFO)


def _stamp_existing(root):
    # Someone (pytest, an embedding program) set up logging already: keep their handlers,
    # and only make sure a format naming %(request_id)s never meets a record without one.
    for existing in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in existing.filters):
            existing.addFilter(RequestIdFilter())


def request_id_from(header):
    """The incoming id when it is well formed, else a new one."""
    if header and REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


def _start_request():
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    request_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


def init_app(app):
    configure(app.config["LOG_FORMAT"])
    # SpiffWorkflow logs every task transition at INFO; casemgr logs the steps that matter.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    logging.getLogger("SpiffWorkflow").setLevel(logging.WARNING)
    # Alembic names each of its plugins at INFO on every start.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Registered first, so the id exists before any other hook or view logs.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
