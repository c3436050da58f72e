"""Benchmark: intake over HTTP, from POST /api/v1/cases to the 201 with the first task stored.

Production mode (`make prod`: gunicorn with casemgr's gunicorn config, RQ workers, the
scheduler) runs against PostgreSQL (BENCH_DATABASE_URL, default bench_perf, wiped) and
Redis (BENCH_REDIS_URL, default db 9); a load generator in separate processes files
drain complaints with a citizen's token. The raw engine's rate is measured in the same
run. RSS of the gunicorn and RQ workers is sampled during the load.

Prints a table, then one JSON line.

    .venv/bin/python bench/intake.py [--cases 3000] [--clients 8] [--raw-cases 300]
"""

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
from engine import raw_rate  # noqa: E402
from prod import Production, RssSampler, print_json, print_table  # noqa: E402

ROXBURY = (42.316782, -71.085581)


def file_one(client, number):
    """One citizen report through the API; the 201 means case, task and history are stored."""
    body = client.call(
        "POST",
        "/api/v1/cases",
        token=client.context["token"],
        body={
            "category": "drains",
            "description": f"Drain blocked near house {number}",
            "lat": ROXBURY[0] + (number % 100) * 1e-5,
            "lon": ROXBURY[1],
        },
        expect=201,
    )
    if not body.get("reference"):
        raise load.BadAnswer(f"no reference in {body}")


def warm_up(server, count=20):
    load.run(server.port, file_one, count, clients=2, processes=1,
             context={"token": server.tokens["citizen"]})


def measure(server, cases, clients, processes):
    sampler = RssSampler(server.process.pid)
    sampler.start()
    result = load.run(server.port, file_one, cases, clients=clients, processes=processes,
                      context={"token": server.tokens["citizen"]})
    return result, sampler.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000, help="cases filed over HTTP")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--raw-cases", type=int, default=300, help="cases for the raw engine")
    args = parser.parse_args(argv)
    if min(args.cases, args.clients, args.processes, args.raw_cases) < 1:
        parser.error("every count must be at least 1")

    logging.disable(logging.INFO)
    raw_per_s, _size = raw_rate(args.raw_cases)
    with Production() as server:
        warm_up(server)
        result, peak = measure(server, args.cases, args.clients, args.processes)
    if result["errors"]:
        print(f"{len(result['errors'])} failed requests, first: {result['errors'][0]}")
        sys.exit(1)

    per_s = result["done"] / result["elapsed_s"]
    lat = result["latencies"]
    figures = {
        "intake_per_s": round(per_s, 1),
        "intake_p50_ms": round(load.percentile_ms(lat, 0.50), 1),
        "intake_p95_ms": round(load.percentile_ms(lat, 0.95), 1),
        "intake_p99_ms": round(load.percentile_ms(lat, 0.99), 1),
        "raw_engine_per_s": round(raw_per_s, 1),
        "intake_share_of_raw_pct": round(100 * per_s / raw_per_s, 1),
        "intake_gunicorn_worker_rss_mb": round(peak["gunicorn_worker"], 1),
        "intake_rq_worker_rss_mb": round(peak["rq_worker"], 1),
        "intake_cases": result["done"],
        "intake_clients": args.clients,
    }
    print_table([
        ("cases filed over HTTP (201, first task stored)", f"{result['done']:,}"),
        ("intake rate", f"{per_s:,.1f} /s"),
        ("latency p50 / p95 / p99", f"{figures['intake_p50_ms']} / {figures['intake_p95_ms']}"
                                    f" / {figures['intake_p99_ms']} ms"),
        ("raw engine in the same run", f"{raw_per_s:,.1f} /s"),
        ("intake as share of raw", f"{figures['intake_share_of_raw_pct']} %"),
        ("peak RSS gunicorn worker", f"{peak['gunicorn_worker']:.1f} MB"),
        ("peak RSS RQ worker", f"{peak['rq_worker']:.1f} MB"),
    ])
    print_json(figures)
    return figures


if __name__ == "__main__":
    main()
