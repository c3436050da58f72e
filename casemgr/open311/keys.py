"""Open311 API keys: one per client, created and revoked by admins, stored as digests."""

import hashlib
import logging
import re
import secrets

from sqlalchemy import select

from casemgr.db import session, utcnow
from casemgr.open311.models import ApiKey

log = logging.getLogger(__name__)

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,79}$")
#: Keys start with this, so that a leaked one is easy to recognise in logs and code.
KEY_PREFIX = "o311_"


class ApiKeyError(Exception):
    """A key that cannot be created or revoked; the message says why."""


def digest(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()


def list_keys():
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def by_name(name):
    return session.scalar(select(ApiKey).where(ApiKey.name == name))


def get(key_id):
    return session.get(ApiKey, key_id)


def active_key(raw_key):
    """The active key `raw_key` is, or None for an unknown or revoked one."""
    if not raw_key or len(raw_key) > 200:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.digest == digest(raw_key)))
    return key if key is not None and key.is_active else None


def create(name, actor=None):
    """Create a key for a client; return (key row, the raw key shown once)."""
    name = (name or "").strip()
    if not NAME.match(name):
        raise ApiKeyError("name the client with 1 to 80 letters, digits, spaces or ._@-")
    if by_name(name) is not None:
        raise ApiKeyError(f"there is already a key named {name!r}")

    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, digest=digest(raw_key), prefix=raw_key[:10],
                 created_by=_label(actor))
    session.add(key)
    session.commit()
    log.info("open311 key %s (%s) created by %s", key.id, name, _label(actor))
    return key, raw_key


def revoke(key, actor=None):
    """Revoke a key; later requests with it are refused. Revoking twice is refused."""
    if not key.is_active:
        raise ApiKeyError(f"the key {key.name!r} is already revoked")
    key.revoked_at = utcnow()
    session.commit()
    log.info("open311 key %s (%s) revoked by %s", key.id, key.name, _label(actor))
    return key


def _label(actor):
    if actor is None:
        return "system"
    return actor if isinstance(actor, str) else actor.username
