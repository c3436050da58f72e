"""Run BPMN scripts and conditions in a restricted environment.

SpiffWorkflow evaluates scripts with plain eval/exec. Process owners edit diagrams in the
browser, so their scripts must not reach imports, files, dunder attributes or builtins
beyond a small allow-list. RestrictedPython refuses those at compile time; a line budget
stops a loop that never ends.
"""

import json
import logging
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_globals
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

log = logging.getLogger(__name__)

#: Lines a single script or condition may run before it is stopped.
MAX_LINES = 100_000
#: Bytecode steps a single script or condition may run before it is stopped.
MAX_OPCODES = 2_000_000
#: Wall-clock seconds a single script may run before it is stopped.
MAX_SECONDS = 2.0
#: Longest sequence the restricted range() builds.
MAX_RANGE = 10_000


class ScriptRefused(Exception):
    """A script that the restricted environment will not compile or run to the end."""


def hours_from_now(hours):
    """Return the moment `hours` from now as an ISO string in UTC."""
    moment = datetime.now(UTC) + timedelta(hours=float(hours))
    return moment.isoformat()


def now_iso():
    """Return this moment as an ISO string in UTC."""
    return datetime.now(UTC).isoformat()


def add_hours(moment_iso, hours):
    """Return an ISO moment moved by `hours`; the moment must carry its UTC offset."""
    moment = datetime.fromisoformat(moment_iso)
    if moment.tzinfo is None:
        raise ValueError(f"moment {moment_iso!r} has no UTC offset")
    return (moment + timedelta(hours=float(hours))).astimezone(UTC).isoformat()


def _limited_range(*args):
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise ScriptRefused(f"range of {len(span)} items is over the limit of {MAX_RANGE}")
    return span


def _inplace(operator, left, right):
    operations = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
    }
    if operator not in operations:
        raise ScriptRefused(f"operator {operator} is not allowed")
    return operations[operator](left, right)


#: Helpers that process owners may call from scripts and timer expressions.
HELPERS = {
    "now_iso": now_iso,
    "hours_from_now": hours_from_now,
    "add_hours": add_hours,
}


def _base_globals():
    scope = dict(safe_globals)
    builtins = dict(scope["__builtins__"])
    builtins.update(
        {
            "range": _limited_range,
            "len": len,
            "min": min,
            "max": max,
            "sum": sum,
            "any": any,
            "all": all,
            "sorted": sorted,
            "dict": dict,
            "list": list,
            "enumerate": enumerate,
        }
    )
    scope["__builtins__"] = builtins
    scope.update(
        {
            "_getattr_": safer_getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_inplacevar_": _inplace,
        }
    )
    scope.update(HELPERS)
    return scope


BASE_GLOBALS = _base_globals()


class _ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, also refusing `import` when a diagram is checked."""

    # RestrictedPython compiles imports and only fails them at run time, which would let
    # check_script pass a diagram whose first case then stalls.
    def visit_Import(self, node):
        self.error(node, "import statements are not allowed")

    visit_ImportFrom = visit_Import


@lru_cache(maxsize=512)
def _compile(source, mode):
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<bpmn>", policy=_ScriptPolicy)
    if result.errors:
        raise ScriptRefused("; ".join(result.errors))
    return result.code


def check_script(source, mode="exec"):
    """Raise ScriptRefused if the restricted compiler refuses `source`."""
    _compile(source, mode)


def _run_limited(code, scope):
    """Evaluate `code` in `scope`, stopping it past the line, opcode and time budget."""
    lines = opcodes = 0
    deadline = time.monotonic() + MAX_SECONDS

    def tracer(frame, event, arg):
        nonlocal lines, opcodes
        if event == "call":
            # A loop on one line (`while True: pass`) raises no line events: count opcodes.
            frame.f_trace_opcodes = True
        elif event == "line":
            lines += 1
        elif event == "opcode":
            opcodes += 1
        if lines > MAX_LINES or opcodes > MAX_OPCODES or time.monotonic() > deadline:
            raise ScriptRefused("script stopped: it ran past its time or step budget")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return eval(code, scope)  # noqa: S307 - compiled by RestrictedPython above
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment whose scripts and expressions run restricted."""

    def __init__(self, helpers=None):
        # The application's own helpers (the business calendar) come in as plain callables.
        self.helpers = dict(helpers or {})
        super().__init__({**HELPERS, **self.helpers})

    def _scope(self, context, external_context):
        scope = dict(BASE_GLOBALS)
        scope.update(self.helpers)
        scope.update(external_context or {})
        scope.update(context)
        return scope

    def evaluate(self, expression, context, external_context=None):
        code = _compile(expression.strip(), "eval")
        return _run_limited(code, self._scope(context, external_context))

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        code = _compile(script, "exec")
        scope = self._scope(context, external_context)
        _run_limited(code, scope)

        # Only plain values the script set come back into the task data.
        for name, value in scope.items():
            if name.startswith("_") or name in BASE_GLOBALS or name in self.helpers:
                continue
            if callable(value):
                continue
            context[name] = value
        return True


    def call_service(self, context, operation_name=None, operation_params=None, **_kwargs):
        """Answer a service task with its request: the application acts on it afterwards.

        The engine calls nothing outside itself; the kind and the evaluated parameters are
        kept as the task's result, and snapshot() hands them on as an Effect.
        """
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        return json.dumps({"kind": operation_name, "params": params})


class RestrictedScriptEngine(PythonScriptEngine):
    """The script engine, with service task failures reported on their task."""

    def call_service(self, task, **kwargs):
        try:
            return self.environment.call_service(task.data, **kwargs)
        except (TypeError, ValueError) as exc:
            # The library's own handler here refers to a name it never set.
            raise WorkflowTaskException(f"service task failed: {exc}", task=task,
                                        exception=exc) from exc


def service_request(task):
    """The kind and parameters a completed service task asked for."""
    result = task.data.get(task.task_spec.result_variable) or {}
    return {"kind": result.get("kind"), "params": dict(result.get("params") or {})}


def script_engine(helpers=None):
    """Return a script engine running the restricted environment, with extra helpers."""
    return RestrictedScriptEngine(environment=RestrictedEnvironment(helpers))
