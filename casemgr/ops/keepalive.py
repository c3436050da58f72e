"""Start a command again when it crashes: python -m casemgr.ops.keepalive COMMAND [ARG...]

RQ workers and the scheduler exit with an error when Redis goes away. Under honcho one
process ending stops all the others, so without this a Redis restart would take the web
server down with it. The command is started again after 1, 2, 4 ... (at most 30) seconds
until Redis is back; a clean exit (0) or a stop signal ends the wrapper as well.

The command runs in this process's group: honcho stops the whole group, so the signal
reaches the command directly and is not passed on a second time (a second SIGTERM would
make an RQ worker abandon the job in hand).
"""

import logging
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("casemgr.ops.keepalive")

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
#: A run this long counts as healthy: the next crash starts again from the first delay.
STEADY_SECONDS = 60


def run(command, stop=None):
    """Run `command` until it exits cleanly or `stop` is set; return its last exit code."""
    stop = stop or threading.Event()
    delay = FIRST_DELAY
    while True:
        started = time.monotonic()
        code = subprocess.call(command)
        if stop.is_set():
            return 0
        if code == 0:
            return code
        if time.monotonic() - started > STEADY_SECONDS:
            delay = FIRST_DELAY
        log.warning("%s exited with %s; starting it again in %.0f s", command[0], code, delay)
        if stop.wait(delay):
            return 0
        delay = min(delay * 2, MAX_DELAY)


def _log_like_the_app():
    import config
    from casemgr.ops import logs

    try:
        log_format = config.load()["LOG_FORMAT"]
    except config.ConfigError:
        log_format = "text"  # the command itself will name the bad setting
    logs.configure(log_format)


def main(argv):
    if not argv:
        print("usage: python -m casemgr.ops.keepalive COMMAND [ARG...]", file=sys.stderr)
        return 2
    _log_like_the_app()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return run(argv, stop)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
