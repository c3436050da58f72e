"""casemgr's own rules for a process, on top of SpiffWorkflow's validation.

Each rule returns problems as {"element_id", "message"} so that the modeller can mark
the element and the API can answer 422 with the same list.
"""

import re

from lxml import etree

from casemgr import engine
from casemgr.accounts.models import ROLE_KEYS

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FLOW_NODES = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway",
}
#: A process key (the BPMN process id): an XML name that fits the 80 characters of its columns.
PROCESS_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,79}")
#: Room for a process's name in process_versions.
MAX_PROCESS_NAME = 200
#: A bare ISO date or duration where a quoted string was meant.
UNQUOTED_LITERAL = re.compile(r"^(P[0-9T]|R\d*/|\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def problem(element_id, message):
    return {"element_id": element_id, "message": message}


def role_for_lane(lane_name):
    """Map a lane's name to a role key: 'Triage officer' -> 'triage_officer'."""
    if not lane_name:
        return None
    return re.sub(r"[^a-z0-9]+", "_", lane_name.strip().lower()).strip("_")


def lint(parsed, xml_bytes=None):
    """Every problem casemgr finds in a parsed process (empty when it can run here)."""
    elements = engine.describe(parsed)
    problems = _process_problems(parsed)
    for element in elements:
        problems += _lane_problems(element)
        problems += _form_problems(element)
        problems += _gateway_problems(element)
        problems += _expression_problems(element)
        if not element.is_reachable:
            problems.append(problem(element.element_id, "no path from the start reaches it"))
    if xml_bytes is not None:
        problems += _unparsed_nodes(xml_bytes, parsed.process_id, elements)
    return problems


def key_problem(process_key):
    """The problem with a process key taken from a URL or a document, or None."""
    if PROCESS_KEY.fullmatch(process_key or ""):
        return None
    return problem(None, f"{process_key[:80]!r} is not a process id: up to 80 letters, digits, "
                         "'_', '.' or '-', starting with a letter or '_'")


def _process_problems(parsed):
    problems = [found for found in [key_problem(parsed.process_id)] if found]
    if len(parsed.spec.description or "") > MAX_PROCESS_NAME:
        problems.append(problem(parsed.process_id,
                                f"the process name is longer than {MAX_PROCESS_NAME} characters"))
    return problems


def role_of(lane_name, lane_properties=None):
    """The role a lane stands for: its `role` property, else the role its name maps to."""
    chosen = (lane_properties or {}).get("role", "").strip()
    return chosen or role_for_lane(lane_name)


def _lane_problems(element):
    if not element.is_user_task:
        return []
    if not element.lane and not element.lane_id:
        return [problem(element.element_id, "user task outside any lane: put it in a lane "
                                            "and choose the lane's role")]
    lane = f"lane {element.lane!r}" if element.lane else f"lane {element.lane_id} (no name)"
    chosen = element.lane_properties.get("role", "").strip()
    if chosen and chosen not in ROLE_KEYS:
        return [problem(element.element_id, f"user task is in {lane}, whose "
                                            f"role {chosen!r} casemgr does not know")]
    if role_of(element.lane, element.lane_properties) not in ROLE_KEYS:
        return [problem(element.element_id, f"user task is in {lane}, "
                                            f"which maps to no role: choose its role")]
    return []


def _form_problems(element):
    from forms import declared
    from forms.tasks import TASK_FORMS

    form, fields = element.properties.get("form"), element.properties.get("fields")
    if form and fields:
        return [problem(element.element_id, "name a form or list fields, not both")]
    if form and form not in TASK_FORMS:
        return [problem(element.element_id, f"form {form!r} does not exist")]
    if fields:
        try:
            declared.parse(fields)
        except declared.FieldSpecError as exc:
            return [problem(element.element_id, f"fields: {exc}")]
    return []


def _gateway_problems(element):
    if element.is_exclusive_gateway and not element.has_default_flow:
        return [problem(element.element_id, "exclusive gateway without a default flow: "
                                            "a case matching no condition would stop here")]
    return []


def _expression_problems(element):
    problems = []
    for kind, text in element.expressions:
        stripped = (text or "").strip()
        if kind == "timer" and UNQUOTED_LITERAL.match(stripped):
            problems.append(problem(element.element_id, f"timer {stripped!r} is an expression: "
                                                        f"quote a literal date or duration"))
            continue
        try:
            engine.check_script(stripped, "exec" if kind == "script" else "eval")
        except engine.ScriptRefused as exc:
            problems.append(problem(element.element_id, f"{kind} refused: {exc}"))
    return problems


def _unparsed_nodes(xml_bytes, process_id, elements):
    """Flow nodes the parser never reached: nothing leads to them from the start."""
    tree = etree.fromstring(xml_bytes, etree.XMLParser(resolve_entities=False,
                                                       no_network=True, load_dtd=False))
    known = {element.element_id for element in elements}
    process = tree.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    if process is None:
        return []
    problems = []
    for node in process.iter():
        local = etree.QName(node).localname if isinstance(node.tag, str) else None
        node_id = node.get("id")
        if local in FLOW_NODES and node_id and node_id not in known:
            problems.append(problem(node_id, "no path from the start reaches it"))
    return problems
