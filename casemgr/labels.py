"""The words the pages show for stored values (statuses, outcomes), in the page's language.

The stored values themselves stay English: they are a contract of the API, the BPMN and the
tests. Only what a person reads is translated.
"""

from datetime import timedelta

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

#: case, task, outcome and grouping values -> their name on a page.
NAMES = {
    "submitted": _l("submitted"),
    "waiting": _l("waiting for the reporter"),
    "accepted": _l("accepted"),
    "assigned": _l("assigned"),
    "escalated": _l("escalated"),
    "resolved": _l("resolved"),
    "validating": _l("validating"),
    "closed": _l("closed"),
    "open": _l("open"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
    "rejected": _l("rejected"),
    "duplicate": _l("duplicate"),
    "fixed": _l("fixed"),
    "auto_closed": _l("closed without an answer"),
    "closed_by_escalation": _l("closed by escalation"),
    "imported_closed": _l("closed in the source system"),
    "not_fixed": _l("not fixed"),
    "pending": _l("pending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    # the dashboard's groupings
    "category": _l("category"),
    "unit": _l("unit"),
    "official": _l("official"),
    "district": _l("district"),
}


def status_name(value):
    """The name of a stored status or outcome value; an unknown value shows as it is."""
    if value is None:
        return ""
    return str(NAMES.get(value, value))


#: Role keys -> their name on a page (a task's lane).
ROLE_NAMES = {
    "citizen": _l("citizen"),
    "triage_officer": _l("triage officer"),
    "unit_supervisor": _l("unit supervisor"),
    "field_officer": _l("field officer"),
    "escalation_manager": _l("escalation manager"),
    "process_owner": _l("process owner"),
    "admin": _l("administrator"),
}

#: The actors history writes by a word rather than a username.
ACTOR_NAMES = {"system": _l("system"), "citizen": _l("citizen")}


def role_name(value):
    """The name of a role key; an unknown one (a BPMN lane) shows with spaces."""
    return str(ROLE_NAMES.get(value, (value or "").replace("_", " ")))


def actor_name(label):
    """A history actor: the words for the system or a resident, else the stored label."""
    return str(ACTOR_NAMES.get(label, label or ""))


def lateness(late):
    """'3 h 20 min late' or 'due in 45 min' in the page's language (the API keeps English)."""
    if late is None:
        return gettext("no due moment")
    span = _duration(abs(late))
    if late > timedelta(0):
        return gettext("%(span)s late", span=span)
    return gettext("due in %(span)s", span=span)


def _duration(span):
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return gettext("under a minute")
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return (gettext("%(days)s d %(hours)s h", days=days, hours=hours) if hours
                else gettext("%(days)s d", days=days))
    if hours:
        return (gettext("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes) if minutes
                else gettext("%(hours)s h", hours=hours))
    return gettext("%(minutes)s min", minutes=minutes)


#: The short weekday names of routing windows -> their name on a page.
DAY_NAMES = {
    "mon": _l("Mon"),
    "tue": _l("Tue"),
    "wed": _l("Wed"),
    "thu": _l("Thu"),
    "fri": _l("Fri"),
    "sat": _l("Sat"),
    "sun": _l("Sun"),
}


def title_name(value):
    """A lazy, capitalised status_name for choices built when a module loads."""
    return LazyString(lambda: status_name(value).capitalize())
