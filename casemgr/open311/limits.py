"""Rate limits of the Open311 API, counted per API key (per address without one).

Counts live in Redis when REDIS_URL is set, so that every worker process shares them;
otherwise in this process's memory. Each app gets its own limiter, so that two apps in
one process (as in tests) never share a storage.
"""

import hashlib
import logging

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from config import ConfigError

log = logging.getLogger(__name__)


def client_key():
    """The caller to count: its API key's digest, else its address."""
    raw_key = request.args.get("api_key") or (
        request.form.get("api_key") if request.method == "POST" else None)
    if raw_key:
        return "key:" + hashlib.sha256(raw_key.encode()).hexdigest()[:24]
    return "addr:" + (get_remote_address() or "unknown")


def current_limit():
    return current_app.config["OPEN311_RATE_LIMIT"]


def _outside_open311():
    return request.blueprint != "open311"


def limiter_of(app):
    return app.extensions["open311_limiter"]


def init_app(app):
    try:
        parse_many(app.config["OPEN311_RATE_LIMIT"])
    except ValueError:
        raise ConfigError(
            f"CASEMGR_OPEN311_RATE_LIMIT={app.config['OPEN311_RATE_LIMIT']!r}: "
            "give limits such as '120 per minute; 5000 per day'") from None

    limiter = Limiter(
        client_key,
        default_limits=[current_limit],
        default_limits_exempt_when=_outside_open311,
        storage_uri=app.config["REDIS_URL"] or "memory://",
        key_prefix=f"{app.config['QUEUE_NAME']}-open311",
        headers_enabled=True,
    )
    limiter.init_app(app)
    app.extensions["open311_limiter"] = limiter
