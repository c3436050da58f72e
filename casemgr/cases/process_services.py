"""Act on the service tasks a case's process ran: route the case again, or notify.

The engine reports each service task it passed as an Effect (its kind and evaluated
parameters); _store_step hands them here inside the step's transaction, and each one is
written into the case history.
"""

import logging

from casemgr.cases import history, routing
from casemgr.notifications import triggers
from casemgr.processes import service_tasks

log = logging.getLogger(__name__)


def apply(case, effects):
    """Run every service task effect in `effects` on the case, in the caller's transaction."""
    for effect in effects:
        if not effect.is_service:
            continue
        if effect.effect == "routing":
            _route_again(case, effect)
        elif effect.effect == "notify":
            _notify(case, effect)
        else:
            # Lint refuses other kinds at deploy; an older version's unknown kind is noted.
            history.record(case, "service_task", f"{effect.name}: unknown kind "
                                                 f"{effect.effect!r}, nothing done", None,
                           {"bpmn_id": effect.bpmn_id, "kind": effect.effect})
            log.warning("case %s: service task %s has unknown kind %s", case.reference,
                        effect.bpmn_id, effect.effect)


def _route_again(case, effect):
    from casemgr.cases.service import reroute
    from casemgr.tasks import service as tasks

    before = case.unit
    unit = routing.unit_for(case.category, case.district)
    moved = unit is not None and unit.id != case.unit_id
    if moved:
        reroute(case, unit, None)
        tasks.hand_over(case)
    where = unit.name if unit is not None else "no unit"
    summary = (f"{effect.name}: routed again, {before.name} -> {where}" if moved
               else f"{effect.name}: routed again, stays with {where}")
    history.record(case, "service_task", summary, None,
                   {"bpmn_id": effect.bpmn_id, "kind": "routing",
                    "from": before.code if before else None,
                    "to": unit.code if unit else None})
    log.info("case %s: routing service task %s, unit %s", case.reference, effect.bpmn_id,
             unit.code if unit else None)


def _notify(case, effect):
    message = effect.params.get("message")
    to = effect.params.get("to") or "reporter"
    details = {"bpmn_id": effect.bpmn_id, "kind": "notify", "message": message, "to": to}
    if message not in service_tasks.message_kinds() or to not in service_tasks.RECIPIENTS:
        # Lint refuses these at deploy; a value computed at run time may still miss.
        history.record(case, "service_task", f"{effect.name}: cannot send message "
                                             f"{message!r} to {to!r}", None, details)
        log.warning("case %s: notify service task %s has message %r to %r", case.reference,
                    effect.bpmn_id, message, to)
        return

    queued = triggers.process_message(case, message, to, f"process:{case.id}:{effect.task_id}")
    history.record(case, "service_task",
                   f"{effect.name}: {queued} {message!r} message(s) queued for {to}", None,
                   {**details, "queued": queued})
    log.info("case %s: notify service task %s queued %s %s message(s) for %s",
             case.reference, effect.bpmn_id, queued, message, to)
