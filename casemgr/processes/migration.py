"""Move running cases onto a newer version of their process: preview, then migrate.

A case can move when every task it waits on exists in the new version and its state
loads on the new spec. Moving keeps task ids and timer due moments; each move is in the
case's history, and one case that fails does not stop the others.
"""

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from casemgr import engine
from casemgr.cases import service as cases
from casemgr.cases.models import Case
from casemgr.db import session
from casemgr.processes import service as processes
from casemgr.processes.models import ProcessVersion

log = logging.getLogger(__name__)


@dataclass
class CaseCheck:
    case_id: int
    reference: str
    from_version: int
    is_movable: bool
    reasons: list = field(default_factory=list)


def _candidates(target, case_ids=None):
    query = (
        select(Case, ProcessVersion.version)
        .join(ProcessVersion, Case.process_version_id == ProcessVersion.id)
        .where(ProcessVersion.process_key == target.process_key,
               ProcessVersion.id != target.id, Case.status != "closed")
        .order_by(Case.id)
    )
    if case_ids:
        query = query.where(Case.id.in_(case_ids))
    return session.execute(query).all()


def open_case_ids(target, case_ids=None):
    """Ids of the open cases of the process that are on another version than `target`."""
    return [case.id for case, _version in _candidates(target, case_ids)]


def _moved_state(case, target_parsed):
    """The case's state moved onto the target spec, proven to load there."""
    workflow = cases.load_workflow(case)
    problems = engine.migration_problems(workflow, target_parsed)
    if problems:
        raise engine.EngineError("; ".join(problems))
    engine.migrate(workflow, target_parsed)
    state = engine.dump_state(workflow)
    try:
        engine.load_state(target_parsed, state)
    except (KeyError, ValueError, TypeError) as exc:
        raise engine.EngineError(f"its history does not fit the new version ({exc})") from exc
    return workflow


def preview(target):
    """Which open cases of the process can move to `target`, and why not for the others."""
    parsed = processes.parsed(target)
    checks = []
    for case, version_number in _candidates(target):
        try:
            _moved_state(case, parsed)
            checks.append(CaseCheck(case.id, case.reference, version_number, True))
        except engine.EngineError as exc:
            checks.append(CaseCheck(case.id, case.reference, version_number, False, [str(exc)]))
        session.rollback()
    return checks


def migrate(target, actor, case_ids=None, progress=None):
    """Move the movable open cases to `target`; return (moved, refused) as CaseChecks."""
    parsed = processes.parsed(target)
    moved, refused = [], []
    for case, version_number in _candidates(target, case_ids):
        check = CaseCheck(case.id, case.reference, version_number, True)
        try:
            _move(case, target, parsed, version_number, actor)
            moved.append(check)
        except (engine.EngineError, cases.ProcessStalled, cases.CaseConflict) as exc:
            session.rollback()
            check.is_movable, check.reasons = False, [str(exc)]
            refused.append(check)
        if progress:
            progress(1)
    log.info("migration to %s v%s by %s: %s moved, %s refused", target.process_key,
             target.version, getattr(actor, "username", "system"), len(moved), len(refused))
    return moved, refused


def _move(case, target, parsed, from_version, actor):
    # Check on a copy first: a case that cannot move is reported, never marked stalled.
    _moved_state(case, parsed)
    due_before = case.next_timer_due_at

    def step(workflow):
        engine.migrate(workflow, parsed)

    cases.advance(case, step, actor, "migrated",
                  f"Moved from version {from_version} to version {target.version}",
                  changes={"process_version_id": target.id},
                  details={"from": from_version, "to": target.version,
                           "next_timer_due_at": due_before})
