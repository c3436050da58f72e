"""schemathesis over /api/v1 and Open311, through the WSGI app: no answer is a 5xx.

Each operation gets a bounded number of generated requests so that the whole file runs
in CI in about a minute; Hypothesis keeps no example database between runs.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)
from sqlalchemy import select

from casemgr.db import session
from casemgr.models import metadata
from tests.conftest import CASE_TABLES
from tests.functional.open311 import new_key
from tests.functional.test_authorization_matrix import forget_request_state

EXAMPLES = 20
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


@pytest.fixture
def seeded_rows_restored(app):
    """Put back the seeded rows the fuzzer changed or deleted (as admin it may move rules,
    deploy versions, switch processes); the suite's cleaning removes only new rows."""
    tables = [t for t in metadata.sorted_tables if "id" in t.c and t.name not in CASE_TABLES]
    seeded = {t.name: _seeded_rows(app, t) for t in tables}
    yield
    session.rollback()
    for table in tables:
        current = {row["id"]: row for row in _seeded_rows(app, table)}
        for row in seeded[table.name]:
            if row["id"] not in current:
                session.execute(table.insert().values(**row))
            elif current[row["id"]] != row:
                session.execute(table.update().where(table.c.id == row["id"]).values(**row))
    session.commit()


def _seeded_rows(app, table):
    query = select(table).where(table.c.id <= app.seeded_max_ids[table.name])
    return [dict(row._mapping) for row in session.execute(query.order_by(table.c.id))]


def fuzz(schema, call):
    """Run `call` on generated cases of every operation; a failing check raises."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations

    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def run(case):
            forget_request_state()
            call(case)

        try:
            run()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
    return len(operations)


@pytest.fixture
def open311_key(app, monkeypatch):
    # Fuzzing makes more calls than a client may; the limits have their own tests.
    monkeypatch.setitem(app.config, "OPEN311_RATE_LIMIT", "100000 per minute")
    return new_key("fuzzing-client")


def test_api_v1_never_answers_5xx(app, api, seeded_rows_restored):
    from casemgr.accounts.throttle import throttle

    # Names the fuzzer tries lock like any other; start from no earlier counts.
    throttle().reset()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = api.headers("admin")

    def call(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    assert fuzz(schema, call) > 30


def test_open311_never_answers_5xx(app, open311_key, seeded_rows_restored):
    schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", app)

    def call(case):
        if isinstance(case.body, dict) and "api_key" in case.body:
            case.body["api_key"] = open311_key
        response = case.call(params={"api_key": open311_key})
        case.validate_response(response, checks=[not_a_server_error, content_type_conformance])

    assert fuzz(schema, call) >= 5


def test_multipart_part_named_by_a_line_break_is_not_a_500(client, api):
    """Found by schemathesis: such a part has the name None, which the NUL check tripped on."""
    response = client.post("/api/v1/cases", headers=api.headers("admin"),
                           data={"\r": "null", "category": "DENY", "description": "DENY"},
                           content_type="multipart/form-data")

    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Every form field needs a name."


def test_open311_part_named_by_a_line_break_is_not_a_500(client):
    """Found by schemathesis on Open311's POST /requests.json."""
    response = client.post("/open311/v2/requests.json", content_type="multipart/form-data",
                           data={"\r": "null", "api_key": new_key(), "service_code": "DENY",
                                 "description": ""})

    assert response.status_code == 400
    assert "needs a name" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["migration", "migration/preview", "migrations"])
@pytest.mark.parametrize("payload", [{"version": 2**31}, {"version": 1, "case_ids": [2**31]},
                                     {"version": 0}])
def test_migration_numbers_past_the_id_range_are_a_422(api, path, payload):
    """Found by schemathesis on PostgreSQL: 2**31 reached the database and failed there."""
    response = api.post(f"/processes/complaint/{path}", "owner", json=payload)

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"
