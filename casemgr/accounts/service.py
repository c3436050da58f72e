"""Create users, check passwords and issue API tokens."""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from casemgr.accounts.models import ROLE_KEYS, ApiToken, Role, Unit, User
from casemgr.db import session, utcnow

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


def authenticate(username, password):
    """Return the active user with this name and password, or None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


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
    row = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token)))
    if row is None or row.expires_at < utcnow() or not row.user.is_active:
        return None
    return row.user


def get_user(user_id):
    return session.get(User, int(user_id))


def find_user(username):
    return session.scalar(select(User).where(User.username == username))


def users_with_role(role_key, unit_id=None):
    query = select(User).join(User.roles).where(Role.key == role_key, User.is_active)
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.scalars(query.order_by(User.username)))


def contacts_with_role(role_key, unit_id=None):
    """(id, email) of the active users holding a role, for messages: no ORM objects."""
    query = (
        select(User.id, User.email)
        .join(User.roles)
        .where(Role.key == role_key, User.is_active, User.email.is_not(None))
    )
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.execute(query.order_by(User.id)))


def list_units():
    return list(session.scalars(select(Unit).order_by(Unit.name)))


def find_unit(code_or_id):
    if str(code_or_id).isdigit():
        return session.get(Unit, int(code_or_id))
    return session.scalar(select(Unit).where(Unit.code == str(code_or_id)))


def set_locale(user, locale):
    """Save the language a user chose for the pages (None: follow the browser)."""
    # Load the row afresh: the caller's object may belong to an earlier, closed session.
    user = session.get(User, user.id)
    user.locale = locale
    session.commit()
    log.info("user %s chose language %s", user.username, locale or "of the browser")
