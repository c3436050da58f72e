"""Who is told what when a case changes: each function queues outbox rows, nothing more."""

import hashlib
import logging

from flask import current_app

from casemgr.accounts import service as accounts
from casemgr.accounts.models import UNIT_SCOPED_ROLES
from casemgr.db import utcnow
from casemgr.notifications import service

log = logging.getLogger(__name__)

#: Statuses the reporter hears about, as message kinds.
REPORTER_STATUSES = {"assigned": "assigned", "resolved": "resolved", "closed": "closed"}


def _context(case, **extra):
    zone_due = case.sla_due_at.isoformat(timespec="minutes") if case.sla_due_at else ""
    return {
        "reference": case.reference,
        "category": case.category.name,
        "unit": case.unit.name if case.unit else "",
        "due_at": zone_due,
        "outcome": case.outcome or "",
        "note": case.public_note or "",
        "tracking_url": f"{current_app.config['PUBLIC_URL']}/track/{case.reference}",
        **extra,
    }


def _followers(case):
    """(user id, address, locale) of the case's followers who opted in to email updates."""
    from casemgr.citizens import service as citizens

    return citizens.email_recipients(case)


def _recipient_key(user_id, email):
    return f"u{user_id}" if user_id is not None else email


def case_filed(case, followers=None):
    """The "received" message; `followers` as _followers gives them, when the caller knows."""
    for user_id, email, locale in _followers(case) if followers is None else followers:
        service.queue("received", email, f"received:{case.id}:{_recipient_key(user_id, email)}",
                      _context(case), case=case, user_id=user_id, locale=locale)


def status_changed(case, status):
    kind = REPORTER_STATUSES.get(status)
    if kind is None:
        return
    extra = {"photo_url": _resolution_photo_url(case)} if kind == "resolved" else {}
    for user_id, email, locale in _followers(case):
        # A case can be resolved more than once (reopened); each pass gets its own message.
        key = f"{kind}:{case.id}:{case.version}:{_recipient_key(user_id, email)}"
        service.queue(kind, email, key, _context(case, **extra), case=case, user_id=user_id,
                      locale=locale)


def _resolution_photo_url(case):
    from casemgr.cases import service as cases

    photos = cases.attachments_of(case.id, "resolution")
    if not photos:
        return ""
    return f"{current_app.config['PUBLIC_URL']}/photos/{photos[-1].id}"


def _officials(role, unit_id):
    """(id, email, locale) of who holds `role`, in the unit where the role is unit-bound."""
    return accounts.contacts_with_role(role, unit_id if role in UNIT_SCOPED_ROLES else None)


def task_created(task):
    """Tell whoever may work on a new task; a citizen's task is the reporter's message."""
    if task.role == "citizen":
        return
    if task.assignee is not None:
        people = [(task.assignee.id, task.assignee.email, task.assignee.locale)]
    else:
        people = _officials(task.role, task.unit_id)
    kind = "escalated" if task.bpmn_id == "handle_escalation" else "new_task"
    due = task.due_at.isoformat(timespec="minutes") if task.due_at else ""
    for user_id, email, locale in people:
        service.queue(kind, email, f"{kind}:{task.engine_task_id}:{user_id}",
                      _context(task.case, task=task.name, due_at=due),
                      case=task.case, user_id=user_id, locale=locale)


def case_flagged(case, kind):
    """At risk or overdue: the unit's supervisors hear about it once per due moment."""
    due = case.sla_due_at.isoformat() if case.sla_due_at else ""
    for user_id, email, locale in _officials("unit_supervisor", case.unit_id):
        service.queue(kind, email, f"{kind}:{case.id}:{due}:{user_id}", _context(case),
                      case=case, user_id=user_id, locale=locale)


def process_message(case, kind, to, key):
    """A message a notify service task asks for: to the reporter or a role's holders.

    Returns how many messages were queued (none when nobody has an address).
    """
    # "reporter" means the people following the case who opted in to email, as for the
    # status messages: a citizen who said no to email gets none from a diagram either.
    if to == "reporter":
        people = _followers(case)
    else:
        people = _officials(to, case.unit_id)
    queued = [service.queue(kind, email, f"{key}:{_recipient_key(user_id, email)}",
                            _context(case), case=case, user_id=user_id, locale=locale)
              for user_id, email, locale in people]
    return sum(notification is not None for notification in queued)


def me_too_confirmation(case, email, token, locale):
    """The link that confirms a "me too" given with `email`; at most one a day per address.

    Returns the outbox row's id, or None when today's link was already queued: a stranger
    typing someone's address again and again sends them one message, not a flood.
    """
    day = utcnow().date().isoformat()
    key = f"me_too_confirm:{case.id}:{_address_digest(email)}:{day}"
    confirm_url = (f"{current_app.config['PUBLIC_URL']}/track/{case.reference}"
                   f"/me-too/confirm?token={token}")
    context = _context(case, confirm_url=confirm_url,
                       hours=current_app.config["ME_TOO_CONFIRM_HOURS"])
    return service.queue("me_too_confirm", email, key, context, case=case, locale=locale)


def _address_digest(email):
    # The key holds a digest, not the address: keys are short and show up in logs.
    return hashlib.sha256(email.lower().encode()).hexdigest()[:24]
