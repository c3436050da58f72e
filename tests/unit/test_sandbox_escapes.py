"""Escape attempts against the script sandbox: each refused, or stopped within its limits."""

import time

import pytest

from casemgr import engine
from casemgr.engine import sandbox
from casemgr.engine.sandbox import RestrictedEnvironment, ScriptRefused

#: Refused when the diagram is checked (validate, draft save, deploy), before any case runs.
REFUSED_AT_VALIDATE = {
    "import": "import os",
    "from import": "from os import path",
    "import in function": "def f():\n    import subprocess\nf()",
    "__import__": "x = __import__('os')",
    "dunder walk": "x = ().__class__.__bases__[0].__subclasses__()",
    "dunder in comprehension": "x = [c for c in ().__class__.__mro__]",
    "function globals": "x = hours_from_now.__globals__",
    "builtins dunder": "x = __builtins__",
    "generator frame": "g = (i for i in [1])\nx = g.gi_frame",
    "generator code": "g = (i for i in [1])\nx = g.gi_code",
    "frame back": "def f():\n    pass\nx = f.f_back",
    "eval": "x = eval('1 + 1')",
    "exec": "exec('x = 1')",
    "private name": "_secret = 1",
    "dynamic f-string width": "n = 10\nx = f'{1:>{n}}'",
    "huge f-string width": "x = f'{1:>10000000000}'",
    "catching its stop": (
        "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass"
    ),
    "finally after its stop": "try:\n    while True: pass\nfinally:\n    while True: pass",
    "with statement": "with x:\n    pass",
}

#: Compiled, then refused when run: a guard, a missing builtin or a budget stops them.
REFUSED_AT_RUN = {
    "compile": "x = compile('1', 'f', 'eval')",
    "getattr dunder": "x = getattr((), '__class__')",
    "getattr globals": "x = getattr(hours_from_now, '__globals__')",
    "getattr gi_frame": "g = (i for i in [1])\nx = getattr(g, 'gi_frame')",
    "open": "x = open('/etc/passwd').read()",
    "globals": "x = globals()",
    "vars": "x = vars()",
    "locals": "x = locals()",
    "type": "x = type(())",
    "type with three args": "x = type('X', (), {})",
    "format walk": "x = '{0.__class__}'.format(1)",
    "format_map walk": "x = '{a.__class__}'.format_map({'a': 1})",
    "str.format via class": "x = str.format('{0.__class__}', 1)",
    "huge string": "x = 'a' * 10**10",
    "huge string reversed": "x = 10**10 * 'a'",
    "huge list": "x = [0] * 10**9",
    "huge tuple": "x = (0,) * 10**9",
    "tower of powers": "x = 10**10**10",
    "builtin pow": "x = pow(10, 10**10)",
    "huge shift": "x = 1 << 10**10",
    "int products": "x = 3\nfor i in range(100):\n    x = x * x",
    "range materialised": "x = list(range(10**12))",
    "range in comprehension": "x = [i for i in range(10**12)]",
    "in-place repeat": "x = 'ab'\nwhile True:\n    x *= 2",
    "doubling by add": "x = [0]\nwhile True:\n    x = x + x",
    "doubling by extend": "x = [0]\nwhile True:\n    x.extend(x)",
    "padding": "x = 'a'.ljust(10**10)",
    "centre": "x = 'a'.center(10**9)",
    "zero fill": "x = '1'.zfill(10**9)",
    "tabs": "x = '\\t'.expandtabs(10**9)",
    "replace blow-up": "x = ('a' * 1000).replace('a', 'b' * 1000)",
    "join blow-up": "s = 'a' * 100000\nx = ''.join([s] * 100000)",
    "percent width": "x = '%10000000000d' % 1",
    "percent star": "x = '%*d' % (10**9, 1)",
    "repr of shared list": "s = 'a' * 100000\nx = str([s] * 1000)",
    "f-string of shared list": "s = 'a' * 100000\nl = [s] * 1000\nx = f'{l}'",
    "nested list growth": "x = []\nwhile True:\n    x = [x, [0] * 1000, [1] * 1000]",
    "endless loop": "while True: pass",
    "deep recursion": "def f(n):\n    return f(n + 1)\nf(0)",
    "mutual recursion": "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(0)",
}

