"""The modeller's casemgr properties, edited in the panel in headless Chromium, then run."""

import pytest
from lxml import etree

from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.processes import service as processes
from tests.browser.test_modeller import HAS_ERROR_MARK, click, open_modeller
from tests.conftest import ROXBURY

pytestmark = pytest.mark.browser

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}

#: A new lane at the bottom of the pool and a user task in it, put between triage's
#: "accept" and "Assign field officer". Returns [lane id, task id].
ADD_INSPECTION = """() => {
  const modeller = window.casemgrModeller;
  const registry = modeller.get('elementRegistry');
  const modeling = modeller.get('modeling');
  const lane = modeling.addLane(registry.get('lane_escalation'), 'bottom');
  modeling.updateLabel(lane, 'Site inspection');
  const shape = modeller.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
  const task = modeling.createShape(
    shape, { x: 600, y: lane.y + lane.height / 2 }, registry.get('complaint_pool'));
  modeling.updateLabel(task, 'Inspect the site');
  modeling.reconnectEnd(registry.get('flow_accepted'), task, { x: task.x, y: task.y + 40 });
  modeling.connect(task, registry.get('assign'));
  return [lane.id, task.id];
}"""
#: A service task between "Compute SLA due moments" and triage; returns its id.
ADD_SERVICE_TASK = """() => {
  const modeller = window.casemgrModeller;
  const registry = modeller.get('elementRegistry');
  const modeling = modeller.get('modeling');
  const shape = modeller.get('elementFactory').createShape({ type: 'bpmn:ServiceTask' });
  const citizen = registry.get('lane_citizen');
  const task = modeling.createShape(
    shape, { x: 420, y: citizen.y + citizen.height - 30 }, registry.get('complaint_pool'));
  modeling.updateLabel(task, 'Tell the supervisors');
  modeling.reconnectEnd(registry.get('flow_sla_set'), task, { x: task.x, y: task.y + 40 });
  modeling.connect(task, registry.get('triage'));
  return task.id;
}"""
SELECT = """id => {
  const modeller = window.casemgrModeller;
  const element = modeller.get('elementRegistry').get(id);
  modeller.get('canvas').scrollToElement(element);
  modeller.get('selection').select(element);
}"""
PROPERTY = """([id, name]) => window.casemgrProperties.propertyValue(
  window.casemgrModeller.get('elementRegistry').get(id), name)"""
BUSINESS = """([id, path]) => path.split('.').reduce(
  (value, key) => value && value[key],
  window.casemgrModeller.get('elementRegistry').get(id).businessObject)"""


def field(page, entry_id):
    return page.locator(f"#bio-properties-panel-{entry_id}")


def select(page, element_id):
    page.evaluate(SELECT, element_id)


def wait_for(page, script, arg, expected):
    page.wait_for_function(f"([arg, expected]) => ({script})(arg) === expected",
                           arg=[arg, expected])


