"""Servers a test starts for itself on 127.0.0.1, and stops: gunicorn, Redis, a TCP proxy.

They use the ports 5161-5169 and never touch the machine's shared PostgreSQL or Redis:
an "outage" is this throwaway Redis killed, or this proxy in front of PostgreSQL cut.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

THROWAWAY_REDIS_PORT = 5161
POSTGRES_PROXY_PORT = 5162
PROD_PORT = 5163
RACE_PORT = 5164
OUTAGE_PORT = 5165


def wait_for(check, timeout, what):
    """Call `check` until it returns something true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def request(port, method, path, headers=None, body=None, timeout=30):
    """(status, headers, body text) of one HTTP request to 127.0.0.1:`port`, or None."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    payload = json.dumps(body) if body is not None else None
    headers = dict(headers or {})
    if payload is not None:
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    except OSError:
        return None
    finally:
        connection.close()


def app_environ(**settings):
    """The environment of an app process: this one's, plus `settings`."""
    environ = dict(os.environ, PYTHONUNBUFFERED="1")
    environ.update({name: str(value) for name, value in settings.items()})
    return environ


def start(command, environ, log_path):
    """Start `command` in its own session (so a stop reaches its children), logging to a file."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process, timeout=30):
    """SIGTERM the process's session, then SIGKILL it if it lingers; return its exit code."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return process.returncode


def gunicorn(port, environ, log_path, workers=2, threads=4):
    """Serve the app with gunicorn (production mode's web process) and wait until it answers."""
    environ = dict(
        environ,
        CASEMGR_BIND=f"127.0.0.1:{port}",
        CASEMGR_WEB_WORKERS=str(workers),
        CASEMGR_WEB_THREADS=str(threads),
    )
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "--config",
        "python:casemgr.ops.gunicorn_conf",
        "wsgi:app",
    ]
    process = start(command, environ, log_path)
    try:
        wait_for(lambda: _answers(port, process, log_path), 60, f"gunicorn on port {port}")
    except BaseException:
        stop(process)
        raise
    return process


def _answers(port, process, log_path):
    if process.poll() is not None:
        raise AssertionError(f"gunicorn exited: {Path(log_path).read_text()[-3000:]}")
    return request(port, "GET", "/healthz", timeout=5) is not None


def flask_command(*args):
    return [PYTHON, "-m", "flask", "--app", "wsgi", "casemgr", *args]


class ThrowawayRedis:
    """A Redis of this test's own, without persistence, that the test may kill and restart."""

    def __init__(self, port, log_path):
        self.port = port
        self.log_path = log_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = start(command, os.environ, self.log_path)
        wait_for(self.is_up, 30, f"redis-server on port {self.port}")

    def kill(self):
        """Stop it the hard way, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        wait_for(lambda: not self.is_up(), 10, "redis-server to go away")

    def is_up(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target`; cut() drops every connection and refuses new ones.

    Cutting looks to the app exactly like its database server restarting: open connections
    end mid-conversation and new ones are refused until restore().
    """

    def __init__(self, port, target):
        self.port = port
        self.target = target
        self._listener = None
        self._sockets = set()
        self._lock = threading.Lock()

    def start(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    restore = start

    def cut(self):
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
