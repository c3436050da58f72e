"""Send the same POST many times at once from one process: python -m tests.functional.hammer.

Usage: hammer PORT PATH TOKEN COUNT THREADS START_AT < body.json
Each thread waits for the wall-clock moment START_AT, so several processes begin together;
prints {"status": count, ...} as JSON (status "error" for a request that got no answer).
"""

import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.functional.servers import request


def fire(port, path, token, body, start_at):
    time.sleep(max(start_at - time.time(), 0))
    answer = request(port, "POST", path, {"Authorization": f"Bearer {token}"}, body, timeout=120)
    return str(answer[0]) if answer else "error"


def main(argv):
    port, path, token, count, threads, start_at = argv
    body = json.load(sys.stdin)
    with ThreadPoolExecutor(max_workers=int(threads)) as pool:
        statuses = pool.map(
            lambda _: fire(int(port), path, token, body, float(start_at)), range(int(count))
        )
        print(json.dumps(Counter(statuses)))


if __name__ == "__main__":
    main(sys.argv[1:])
