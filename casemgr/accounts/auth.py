"""Who is calling: a session for the pages, a bearer token for the API."""

import logging
from functools import wraps

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from casemgr.accounts import service

log = logging.getLogger(__name__)

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see that page.")
# Flashed as text in the page's language: the session cannot store a lazy string.
login_manager.localize_callback = str


@login_manager.user_loader
def _load_user(user_id):
    user = service.get_user(user_id, with_roles=True)
    return user if user is not None and user.is_active else None


def init_app(app):
    from casemgr.accounts import throttle

    login_manager.init_app(app)
    throttle.init_app(app)


def api_user():
    """The user behind the request's bearer token, or None for an anonymous call."""
    if "casemgr.api_user" in request.environ:
        return request.environ["casemgr.api_user"]
    header = request.headers.get("Authorization", "")
    user = None
    if header.lower().startswith("bearer "):
        user = service.user_for_token(header[7:].strip())
    request.environ["casemgr.api_user"] = user
    return user


def page_user():
    return current_user if current_user.is_authenticated else None


def pages_for(allowed, refusal):
    """Guard a page: anonymous callers go to the login page; a user that `allowed(user)`
    refuses gets a 403 saying `refusal` (a lazy string, told in the reader's language)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if not allowed(current_user):
                abort(403, str(refusal))
            return view(*args, **kwargs)

        return checked

    return decorate


def pages_for_roles(*roles, refusal):
    """`pages_for` holders of one of `roles`."""
    return pages_for(lambda user: user.has_role(*roles), refusal)
