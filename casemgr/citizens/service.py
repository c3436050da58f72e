"""The one place that changes followers, ratings and status messages.

Each public function that changes rows commits its own transaction and logs one INFO line;
add_reporter runs inside the filing transaction of cases.service instead.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import case as case_
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casemgr.accounts.models import User
from casemgr.cases import history
from casemgr.cases.models import OPEN_STATUSES, STATUSES, Case
from casemgr.citizens import confirmation
from casemgr.citizens.models import LOCALES, Follower, Rating, StatusMessage
from casemgr.db import session
from casemgr.notifications import triggers

log = logging.getLogger(__name__)

MAX_STATUS_MESSAGE = 1000


class CitizenError(Exception):
    """A request about a case that cannot be done; `status` is the HTTP code it maps to."""

    def __init__(self, message, status=409):
        self.status = status
        super().__init__(message)


# -- followers ---------------------------------------------------------------------------


def add_reporter(case, reporter, email, wants_email):
    """Make the reporter a follower of a case being filed. Caller commits."""
    if reporter is None and not email:
        return None
    follower = Follower(
        case_id=case.id,
        user_id=getattr(reporter, "id", None),
        email=None if reporter is not None else email,
        is_reporter=True,
        wants_email=bool(wants_email),
    )
    session.add(follower)
    return follower


def reporter_recipients(follower, reporter):
    """email_recipients of a case being filed: its one follower, `reporter` or an address.

    Read from the row being written (the case has no other follower yet), not the database.
    """
    if follower is None or not follower.wants_email:
        return []
    if reporter is None:
        return [(None, follower.email, None)]
    return [(reporter.id, reporter.email, reporter.locale)] if reporter.email else []


def followers_of(case_id):
    query = select(Follower).where(Follower.case_id == case_id).order_by(Follower.id)
    return list(session.scalars(query))


def email_recipients(case):
    """(user id, address, locale) of everyone who opted in to email updates on `case`.

    Columns, not followers: a message needs three values, and loading each follower with
    its user and roles cost more than queueing the message.
    """
    # An account's own address, else the one given with the report (Follower.address).
    address = case_((Follower.user_id.is_not(None), User.email), else_=Follower.email)
    query = (
        select(Follower.user_id, address, User.locale)
        .outerjoin(User, User.id == Follower.user_id)
        .where(Follower.case_id == case.id, Follower.wants_email, address.is_not(None))
        .order_by(Follower.id)
    )
    return list(session.execute(query))


def find_follower(case, user=None, email=None):
    if user is not None:
        query = select(Follower).where(Follower.case_id == case.id, Follower.user_id == user.id)
    elif email:
        # Addresses are told apart without their letter case, as mail servers do.
        query = select(Follower).where(Follower.case_id == case.id,
                                       func.lower(Follower.email) == email.lower())
    else:
        return None
    return session.scalar(query)


def reporter_follower(case):
    query = select(Follower).where(Follower.case_id == case.id, Follower.is_reporter)
    return session.scalar(query)


def me_too_count(case_id):
    query = select(func.count(Follower.id)).where(
        Follower.case_id == case_id, Follower.is_me_too
    )
    return session.scalar(query) or 0


def me_too(case, user):
    """Count one more resident with the same problem and subscribe them to its updates."""
    refuse_closed_me_too(case)
    if case.reporter_id == user.id:
        raise CitizenError(_("This is your own report; you follow it already."))
    follower = find_follower(case, user)
    if follower is not None and follower.is_me_too:
        raise CitizenError(_("You have already said that you have this problem too."))

    follower = _count_me_too(case, follower, user=user)
    _commit_or_conflict(_("You have already said that you have this problem too."))
    log.info("case %s: me too by %s", case.reference, history.actor_label(user))
    return follower


def ask_me_too_confirmation(case, email, locale=None):
    """Send a link that confirms a "me too" to `email`, in `locale`; nothing counts yet.

    Anyone can type any address, so the address's owner says yes first. The answer is the
    same whether or not the address follows the case already: the page tells no one that.
    """
    refuse_closed_me_too(case)
    if not email:
        raise CitizenError(_("Log in or give your email address to follow this report."), 422)

    queued = triggers.me_too_confirmation(case, email, confirmation.token_for(case, email),
                                          locale)
    session.commit()
    log.info("case %s: me too confirmation %s for an address", case.reference,
             "queued" if queued else "already sent today")


def confirm_me_too(case, token):
    """Count the "me too" a link confirms; False when it was counted before (a second click).

    Raises confirmation.LinkError for an expired or tampered link.
    """
    email = confirmation.read(token, case)
    refuse_closed_me_too(case)
    follower = find_follower(case, email=email)
    if follower is not None and follower.is_me_too:
        return False
    if _is_reporters_address(case, follower, email):
        # The reporter is not one more resident with the problem. Only the address's owner
        # can open the link, so saying so tells no one else whose address filed it.
        raise CitizenError(_("This is your own report: you follow it already."))

    follower = _count_me_too(case, follower, email=email)
    _commit_or_conflict(_("You have already said that you have this problem too."))
    log.info("case %s: me too confirmed by email, follower %s", case.reference, follower.id)
    return True


def _is_reporters_address(case, follower, email):
    if follower is not None and follower.is_reporter:
        return True
    return bool(case.reporter_email) and case.reporter_email.lower() == email.lower()


def is_me_too(case, email):
    """True when the address has a confirmed "me too" on `case`."""
    follower = find_follower(case, email=email)
    return follower is not None and follower.is_me_too


def refuse_closed_me_too(case):
    """CitizenError when `case` takes no more "me too" (closed, or merged into another)."""
    if case.status not in OPEN_STATUSES or case.duplicate_of_id is not None:
        raise CitizenError(_("%(ref)s is closed; file a new report instead.", ref=case.reference))


def _count_me_too(case, follower, user=None, email=None):
    """Mark `follower` (None: a new one) as one more "me too" with updates on. Caller commits."""
    if follower is None:
        follower = Follower(case_id=case.id, user_id=getattr(user, "id", None),
                            email=None if user is not None else email)
        session.add(follower)
    follower.is_me_too = True
    follower.wants_email = True
    history.record(case, "me_too", "Another resident reports the same problem", user or "citizen",
                   {"follower": "account" if user is not None else "email"}, is_public=True)
    return follower


def set_email_updates(case, wants_email, user=None, is_reporter_by_link=False):
    """Switch email updates of one follower on or off: an account holder, or the reporter."""
    if user is not None:
        follower = find_follower(case, user)
    elif is_reporter_by_link:
        follower = reporter_follower(case)
    else:
        follower = None
    if follower is None:
        raise CitizenError(_("You do not follow this report."), 403)
    if wants_email and not follower.address:
        raise CitizenError(_("There is no email address to send updates to."), 422)

    follower.wants_email = bool(wants_email)
    session.commit()
    log.info("case %s: email updates %s for follower %s", case.reference,
             "on" if wants_email else "off", follower.id)
    return follower


def move_followers(duplicate, original):
    """Let the followers of a merged duplicate follow the original. Caller commits.

    The duplicate's reporter counts as one more "me too" on the original.
    """
    for follower in followers_of(duplicate.id):
        if find_follower(original, follower.user, follower.email) is not None:
            continue
        if follower.user_id is not None and follower.user_id == original.reporter_id:
            continue
        session.add(Follower(case_id=original.id, user_id=follower.user_id, email=follower.email,
                             is_me_too=True, wants_email=follower.wants_email))


def _commit_or_conflict(message):
    try:
        session.commit()
    except IntegrityError as exc:
        # Two clicks at once: the unique constraint keeps one row.
        session.rollback()
        raise CitizenError(message) from exc


# -- ratings -----------------------------------------------------------------------------


def can_rate(case, user):
    """True when `user` is a resident other than the reporter and the case was resolved."""
    if user is None or not user.has_role("citizen") or user.is_staff:
        return False
    if case.reporter_id == user.id or case.resolved_at is None:
        return False
    return case.outcome in (None, "fixed")


def rate(case, user, stars):
    """Record one resident's 1-5 stars for the fix of a case; once per person."""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise CitizenError(_("Give from 1 to 5 stars."), 422)
    if not can_rate(case, user):
        raise CitizenError(_("Residents can rate a fix once the city has resolved the case."), 403)
    if session.scalar(select(Rating.id).where(Rating.case_id == case.id,
                                              Rating.user_id == user.id)):
        raise CitizenError(_("You have rated this fix already."))

    session.add(Rating(case_id=case.id, user_id=user.id, stars=stars))
    history.record(case, "rated", f"A resident rated the fix {stars} of 5", user,
                   {"stars": stars}, is_public=True)
    _commit_or_conflict(_("You have rated this fix already."))
    log.info("case %s: rated %s by %s", case.reference, stars, user.username)