def test_owner_adds_a_task_gives_its_lane_a_role_deploys_and_a_case_runs_it(
        visitor, logins, api):
    before = processes.latest_version("complaint").version
    page = open_modeller(visitor, logins)

    lane_id, task_id = page.evaluate(ADD_INSPECTION)
    select(page, task_id)
    field(page, "casemgr-fields").fill("inspection_note:textarea!")
    wait_for(page, PROPERTY, [task_id, "fields"], "inspection_note:textarea!")
    click(page, "save", "problem")

    problem = page.locator(f".modeller-errors li[data-error-for='{task_id}']")
    assert "lane 'Site inspection', which maps to no role" in problem.inner_text()
    assert page.evaluate(HAS_ERROR_MARK, task_id)

    select(page, lane_id)
    role = field(page, "casemgr-lane-role")
    assert "From the lane name (none: choose one)" in role.locator("option").all_inner_texts()
    role.select_option("field_officer")
    wait_for(page, PROPERTY, [lane_id, "role"], "field_officer")
    click(page, "save", "no problems")
    assert not page.evaluate(HAS_ERROR_MARK, task_id)
    click(page, "deploy", "Deployed as version")
    session.rollback()  # read what the server committed
    deployed = processes.latest_version("complaint")
    assert deployed.version == before + 1

    filed = api.post("/cases", "citizen", json={
        "category": "drains", "description": "Drain blocked", "lat": ROXBURY[0],
        "lon": ROXBURY[1]})
    case_id = filed.get_json()["id"]
    assert processes.get_version(cases.get(case_id).process_version_id).version == before + 1
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    inspection = api.task(case_id, task_id, "officer-water")
    assert (inspection["name"], inspection["role"]) == ("Inspect the site", "field_officer")
    api.complete(case_id, task_id, "officer-water", {"inspection_note": "Grate is blocked"})
    assert api.task(case_id, "assign", "sup-water")["bpmn_id"] == "assign"

    # The case page draws the new version, waiting at "Assign field officer".
    page.goto(f"/cases/{case_id}")
    page.wait_for_selector("#case-diagram.casemgr-diagram-ready")
    assert page.locator(f'#case-diagram .casemgr-done[data-element-id="{task_id}"]').count()
    assert page.locator('#case-diagram .casemgr-current[data-element-id="assign"]').count()
    assert f"version {before + 1}" in page.inner_text(".case-diagram-status")


def test_the_panel_edits_timers_scripts_flows_and_service_tasks(visitor, logins):
    page = open_modeller(visitor, logins)

    select(page, "pause_sla")
    script = field(page, "casemgr-script")
    assert "sla_paused_at" in script.input_value()
    script.fill("sla_paused_at = now_iso()\nquestion_asked = True")
    wait_for(page, BUSINESS, ["pause_sla", "script"], "sla_paused_at = now_iso()\n"
                                                      "question_asked = True")

    select(page, "question_expired")
    assert field(page, "casemgr-timer-type").input_value() == "timeDate"
    assert field(page, "casemgr-timer-expression").input_value() == "question_expires_at"
    assert "Quote a literal" in page.inner_text("[data-entry-id='casemgr-timer-expression']")
    page.click("button.casemgr-example:has-text('business_due')")
    wait_for(page, BUSINESS, ["question_expired", "eventDefinitions.0.timeDate.body"],
             "business_due(filed_at, 3, 'working_days')")
    field(page, "casemgr-timer-type").select_option("timeDuration")
    wait_for(page, BUSINESS, ["question_expired", "eventDefinitions.0.timeDuration.body"],
             "business_due(filed_at, 3, 'working_days')")
    field(page, "casemgr-timer-type").select_option("timeDate")
    assert page.locator(".bio-properties-panel-group[data-group-id='group-timer']").count() == 0

    select(page, "flow_rejected")
    condition = field(page, "casemgr-condition")
    assert condition.input_value() == "decision == 'reject'"
    condition.fill("decision == 'reject' and priority != 'urgent'")
    wait_for(page, BUSINESS, ["flow_rejected", "conditionExpression.body"],
             "decision == 'reject' and priority != 'urgent'")
    select(page, "flow_accepted")
    assert field(page, "casemgr-default-flow").is_checked()

    service_id = page.evaluate(ADD_SERVICE_TASK)
    click(page, "validate", "problem")
    problem = page.locator(f".modeller-errors li[data-error-for='{service_id}']")
    assert "service task without a kind" in problem.inner_text()

    select(page, service_id)
    assert "routing" in field(page, "casemgr-service-kind").locator("option").all_inner_texts()
    field(page, "casemgr-service-kind").select_option("notify")
    field(page, "casemgr-notify-message").select_option("overdue")
    field(page, "casemgr-notify-to").select_option("unit_supervisor")
    to_value = "extensionElements.values.0.parameters.parameters.1.value"
    wait_for(page, BUSINESS, [service_id, to_value], "'unit_supervisor'")
    page.screenshot(path="/tmp/casemgr-modeller-panel.png")
    click(page, "save", "no problems")

    draft = etree.fromstring(processes.get_draft("complaint").bpmn_xml.encode())
    operator = one(draft, f"//bpmn:serviceTask[@id='{service_id}']//spiff:serviceTaskOperator")
    assert operator.get("id") == "notify"
    parameters = {p.get("id"): (p.get("type"), p.get("value"))
                  for p in operator.iterfind("spiff:parameters/spiff:parameter", NS)}
    assert parameters == {"message": ("str", "'overdue'"), "to": ("str", "'unit_supervisor'")}
    timer = one(draft, "//bpmn:boundaryEvent[@id='question_expired']//bpmn:timeDate")
    assert timer.text == "business_due(filed_at, 3, 'working_days')"
    assert one(draft, "//bpmn:scriptTask[@id='pause_sla']/bpmn:script").text.endswith(
        "question_asked = True")
    assert one(draft, "//bpmn:sequenceFlow[@id='flow_rejected']/bpmn:conditionExpression"
               ).text == "decision == 'reject' and priority != 'urgent'"


