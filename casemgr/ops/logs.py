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


_plain_record = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs):
    """Every record, whoever writes or handles it, carries the request id ("-" outside)."""
    record = _plain_record(*args, **kwargs)
    record.request_id = g.get("request_id", "-") if has_request_context() else "-"
    return record


def json_formatter():
    """One JSON object per line: time, level, logger, message, request_id and any extras."""
    return JsonFormatter(
        JSON_FIELDS,
        timestamp="time",
        rename_fields={"levelname": "level", "name": "logger"},
    )


def handler(log_format, stream=None):
    """A stream handler writing `log_format` ("json" or "text") lines."""
    stream_handler = logging.StreamHandler(stream or sys.stderr)
    formatter = json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    stream_handler.setFormatter(formatter)
    stream_handler.casemgr_format = log_format
    return stream_handler


def configure(log_format):
    """Write the root logger's records to stderr as `log_format`, once per process.

    Where logging is set up already (a test runner, an embedding program) and text is
    asked for, their handlers stay as they are.
    """
    if logging.getLogRecordFactory() is not _record_with_request_id:
        logging.setLogRecordFactory(_record_with_request_id)
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "casemgr_format", None)]
    if [h.casemgr_format for h in ours] == [log_format]:
        return
    for old in ours:
        root.removeHandler(old)
    if log_format == "text" and len(root.handlers) > 0:
        return
    root.addHandler(handler(log_format))
    root.setLevel(logging.INFO)


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
