"""Create users, check passwords and issue API tokens."""

import hashlib
import logging
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from casemgr.accounts.models import ROLE_KEYS, ApiToken, Role, Unit, User
from casemgr.accounts.throttle import throttle
from casemgr.db import row_id, session, utcnow

log = logging.getLogger(__name__)

ROLE_NAMES = {
    "citizen": "Citizen",
    "triage_officer": "Triage officer",
    "unit_supervisor": "Unit supervisor",
    "field_officer": "Field officer",
    "escalation_manager": "Escalation manager",
    "process_owner": "Process owner",
    "admin": "Administrator",
}

# A hash to compare against when the user does not exist, so that a login takes as long
# for an unknown name as for a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")


class AccountError(Exception):
    """A user or unit that cannot be created as asked."""


def ensure_roles():
    """Create the role rows named by the lanes and by casemgr itself."""
    existing = set(session.scalars(select(Role.key)))
    for key in ROLE_KEYS:
        if key not in existing:
            session.add(Role(key=key, name=ROLE_NAMES[key]))
    session.flush()


def ensure_unit(code, name, email=None):
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name=name, email=email)
        session.add(unit)
        session.flush()
    return unit


def create_user(username, password, roles, unit=None, full_name="", email=None):
    """Create a user with hashed password; refuse an unknown role or a taken name."""
    unknown = set(roles) - set(ROLE_KEYS)
    if unknown:
        raise AccountError(f"unknown role(s): {', '.join(sorted(unknown))}")
    if session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"username {username!r} is taken")
    if len(password) < 8:
        raise AccountError("password must have at least 8 characters")

    role_rows = list(session.scalars(select(Role).where(Role.key.in_(roles))))
    user = User(
        username=username,
        password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH"]),
        roles=role_rows,
        unit=unit,
        full_name=full_name,
        email=email,
    )
    session.add(user)
    session.flush()
    log.info("user %s created with roles %s", username, ",".join(sorted(roles)))
    return user


class LoginRefused(Exception):
    """A login refused whatever the password: too many attempts, or a locked account."""

    def __init__(self, message, retry_after_seconds, locked_minutes=None):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
        #: Set when the account is locked (else the address is throttled), for the pages
        #: to say it in the reader's language.
        self.locked_minutes = locked_minutes


THROTTLED = "Too many login attempts from your address. Wait a minute and try again."
LOCKED = ("Too many wrong passwords: this account is locked for {minutes} minutes. "
          "Try again later or ask an administrator.")


def authenticate(username, password, address=None):
    """Return the active user with this name and password, or None for a wrong pair.

    Raise LoginRefused when `address` tried too often, or the name is locked after too
    many wrong passwords; an unknown name locks the same way, so locks reveal no names.
    """
    config = current_app.config
    failures, minutes = config["LOGIN_MAX_FAILURES"], config["LOGIN_LOCKOUT_MINUTES"]
    if address is not None and not throttle().allow_address(address):
        log.warning("login throttled for address %s", address)
        raise LoginRefused(THROTTLED, 60)

    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        return _unknown_name_failed(username, password, failures, minutes)
    _refuse_if_locked(user, minutes)

    if not check_password_hash(user.password_hash, password or ""):
        _record_failure(user, address, failures, minutes)
        return None
    _record_success(user, password)
    return user


def _unknown_name_failed(username, password, failures, minutes):
    if throttle().is_name_locked(username, failures, minutes):
        raise LoginRefused(LOCKED.format(minutes=minutes), minutes * 60, minutes)
    check_password_hash(_DUMMY_HASH, password or "")
    if throttle().name_failed(username, failures, minutes):
        raise LoginRefused(LOCKED.format(minutes=minutes), minutes * 60, minutes)
    return None


def _refuse_if_locked(user, minutes):
    now = utcnow()
    if user.locked_until is None:
        return
    if user.locked_until > now:
        seconds = int((user.locked_until - now).total_seconds()) + 1
        raise LoginRefused(LOCKED.format(minutes=minutes), seconds, minutes)
    # The lock ran out: the count starts afresh.
    user.failed_logins, user.locked_until = 0, None


