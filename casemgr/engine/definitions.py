"""Parse BPMN with validation, and store a parsed process as JSON once per version."""

import json
import logging
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from casemgr.engine.serialization import SERIALIZER

log = logging.getLogger(__name__)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

#: Largest BPMN document accepted, in bytes; real diagrams are tens of kilobytes.
MAX_BPMN_BYTES = 2 * 1024 * 1024


class BpmnError(Exception):
    """A BPMN document that cannot be run, with one entry per problem found."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{e['element_id'] or '-'}: {e['message']}" for e in errors))


@dataclass
class ParsedProcess:
    """A parsed top-level process with the subprocess specs it calls."""

    process_id: str
    spec: object
    subprocess_specs: dict = field(default_factory=dict)

    @property
    def user_task_ids(self):
        return [
            name
            for name, task_spec in self.spec.task_specs.items()
            if getattr(task_spec, "manual", False)
        ]

    def task_properties(self, bpmn_id):
        task_spec = self.spec.task_specs.get(bpmn_id)
        extensions = getattr(task_spec, "extensions", None) or {}
        return dict(extensions.get("properties", {}))


def _safe_tree(xml_bytes):
    """Parse XML without network access, entity expansion or DTDs."""
    if len(xml_bytes) > MAX_BPMN_BYTES:
        raise BpmnError(
            [{"element_id": None, "message": f"document larger than {MAX_BPMN_BYTES} bytes"}]
        )

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(xml_bytes, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise BpmnError([{"element_id": None, "message": f"not well-formed XML: {exc}"}]) from None

    if tree.getroottree().docinfo.internalDTD is not None or b"<!ENTITY" in xml_bytes:
        raise BpmnError([{"element_id": None, "message": "DTDs and entities are not allowed"}])
    return tree


def check_safe_xml(xml_bytes):
    """Raise BpmnError for a document that is too large, not XML, or uses DTDs/entities."""
    if isinstance(xml_bytes, str):
        xml_bytes = xml_bytes.encode("utf-8")
    _safe_tree(xml_bytes)


def parse_bpmn(xml_bytes, process_id=None):
    """Parse and validate one BPMN document; return its executable process."""
    if isinstance(xml_bytes, str):
        xml_bytes = xml_bytes.encode("utf-8")
    tree = _safe_tree(xml_bytes)

    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(tree, filename="process.bpmn")
        ids = parser.get_process_ids()
        if not ids:
            raise BpmnError([{"element_id": None, "message": "no executable process"}])
        chosen = process_id or ids[0]
        spec = parser.get_spec(chosen)
        subprocess_specs = parser.get_subprocess_specs(chosen)
    except ValidationException as exc:
        element_id = getattr(exc, "id", None) or None
        message = str(getattr(exc, "message", None) or exc).splitlines()[0]
        line = getattr(exc, "line_number", None)
        raise BpmnError([{"element_id": element_id, "message": message, "line": line}]) from exc

    _give_lane_properties(tree, [spec, *subprocess_specs.values()])
    return ParsedProcess(chosen, spec, subprocess_specs)


def _lane_properties(tree):
    """{flow node id: (lane id, the spiffworkflow properties of the innermost lane holding it)}.

    SpiffWorkflow names a task's lane by the lane's name only, so a task in a lane still
    without a name looks like one outside any lane; the lane id tells the two apart.
    """
    found = {}
    # Document order visits an outer lane before the lanes nested in it, so inner ones win.
    path = f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"
    for lane in tree.iter(f"{{{BPMN_NS}}}lane"):
        properties = {
            node.get("name"): node.get("value", "")
            for node in lane.iterfind(path)
            if node.get("name")
        }
        for ref in lane.iterfind(f"{{{BPMN_NS}}}flowNodeRef"):
            found[(ref.text or "").strip()] = (lane.get("id"), properties)
    return found


def _give_lane_properties(tree, specs):
    """Copy each lane's own properties into its tasks' extensions as `lane_properties`.

    SpiffWorkflow keeps only a lane's name on a task; the extensions travel with the spec
    when it is stored, so the lane's properties stay readable in every later step.
    """
    by_node = _lane_properties(tree)
    for spec in specs:
        for task_spec in spec.task_specs.values():
            lane_id, properties = by_node.get(getattr(task_spec, "bpmn_id", None), (None, {}))
            if lane_id and isinstance(getattr(task_spec, "extensions", None), dict):
                task_spec.extensions["lane_id"] = lane_id
                if properties:
                    task_spec.extensions["lane_properties"] = dict(properties)


def spec_to_json(parsed):
    """Serialize a parsed process once, to be stored with its version."""
    registry = SERIALIZER.registry
    return json.dumps(
        {
            "process_id": parsed.process_id,
            "spec": registry.convert(parsed.spec),
            "subprocess_specs": {
                name: registry.convert(sub) for name, sub in parsed.subprocess_specs.items()
            },
        }
    )


def spec_from_json(text):
    """Rebuild a parsed process from what spec_to_json stored."""
    stored = json.loads(text)
    registry = SERIALIZER.registry
    return ParsedProcess(
        stored["process_id"],
        registry.restore(stored["spec"]),
        {name: registry.restore(sub) for name, sub in stored["subprocess_specs"].items()},
    )


@dataclass
class Element:
    """One element of a parsed process, as plain data for casemgr's own checks."""

    element_id: str
    kind: str
    name: str | None
    lane: str | None
    properties: dict
    #: The spiffworkflow properties of the element's lane, such as its `role`.
    lane_properties: dict = field(default_factory=dict)
    #: The id of the lane holding the element, named or not.
    lane_id: str | None = None
    is_user_task: bool = False
    is_exclusive_gateway: bool = False
    has_default_flow: bool = False
    #: (what, text) pairs: ("script", ...), ("condition", ...), ("timer", ...)
    expressions: list = field(default_factory=list)
    is_reachable: bool = True
    #: A service task's request: {"kind": operator id, "params": {name: expression}}.
    service: dict | None = None


