"""How many SQL statements the busiest requests send: a count, never a time.

Each statement is a round trip and a pass through the ORM; issue 7's intake and lifecycle
benchmarks found these requests spending more there than in the engine. A change that
adds statements to them should be a choice, so these counts fail when they grow.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from casemgr.db import session
from tests.conftest import ROXBURY


@contextmanager
def statements():
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def file(api):
    response = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": ROXBURY[0],
        "lon": ROXBURY[1]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_filing_a_case_through_the_api_sends_at_most_fourteen_statements(api):
    file(api)  # the first filing fills the per-process caches (districts, parsed spec)
    api.token("citizen")
    with statements() as seen:
        file(api)
    # token with roles, category, districts, routing, version, case, history, case again
    # (reference and state), task, triage officers, their message, the follower.
    assert len(seen) <= 14, "\n".join(seen)


@pytest.mark.parametrize("cases", [1, 6])
def test_the_task_list_reads_form_choices_once_whatever_its_length(api, cases):
    for _ in range(cases):
        file(api)
    api.token("triage")
    with statements() as seen:
        response = api.get("/tasks", "triage")
    assert len(response.get_json()["items"]) == cases
    # Token, the two visibility queries, and the triage form's categories: not per task.
    assert len(seen) <= 5, "\n".join(seen)
