"""Scripts and conditions from diagrams run restricted: no imports, files or dunder walks."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from casemgr import engine
from casemgr.engine import sandbox
from casemgr.engine.sandbox import RestrictedEnvironment, ScriptRefused

#: Scripts that must never run, with what each one tries.
REFUSED = {
    "import": "import os",
    "from-import": "from os import path",
    "__import__": "x = __import__('os')",
    "dunder walk": "x = ().__class__.__bases__[0].__subclasses__()",
    "dunder in comprehension": "x = [c for c in ().__class__.__mro__]",
    "function globals": "x = hours_from_now.__globals__",
    "bound self": "x = 'a'.upper.__self__",
    "open": "x = open('/etc/passwd').read()",
    "eval": "x = eval('1 + 1')",
    "exec": "exec('x = 1')",
    "getattr dunder": "x = getattr((), '__class__')",
    "getattr globals": "x = getattr(hours_from_now, '__globals__')",
    "format walk": "x = '{0.__class__}'.format(1)",
    "type": "x = type(())",
    "globals": "x = globals()",
    "vars": "x = vars()",
    "compile": "x = compile('1', 'f', 'eval')",
    "private name": "_secret = 1",
    "huge range": "x = list(range(10 ** 9))",
}

#: What a refused script may raise: refused at compile time, or a missing name at run time.
REFUSALS = (ScriptRefused, NameError, ImportError, NotImplementedError)


@pytest.fixture
def environment():
    return RestrictedEnvironment()


@pytest.mark.parametrize("source", REFUSED.values(), ids=REFUSED.keys())
def test_dangerous_scripts_are_refused(environment, source):
    context = {"marker": 1}

    with pytest.raises(REFUSALS):
        environment.execute(source, context)

    assert context == {"marker": 1}


@pytest.mark.parametrize(
    "source", ["import os", "x = __import__('os')", "x = ().__class__", "exec('x = 1')"]
)
def test_check_script_refuses_at_compile_time(source):
    with pytest.raises(ScriptRefused):
        sandbox.check_script(source)


def test_expressions_are_restricted_too(environment):
    with pytest.raises(REFUSALS):
        environment.evaluate("__import__('os').getcwd()", {})
    with pytest.raises(REFUSALS):
        environment.evaluate("().__class__", {})

    assert environment.evaluate("decision == 'reject'", {"decision": "reject"}) is True


@pytest.mark.parametrize(
    "source",
    [
        "while True: pass",
        "while True:\n    pass",
        "x = 0\nwhile True:\n    x += 1",
        "def spin():\n    while 1:\n        pass\nspin()",
    ],
    ids=["one line", "two lines", "counting", "in a function"],
)
def test_endless_loop_is_stopped_by_the_budget(environment, source):
    with pytest.raises(ScriptRefused, match="budget"):
        environment.execute(source, {})


def test_budget_leaves_tracing_as_it_found_it(environment):
    import sys

    before = sys.gettrace()
    with pytest.raises(ScriptRefused):
        environment.execute("while True: pass", {})

    assert sys.gettrace() is before


def test_allowed_script_sets_plain_values(environment):
    context = {"sla_hours": 24, "items": [3, 1, 2]}
    source = "\n".join(
        [
            "total = sum(items)",
            "doubled = [i * 2 for i in sorted(items)]",
            "n = 0",
            "for i in range(5):",
            "    n += i",
            "label = 'sla %s h' % sla_hours",
            "counts = {'a': 1}",
            "counts['b'] = len(doubled)",
            "first, second = doubled[0], doubled[1]",
        ]
    )

    environment.execute(source, context)

    assert context["total"] == 6
    assert context["doubled"] == [2, 4, 6]
    assert context["n"] == 10
    assert context["label"] == "sla 24 h"
    assert context["counts"] == {"a": 1, "b": 3}
    assert (context["first"], context["second"]) == (2, 4)


def test_script_helpers_compute_moments(environment):
    context = {"extend_hours": 5}

    before = datetime.now(UTC)
    environment.execute(
        "due = hours_from_now(extend_hours)\nlater = add_hours('2026-01-01T10:00:00+07:00', 2)",
        context,
    )
    after = datetime.now(UTC)

    due = datetime.fromisoformat(context["due"])
    assert due.utcoffset() == timedelta(0)
    assert before + timedelta(hours=5) <= due <= after + timedelta(hours=5)
    assert context["later"] == "2026-01-01T05:00:00+00:00"
    # Helpers are not copied into the task data.
    assert "hours_from_now" not in context


def test_add_hours_refuses_a_moment_without_offset():
    with pytest.raises(ValueError, match="offset"):
        sandbox.add_hours("2026-01-01T10:00:00", 1)


IMPORTING_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://casemgr.org/bpmn">
  <bpmn:process id="sneaky" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="snoop" />
    <bpmn:scriptTask id="snoop" name="Snoop">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="snoop" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(
    "script",
    [
        "import os\ncwd = os.getcwd()",
        "cwd = __import__('os').getcwd()",
        "while True: pass",
        "x = undefined_name + 1",
    ],
    ids=["import", "__import__", "endless", "undefined"],
)
def test_failing_script_task_raises_engine_error(script):
    parsed = engine.parse_bpmn(IMPORTING_BPMN.replace("SCRIPT", script))
    workflow = engine.new_workflow(parsed, {"case": 1})
    state = engine.dump_state(workflow)

    with pytest.raises(engine.EngineError) as raised:
        engine.run(workflow)

    assert raised.value.bpmn_id == "snoop"
    assert "cwd" not in engine.snapshot(workflow).data
    # The state stored before the run still loads and fails the same way, not worse.
    again = engine.load_state(parsed, state)
    with pytest.raises(engine.EngineError):
        engine.run(again)


def test_script_task_that_is_allowed_runs(tmp_path):
    parsed = engine.parse_bpmn(IMPORTING_BPMN.replace("SCRIPT", "answer = case * 42"))

    workflow = engine.start_workflow(parsed, {"case": 1})

    snap = engine.snapshot(workflow)
    assert snap.is_completed
    assert snap.data["answer"] == 42
    assert os.getcwd()  # the worker's process is untouched
