"""Run every benchmark of issue 7 and end with one JSON line holding all their figures.

Each benchmark runs in its own process (a fresh production server or database load) and
prints its own table; this collects the last JSON line of each. `--tiny` runs each at a
size that only proves it works (the smoke test uses it): its figures mean nothing.

    .venv/bin/python bench/all.py [--tiny]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "intake": [],
    "lifecycle": [],
    "inbox": [],
    "bbox": [],
}
TINY = {
    "intake": ["--cases", "20", "--clients", "2", "--processes", "1", "--raw-cases", "5"],
    "lifecycle": ["--cases", "3", "--clients", "2", "--processes", "1"],
    "inbox": ["--cases", "300", "--rounds", "2", "--citizens", "20"],
    "bbox": ["--cases", "300", "--rounds", "2", "--citizens", "20"],
}
#: The figures issue 7 asks for, and their targets (None: reported, no target).
TARGETS = {
    "intake_per_s": (">=", 300),
    "intake_p95_ms": ("<=", 50),
    "raw_engine_per_s": None,
    "intake_share_of_raw_pct": (">=", 30),
    "lifecycle_per_s": (">=", 100),
    "inbox_p95_ms": ("<=", 30),
    "bbox_ms": ("<=", 200),
    "worker_rss_mb": ("<=", 200),
}


def run(name, args):
    """Run bench/<name>.py, echo its output, return the figures of its last JSON line."""
    command = [sys.executable, str(HERE / f"{name}.py"), *args]
    print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
    result = subprocess.run(command, text=True, stdout=subprocess.PIPE, check=False)
    print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        raise SystemExit(f"bench/{name}.py exited {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def verdict(name, value):
    target = TARGETS.get(name)
    if target is None:
        return ""
    sign, limit = target
    met = value >= limit if sign == ">=" else value <= limit
    return f"{sign} {limit}: {'met' if met else 'MISSED'}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="smallest sizes (smoke test)")
    parser.add_argument("--only", nargs="*", choices=sorted(FULL), help="run only these")
    args = parser.parse_args(argv)

    sizes = TINY if args.tiny else FULL
    figures = {}
    for name in args.only or sizes:
        figures.update(run(name, sizes[name]))
    rss = [value for key, value in figures.items() if key.endswith("_worker_rss_mb")]
    if rss:
        figures["worker_rss_mb"] = max(rss)

    print("\n== summary")
    width = max(len(name) for name in TARGETS)
    for name in TARGETS:
        if name in figures:
            print(f"{name:<{width}}  {figures[name]:>10}  {verdict(name, figures[name])}")
    figures["tiny"] = args.tiny
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