def rating_summary(case_id):
    """(average stars rounded to one decimal or None, number of ratings) of residents."""
    average, count = session.execute(
        select(func.avg(Rating.stars), func.count(Rating.id)).where(Rating.case_id == case_id)
    ).one()
    return (round(float(average), 1) if count else None), count


def has_rated(case_id, user):
    if user is None:
        return False
    query = select(Rating.id).where(Rating.case_id == case_id, Rating.user_id == user.id)
    return session.scalar(query) is not None


# -- status messages ---------------------------------------------------------------------


def status_message(case, locale):
    """The admin's text for the case's status and category, else for the status; or None."""
    for category_id in (case.category_id, None):
        message = _message(case.status, category_id, locale)
        if message is not None:
            return message.text
    return None


def _message(status, category_id, locale):
    query = select(StatusMessage).where(
        StatusMessage.status == status,
        StatusMessage.locale == locale,
        StatusMessage.category_id.is_(None)
        if category_id is None
        else StatusMessage.category_id == category_id,
    )
    return session.scalar(query)


def list_status_messages():
    query = select(StatusMessage).order_by(
        StatusMessage.status, StatusMessage.category_id, StatusMessage.locale
    )
    return list(session.scalars(query))


def save_status_message(status, category, locale, text, actor):
    """Set the message for a status (and category, None for all) in a language.

    Empty text removes the message, so the page falls back to the next one.
    """
    if status not in STATUSES:
        raise CitizenError(f"Unknown status {status!r}.", 422)
    if locale not in LOCALES:
        raise CitizenError(f"Unknown language {locale!r}: use id or en.", 422)
    text = (text or "").strip()
    if len(text) > MAX_STATUS_MESSAGE:
        raise CitizenError(f"Write at most {MAX_STATUS_MESSAGE} characters.", 422)

    category_id = getattr(category, "id", None)
    message = _message(status, category_id, locale)
    if not text:
        if message is not None:
            session.delete(message)
    elif message is None:
        session.add(StatusMessage(status=status, category_id=category_id, locale=locale,
                                  text=text, updated_by_id=actor.id))
    else:
        message.text, message.updated_by_id = text, actor.id
    session.commit()
    log.info("status message %s/%s/%s %s by %s", status, getattr(category, "code", "*"), locale,
             "set" if text else "removed", actor.username)


def merged_into(case):
    """The case a duplicate was merged into, or None."""
    if case.duplicate_of_id is None:
        return None
    return session.get(Case, case.duplicate_of_id)


def set_duplicate_radius(category, metres):
    """Set how far (in metres) open reports count as possible duplicates; 0 turns it off."""
    if not isinstance(metres, int) or isinstance(metres, bool) or not 0 <= metres <= 5000:
        raise CitizenError("Give the radius in whole metres from 0 to 5000.", 422)
    category.duplicate_radius_m = metres
    session.commit()
    log.info("category %s: duplicate radius %s m", category.code, metres)
