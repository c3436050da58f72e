"""The text of each kind of message, in the recipient's language. Context values are strings."""

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

SUBJECTS = {
    "received": _l("We received your report %(reference)s"),
    "assigned": _l("Your report %(reference)s is assigned to %(unit)s"),
    "resolved": _l("Your report %(reference)s is resolved: please confirm"),
    "closed": _l("Your report %(reference)s is closed"),
    "new_task": _l("New task: %(task)s for %(reference)s"),
    "at_risk": _l("At risk: %(reference)s is due %(due_at)s"),
    "overdue": _l("Overdue: %(reference)s was due %(due_at)s"),
    "escalated": _l("Escalated: %(reference)s needs a decision"),
    "me_too_confirm": _l("Confirm that you have the problem of report %(reference)s too"),
}

BODIES = {
    "received": _l(
        "Thank you. Your report about %(category)s is filed as %(reference)s.\n"
        "Follow it at %(tracking_url)s"
    ),
    "assigned": _l("%(unit)s is now working on your report %(reference)s.\n%(tracking_url)s"),
    "resolved": _l(
        "The city reports that %(reference)s is fixed.\n"
        "Photo of the fix: %(photo_url)s\n"
        "Tell us whether it is really fixed: %(tracking_url)s"
    ),
    "closed": _l("Your report %(reference)s is closed (%(outcome)s). %(note)s\n%(tracking_url)s"),
    "new_task": _l("%(task)s is waiting for you on %(reference)s (%(category)s), due %(due_at)s."),
    "at_risk": _l("%(reference)s (%(category)s) is due %(due_at)s and still open."),
    "overdue": _l("%(reference)s (%(category)s) was due %(due_at)s and is still open."),
    "escalated": _l(
        "%(reference)s (%(category)s) breached its SLA and waits for an escalation decision."
    ),
    "me_too_confirm": _l(
        "Someone, perhaps you, said on the city's report page that they have the problem of "
        "report %(reference)s (%(category)s) too, and gave this address for updates.\n"
        "To be counted and get email updates, confirm within %(hours)s hours: "
        "%(confirm_url)s\n"
        "If it was not you, ignore this message: this address gets nothing more."
    ),
}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(kind, context, locale=None):
    """Return (subject, body) for a message kind, in `locale` (else the city's language)."""
    from casemgr.labels import status_name

    values = _Blank({k: "" if v is None else str(v) for k, v in context.items()})
    with force_locale(locale or current_app.config["CASEMGR_DEFAULT_LOCALE"]):
        if values.get("outcome"):
            values["outcome"] = status_name(values["outcome"])
        if values.get("due_at"):
            values["due_at"] = _city_moment(values["due_at"])
        return str(SUBJECTS[kind]) % values, str(BODIES[kind]) % values


def _city_moment(text):
    """An ISO moment as the recipient's language writes it in the city's time zone."""
    from casemgr.i18n import city_time

    try:
        return city_time(datetime.fromisoformat(text))
    except ValueError:
        return text
