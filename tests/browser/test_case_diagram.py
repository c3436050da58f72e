"""The case page's read-only process diagram in headless Chromium."""

import pytest

pytestmark = pytest.mark.browser

#: The colour the heat map gave an element's shape, and the legend's ends.
HEAT_OF = """async () => {
  const box = document.createElement('div');
  box.className = 'case-diagram';
  document.body.append(box);
  const xml = await (await fetch(document.querySelector('[data-case-diagram]')
    .dataset.diagramUrl)).json();
  const viewer = await window.casemgrViewer.show(box, xml.xml,
    { heat: { triage: 2, assign: 10, resolve: 50 }, heatLabel: (hours) => `${hours} h` });
  const fill = (id) => viewer.get('elementRegistry').getGraphics(id)
    .querySelector('.djs-visual > :first-child').style.getPropertyValue('fill');
  return {
    triage: fill('triage'), resolve: fill('resolve'), verify: fill('verify'),
    legend: box.querySelector('.casemgr-heat-legend').textContent,
    labels: Array.from(box.querySelectorAll('.casemgr-heat-value'), (n) => n.textContent),
  };
}"""


def open_case(visitor, logins, case_id, username="sup-water"):
    page = visitor().log_in(username, logins[username]["password"]).page
    page.goto(f"/cases/{case_id}")
    page.wait_for_selector("#case-diagram.casemgr-diagram-ready")
    return page


def marked(page, element_id, marker):
    return page.locator(f'#case-diagram .{marker}[data-element-id="{element_id}"]').count()


def test_the_case_page_shows_the_path_and_the_current_task(visitor, logins, api, drain_case):
    case_id = drain_case["id"]
    api.complete(case_id, "triage", "triage", {"decision": "accept"})

    page = open_case(visitor, logins, case_id)

    assert marked(page, "assign", "casemgr-current") == 1
    for done in ("start_filed", "compute_sla", "triage", "gw_triage"):
        assert marked(page, done, "casemgr-done") == 1, done
    for flow in ("flow_filed", "flow_sla_set", "flow_triaged", "flow_accepted"):
        assert marked(page, flow, "casemgr-taken") == 1, flow
    assert marked(page, "flow_rejected", "casemgr-taken") == 0
    assert marked(page, "resolve", "casemgr-done") == 0
    assert marked(page, "resolve", "casemgr-current") == 0
    assert "version 1" in page.inner_text(".case-diagram-status")
    assert page.locator(".diagram-legend li").count() == 3
    assert page.locator("#case-diagram .bjs-powered-by").count() == 1  # bpmn.io's watermark
    page.locator("#case-diagram").screenshot(path="/tmp/casemgr-case-diagram.png")


def test_the_viewer_colours_a_heat_map_for_other_pages(visitor, logins, drain_case):
    page = open_case(visitor, logins, drain_case["id"], "triage")

    heat = page.evaluate(HEAT_OF)

    assert heat["triage"] == "rgb(251, 245, 182)"  # the smallest value: pale yellow
    assert heat["resolve"] == "rgb(242, 13, 13)"  # the largest: deep red
    assert heat["verify"] == "white"  # no value: bpmn-js's own fill stays
    assert heat["legend"] == "2 h50 h"
    assert sorted(heat["labels"]) == ["10 h", "2 h", "50 h"]
