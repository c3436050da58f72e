"""Benchmark: the maps' bounding-box queries over 100,000 located cases.

Wipes the benchmark database (BENCH_DATABASE_URL, default bench_perf), loads the cases
with set-based SQL (bench/bulk.py, every case with a point in Boston), then times whole
requests through the app, in process: the public map's GET /map/cases.json?bbox=... and
the staff API's GET /api/v1/kpis/cases.geojson?bbox=... (the dashboard map's data), for
map views at street, neighbourhood and district scale. The whole city is timed as well
and shown apart. These are the requests the map pages make since they fetch by their
visible bounds (casemgr/static/map_view.js). A view with more cases than a map can draw
(casemgr.cases.clusters.MAX_POINTS) is answered with grid clusters counted in SQL, as the
pages then draw them: from commit 76e599d on, the district and city views time that
answer (the table says which kind each view got); before, they timed every point (the
dashboard) or the newest 5,000 (the public map).

Prints a table, then one JSON line; bbox_ms is the slowest p95 over the views that are
not the whole city.

    .venv/bin/python bench/bbox.py [--cases 100000] [--rounds 15]
"""

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk  # noqa: E402
import load  # noqa: E402
from common import bench_app  # noqa: E402
from prod import database_url, print_json, print_table, wipe_database  # noqa: E402

#: Map views around Roxbury, as west,south,east,north, by the span a screen shows.
CENTRE = (42.316782, -71.085581)
VIEWS = {"street (0.5 km)": 0.0025, "neighbourhood (2 km)": 0.01, "district (6 km)": 0.03}
CITY = ",".join(str(v) for v in (bulk.BOSTON["west"], bulk.BOSTON["south"],
                                 bulk.BOSTON["east"], bulk.BOSTON["north"]))


def view(half_span):
    lat, lon = CENTRE
    return f"{lon - half_span},{lat - half_span},{lon + half_span},{lat + half_span}"


def timed(client, path, box, rounds, headers=None):
    from casemgr.db import session

    timings, answer = [], {}
    for _ in range(rounds):
        session.remove()
        started = time.perf_counter()
        response = client.get(path, query_string={"bbox": box}, headers=headers)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.get_data()[:300]!r}")
        answer = response.get_json()
    return sorted(timings), drawn(answer)


def drawn(answer):
    """What the map draws: '<n> points', or '<n> clusters of <cases> cases'."""
    features = len(answer["features"])
    if answer.get("kind") == "clusters":
        return f"{features:,} clusters of {answer['total']:,} cases"
    return f"{features:,} points"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="located cases to load")
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per view")
    parser.add_argument("--citizens", type=int, default=2_000,
                        help="citizen accounts reporting the cases")
    args = parser.parse_args(argv)
    if min(args.cases, args.rounds, args.citizens) < 1:
        parser.error("every count must be at least 1")

    logging.disable(logging.INFO)
    url = database_url()
    wipe_database(url)
    app, _database = bench_app(url)
    results = {}
    with app.app_context():
        from casemgr import demo
        from casemgr.accounts import service as accounts
        from casemgr.db import session

        demo.seed()
        token = accounts.issue_token(accounts.find_user("admin"), 1)
        session.commit()
        load_s = bulk.load(args.cases, located_share=1.0, citizens=args.citizens)
        located = session.execute(bulk.text("SELECT count(*) FROM cases WHERE is_located"))
        located = located.scalar()
    client = app.test_client()
    staff = {"Authorization": f"Bearer {token}"}
    for name, box in [*((name, view(span)) for name, span in VIEWS.items()), ("city", CITY)]:
        with app.app_context():
            results[("public map", name)] = timed(client, "/map/cases.json", box, args.rounds)
            results[("dashboard", name)] = timed(client, "/api/v1/kpis/cases.geojson", box,
                                                 args.rounds, staff)

    rows = [("located cases in the database", f"{located:,}"),
            ("bulk load (SQL)", f"{load_s:.1f} s")]
    for (face, name), (timings, shown) in results.items():
        rows.append((f"{face}, {name}: {shown}, p50 / p95",
                     f"{load.percentile_ms(timings, 0.5):.1f} / "
                     f"{load.percentile_ms(timings, 0.95):.1f} ms"))
    in_views = [load.percentile_ms(timings, 0.95)
                for (_face, name), (timings, _drawn) in results.items() if name != "city"]
    figures = {
        "bbox_ms": round(max(in_views), 1),
        "bbox_public_city_p95_ms": round(
            load.percentile_ms(results[("public map", "city")][0], 0.95), 1),
        "bbox_dashboard_city_p95_ms": round(
            load.percentile_ms(results[("dashboard", "city")][0], 0.95), 1),
        "bbox_cases": located,
    }
    rows.append(("slowest p95 over street/neighbourhood/district views",
                 f"{figures['bbox_ms']} ms"))
    print_table(rows)
    print_json(figures)
    return figures


if __name__ == "__main__":
    main()