def one(tree, path):
    [found] = tree.xpath(path, namespaces=NS)
    return found


#: The lanes of the pool, top to bottom.
LANES = """() => window.casemgrModeller.get('elementRegistry')
  .filter((element) => element.type === 'bpmn:Lane').sort((a, b) => a.y - b.y)
  .map((lane) => lane.id)"""
#: Flows are rewired through the modelling API: dragging a flow's end is not what is tested.
WIRE = """([taskId]) => {
  const modeller = window.casemgrModeller;
  const registry = modeller.get('elementRegistry');
  const modeling = modeller.get('modeling');
  const task = registry.get(taskId);
  modeling.reconnectEnd(registry.get('flow_accepted'), task, { x: task.x, y: task.y + 40 });
  modeling.connect(task, registry.get('assign'));
}"""


def centre(page, element_id):
    box = page.locator(f".djs-element[data-element-id='{element_id}']").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_owner_draws_a_user_task_from_the_palette_into_a_new_lane(visitor, logins):
    page = open_modeller(visitor, logins)
    assert page.inner_text(".modeller-status").startswith("Loaded.")
    lanes_before = page.evaluate(LANES)

    # A new lane below the last one, from the lane's context pad.
    select(page, lanes_before[-1])
    page.click(".djs-context-pad .entry[data-action='lane-insert-below']")
    [lane_id] = [lane for lane in page.evaluate(LANES) if lane not in lanes_before]

    # A task from the palette, dropped into that lane, then changed to a user task with the
    # wrench of its context pad, all with the mouse.
    page.click(".djs-palette .entry[data-action='create.task']")
    page.mouse.move(*centre(page, lane_id))
    page.mouse.click(*centre(page, lane_id))
    # The new task opens its label for typing; Enter ends it.
    page.keyboard.type("Check the drain again")
    page.keyboard.press("Enter")
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click(".djs-popup [data-id='replace-with-user-task']")
    task_id = page.evaluate("() => window.casemgrModeller.get('selection').get()[0].id")
    assert page.evaluate(BUSINESS, [task_id, "$type"]) == "bpmn:UserTask"
    lane_nodes = """id => window.casemgrModeller.get('elementRegistry').get(id)
      .businessObject.flowNodeRef.map((node) => node.id)"""
    assert page.evaluate(lane_nodes, lane_id) == [task_id]

    field(page, "casemgr-form").select_option("assign")
    page.evaluate(WIRE, [task_id])
    click(page, "save", "problem")
    problem = page.locator(f".modeller-errors li[data-error-for='{task_id}']")
    assert "maps to no role" in problem.inner_text()
    assert page.evaluate(HAS_ERROR_MARK, task_id)

    select(page, lane_id)
    field(page, "casemgr-lane-role").select_option("unit_supervisor")
    wait_for(page, PROPERTY, [lane_id, "role"], "unit_supervisor")
    click(page, "save", "no problems")
    assert not page.evaluate(HAS_ERROR_MARK, task_id)
    assert page.evaluate(BUSINESS, [task_id, "name"]) == "Check the drain again"
