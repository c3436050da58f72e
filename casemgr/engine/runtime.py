"""Start, advance and inspect workflows; load and save their state."""

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException, WorkflowException
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.util.task import TaskState

from casemgr.engine.sandbox import ScriptRefused, script_engine, service_request
from casemgr.engine.serialization import SERIALIZER

log = logging.getLogger(__name__)


class EngineError(Exception):
    """The process could not go on: a failing script, condition or timer expression."""

    def __init__(self, message, bpmn_id=None):
        self.bpmn_id = bpmn_id
        super().__init__(message)


@dataclass
class ReadyTask:
    """A user task waiting for a person, in plain data."""

    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    documentation: str | None
    properties: dict
    assignee: str | None = None
    due_at: datetime | None = None
    #: The spiffworkflow properties of the task's lane, such as its `role`.
    lane_properties: dict = field(default_factory=dict)


@dataclass
class Snapshot:
    """What the application keeps in SQL about a workflow after a step."""

    ready_tasks: list = field(default_factory=list)
    is_completed: bool = False
    outcome: str | None = None
    next_timer_due_at: datetime | None = None
    data: dict = field(default_factory=dict)
    #: Elements with an `effect` property reached since the marker given to snapshot().
    effects: list = field(default_factory=list)


@dataclass
class Effect:
    """An element the process passed that asks the application to act (flag, notify).

    A service task is one too: its `effect` is the task's kind (the operator's id), and
    `params` holds its parameters as the process evaluated them.
    """

    effect: str
    bpmn_id: str
    name: str
    data: dict
    task_id: str = ""
    is_service: bool = False
    params: dict = field(default_factory=dict)


def _engine_errors(step):
    """Run `step`, turning library and sandbox failures into EngineError."""
    try:
        return step()
    except ScriptRefused as exc:
        raise EngineError(f"script refused: {exc}") from exc
    except WorkflowException as exc:
        bpmn_id = getattr(getattr(exc, "task_spec", None), "bpmn_id", None)
        raise EngineError(str(exc), bpmn_id) from exc
    except (ValueError, TypeError, KeyError, NameError, ArithmeticError) as exc:
        raise EngineError(f"{type(exc).__name__}: {exc}") from exc


def new_workflow(parsed, initial_data, helpers=None):
    """Create a workflow for `parsed` holding `initial_data`, not yet run."""
    workflow = BpmnWorkflow(
        parsed.spec, parsed.subprocess_specs, script_engine=script_engine(helpers)
    )
    workflow.data.update(initial_data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(initial_data)
    return workflow


def run(workflow):
    """Run the engine to the next wait: a user task, a timer or the end."""
    _engine_errors(workflow.do_engine_steps)
    return workflow


def start_workflow(parsed, initial_data, helpers=None):
    """Create a workflow for `parsed` and run it to its first wait."""
    return run(new_workflow(parsed, initial_data, helpers))


def close_workflow(workflow):
    """Cancel whatever is still waiting, for a case closed outside the process."""
    workflow.cancel()
    return workflow


def complete_user_task(workflow, task_id, values):
    """Give a ready user task its form values, complete it and run to the next wait."""
    try:
        task = workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, TaskNotFoundException):
        # SpiffWorkflow 3.2 raises for an unknown id where older versions returned None.
        task = None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise EngineError(f"task {task_id} is not waiting for a person")

    task.data.update(values)

    def step():
        task.run()
        workflow.do_engine_steps()

    _engine_errors(step)
    return workflow


def fire_timers(workflow):
    """Fire the timers that are due and run on; return the names of the timers fired.

    The tasks behind a fired timer appear only on a second engine pass.
    """
    waiting = {(event.name, str(event.value)) for event in workflow.waiting_events()}

    def step():
        for _ in range(2):
            # refresh_waiting_tasks() is deprecated in 3.2 and warns; this is its successor.
            workflow.refresh_timers()
            workflow.do_engine_steps()

    _engine_errors(step)
    still_waiting = {(event.name, str(event.value)) for event in workflow.waiting_events()}
    return sorted(name or "timer" for name, _value in waiting - still_waiting)


