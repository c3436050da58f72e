"""Smoke test of the benchmarks: each runs at a tiny size and ends with its JSON line.

No timing is asserted: the figures of a tiny run mean nothing. The benchmarks wipe the
database they are given and run production mode against PostgreSQL and Redis, so this
needs BENCH_DATABASE_URL (a PostgreSQL database of its own, never the tests' one) and
BENCH_REDIS_URL; without them it is skipped with that reason.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.functional.servers import ROOT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("BENCH_DATABASE_URL", "").startswith("postgresql")
        or not os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("BENCH_DATABASE_URL") == os.environ.get("DATABASE_URL"),
        reason="needs BENCH_DATABASE_URL (a PostgreSQL database the benchmarks may wipe, "
        "not DATABASE_URL) and BENCH_REDIS_URL",
    ),
]

#: The keys issue 7 asks `make bench` to end with.
REQUIRED = ("intake_per_s", "intake_p95_ms", "raw_engine_per_s", "lifecycle_per_s",
            "inbox_p95_ms", "bbox_ms", "worker_rss_mb")


def test_every_benchmark_runs_tiny_and_ends_with_the_json_line():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "all.py"), "--tiny"],
        cwd=ROOT, text=True, capture_output=True, timeout=900, check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    for key in REQUIRED:
        assert isinstance(figures[key], int | float) and figures[key] > 0, key
    assert figures["tiny"] is True
    # Each benchmark printed its own table before the summary.
    for heading in ("== intake", "== lifecycle", "== inbox", "== bbox", "== summary"):
        assert heading in result.stdout
