"""Forms sent twice: each form shown carries a random submission value, and the session
remembers the last few values acted on, so a double click or a reload that sends the
same form again does not do the work twice.

The session lives in a cookie, so two requests sent at the very same moment can both get
through; the pages also disable their button once the form is sent.
"""

import secrets

from flask import session as web_session

#: Session key of {submission value: what it did} for the last KEEP forms acted on.
KEY = "casemgr.submissions"
KEEP = 8


def new():
    return secrets.token_urlsafe(16)


def outcome_of(submission):
    """What the form with this submission value did before (a JSON value), or None."""
    return web_session.get(KEY, {}).get(submission) if submission else None


def remember(submission, outcome):
    """Keep what the form did under its submission value (a form without one is not kept)."""
    if submission:
        done = dict(list(web_session.get(KEY, {}).items())[-(KEEP - 1):])
        done[submission] = outcome
        web_session[KEY] = done