def move_timers(workflow, moments, data=None):
    """Give timer events new due moments and update the waiting tasks' data.

    `moments` maps a timer event's BPMN id to an aware datetime. A waiting timer is moved;
    a non-interrupting boundary timer that already fired is armed again for the new moment
    while its activity still waits. Returns the ids of the timers moved.
    """
    data = data or {}
    moved = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        moment = moments.get(task.task_spec.bpmn_id)
        if moment is None or task._get_internal_data("event_fired", False):
            continue
        task._set_internal_data(event_value=moment.isoformat())
        moved.append(task.task_spec.bpmn_id)
    for task in list(_fired_while_open(workflow)):
        bpmn_id = task.task_spec.bpmn_id
        if bpmn_id in moments and bpmn_id not in moved:
            _arm_again(task, moments[bpmn_id])
            moved.append(bpmn_id)
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        task.data.update(data)
        if task.state == TaskState.WAITING:
            # A waiting event takes its parent's data again each time it is checked.
            task.parent.data.update(data)
    return moved


def _fired_while_open(workflow):
    """Non-interrupting boundary events that fired on an activity that still waits."""
    for task in workflow.get_tasks(state=TaskState.COMPLETED, spec_class=BoundaryEvent):
        if task.task_spec.cancel_activity:
            continue
        activity = [c for c in task.parent.children
                    if not isinstance(c.task_spec, BoundaryEvent)]
        if any(c.state in (TaskState.READY, TaskState.WAITING) for c in activity):
            yield task


def _arm_again(fired, moment):
    # The way SpiffWorkflow's own cycle timers add their next occurrence.
    task = fired.parent._add_child(fired.task_spec, TaskState.FUTURE)
    task._set_internal_data(event_value=moment.isoformat())
    task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)
    task.task_spec._update(task)


def retry(workflow):
    """Run the engine again from the last stored state, after the cause of a stall is fixed."""

    def step():
        workflow.refresh_timers()
        workflow.do_engine_steps()

    _engine_errors(step)
    return workflow


def dump_state(workflow):
    """Serialize the workflow's state without its spec."""
    registry = SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
        return json.dumps(dct, separators=(",", ":"), cls=SERIALIZER._encoder_cls)
    finally:
        registry._encoder_mode = False


def load_state(parsed, state, helpers=None):
    """Rebuild a workflow from its stored state and the version's parsed spec."""
    dct = json.loads(state)
    dct["spec"] = parsed.spec
    dct["subprocess_specs"] = parsed.subprocess_specs
    dct["typename"] = "BpmnWorkflow"
    workflow = SERIALIZER.registry.restore(dct)
    workflow.script_engine = script_engine(helpers)
    return workflow


def _moment(value):
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def _ready_task(task):
    spec = task.task_spec
    properties = dict((getattr(spec, "extensions", None) or {}).get("properties", {}))
    assignee_var = properties.get("assignee_from")
    due_var = properties.get("due_from")
    return ReadyTask(
        task_id=str(task.id),
        bpmn_id=spec.bpmn_id,
        name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane,
        documentation=getattr(spec, "documentation", None),
        properties=properties,
        assignee=task.data.get(assignee_var) if assignee_var else None,
        due_at=_moment(task.data.get(due_var)) if due_var else None,
        lane_properties=dict((getattr(spec, "extensions", None) or {}).get(
            "lane_properties", {})),
    )


def _properties(task):
    return (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})


def _outcome(workflow):
    """The outcome of the end event that finished the process.

    Side branches (an overdue flag) end in events without an outcome; they do not count.
    """
    ended = workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)
    with_outcome = [task for task in ended if _properties(task).get("outcome")]
    if with_outcome:
        return _properties(max(with_outcome, key=lambda t: t.last_state_change))["outcome"]
    return ended[-1].task_spec.bpmn_id if ended else None


def completed_marker(workflow):
    """Ids of the tasks completed so far, to find the effects of the next step."""
    return {str(task.id) for task in workflow.get_tasks(state=TaskState.COMPLETED)}


def _effects(workflow, marker):
    effects = []
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if str(task.id) in marker:
            continue
        spec = task.task_spec
        name = spec.bpmn_name or spec.bpmn_id
        effect = _properties(task).get("effect")
        if effect:
            effects.append((task.last_state_change, Effect(
                effect, spec.bpmn_id, name, dict(task.data), task_id=str(task.id))))
        if isinstance(spec, ServiceTask):
            effects.append((task.last_state_change, Effect(
                spec.operation_name, spec.bpmn_id, name, dict(task.data), task_id=str(task.id),
                is_service=True, params=service_request(task)["params"])))
    return [effect for _changed, effect in sorted(effects, key=lambda pair: pair[0])]


