"""Fixtures of the functional tests that run the SLA: a test clock and a mailbox in memory."""

import pytest

from casemgr.notifications import backends
from tests.clock import Clock
from tests.functional.sla_cases import MONDAY


@pytest.fixture
def clock(app, monkeypatch):
    """Every "now" of the SLA stands at MONDAY until the test travels on.

    API tokens live long enough for a test to travel weeks ahead.
    """
    monkeypatch.setitem(app.config, "TOKEN_HOURS", 24 * 365)
    clock = Clock(monkeypatch)
    clock.travel(MONDAY)
    return clock


@pytest.fixture
def mailbox(app, monkeypatch):
    """Deliver messages to a list in memory."""
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    memory = backends.backend_for(app.config)
    memory.outbox.clear()
    memory.fail_times = 0
    yield memory
    memory.outbox.clear()
    memory.fail_times = 0


@pytest.fixture
def open311_limits(app):
    """Start the Open311 rate-limit counts from zero, for a test that makes many calls."""
    from casemgr.open311 import limits

    limits.limiter_of(app).reset()
    yield limits.limiter_of(app)
    limits.limiter_of(app).reset()