def _record_failure(user, address, failures, minutes):
    user.failed_logins += 1
    log.info("wrong password for %s from %s (%d in a row)",
             user.username, address, user.failed_logins)
    if user.failed_logins < failures:
        session.commit()
        return

    user.locked_until = utcnow() + timedelta(minutes=minutes)
    session.commit()
    log.warning("account %s locked until %s after %d wrong passwords, the last from %s",
                user.username, user.locked_until.isoformat(), user.failed_logins, address)
    raise LoginRefused(LOCKED.format(minutes=minutes), minutes * 60, minutes)


def _record_success(user, password):
    user.failed_logins, user.locked_until = 0, None
    method = current_app.config["PASSWORD_HASH"]
    if needs_rehash(user.password_hash, method):
        # The password is at hand only now: store it under the current algorithm.
        user.password_hash = generate_password_hash(password, method=method)
        log.info("password of %s rehashed with %s", user.username, method.split(":")[0])
    session.commit()


@lru_cache(maxsize=8)
def _hash_prefix(method):
    return generate_password_hash("probe", method=method).split("$", 1)[0]


def needs_rehash(password_hash, method):
    """True when `password_hash` was not made with `method` and its parameters."""
    return password_hash.split("$", 1)[0] != _hash_prefix(method)


def is_locked(user):
    return user.locked_until is not None and user.locked_until > utcnow()


def unlock(user, actor):
    """Lift a login lock and forget the wrong passwords; True if the account was locked.

    `actor` names who did it in the log: an admin's username, or "the command line".
    """
    user = session.get(User, user.id)
    was_locked = is_locked(user)
    user.failed_logins, user.locked_until = 0, None
    session.commit()
    log.info("account %s unlocked by %s (%s)", user.username, actor,
             "was locked" if was_locked else "was not locked")
    return was_locked


def locked_users():
    """Accounts whose login is refused now, the longest lock first."""
    query = select(User).where(User.locked_until > utcnow())
    return list(session.scalars(query.order_by(User.locked_until.desc(), User.username)))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, hours):
    """Create a bearer token for `user`; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours)
    session.add(ApiToken(user_id=user.id, digest=_digest(token), expires_at=expires_at))
    session.commit()
    log.info("api token issued to %s", user.username)
    return token


def user_for_token(token):
    """Return the active user behind an unexpired token, or None."""
    # The user's roles come in the same query: every API request reads them.
    query = select(ApiToken).where(ApiToken.digest == _digest(token)).options(
        joinedload(ApiToken.user).joinedload(User.roles))
    row = session.scalar(query)
    if row is None or row.expires_at < utcnow() or not row.user.is_active:
        return None
    return row.user


def get_user(user_id, with_roles=False):
    options = [selectinload(User.roles)] if with_roles else []
    return session.get(User, int(user_id), options=options)


def find_user(username):
    # With the roles: a user looked up by name is about to sign in or be checked.
    query = select(User).where(User.username == username).options(selectinload(User.roles))
    return session.scalar(query)


def users_with_role(role_key, unit_id=None):
    query = select(User).join(User.roles).where(Role.key == role_key, User.is_active)
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.scalars(query.order_by(User.username)))


def contacts_with_role(role_key, unit_id=None):
    """(id, email, locale) of the active users holding a role, for messages: no ORM objects."""
    query = (
        select(User.id, User.email, User.locale)
        .join(User.roles)
        .where(Role.key == role_key, User.is_active, User.email.is_not(None))
    )
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.execute(query.order_by(User.id)))


def list_units():
    return list(session.scalars(select(Unit).order_by(Unit.name)))


def find_unit(code_or_id):
    unit_id = row_id(code_or_id)
    if unit_id is not None:
        return session.get(Unit, unit_id)
    return session.scalar(select(Unit).where(Unit.code == str(code_or_id)))


def set_locale(user, locale):
    """Save the language a user chose for the pages (None: follow the browser)."""
    # Load the row afresh: the caller's object may belong to an earlier, closed session.
    user = session.get(User, user.id)
    user.locale = locale
    session.commit()
    log.info("user %s chose language %s", user.username, locale or "of the browser")
