"""Merge a duplicate report into its original: the duplicate closes, the original goes on.

The original keeps the history of both (history.events_of reads the merged cases too),
and the duplicate's followers follow the original from then on.
"""

import logging

from sqlalchemy.orm.exc import StaleDataError

from casemgr import engine
from casemgr.cases import access, history
from casemgr.cases.models import OPEN_STATUSES
from casemgr.cases.service import CaseConflict, load_workflow
from casemgr.db import session, utcnow
from casemgr.notifications import triggers

log = logging.getLogger(__name__)

#: Roles that may merge any case they can read; unit supervisors merge within their unit.
CITY_MERGERS = frozenset({"admin", "triage_officer", "escalation_manager"})


class MergeError(Exception):
    """A merge that cannot be done; `status` is the HTTP code it maps to."""

    def __init__(self, message, status=409):
        self.status = status
        super().__init__(message)


def can_merge(user, duplicate):
    if user is None or not access.can_view(user, duplicate):
        return False
    if user.role_keys & CITY_MERGERS:
        return True
    return user.has_role("unit_supervisor") and user.unit_id == duplicate.unit_id


def _check(duplicate, original, user):
    if not can_merge(user, duplicate):
        raise MergeError(f"You may not merge {duplicate.reference}.", 403)
    if original is None:
        raise MergeError("There is no case with that reference.", 422)
    if not access.can_view(user, original):
        raise MergeError(f"You may not read {original.reference}.", 403)
    if original.id == duplicate.id:
        raise MergeError("A case cannot be merged into itself.", 422)
    if duplicate.status not in OPEN_STATUSES:
        raise MergeError(f"{duplicate.reference} is closed already.")
    if original.duplicate_of_id is not None:
        raise MergeError(f"{original.reference} is itself a merged duplicate.", 422)
    if original.status not in OPEN_STATUSES:
        # The duplicate would close while nobody works on the problem any more.
        raise MergeError(f"{original.reference} is closed; keep this report open instead.")
    if duplicate.category_id != original.category_id:
        raise MergeError("Only reports of the same category can be merged.", 422)


def merge_into(duplicate, original, user):
    """Close `duplicate` with outcome duplicate, linked to `original`; one transaction."""
    from casemgr.citizens import service as citizens
    from casemgr.tasks import service as tasks

    _check(duplicate, original, user)
    workflow = engine.close_workflow(load_workflow(duplicate))
    try:
        history.record(duplicate, "status", f"Status: {duplicate.status} -> closed", None,
                       {"from": duplicate.status, "to": "closed"}, is_public=True)
        _close(duplicate, original, workflow)
        tasks.cancel_open(duplicate)
        triggers.status_changed(duplicate, "closed")
        citizens.move_followers(duplicate, original)
        history.record(duplicate, "merged", f"Closed as a duplicate of {original.reference}",
                       user, {"original": original.reference}, is_public=True)
        history.record(original, "merged_in", f"{duplicate.reference} merged into this case",
                       user, {"duplicate": duplicate.reference}, is_public=True)
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise CaseConflict(f"case {duplicate.reference} was changed by someone else") from exc
    log.info("case %s merged into %s by %s", duplicate.reference, original.reference,
             user.username)
    return duplicate


def _close(duplicate, original, workflow):
    duplicate.workflow_state = engine.dump_state(workflow)
    duplicate.status = "closed"
    duplicate.outcome = "duplicate"
    duplicate.public_note = f"Merged into {original.reference}."
    duplicate.duplicate_of_id = original.id
    duplicate.closed_at = utcnow()
    duplicate.next_timer_due_at = None
