"""Where a workflow has been and where it waits, as diagram element ids."""

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

#: States of a task the case is at now: a person's task, a running step, a waiting event.
CURRENT_STATES = TaskState.READY | TaskState.STARTED | TaskState.WAITING


@dataclass
class Progress:
    """The path a workflow took and where it stands, by BPMN element id."""

    #: Elements finished at least once, in the order they first finished.
    completed: list = field(default_factory=list)
    #: Elements the case is at now (ready user tasks, waiting events), without the
    #: boundary timers that merely watch an activity.
    current: list = field(default_factory=list)
    #: [source, target] pairs of elements the workflow went from one to the other.
    taken: list = field(default_factory=list)


def _bpmn_id(task):
    return getattr(task.task_spec, "bpmn_id", None)


def _element_parent(task):
    """The nearest ancestor that is a diagram element, skipping the engine's helper specs."""
    parent = task.parent
    while parent is not None and not _bpmn_id(parent):
        parent = parent.parent
    return parent


def _is_watching_timer(task):
    return isinstance(task.task_spec, BoundaryEvent) and task.state == TaskState.WAITING


def progress(workflow):
    """Read the completed and current elements and the steps taken between them."""
    completed, current, taken = [], [], []
    for task in sorted(workflow.get_tasks(), key=lambda each: each.last_state_change):
        bpmn_id = _bpmn_id(task)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED and bpmn_id not in completed:
            completed.append(bpmn_id)
        elif task.state & CURRENT_STATES and not _is_watching_timer(task):
            if bpmn_id not in current:
                current.append(bpmn_id)
        if task.state & (TaskState.COMPLETED | CURRENT_STATES) and not _is_watching_timer(task):
            _add_step(taken, _element_parent(task), bpmn_id)
    return Progress(completed=completed, current=current, taken=taken)


def _add_step(taken, parent, bpmn_id):
    if parent is None or parent.state != TaskState.COMPLETED:
        return
    step = [_bpmn_id(parent), bpmn_id]
    if step not in taken:
        taken.append(step)
