"""Cases on the SLA clock: filed through the service, walked through the staff API."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from casemgr.accounts import service as accounts
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.notifications import service as notifications
from tests.conftest import ROXBURY

JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(*parts):
    """A moment given in Jakarta's wall-clock time, in UTC."""
    return datetime(*parts, tzinfo=JAKARTA).astimezone(UTC)


#: Monday 7 December 2026, 09:00 in Jakarta. A drain case filed then is due seven working
#: days later, and goes to the escalation manager eight working hours after that.
MONDAY = wib(2026, 12, 7, 9, 0)
DUE = wib(2026, 12, 16, 9, 0)
ESCALATE = wib(2026, 12, 17, 9, 0)
MINUTE = timedelta(minutes=1)


def file_complaint(category="drains", reporter="citizen", **fields):
    """File a complaint in Roxbury through the service; return its id.

    The reporter opts in to email updates unless the test says otherwise.
    """
    fields.setdefault("wants_email", True)
    case, _secret = cases.file_case(
        category=category,
        description="Drain blocked, water on the road",
        lat=ROXBURY[0],
        lon=ROXBURY[1],
        reporter=accounts.find_user(reporter) if reporter else None,
        **fields,
    )
    return case.id


def to_resolve(api, case_id, officer="officer-water"):
    """Accept and assign a case; return its resolve task as the officer sees it."""
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": officer})
    return api.task(case_id, "resolve", officer)


def fetch(case_id):
    session.expire_all()
    return cases.get(case_id)


def history_kinds(case_id):
    return [event.kind for event in history.events_of(case_id)]


def outbox(case_id, kind):
    """Recipients of the case's queued messages of one kind."""
    return sorted(n.recipient_email for n in notifications.of_case(case_id) if n.kind == kind)
