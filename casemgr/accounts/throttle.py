"""Throttling: login attempts per address, wrong passwords per unknown username, and the
"me too" requests that mail a confirmation link, per address.

Counts live in Redis when REDIS_URL is set, so that every web process shares them; else in
this process's memory. Wrong passwords of a real account are counted on its row instead
(accounts.service), where the lock is recorded.
"""

import hashlib
import logging

from flask import current_app
from limits import RateLimitItemPerMinute, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from config import ConfigError

log = logging.getLogger(__name__)


class LoginThrottle:
    """Moving-window counters for one app."""

    def __init__(self, storage_uri, prefix, address_limits, me_too_limits=()):
        self.storage = storage_from_string(storage_uri)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.prefix = prefix
        self.address_limits = address_limits
        self.me_too_limits = me_too_limits

    def allow_address(self, address):
        """Count one login attempt from `address`; False once it is past a limit."""
        return self._allow("addr", address, self.address_limits)

    def allow_me_too_email(self, sender, recipient):
        """Count one "me too" by email from `sender` to `recipient`; False past a limit.

        Each such request mails a confirmation link to the address typed: without a
        limit per sender, one client could make the city mail any number of strangers;
        without one per recipient, any number of clients could flood one mailbox, a case
        at a time.
        """
        by_sender = self._allow("me-too-from", sender, self.me_too_limits)
        to_recipient = self._allow("me-too-to", _digest(recipient), self.me_too_limits)
        return by_sender and to_recipient

    def _allow(self, scope, address, limits):
        # Every limit is counted, also after one refuses, so that a burst keeps counting.
        allowed = [self.limiter.hit(limit, self.prefix, scope, address) for limit in limits]
        return all(allowed)

    def name_failed(self, username, failures, minutes):
        """Count a wrong password for a name no account has; True if that name is now locked."""
        self.limiter.hit(_name_limit(failures, minutes), self.prefix, "name", _digest(username))
        return self.is_name_locked(username, failures, minutes)

    def is_name_locked(self, username, failures, minutes):
        limit = _name_limit(failures, minutes)
        return not self.limiter.test(limit, self.prefix, "name", _digest(username))

    def reset(self):
        self.storage.reset()


def _name_limit(failures, minutes):
    # Full once `failures` are counted: that failure locks the name, as for an account.
    return RateLimitItemPerMinute(failures, minutes)


def _digest(username):
    return hashlib.sha256(username.lower().encode()).hexdigest()[:24]


def throttle():
    return current_app.extensions["login_throttle"]


def _limits(app, name, example):
    try:
        return parse_many(app.config[name])
    except ValueError:
        raise ConfigError(
            f"CASEMGR_{name}={app.config[name]!r}: give limits such as {example!r}") from None


def init_app(app):
    limits = _limits(app, "LOGIN_RATE_LIMIT", "30 per minute; 300 per hour")
    me_too_limits = _limits(app, "ME_TOO_EMAIL_LIMIT", "10 per hour; 30 per day")
    for name in ("LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_MINUTES"):
        if app.config[name] < 1:
            raise ConfigError(f"CASEMGR_{name}={app.config[name]!r}: use a whole number >= 1")

    app.extensions["login_throttle"] = LoginThrottle(
        app.config["REDIS_URL"] or "memory://", f"{app.config['QUEUE_NAME']}-login", limits,
        me_too_limits,
    )
