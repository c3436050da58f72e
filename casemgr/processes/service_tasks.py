"""The kinds of service task casemgr runs, and the check of each one in a diagram.

A service task names its kind as its `spiffworkflow:serviceTaskOperator` id (what the
modeller's "Kind" field writes) and its parameters as operator parameters. SpiffWorkflow
evaluates parameter values as expressions, so a text value is a quoted literal: 'overdue'.
The engine only reports that the task ran; cases.process_services acts on it.
"""

import ast

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
#: kind -> what it does, as the modeller shows it.
KINDS = {
    "routing": "Route the case again: category x district -> unit",
    "notify": "Queue a message through the notifications outbox",
}

#: Who a notify task may write to: the reporter, or the holders of a staff role (in the
#: case's unit for unit roles).
RECIPIENTS = ("reporter", "unit_supervisor", "field_officer", "triage_officer",
              "escalation_manager")

#: kind -> {parameter: is it required}.
PARAMETERS = {
    "routing": {},
    "notify": {"message": True, "to": False},
}

_SERVICE_TASK = f"{{{BPMN_NS}}}serviceTask"
_OPERATOR = f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}serviceTaskOperator"
_PARAMETER = f"{{{SPIFF_NS}}}parameters/{{{SPIFF_NS}}}parameter"


def message_kinds():
    from casemgr.notifications.messages import SUBJECTS

    return tuple(sorted(SUBJECTS))


def literal(text):
    """The string a parameter expression stands for, or None when it is not a literal."""
    try:
        value = ast.literal_eval((text or "").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def problems(tree):
    """Every service task in the parsed XML `tree` whose kind or parameters casemgr lacks.

    It runs before SpiffWorkflow parses the document, which fails without telling the
    element on an operator without an id or a parameter without a type.
    """
    found = []
    for task in tree.iter(_SERVICE_TASK):
        found += _task_problems(task.get("id"), task.find(_OPERATOR))
    return found


def _task_problems(task_id, operator):
    known = ", ".join(KINDS)
    kind = operator.get("id") if operator is not None else None
    if not kind:
        return [_problem(task_id, f"service task without a kind: choose one of {known}")]
    if kind not in KINDS:
        return [_problem(task_id, f"service task kind {kind!r} is unknown: "
                                  f"choose one of {known}")]

    params = {}
    for node in operator.iterfind(_PARAMETER):
        name = node.get("id")
        if not name or not node.get("type") or node.get("value") is None:
            return [_problem(task_id, "a service task parameter needs an id, a type and a "
                                      "value")]
        params[name] = node.get("value")
    return _parameter_problems(task_id, kind, params)


def _parameter_problems(task_id, kind, params):
    expected = PARAMETERS[kind]
    found = [_problem(task_id, f"{kind} takes no parameter {name!r}")
             for name in params if name not in expected]
    found += [_problem(task_id, f"{kind} needs the parameter {name!r}")
              for name, required in expected.items() if required and name not in params]
    if kind == "notify":
        found += _notify_problems(task_id, params)
    return found


def _notify_problems(task_id, params):
    found = []
    if "message" in params and literal(params["message"]) not in message_kinds():
        found.append(_problem(task_id, f"notify message {params['message']!r} is not one of "
                                       f"{', '.join(repr(k) for k in message_kinds())} "
                                       f"(quote it)"))
    if "to" in params and literal(params["to"]) not in RECIPIENTS:
        found.append(_problem(task_id, f"notify to {params['to']!r} is not one of "
                                       f"{', '.join(repr(r) for r in RECIPIENTS)} (quote it)"))
    return found


def _problem(element_id, message):
    return {"element_id": element_id, "message": message}


def safe_tree(xml_bytes):
    return etree.fromstring(xml_bytes, etree.XMLParser(resolve_entities=False, no_network=True,
                                                       load_dtd=False))
