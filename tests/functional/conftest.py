"""Fixtures shared by the functional tests: a test clock, a mailbox in memory, and the limits
of logins and Open311 calls."""

import pytest

from casemgr.accounts.throttle import throttle
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
def limits(app, monkeypatch):
    """Login limits for the lockout tests: three wrong passwords lock for 10 minutes."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_MINUTES", 10)
    throttle().reset()
    yield app.config
    throttle().reset()


@pytest.fixture
def open311_limits(app):
    """Start the Open311 rate-limit counts from zero, for a test that makes many calls."""
    from casemgr.open311 import limits

    limits.limiter_of(app).reset()
    yield limits.limiter_of(app)
    limits.limiter_of(app).reset()