def _reachable_ids(spec):
    seen, todo = set(), [spec.start]
    while todo:
        task_spec = todo.pop()
        if task_spec.name in seen:
            continue
        seen.add(task_spec.name)
        todo.extend(task_spec.outputs)
    return seen


def _expressions(task_spec):
    found = []
    if getattr(task_spec, "script", None):
        found.append(("script", task_spec.script))
    for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
        if condition is not None and getattr(condition, "args", None):
            found.append(("condition", condition.args[0]))
    definition = getattr(task_spec, "event_definition", None)
    if definition is not None and getattr(definition, "expression", None):
        found.append(("timer", definition.expression))
    return found


def _service(task_spec):
    kind = getattr(task_spec, "operation_name", None)
    if kind is None:
        return None
    params = getattr(task_spec, "operation_params", None) or {}
    return {"kind": kind, "params": {name: param["value"] for name, param in params.items()}}


def describe(parsed):
    """The process's elements as plain data, skipping the engine's own helper specs."""
    reachable = _reachable_ids(parsed.spec)
    elements = []
    for name, task_spec in parsed.spec.task_specs.items():
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        kind = type(task_spec).__name__
        elements.append(Element(
            element_id=bpmn_id,
            kind=kind,
            name=getattr(task_spec, "bpmn_name", None),
            lane=getattr(task_spec, "lane", None),
            properties=dict((getattr(task_spec, "extensions", None) or {}).get(
                "properties", {})),
            lane_properties=dict((getattr(task_spec, "extensions", None) or {}).get(
                "lane_properties", {})),
            lane_id=(getattr(task_spec, "extensions", None) or {}).get("lane_id"),
            is_user_task=bool(getattr(task_spec, "manual", False)),
            is_exclusive_gateway=kind == "ExclusiveGateway",
            has_default_flow=getattr(task_spec, "default_task_spec", None) is not None,
            expressions=_expressions(task_spec),
            is_reachable=name in reachable,
            service=_service(task_spec),
        ))
    return elements
