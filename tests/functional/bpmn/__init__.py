"""Small BPMN documents built for one check each."""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs" targetNamespace="http://casemgr.org/test">
"""


def process(body, lanes=None, process_id="tiny"):
    """A process with `body` and lanes given as {lane name: [element ids]}."""
    lane_xml = ""
    if lanes:
        lane_xml = '<bpmn:laneSet id="lanes">' + "".join(
            f'<bpmn:lane id="lane_{i}" name="{name}">'
            + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
            + "</bpmn:lane>"
            for i, (name, refs) in enumerate(lanes.items())) + "</bpmn:laneSet>"
    return (HEAD + f'<bpmn:process id="{process_id}" isExecutable="true">' + lane_xml + body
            + "</bpmn:process></bpmn:definitions>")


def user_task(task_id, properties="", incoming="f1", outgoing="f2"):
    extension = ""
    if properties:
        extension = ("<bpmn:extensionElements><spiffworkflow:properties>" + properties
                     + "</spiffworkflow:properties></bpmn:extensionElements>")
    flows = (f"<bpmn:incoming>{incoming}</bpmn:incoming>" if incoming else "") + (
        f"<bpmn:outgoing>{outgoing}</bpmn:outgoing>" if outgoing else "")
    return f'<bpmn:userTask id="{task_id}" name="{task_id}">{extension}{flows}</bpmn:userTask>'


def chain(middle, lanes=None):
    """start -> middle -> end, where middle is one element with incoming f1 / outgoing f2."""
    body = ('<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            + middle
            + '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />')
    return process(body, lanes)


def prop(name, value):
    return f'<spiffworkflow:property name="{name}" value="{value}" />'


def service_task(task_id, kind=None, params=None):
    """A service task of `kind` with {name: value expression} parameters, in f1 / out f2."""
    operator = ""
    if kind is not None:
        parameters = "".join(
            f'<spiffworkflow:parameter id="{name}" type="str" value="{value}" />'
            for name, value in (params or {}).items())
        operator = (f'<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="{kind}">'
                    f"<spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>"
                    "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>")
    return (f'<bpmn:serviceTask id="{task_id}" name="{task_id}">{operator}'
            "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
            "</bpmn:serviceTask>")
