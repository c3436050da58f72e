"""What the tracking page says by default in each status, and a category's service promise."""

from flask_babel import get_locale, lazy_gettext, ngettext

from casemgr.citizens import service

#: The message per status when an admin has written none for it.
DEFAULT_STATUS_MESSAGES = {
    "submitted": lazy_gettext(
        "We have received your report. The city will check it within one working day."
    ),
    "waiting": lazy_gettext(
        "The city has asked the reporter a question; the deadline waits for the answer."
    ),
    "accepted": lazy_gettext(
        "The city has accepted your report and is handing it to the responsible unit."
    ),
    "assigned": lazy_gettext("A field officer is assigned to your report and will fix it."),
    "escalated": lazy_gettext(
        "This report is taking longer than promised; a manager is now following it."
    ),
    "resolved": lazy_gettext(
        "The city reports that the problem is fixed. The reporter is asked to confirm it."
    ),
    "validating": lazy_gettext(
        "Someone outside the unit that fixed it is checking the fix before the report closes."
    ),
    "closed": lazy_gettext("This report is closed."),
}


def status_text(case):
    """The admin's message for the case's status, category and language, else the default."""
    locale = str(get_locale() or "en")
    written = service.status_message(case, locale)
    if written:
        return written
    return str(DEFAULT_STATUS_MESSAGES.get(case.status, ""))


def _amount(value):
    return int(value) if float(value).is_integer() else value


def service_promise(category):
    """The category's SLA told as a promise, e.g. "within 7 working days"."""
    amount = _amount(category.sla_amount)
    if category.sla_unit == "working_hours":
        return ngettext("within %(num)s working hour", "within %(num)s working hours", amount)
    if category.sla_unit == "calendar_hours":
        return ngettext("within %(num)s hour, day and night",
                        "within %(num)s hours, day and night", amount)
    return ngettext("within %(num)s working day", "within %(num)s working days", amount)
