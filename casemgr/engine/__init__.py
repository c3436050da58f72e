"""The only package that imports SpiffWorkflow.

It takes and returns plain data (strings, dicts, datetimes and small dataclasses) so that
the rest of casemgr never touches a SpiffWorkflow object.
"""

from casemgr.engine.definitions import (
    BpmnError,
    Element,
    ParsedProcess,
    check_safe_xml,
    describe,
    parse_bpmn,
    spec_from_json,
    spec_to_json,
)
from casemgr.engine.progress import Progress, progress
from casemgr.engine.runtime import (
    Effect,
    EngineError,
    ReadyTask,
    Snapshot,
    close_workflow,
    complete_user_task,
    completed_marker,
    dump_state,
    fire_timers,
    load_state,
    migrate,
    migration_problems,
    move_timers,
    new_workflow,
    retry,
    run,
    snapshot,
    start_workflow,
)
from casemgr.engine.sandbox import ScriptRefused, check_script

__all__ = [
    "BpmnError",
    "Element",
    "Effect",
    "EngineError",
    "ParsedProcess",
    "Progress",
    "ReadyTask",
    "ScriptRefused",
    "Snapshot",
    "check_safe_xml",
    "check_script",
    "close_workflow",
    "complete_user_task",
    "describe",
    "completed_marker",
    "dump_state",
    "fire_timers",
    "load_state",
    "migrate",
    "migration_problems",
    "move_timers",
    "retry",
    "new_workflow",
    "parse_bpmn",
    "progress",
    "run",
    "snapshot",
    "spec_from_json",
    "spec_to_json",
    "start_workflow",
]