#: What a refused script may raise: the sandbox's refusal, or a builtin that is not there.
REFUSALS = (ScriptRefused, NameError, AttributeError, NotImplementedError, ImportError)

#: Wall-clock seconds within which every refusal must come (the budget is 2 s).
WITHIN_SECONDS = 5.0


@pytest.fixture
def environment():
    return RestrictedEnvironment()


@pytest.mark.parametrize("source", REFUSED_AT_VALIDATE.values(), ids=REFUSED_AT_VALIDATE.keys())
def test_escape_is_refused_when_the_diagram_is_checked(source):
    with pytest.raises(ScriptRefused):
        sandbox.check_script(source)


@pytest.mark.parametrize("source", REFUSED_AT_RUN.values(), ids=REFUSED_AT_RUN.keys())
def test_escape_is_stopped_at_run_time_within_limits(environment, source):
    context = {"marker": 1}
    memory_before = sandbox.resident_bytes()
    started = time.monotonic()

    with pytest.raises(REFUSALS):
        environment.execute(source, context)

    assert time.monotonic() - started < WITHIN_SECONDS
    assert sandbox.resident_bytes() - memory_before < sandbox.MAX_MEMORY + 64 * 1024 * 1024
    assert context == {"marker": 1}
    # The process goes on: the next script runs as usual.
    environment.execute("y = marker + 1", context)
    assert context["y"] == 2


@pytest.mark.parametrize(
    "source",
    ["x = 'a' * 10**10", "while True: pass", "def f(n):\n    return f(n + 1)\nf(0)"],
    ids=["huge string", "endless loop", "deep recursion"],
)
def test_refusal_names_the_limit(environment, source):
    with pytest.raises(ScriptRefused, match="script stopped: .*(size limit|budget|deeper)"):
        environment.execute(source, {})


def test_ordinary_arithmetic_and_text_still_work(environment):
    context = {"hours": 24, "names": ["a", "b"]}
    source = "\n".join(
        [
            "big = 2 ** 64 * 3",
            "line = '-' * 40",
            "label = 'due in %d h' % hours",
            "shown = f'{hours:>5}|{names}'",
            "joined = ', '.join(names)",
            "padded = 'x'.ljust(5)",
            "kinds = [isinstance(n, str) for n in names]",
            "upper = str.upper('ok')",
            "text = str(names)",
            "more = names + ['c']",
            "more.extend(['d'])",
            "x = 10\nx *= 3\nx %= 7",
        ]
    )

    environment.execute(source, context)

    assert context["big"] == 3 * 2**64
    assert context["line"] == "-" * 40
    assert context["label"] == "due in 24 h"
    assert context["shown"] == "   24|['a', 'b']"
    assert context["joined"] == "a, b"
    assert context["padded"] == "x    "
    assert context["kinds"] == [True, True]
    assert context["upper"] == "OK"
    assert context["text"] == "['a', 'b']"
    assert context["more"] == ["a", "b", "c", "d"]
    assert context["x"] == 2


def test_conditions_are_guarded_too(environment):
    with pytest.raises(ScriptRefused, match="size limit"):
        environment.evaluate("len('a' * 10**10) > 0", {})

    assert environment.evaluate("amount * 2 > 10", {"amount": 6}) is True


SCRIPT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://casemgr.org/bpmn">
  <bpmn:process id="greedy" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="grab" />
    <bpmn:scriptTask id="grab" name="Grab">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="grab" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(
    "script",
    ["x = 'a' * 10**10", "x = 10**10**10", "x = [0] * 10**9", "def f():\n    f()\nf()"],
    ids=["huge string", "tower of powers", "huge list", "recursion"],
)
def test_script_task_past_its_limits_fails_as_an_engine_error(script):
    parsed = engine.parse_bpmn(SCRIPT_BPMN.replace("SCRIPT", script))
    workflow = engine.new_workflow(parsed, {"case": 1})

    with pytest.raises(engine.EngineError, match="script"):
        engine.run(workflow)

    assert "x" not in engine.snapshot(workflow).data
