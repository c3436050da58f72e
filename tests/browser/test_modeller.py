"""The process modeller in headless Chromium: edit the complaint, see its problems, deploy."""

import pytest

from casemgr.processes import service

pytestmark = pytest.mark.browser

#: Add a user task in the Field officer lane between "Resolve on site" and the "Filed by
#: staff?" gateway, with the given form; return its id. Runs in the page through the
#: bpmn-js API.
ADD_PHOTO_TASK = """form => {
  const modeller = window.casemgrModeller;
  const registry = modeller.get('elementRegistry');
  const modeling = modeller.get('modeling');
  const lane = registry.get('lane_field');
  const shape = modeller.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
  const task = modeling.createShape(
    shape, { x: 965, y: lane.y + lane.height / 2 }, registry.get('complaint_pool'));
  modeling.updateLabel(task, 'Photograph the site');
  modeling.reconnectEnd(registry.get('flow_resolved'), task, { x: task.x, y: task.y + 40 });
  modeling.connect(task, registry.get('gw_reporter'));
  window.casemgrProperties.setProperty(modeller, task, 'form', form);
  return task.id;
}"""
SET_FORM = """([id, form]) => {
  const modeller = window.casemgrModeller;
  const task = modeller.get('elementRegistry').get(id);
  window.casemgrProperties.setProperty(modeller, task, 'form', form);
}"""
HAS_ERROR_MARK = """id => window.casemgrModeller.get('canvas').hasMarker(id, 'has-error')"""


def open_modeller(visitor, logins):
    page = visitor().log_in("owner", logins["owner"]["password"]).page
    page.goto("/processes/complaint/modeller")
    page.wait_for_selector('.modeller-canvas [data-element-id="triage"]')
    page.wait_for_selector("#modeller.modeller-ready")
    return page


def click(page, action, status):
    page.click(f"button[data-action={action}]")
    page.wait_for_selector(f".modeller-status:has-text('{status}')")


def test_owner_marks_a_bad_form_fixes_it_and_deploys(visitor, logins):
    before = service.latest_version("complaint").version
    page = open_modeller(visitor, logins)
    assert page.locator(".bjs-powered-by").is_visible()  # bpmn.io's watermark stays

    task_id = page.evaluate(ADD_PHOTO_TASK, "no_such_form")
    click(page, "save", "problem")

    problem = page.locator(f".modeller-errors li[data-error-for='{task_id}']")
    assert "form 'no_such_form' does not exist" in problem.inner_text()
    assert page.evaluate(HAS_ERROR_MARK, task_id)
    badge = f".djs-overlays[data-container-id='{task_id}'] .djs-overlay-casemgr-error"
    assert page.locator(badge).count() == 1
    page.screenshot(path="/tmp/casemgr-modeller-errors.png")

    page.evaluate(SET_FORM, [task_id, "resolve"])
    click(page, "save", "no problems")
    assert page.locator(".modeller-errors").is_hidden()
    assert page.locator(".modeller-errors li").count() == 0
    assert not page.evaluate(HAS_ERROR_MARK, task_id)

    click(page, "deploy", "Deployed as version")
    assert page.inner_text(".modeller-version") == f"Deployed as version {before + 1}."
    deployed = service.latest_version("complaint")
    assert deployed.version == before + 1
    assert f'id="{task_id}"' in deployed.bpmn_xml


def test_the_form_field_in_the_properties_panel_sets_the_form(visitor, logins):
    page = open_modeller(visitor, logins)

    page.click('.modeller-canvas [data-element-id="resolve"]')
    field = page.locator("#bio-properties-panel-casemgr-form")
    assert field.input_value() == "resolve"
    assert "triage" in field.locator("option").all_inner_texts()  # the known forms
    field.select_option("")
    page.fill("#bio-properties-panel-casemgr-fields", "size:colour")
    page.wait_for_function(
        "() => window.casemgrProperties.propertyValue("
        "window.casemgrModeller.get('elementRegistry').get('resolve'), 'fields') === 'size:colour'"
    )
    assert page.evaluate(
        "() => window.casemgrProperties.propertyValue("
        "window.casemgrModeller.get('elementRegistry').get('resolve'), 'form')") == ""
    click(page, "validate", "problem")

    assert "unknown type" in page.inner_text(".modeller-errors li[data-error-for='resolve']")
    assert service.get_draft("complaint") is None  # checking saves nothing
