"""The staff dashboard in headless Chromium: map layers, overlay, charts, no CSP errors."""

import json
import re

import pytest

from tests.conftest import data_file

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp"
STORM_DRAINS = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "<img src=x onerror=alert(1)>"},
         "geometry": {"type": "Point", "coordinates": [-71.0855, 42.3168]}},
        {"type": "Feature", "properties": {"zone": "flood"},
         "geometry": {"type": "Polygon", "coordinates": [
             [[-71.09, 42.31], [-71.07, 42.31], [-71.07, 42.33], [-71.09, 42.31]]]}},
    ],
}
#: A canvas counts as drawn when some pixel is not transparent.
PAINTED = """canvas => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
  return false;
}"""
DRAWN = "(args) => (document.querySelector(args[0]).dataset.drawn || '').includes(args[1])"


@pytest.fixture
def boston(app):
    result = app.test_cli_runner().invoke(args=[
        "casemgr", "import-311", str(data_file("boston311-100.csv")),
        "--timezone", "America/New_York",
    ])
    assert result.exit_code == 0, result.output


def test_admin_uploads_a_layer_and_reads_the_dashboard(visitor, logins, boston, tmp_path):
    layer_file = tmp_path / "storm-drains.geojson"
    layer_file.write_text(json.dumps(STORM_DRAINS))
    admin = visitor()
    violations = []
    admin.page.on("console", lambda message: "Content Security Policy" in message.text
                  and violations.append(message.text))
    page = admin.log_in("admin", logins["admin"]["password"]).page

    page.goto("/dashboard/layers")
    page.fill("#name", "Storm drains")
    page.set_input_files("#geojson", str(layer_file))
    page.click("#layer-upload button[type=submit]")
    page.wait_for_selector(".flash")
    assert "Layer Storm drains added with 2 features" in page.inner_text(".flash")

    page.goto("/dashboard/?as_of=data")
    for part in ("choropleth", "cases", "heat", "layers"):
        page.wait_for_function(DRAWN, arg=["#dashboard-map", part])
    page.wait_for_function(DRAWN, arg=["#trend-chart", "chart"])
    page.wait_for_function(DRAWN, arg=["#group-chart", "chart"])
    page.wait_for_function(DRAWN, arg=["#task-heat-diagram", "heat"])

    assert page.get_attribute("#dashboard-map", "data-cases") == "81"
    assert page.locator("#dashboard-map .marker-cluster").count() > 0
    assert page.locator("#dashboard-map canvas.leaflet-heatmap-layer").count() == 1
    # 26 neighbourhoods in the choropleth, plus the uploaded polygon and point.
    assert page.locator("#dashboard-map path.leaflet-interactive").count() >= 28
    overlays = page.inner_text("#dashboard-map .leaflet-control-layers-overlays")
    for name in ("Cases (clusters)", "Cases (heat map)", "Districts (choropleth)",
                 "Storm drains"):
        assert name in overlays
    assert page.eval_on_selector("#trend-chart", PAINTED)
    assert page.eval_on_selector("#group-chart", PAINTED)
    assert page.inner_text("#kpi-on-time") == "83"
    assert page.inner_text("#kpi-overdue") == "17"
    assert re.search(r"19, not on the map", page.inner_text("#unlocated"))
    # The diagram under the task table is drawn read-only, with the bpmn.io watermark.
    assert page.locator("#task-heat-diagram [data-element-id='triage']").count() == 1
    assert page.locator("#task-heat-diagram .bjs-powered-by").count() == 1

    page.select_option("#choropleth-metric", "overdue")
    page.uncheck("label:has-text('Cases (heat map)') input")
    assert page.locator("#dashboard-map canvas.leaflet-heatmap-layer").count() == 0
    page.screenshot(path=f"{SCREENSHOTS}/casemgr-dashboard.png", full_page=True)
    assert violations == []
    assert page.get_attribute("#dashboard-map", "data-problem") is None
