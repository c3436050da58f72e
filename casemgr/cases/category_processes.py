"""Which process each category's new cases run on, chosen by process owners, with a log."""

import logging

from sqlalchemy import select

from casemgr.cases import history
from casemgr.cases.models import Category, CategoryProcessChange
from casemgr.db import session
from casemgr.processes import service as processes

log = logging.getLogger(__name__)

#: Log entries shown on the page and in the API.
LOG_LENGTH = 100


class UnknownProcess(ValueError):
    """A process key with no deployed version: no case could start on it."""


def set_process(category, process_key, actor=None):
    """Let new cases of `category` run on the latest version of `process_key`.

    Returns the logged change, or None when the category already used that process.
    Cases already filed keep their version; migration moves them.
    """
    key = (process_key or "").strip()
    if processes.latest_version(key) is None:
        known = ", ".join(deployed_keys()) or "none"
        raise UnknownProcess(f"no deployed process {key!r}; deployed: {known}")
    if key == category.process_key:
        return None

    change = CategoryProcessChange(
        category_id=category.id,
        from_key=category.process_key,
        to_key=key,
        changed_by_id=getattr(actor, "id", None),
        changed_by_label=history.actor_label(actor),
    )
    category.process_key = key
    session.add(change)
    session.commit()
    log.info("category %s now runs %s (was %s), set by %s", category.code, key,
             change.from_key, change.changed_by_label)
    return change


def deployed_keys():
    """The processes that have at least one deployed version."""
    return [key for key in processes.process_keys() if processes.latest_version(key)]


def categories():
    """Every category, active or not, by name."""
    return list(session.scalars(select(Category).order_by(Category.name)))


def recent_changes(limit=LOG_LENGTH):
    query = (select(CategoryProcessChange)
             .order_by(CategoryProcessChange.changed_at.desc(), CategoryProcessChange.id.desc())
             .limit(limit))
    return list(session.scalars(query))