def _next_timer_due(workflow):
    moments = []
    for event in workflow.waiting_events():
        if "Timer" not in event.event_type and "TimeDate" not in event.event_type:
            continue
        moment = _moment(event.value) if isinstance(event.value, str) else None
        if moment is not None:
            moments.append(moment)
    return min(moments) if moments else None


def _current_data(workflow, ready):
    if workflow.completed:
        return dict(workflow.data)
    if ready:
        return dict(ready[0].data)
    last = workflow.last_task
    return dict(last.data) if last is not None else dict(workflow.data)


def snapshot(workflow, marker=None):
    """Read what the application stores about the workflow in SQL.

    With `marker` from completed_marker(), the snapshot lists the effects reached since.
    """
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    return Snapshot(
        ready_tasks=[_ready_task(task) for task in ready],
        is_completed=workflow.completed,
        outcome=_outcome(workflow) if workflow.completed else None,
        next_timer_due_at=_next_timer_due(workflow),
        data=_current_data(workflow, ready),
        effects=_effects(workflow, marker) if marker is not None else [],
    )


def migration_problems(workflow, parsed_new):
    """Why this workflow cannot move to `parsed_new`, one sentence per reason.

    A waiting task that is missing there cannot move, nor one that the new version puts
    behind boundary events (a timer) which the case never armed.
    """
    from SpiffWorkflow.bpmn.util.diff import diff_workflow

    top_diff, _subprocess_diffs = diff_workflow(
        SERIALIZER.registry, workflow, parsed_new.spec, parsed_new.subprocess_specs
    )
    waiting = TaskState.READY | TaskState.WAITING | TaskState.STARTED
    problems = {
        f"{task.task_spec.bpmn_id or task.task_spec.name} does not exist in the new version"
        for task in top_diff.removed
        if task.state & waiting and getattr(task.task_spec, "bpmn_id", None)
    }
    for task in workflow.get_tasks(state=waiting):
        new_spec = top_diff.alignment.get(task)
        if new_spec is not None and _gains_boundary_events(task, new_spec):
            problems.add(f"{new_spec.bpmn_id} has boundary events in the new version that "
                         f"a case already waiting there never started")
    return sorted(problems)


def _gains_boundary_events(task, new_spec):
    """True when the new version waits under a boundary-event split the task never passed."""
    splits = {spec.name for spec in new_spec.inputs if isinstance(spec, BoundaryEventSplit)}
    parent = task.parent.task_spec.name if task.parent is not None else None
    return bool(splits) and parent not in splits


def migrate(workflow, parsed_new):
    """Move a workflow onto a new version of its process, keeping its tasks and timers.

    The library's own migration resets waiting tasks, which restarts timers and moves SLA
    due moments; here only the specs are swapped, so task ids and due moments stay.
    """
    from SpiffWorkflow.bpmn.util.diff import diff_workflow

    problems = migration_problems(workflow, parsed_new)
    if problems:
        raise EngineError("; ".join(problems))
    top_diff, _subprocess_diffs = diff_workflow(
        SERIALIZER.registry, workflow, parsed_new.spec, parsed_new.subprocess_specs
    )
    workflow.spec = parsed_new.spec
    workflow.subprocess_specs = parsed_new.subprocess_specs
    for task in workflow.tasks.values():
        new_spec = top_diff.alignment.get(task)
        if new_spec is not None:
            task.task_spec = new_spec
    # Where what lies ahead was predicted through elements the new version lacks, or the
    # new version leads elsewhere (an element inserted after a waiting task), predict it
    # again from the new spec. (Internal task methods, as the library's own migration
    # uses; checked on 3.2.)
    new_specs = set(parsed_new.spec.task_specs.values())
    for task in list(workflow.get_tasks(state=TaskState.READY | TaskState.WAITING
                                        | TaskState.STARTED)):
        ahead = [t for t in task if t is not task and t.has_state(TaskState.PREDICTED_MASK)]
        if any(t.task_spec not in new_specs for t in ahead) or _leads_elsewhere(task):
            task._drop_children()
            task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | task.state)
    return workflow


def _leads_elsewhere(task):
    """True when a waiting task's future children are not its spec's outputs any more."""
    children = [child for child in task.children if child.state == TaskState.FUTURE]
    if len(children) != len(task.children):
        return False
    return [child.task_spec for child in children] != list(task.task_spec.outputs)
