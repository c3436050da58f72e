"""Request ids: taken from X-Request-ID when well formed, else made; echoed and logged."""

import io
import json
import logging

import pytest

from casemgr.ops import logs
from tests.conftest import ROXBURY


def request_records(caplog):
    return [r for r in caplog.records if r.name == "casemgr.requests"]


def test_a_well_formed_incoming_id_is_kept_echoed_and_logged(client, caplog):
    caplog.set_level(logging.INFO)

    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c2e-0001"})

    assert response.headers["X-Request-ID"] == "lb-7f3a9c2e-0001"
    [record] = request_records(caplog)
    assert record.request_id == "lb-7f3a9c2e-0001"
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0


@pytest.mark.parametrize(
    "incoming", ["", "short", "has spaces in it", "x" * 129, 'quote"injection', "new\\nline1"]
)
def test_a_malformed_incoming_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    made = response.headers["X-Request-ID"]
    assert made != incoming
    assert len(made) == 32 and int(made, 16) >= 0


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert first != second


def test_lines_written_while_serving_carry_the_request_id(api, caplog):
    caplog.set_level(logging.INFO)

    headers = {**api.headers("citizen"), "X-Request-ID": "intake-00000042"}
    response = api.client.post(
        "/api/v1/cases",
        headers=headers,
        json={
            "category": "drains",
            "description": "Drain blocked",
            "lat": ROXBURY[0],
            "lon": ROXBURY[1],
        },
    )

    assert response.status_code == 201
    filed = [r for r in caplog.records if "filed by" in r.getMessage()]
    assert filed and {r.request_id for r in filed} == {"intake-00000042"}
    assert request_records(caplog)[-1].status == 201


def test_lines_outside_a_request_say_so(caplog):
    caplog.set_level(logging.INFO)

    logging.getLogger("casemgr.test").info("no request here")

    assert caplog.records[-1].request_id == "-"


def test_json_lines_of_a_request(client, caplog):
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    logging.getLogger().addHandler(handler)
    try:
        client.get("/healthz", headers={"X-Request-ID": "json-line-test-1"})
    finally:
        logging.getLogger().removeHandler(handler)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [line] = [line for line in lines if line["logger"] == "casemgr.requests"]
    assert line["request_id"] == "json-line-test-1"
    assert line["message"] == "GET /healthz 200"
    assert (line["level"], line["method"], line["path"], line["status"]) == (
        "INFO",
        "GET",
        "/healthz",
        200,
    )
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")


def test_development_logs_plain_text_with_the_request_id(app, client, caplog):
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = logs.handler(app.config["LOG_FORMAT"], stream)
    logging.getLogger().addHandler(handler)
    try:
        client.get("/healthz", headers={"X-Request-ID": "text-line-test-1"})
    finally:
        logging.getLogger().removeHandler(handler)

    assert app.config["LOG_FORMAT"] == "text"
    line = stream.getvalue().strip().splitlines()[-1]
    assert "INFO casemgr.requests [text-line-test-1]: GET /healthz 200" in line
