"""Signed links that confirm a "me too" given with an email address.

The link carries the case and the address, signed with SECRET_KEY and dated: nothing is
stored until it is opened, so an address typed by someone else never becomes a follower.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

#: Keeps these signatures apart from any other use of SECRET_KEY.
SALT = "casemgr.citizens.me-too"


class LinkError(Exception):
    """A confirmation link that cannot be used; `status` is the HTTP code it maps to."""

    def __init__(self, status):
        self.status = status
        super().__init__(status)


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(case, email):
    return _serializer().dumps({"case": case.id, "email": email})


def read(token, case):
    """The address a token confirms for `case`; LinkError 410 if expired, 400 if not valid."""
    max_age = current_app.config["ME_TOO_CONFIRM_HOURS"] * 3600
    try:
        signed = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise LinkError(410) from None
    except BadSignature:
        raise LinkError(400) from None

    if not isinstance(signed, dict) or signed.get("case") != case.id:
        raise LinkError(400)
    email = signed.get("email")
    if not isinstance(email, str) or not email:
        raise LinkError(400)
    return email
