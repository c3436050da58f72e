"""Benchmark: whole cases through the staff API, from filing to the reporter's verification.

Each case is filed by a citizen with a token, then each step is found the way a client
finds it (GET /api/v1/tasks?case_id=...&bpmn_id=...) and completed by the user whose role
and unit the task asks for: triage, assign, resolve (with a photo, multipart), and the
reporter's verify, which closes the case. Production mode as in bench/intake.py.

Prints a table, then one JSON line.

    .venv/bin/python bench/lifecycle.py [--cases 600] [--clients 8]
"""

import argparse
import io
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
from prod import Production, RssSampler, print_json, print_table  # noqa: E402

ROXBURY = (42.316782, -71.085581)
BOUNDARY = "casemgr-bench-boundary"

#: Who completes each step of a drain case, and with what.
STEPS = (
    ("triage", "triage", {"decision": "accept", "priority": "normal", "note": "seen"}),
    ("assign", "sup-water", {"assignee": "officer-water"}),
    ("resolve", "officer-water", {"resolution_note": "Drain cleared"}),
    ("verify", "citizen", {"fixed": "true", "rating": "5", "comment": "Thank you"}),
)


def photo_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def multipart(fields, files):
    """A multipart/form-data body, the way a browser or mobile client sends a photo."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def one_case(client, number):
    tokens = client.context["tokens"]
    filed = client.call(
        "POST", "/api/v1/cases", token=tokens["citizen"], expect=201,
        body={"category": "drains", "description": f"Blocked drain {number}",
              "lat": ROXBURY[0], "lon": ROXBURY[1]},
    )
    case_id = filed["id"]
    for bpmn_id, username, values in STEPS:
        found = client.call("GET", f"/api/v1/tasks?case_id={case_id}&bpmn_id={bpmn_id}",
                            token=tokens[username])
        if len(found["items"]) != 1:
            raise load.BadAnswer(f"case {case_id}: {username} sees {found['items']} "
                                 f"for {bpmn_id}")
        path = f"/api/v1/tasks/{found['items'][0]['id']}/complete"
        if bpmn_id == "resolve":
            body = multipart(values, {"resolution_photo": ("after.jpg", client.context["jpeg"])})
            done = client.call("POST", path, token=tokens[username], body=body,
                               content_type=f"multipart/form-data; boundary={BOUNDARY}")
        else:
            done = client.call("POST", path, token=tokens[username], body=values)
    if done["case"]["status"] != "closed":
        raise load.BadAnswer(f"case {case_id} ended {done['case']['status']}, not closed")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600, help="cases taken to closed")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    args = parser.parse_args(argv)
    if min(args.cases, args.clients, args.processes) < 1:
        parser.error("every count must be at least 1")

    logging.disable(logging.INFO)
    with Production() as server:
        context = {"tokens": server.tokens, "jpeg": photo_bytes()}
        load.run(server.port, one_case, 5, clients=1, processes=1, context=context)
        sampler = RssSampler(server.process.pid)
        sampler.start()
        result = load.run(server.port, one_case, args.cases, clients=args.clients,
                          processes=args.processes, context=context)
        peak = sampler.stop()
    if result["errors"]:
        print(f"{len(result['errors'])} failed cases, first: {result['errors'][0]}")
        sys.exit(1)

    per_s = result["done"] / result["elapsed_s"]
    lat = result["latencies"]
    figures = {
        "lifecycle_per_s": round(per_s, 1),
        "lifecycle_requests_per_s": round(len(lat) / result["elapsed_s"], 1),
        "lifecycle_request_p50_ms": round(load.percentile_ms(lat, 0.50), 1),
        "lifecycle_request_p95_ms": round(load.percentile_ms(lat, 0.95), 1),
        "lifecycle_gunicorn_worker_rss_mb": round(peak["gunicorn_worker"], 1),
        "lifecycle_rq_worker_rss_mb": round(peak["rq_worker"], 1),
        "lifecycle_cases": result["done"],
        "lifecycle_clients": args.clients,
    }
    print_table([
        ("cases filed -> triage -> assign -> resolve -> verify", f"{result['done']:,}"),
        ("requests (file, then find + complete each task)", f"{len(lat):,}"),
        ("cases closed per second", f"{per_s:,.1f} /s"),
        ("requests per second", f"{figures['lifecycle_requests_per_s']:,.1f} /s"),
        ("request latency p50 / p95", f"{figures['lifecycle_request_p50_ms']} / "
                                      f"{figures['lifecycle_request_p95_ms']} ms"),
        ("peak RSS gunicorn worker", f"{peak['gunicorn_worker']:.1f} MB"),
        ("peak RSS RQ worker", f"{peak['rq_worker']:.1f} MB"),
    ])
    print_json(figures)
    return figures


if __name__ == "__main__":
    main()
