"""Hosts that start together migrate one at a time (a PostgreSQL advisory lock)."""

import os
import threading

import pytest
from sqlalchemy import text

from casemgr import migrate
from casemgr.db import engine_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
        reason="needs DATABASE_URL naming PostgreSQL (set by .ci/run)",
    ),
]


def test_a_second_host_waits_for_the_first_to_finish_migrating(app):
    url = app.config["DATABASE_URL"]
    finished = threading.Event()

    def second_host():
        migrate.upgrade(url)
        finished.set()

    # The first host holds the lock, as it does while its migrations run.
    with engine_for(url).begin() as first_host:
        first_host.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": migrate.MIGRATION_LOCK}
        )
        waiting = threading.Thread(target=second_host)
        waiting.start()
        assert not finished.wait(2)

    # First host committed: the second one goes on and finds the schema at head.
    waiting.join(timeout=60)
    assert finished.is_set()
