"""Background jobs: RQ when REDIS_URL is set, otherwise run in this process.

Jobs take ids and plain values, never ORM objects, and load what they need. A job
function is wrapped by `job` so it runs inside an app context whichever process runs it.
"""

import functools
import logging

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

_worker_app = {}
_redis_clients = {}


def job(func):
    """Run `func` inside an app context, building the app once per worker process."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return _run(func, args, kwargs)
        if "app" not in _worker_app:
            from casemgr import create_app

            _worker_app["app"] = create_app()
        with _worker_app["app"].app_context():
            return _run(func, args, kwargs)

    return wrapper


def _run(func, args, kwargs):
    from casemgr.db import session

    try:
        return func(*args, **kwargs)
    finally:
        session.remove()


def redis_connection(url=None):
    url = url or current_app.config["REDIS_URL"]
    # One client per URL and process: its pool keeps connections open across requests
    # (a new client per enqueue connected, and said hello, every time).
    client = _redis_clients.get(url)
    if client is None:
        from redis import Redis

        client = _redis_clients.setdefault(url, Redis.from_url(url))
    return client


def queue():
    """The RQ queue, or None in embedded mode (no REDIS_URL)."""
    if not current_app.config["REDIS_URL"]:
        return None
    from rq import Queue

    return Queue(current_app.config["QUEUE_NAME"], connection=redis_connection())


def enqueue(func, *args, job_id=None, **kwargs):
    """Queue `func(*args)` on RQ, or run it now when there is no Redis."""
    rq_queue = queue()
    if rq_queue is None:
        return func(*args, **kwargs)
    return rq_queue.enqueue_call(
        func, args=args, kwargs=kwargs, job_id=job_id, result_ttl=3600, failure_ttl=7 * 24 * 3600
    )
