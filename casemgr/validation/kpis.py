"""How often resolutions are sent back by validation, per unit and per official."""

import json
import logging
from collections import Counter

from sqlalchemy import func, select

from casemgr.accounts.models import Unit, User
from casemgr.cases.models import CaseEvent
from casemgr.db import session
from casemgr.tasks.models import Task

log = logging.getLogger(__name__)


def _resolutions(since):
    """Completed resolve tasks counted by (resolver id, unit id)."""
    query = (
        select(Task.completed_by_id, Task.unit_id, func.count(Task.id))
        .where(Task.form == "resolve", Task.status == "completed")
        .group_by(Task.completed_by_id, Task.unit_id)
    )
    if since is not None:
        query = query.where(Task.completed_at >= since)
    return {(resolver, unit): count for resolver, unit, count in session.execute(query)}


def _rejections(since):
    """resolution_rejected events counted by (resolver id, unit id)."""
    query = select(CaseEvent.details).where(CaseEvent.kind == "resolution_rejected")
    if since is not None:
        query = query.where(CaseEvent.at >= since)
    counts = Counter()
    for text in session.scalars(query):
        details = json.loads(text or "{}")
        counts[(details.get("resolver_id"), details.get("unit_id"))] += 1
    return counts


def _rows(resolved, rejected, key_of, names):
    totals, sent_back = Counter(), Counter()
    for pair, count in resolved.items():
        totals[key_of(pair)] += count
    for pair, count in rejected.items():
        sent_back[key_of(pair)] += count
    return [
        {"id": key, "name": names.get(key), "resolutions": totals[key],
         "rejected": sent_back[key],
         "share": sent_back[key] / totals[key] if totals[key] else None}
        for key in sorted(set(totals) | set(sent_back), key=lambda k: (k is None, k))
    ]


def rejection_shares(since=None):
    """Resolutions, rejections and the share rejected, per unit and per official."""
    resolved, rejected = _resolutions(since), _rejections(since)
    units = {unit.id: unit.code for unit in session.scalars(select(Unit))}
    users = {user.id: user.username for user in session.scalars(select(User))}
    return {
        "units": _rows(resolved, rejected, lambda pair: pair[1], units),
        "officials": _rows(resolved, rejected, lambda pair: pair[0], users),
    }
