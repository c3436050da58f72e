"""The version history of a process as owners read it: who deployed, how many cases run."""

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from casemgr.accounts import service as accounts
from casemgr.cases.models import Case
from casemgr.db import session
from casemgr.processes import service
from casemgr.processes.models import ProcessVersion

log = logging.getLogger(__name__)


@dataclass
class VersionRow:
    version: ProcessVersion
    deployed_by: str
    open_cases: int


def open_case_counts(process_key):
    """Version id -> number of open cases running on it."""
    query = (
        select(Case.process_version_id, func.count(Case.id))
        .join(ProcessVersion, Case.process_version_id == ProcessVersion.id)
        .where(ProcessVersion.process_key == process_key, Case.status != "closed")
        .group_by(Case.process_version_id)
    )
    return dict(session.execute(query).all())


def history(process_key):
    """The deployed versions, newest first, with their deployer and open cases."""
    counts = open_case_counts(process_key)
    rows = []
    for version in service.versions_of(process_key):
        user = accounts.get_user(version.created_by_id) if version.created_by_id else None
        rows.append(VersionRow(version, user.username if user else "system",
                               counts.get(version.id, 0)))
    return rows
