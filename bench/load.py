"""A load generator in separate processes: each runs client threads on keep-alive connections.

A scenario is a top-level function `scenario(client, number)` that makes one unit of work
(one intake, one whole case) through `client` and raises on a wrong answer. Every request's
latency is recorded; the run's rate counts the units of work done in the wall-clock time
from the moment all clients start to the moment the last one ends.
"""

import http.client
import json
import multiprocessing
import threading
import time


class BadAnswer(Exception):
    """The server answered something a real client would treat as a failure."""


class Client:
    """One keep-alive HTTP connection to 127.0.0.1 that times every request."""

    def __init__(self, port, context):
        self.port = port
        self.context = context
        self.latencies = []
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, token=None, body=None, expect=200, content_type=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None and content_type is None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        elif content_type is not None:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            # A dropped keep-alive connection is the server's choice: open a new one.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        self.latencies.append(time.perf_counter() - started)
        if response.status != expect:
            raise BadAnswer(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None


def _client_thread(port, context, scenario, numbers, start_at, out):
    client = Client(port, context)
    while time.time() < start_at:
        time.sleep(0.001)
    done, errors = 0, []
    for number in numbers:
        try:
            scenario(client, number)
            done += 1
        except (BadAnswer, OSError, http.client.HTTPException) as exc:
            errors.append(str(exc))
    out.append((done, errors, client.latencies, time.time()))


def _process(port, context, scenario, number_lists, start_at, results):
    out = []
    threads = [
        threading.Thread(target=_client_thread,
                         args=(port, context, scenario, numbers, start_at, out))
        for numbers in number_lists
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def run(port, scenario, units, *, clients=8, processes=2, context=None):
    """Run `units` scenario calls over `clients` connections in `processes` processes.

    Returns {"done", "errors", "elapsed_s", "latencies"} (latencies in seconds).
    """
    processes = max(1, min(processes, clients))
    numbers = [list(range(c, units, clients)) for c in range(clients)]
    per_process = [numbers[p::processes] for p in range(processes)]
    start_at = time.time() + 1.0
    results = multiprocessing.get_context("fork").Queue()
    workers = [
        multiprocessing.get_context("fork").Process(
            target=_process, args=(port, context or {}, scenario, lists, start_at, results)
        )
        for lists in per_process
    ]
    for worker in workers:
        worker.start()
    collected = [item for _ in workers for item in results.get()]
    for worker in workers:
        worker.join()

    ended = max(item[3] for item in collected)
    return {
        "done": sum(item[0] for item in collected),
        "errors": [error for item in collected for error in item[1]],
        "elapsed_s": ended - start_at,
        "latencies": sorted(latency for item in collected for latency in item[2]),
    }


def percentile_ms(latencies, share):
    """The latency below which `share` of the sorted `latencies` fall, in milliseconds."""
    if not latencies:
        return None
    index = min(len(latencies) - 1, max(0, round(share * len(latencies)) - 1))
    return latencies[index] * 1000
