"""Run BPMN scripts and conditions in a restricted environment.

SpiffWorkflow evaluates scripts with plain eval/exec. Process owners edit diagrams in the
browser, so their scripts must not reach imports, files, dunder attributes or builtins
beyond a small allow-list. RestrictedPython refuses those at compile time; a line, bytecode,
time, depth and memory budget stops a loop or a recursion that never ends, and the size
guards of script_limits stop a single operator that would build a huge value.
"""

import ast
import json
import logging
import os
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

from casemgr.engine import script_limits

log = logging.getLogger(__name__)

#: Lines a single script or condition may run before it is stopped.
MAX_LINES = 100_000
#: Bytecode steps a single script or condition may run before it is stopped.
MAX_OPCODES = 2_000_000
#: Wall-clock seconds a single script may run before it is stopped.
MAX_SECONDS = 2.0
#: Longest sequence the restricted range() builds.
MAX_RANGE = 10_000
#: Nested calls a script may make (Python's own limit would let it eat the C stack).
MAX_DEPTH = 50
#: Memory (bytes) a script may add to the process before it is stopped.
MAX_MEMORY = 256 * 1024 * 1024
#: Steps between two looks at the process's memory (each look is one small read).
MEMORY_EVERY = 2_000


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
    if operator not in ("+=", "-=", "*=", "/=", "//=", "%="):
        raise ScriptRefused(f"operator {operator} is not allowed")
    return _binop(operator[:-1], left, right)


def _binop(symbol, left, right):
    return script_limits.guarded_binop(symbol, left, right)


def _guarded_getattr(target, name, default=None):
    # The guarded str stands for str: its methods get str's checks (no str.format).
    if target is script_limits.GuardedStr:
        target = str
    method = safer_getattr(target, name, default)
    return script_limits.guarded_method(target, name, method)


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
            **script_limits.GUARDED_BUILTINS,
        }
    )
    scope["__builtins__"] = builtins
    scope.update(
        {
            "_binop_": _binop,
            "_text_": script_limits.checked_text,
            "_getattr_": _guarded_getattr,
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

    # A budget stop is an exception, and Python switches tracing off when the tracer
    # raises: a script that caught it would run on unwatched. So nothing may catch it.
    def visit_Try(self, node):
        self.error(node, "try statements are not allowed in diagram scripts")

    visit_TryStar = visit_Try

    def visit_With(self, node):
        self.error(node, "with statements are not allowed in diagram scripts")

    def visit_BinOp(self, node):
        """Compile a growing operator into a checked call: `a * b` -> `_binop_('*', a, b)`."""
        node = self.node_contents_visit(node)
        symbol = GUARDED_OPERATORS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FormattedValue(self, node):
        """Check the size of what an f-string writes out, and allow only fixed small specs."""
        node = self.node_contents_visit(node)
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(part, ast.Constant) for part in parts):
                self.error(node, "f-string formats must be fixed text")
                return node
            if any(n > script_limits.MAX_ITEMS for n in _spec_numbers(parts)):
                self.error(node, "f-string format width is over the size limit")
        checked = ast.Call(func=ast.Name("_text_", ast.Load()), args=[node.value], keywords=[])
        node.value = ast.fix_missing_locations(ast.copy_location(checked, node.value))
        return node


#: Operators compiled into checked calls; the others cannot grow a value past its inputs.
GUARDED_OPERATORS = {
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.Mod: "%",
}


def _spec_numbers(parts):
    text = "".join(str(part.value) for part in parts)
    return [int(number) for number in script_limits.FORMAT_NUMBER.findall(text)]


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


def resident_bytes():
    """The process's resident memory, from /proc where there is one (else 0: no check)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _run_limited(code, scope):
    """Evaluate `code` in `scope`, stopping it past its steps, time, depth and memory."""
    lines = opcodes = depth = 0
    deadline = time.monotonic() + MAX_SECONDS
    memory_ceiling = resident_bytes() + MAX_MEMORY

    def tracer(frame, event, arg):
        nonlocal lines, opcodes, depth
        if event == "call":
            # A loop on one line (`while True: pass`) raises no line events: count opcodes.
            frame.f_trace_opcodes = True
            depth += 1
            if depth > MAX_DEPTH:
                raise ScriptRefused(f"script stopped: calls nested deeper than {MAX_DEPTH}")
        elif event == "return":
            depth -= 1
        elif event == "line":
            lines += 1
        elif event == "opcode":
            opcodes += 1
        if lines > MAX_LINES or opcodes > MAX_OPCODES or time.monotonic() > deadline:
            raise ScriptRefused("script stopped: it ran past its time or step budget")
        if (lines + opcodes) % MEMORY_EVERY == 0 and resident_bytes() > memory_ceiling:
            raise ScriptRefused("script stopped: it used more memory than allowed")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return eval(code, scope)  # noqa: S307 - compiled by RestrictedPython above
    except script_limits.TooLarge as exc:
        raise ScriptRefused(str(exc)) from None
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
