"""Benchmark the SLA timer sweep: indexed vs naive, idle cost, and lateness under load.

    .venv/bin/python bench/sla_sweep.py               # 100,000 open cases, 100 due
    .venv/bin/python bench/sla_sweep.py --scale       # 1,000,000 open cases
    .venv/bin/python bench/sla_sweep.py --database-url postgresql+psycopg://.../casemgr_bench

The database is a temporary SQLite file unless --database-url names one whose name ends
in "bench"; that database is wiped first. Prints a table, then one JSON line with
indexed_sweep_s, naive_sweep_s, idle_sweep_ms, lateness_p999_s and lateness_max_s.
"""

import argparse
import json
import logging
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_app  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from casemgr import demo, engine, loadgen  # noqa: E402
from casemgr.cases.models import Case, CaseEvent  # noqa: E402
from casemgr.db import engine_for, session, utcnow  # noqa: E402
from casemgr.escalations import scheduling  # noqa: E402
from casemgr.escalations import service as sweeps  # noqa: E402


def make_app(url):
    if url is None:
        return bench_app()
    if not url.rsplit("/", 1)[-1].endswith("bench"):
        sys.exit("--database-url must name a database whose name ends in 'bench': it is wiped")
    with engine_for(url).begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return bench_app(url)


def timed(func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - started, result


def naive_sweep(limit):
    """Load every open workflow and ask the engine whether a timer is due."""
    now = utcnow()
    due = 0
    query = (
        select(Case.id, Case.workflow_state, Case.process_version_id)
        .where(Case.status != "closed")
        .limit(limit)
    )
    from casemgr.processes import service as processes

    for _case_id, state, version_id in session.execute(query).yield_per(1000):
        workflow = engine.load_state(processes.parsed(processes.get_version(version_id)), state)
        moment = engine.snapshot(workflow).next_timer_due_at
        due += moment is not None and moment <= now
    return due


def lateness(app, count, spread_s, interval_s, template):
    """Timers falling due over `spread_s` seconds, swept every `interval_s` seconds."""
    start = utcnow() + timedelta(seconds=5)
    moments = [start + timedelta(seconds=spread_s * i / count) for i in range(count)]
    loadgen.clone_cases(template, moments, "LATE")

    stop = threading.Event()

    def loop():
        with app.app_context():
            scheduling.run_in_process(interval_s, stop)

    sweeper = threading.Thread(target=loop, daemon=True)
    sweeper.start()
    deadline = time.monotonic() + spread_s + 120
    while time.monotonic() < deadline:
        time.sleep(2)
        left = session.scalar(
            select(Case.id)
            .where(
                Case.reference.like("LATE-%"),
                Case.next_timer_due_at <= utcnow() + timedelta(days=1),
            )
            .limit(1)
        )
        session.rollback()
        if left is None:
            break
    stop.set()
    sweeper.join(30)

    fired = session.execute(
        select(Case.sla_due_at, CaseEvent.at)
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(Case.reference.like("LATE-%"), CaseEvent.kind == "timer")
    ).all()
    return sorted(max((at - due).total_seconds(), 0.0) for due, at in fired), count


def percentile(values, share):
    if not values:
        return float("nan")
    index = min(int(round(share * (len(values) - 1))), len(values) - 1)
    return values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="1,000,000 open cases")
    parser.add_argument("--cases", type=int, default=None, help="open cases (default 100,000)")
    parser.add_argument("--due", type=int, default=100, help="cases already due")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=20_000,
        help="workflows loaded to time the naive sweep (scaled up)",
    )
    parser.add_argument("--timers", type=int, default=2_000, help="timers in the load test")
    parser.add_argument("--spread", type=int, default=60, help="seconds they fall due over")
    parser.add_argument("--interval", type=int, default=5, help="seconds between sweeps")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    total = args.cases or (1_000_000 if args.scale else 100_000)
    if total < args.due or args.due < 1:
        parser.error("--cases must be at least --due, and --due at least 1")

    logging.disable(logging.WARNING)
    app, database = make_app(args.database_url)
    with app.app_context():
        demo.seed()
        future = loadgen.case_waiting_at_resolve(utcnow() + timedelta(days=30))
        waiting = [
            future.next_timer_due_at + timedelta(seconds=i % 86_400)
            for i in range(total - args.due)
        ]
        build_s, _ = timed(loadgen.clone_cases, future, waiting, "WAIT")
        overdue = [utcnow() - timedelta(hours=1, seconds=i) for i in range(args.due)]
        loadgen.clone_cases(future, overdue, "DUE")

        sample = min(args.naive_sample, total)
        naive_sample_s, _ = timed(naive_sweep, sample)
        naive_s = naive_sample_s * total / sample
        session.rollback()
        select_s, due_ids = timed(sweeps.due_case_ids, utcnow(), 10_000)
        indexed_s, fired = timed(sweeps.fire_due_timers, None, 10_000)
        idle_s, idle = timed(sweeps.fire_due_timers, None, 10_000)
        late, scheduled = lateness(app, args.timers, args.spread, args.interval, future)

    rows = [
        ("database", database),
        ("open cases", f"{total + 1:,} (built in {build_s:.1f} s)"),
        ("due at sweep time", f"{len(due_ids):,}"),
        ("indexed select of due cases", f"{select_s * 1000:.1f} ms"),
        ("indexed sweep: select + fire all due", f"{indexed_s:.2f} s ({fired['fired']} fired)"),
        (f"naive sweep: load every workflow ({sample:,} loaded, scaled)", f"{naive_s:.1f} s"),
        ("idle sweep (nothing due)", f"{idle_s * 1000:.2f} ms ({idle['fired']} fired)"),
        (
            f"lateness of {scheduled:,} timers over {args.spread} s, sweep every "
            f"{args.interval} s",
            f"{len(late):,} fired",
        ),
        (
            "  p50 / p99 / p99.9 / max",
            " / ".join(f"{percentile(late, q):.2f} s" for q in (0.5, 0.99, 0.999))
            + f" / {late[-1]:.2f} s"
            if late
            else "none fired",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(
        json.dumps(
            {
                "open_cases": total + 1,
                "due_cases": len(due_ids),
                "indexed_sweep_s": round(indexed_s, 4),
                "indexed_select_ms": round(select_s * 1000, 2),
                "naive_sweep_s": round(naive_s, 2),
                "naive_sample_cases": sample,
                "idle_sweep_ms": round(idle_s * 1000, 3),
                "timers_scheduled": scheduled,
                "timers_fired": len(late),
                "lateness_p50_s": round(percentile(late, 0.5), 3),
                "lateness_p99_s": round(percentile(late, 0.99), 3),
                "lateness_p999_s": round(percentile(late, 0.999), 3),
                "lateness_max_s": round(late[-1], 3) if late else None,
                "median_lateness_s": round(statistics.median(late), 3) if late else None,
                "database": database,
            }
        )
    )


if __name__ == "__main__":
    main()
