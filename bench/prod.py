"""Production mode on 127.0.0.1 for the HTTP benchmarks, and what they measure it with.

`Production` wipes the benchmark database, starts `python -m casemgr.ops.production`
(gunicorn with casemgr's gunicorn config, the RQ workers and the scheduler under honcho,
as `make prod` does), seeds the demo users and hands out their API tokens. `RssSampler`
reads the resident memory of gunicorn's and RQ's processes from /proc while load runs.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT

PYTHON = sys.executable
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_perf"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
DEFAULT_PORT = 5181


def database_url():
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)


def wipe_database(url):
    """Drop every table of the benchmark database: each run starts from an empty schema."""
    from sqlalchemy import create_engine, text

    if not url.startswith("postgresql"):
        raise SystemExit(f"the benchmarks run against PostgreSQL, not {url.split(':')[0]}")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def wipe_queue(redis_url):
    """Forget the jobs an earlier run left in the benchmark's own Redis database."""
    from redis import Redis

    Redis.from_url(redis_url).flushdb()


def request(port, method, path, headers=None, body=None, timeout=10):
    """(status, body) of one request on a fresh connection, or None when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return None
    finally:
        connection.close()


class Production:
    """`make prod` on a port of its own, against the benchmark's database and Redis."""

    def __init__(self, port=DEFAULT_PORT, web_workers=2, web_threads=4, rq_workers=2):
        self.port = port
        self.url = database_url()
        self.redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
        self.settings = {
            "CASEMGR_WEB_WORKERS": str(web_workers),
            "CASEMGR_WEB_THREADS": str(web_threads),
            "CASEMGR_RQ_WORKERS": str(rq_workers),
        }
        self.log_path = Path(tempfile.mkdtemp(prefix="bench-prod-")) / "prod.log"
        self.process = None
        self.tokens = {}

    def environ(self):
        environ = {
            name: value for name, value in os.environ.items()
            if not name.startswith(("CASEMGR_", "FLASK_"))
        }
        environ.update(self.settings)
        environ.update({
            "CASEMGR_ENV": "production",
            "CASEMGR_BIND": f"127.0.0.1:{self.port}",
            "DATABASE_URL": self.url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "CASEMGR_UPLOAD_DIR": str(self.log_path.parent / "uploads"),
            "CASEMGR_LOG_FORMAT": "json",
        })
        return environ

    def start(self):
        wipe_database(self.url)
        wipe_queue(self.redis_url)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "casemgr.ops.production"],
                cwd=ROOT,
                env=self.environ(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_up()
        self.tokens = seed_users(self.url)
        return self

    def _wait_until_up(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"make prod exited:\n{self.log_tail()}")
            answer = request(self.port, "GET", "/healthz", timeout=5)
            if answer is not None and answer[0] == 200:
                return
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"production mode did not answer in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, chars=3000):
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def seed_users(url):
    """Seed the demo city and return a day's API token for each demo user, by username."""
    from common import bench_app

    app, _database = bench_app(url)
    from casemgr import demo
    from casemgr.accounts import service as accounts
    from casemgr.db import session

    with app.app_context():
        logins = demo.seed()
        tokens = {}
        for login in logins:
            user = accounts.find_user(login["username"])
            tokens[login["username"]] = accounts.issue_token(user, 24)
        session.commit()
    return tokens


# -- memory ------------------------------------------------------------------------------


def _children():
    """{pid: (parent pid, command line)} of every process on the machine we may read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry)] = (parent, command.decode(errors="replace"))
    return table


def _descendants(root):
    table = _children()
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, command) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = (ppid, command)
                frontier.append(pid)
    return found


def _rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class RssSampler(threading.Thread):
    """Sample the RSS of gunicorn's workers and RQ's workers (and their work horses)."""

    def __init__(self, root_pid, every=0.5):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.every = every
        self.peak = {"gunicorn_worker": 0.0, "rq_worker": 0.0}
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.every)

    def sample(self):
        processes = _descendants(self.root_pid)
        for pid, (ppid, command) in processes.items():
            kind = None
            if "gunicorn" in command and "gunicorn" in processes.get(ppid, (0, ""))[1]:
                kind = "gunicorn_worker"  # a worker: its parent is the gunicorn master
            elif "casemgr worker" in command and "keepalive" not in command:
                kind = "rq_worker"
            rss = _rss_mb(pid) if kind else None
            if rss is not None:
                self.peak[kind] = max(self.peak[kind], rss)

    def stop(self):
        self._halt.set()
        self.join(timeout=5)
        self.sample()
        return self.peak


def print_table(rows):
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def print_json(figures):
    print(json.dumps(figures), flush=True)
