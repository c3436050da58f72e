"""Benchmark: the inbox query with a million cases in the database.

Wipes the benchmark database (BENCH_DATABASE_URL, default bench_perf), loads the cases
with set-based SQL (bench/bulk.py: realistic spreads over categories, units, statuses and
roles, with their task rows), then times the query the inbox page and GET /api/v1/tasks
run for their first page (casemgr.tasks.service.inbox_page: the 50 most urgent tasks and
one more to know whether a next page exists, rows loaded as objects) for users of each
kind: the city's triage officer, a unit supervisor, a field officer, a citizen and the
admin. Each timing starts from an empty session, so nothing is served from the identity
map. Before the inbox had pages (up to commit b3c725b) it timed inbox() of 200 tasks.

Prints a table, then one JSON line.

    .venv/bin/python bench/inbox.py [--cases 1000000] [--rounds 30]
"""

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk  # noqa: E402
import load  # noqa: E402
from common import bench_app  # noqa: E402
from prod import database_url, print_json, print_table, wipe_database  # noqa: E402

USERS = ("triage", "sup-water", "officer-water", "citizen-bulk", "admin", "sup-sanitation")


def timed_inbox(username, rounds, pages=1):
    """Time the first page of the user's inbox, or the `pages`-th (following next links)."""
    from casemgr.db import session
    from casemgr.tasks import service as tasks

    timings, rows = [], 0
    for _ in range(rounds):
        after = start_of_page(username, pages)
        session.remove()
        user = inbox_user(username)
        started = time.perf_counter()
        found = tasks.inbox_page(user, after=after)
        timings.append(time.perf_counter() - started)
        rows = len(found.tasks)
    session.remove()
    return timings, rows


def inbox_user(username):
    from casemgr.accounts import service as accounts

    if username == "citizen-bulk":
        return bulk.some_citizen_with_open_tasks()
    return accounts.find_user(username)


def start_of_page(username, pages):
    """The cursor of the user's `pages`-th inbox page, read untimed; None for the first."""
    from casemgr.tasks import cursor
    from casemgr.tasks import service as tasks

    after = None
    for _page in range(pages - 1):
        after = cursor.parse(tasks.inbox_page(inbox_user(username), after=after).next_after)
    return after


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to load")
    parser.add_argument("--rounds", type=int, default=30, help="timed queries per user")
    parser.add_argument("--citizens", type=int, default=bulk.CITIZENS,
                        help="citizen accounts reporting the cases")
    args = parser.parse_args(argv)
    if min(args.cases, args.rounds, args.citizens) < 1:
        parser.error("every count must be at least 1")

    logging.disable(logging.INFO)
    url = database_url()
    wipe_database(url)
    app, _database = bench_app(url)
    with app.app_context():
        from casemgr import demo
        from casemgr.db import session

        demo.seed()
        load_s = bulk.load(args.cases, citizens=args.citizens)
        total = session.execute(bulk.text("SELECT count(*) FROM cases")).scalar()
        open_tasks = session.execute(
            bulk.text("SELECT count(*) FROM tasks WHERE status = 'open'")).scalar()
        per_user = {name: timed_inbox(name, args.rounds) for name in USERS}
        # A later page of the longest queue: the keyset makes it as cheap as the first.
        fifth_page = timed_inbox("triage", args.rounds, pages=5)

    every = sorted(t for timings, _rows in per_user.values() for t in timings)
    rows = [("cases in the database", f"{total:,}"), ("open tasks", f"{open_tasks:,}"),
            ("bulk load (SQL)", f"{load_s:.1f} s")]
    for name, (timings, found) in per_user.items():
        ordered = sorted(timings)
        rows.append((f"inbox of {name} ({found} rows) p50 / p95",
                     f"{statistics.median(ordered) * 1000:.1f} / "
                     f"{load.percentile_ms(ordered, 0.95):.1f} ms"))
    ordered = sorted(fifth_page[0])
    rows.append((f"inbox of triage, 5th page ({fifth_page[1]} rows) p50 / p95",
                 f"{statistics.median(ordered) * 1000:.1f} / "
                 f"{load.percentile_ms(ordered, 0.95):.1f} ms"))
    figures = {
        "inbox_p50_ms": round(load.percentile_ms(every, 0.50), 1),
        "inbox_p95_ms": round(load.percentile_ms(every, 0.95), 1),
        "inbox_5th_page_p95_ms": round(load.percentile_ms(ordered, 0.95), 1),
        "inbox_cases": total,
        "inbox_open_tasks": open_tasks,
        "inbox_load_s": round(load_s, 1),
    }
    rows.append(("all users p50 / p95", f"{figures['inbox_p50_ms']} / "
                                        f"{figures['inbox_p95_ms']} ms"))
    print_table(rows)
    print_json(figures)
    return figures


if __name__ == "__main__":
    main()
