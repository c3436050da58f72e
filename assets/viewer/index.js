// A read-only BPMN diagram (bpmn-js NavigatedViewer) that marks where a case has been and
// where it waits, or colours elements by a number (a heat map of, say, time per task).
//
//   casemgrViewer.show(container, xml, {completed, current, taken, heat, heatLabel})
//
// `completed` and `current` are element ids, `taken` holds [source, target] id pairs whose
// sequence flows are drawn as taken, and `heat` maps element ids to numbers. Colours come
// from CSS classes (casemgr/static/diagram.css) except the heat fill, which is set through
// the element's style object: the page CSP allows that, where style attributes are refused.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

const DONE = 'casemgr-done';
const CURRENT = 'casemgr-current';
const TAKEN = 'casemgr-taken';
const HOT = 'casemgr-heat';
const HEAT_OVERLAY = 'casemgr-heat';

function markSteps(viewer, { completed = [], current = [], taken = [] }) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  completed.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, DONE));
  current.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, CURRENT));

  const steps = new Set(taken.map(([source, target]) => `${source}>${target}`));
  registry
    .filter((element) => element.type === 'bpmn:SequenceFlow')
    .filter((flow) => steps.has(`${flow.source.id}>${flow.target.id}`))
    .forEach((flow) => canvas.addMarker(flow, TAKEN));
}

// Pale yellow for the smallest value to deep red for the largest.
function heatColour(share) {
  const hue = Math.round(55 - 55 * share);
  const lightness = Math.round(85 - 35 * share);
  return `hsl(${hue}, 90%, ${lightness}%)`;
}

function heatShare(value, low, high) {
  return high > low ? (value - low) / (high - low) : 1;
}

function paintHeat(viewer, heat, heatLabel) {
  const registry = viewer.get('elementRegistry');
  const overlays = viewer.get('overlays');
  const canvas = viewer.get('canvas');
  const entries = Object.entries(heat || {}).filter(
    ([id, value]) => registry.get(id) && Number.isFinite(Number(value)),
  );
  if (!entries.length) {
    return null;
  }
  const values = entries.map(([, value]) => Number(value));
  const low = Math.min(...values);
  const high = Math.max(...values);
  entries.forEach(([id, value]) => {
    const shape = registry.getGraphics(id).querySelector('.djs-visual > :first-child');
    const colour = heatColour(heatShare(Number(value), low, high));
    shape.style.setProperty('fill', colour, 'important');
    canvas.addMarker(id, HOT);
    overlays.add(id, HEAT_OVERLAY, {
      position: { bottom: 0, right: 0 },
      html: textNode('span', 'casemgr-heat-value', heatLabel(Number(value))),
    });
  });
  return { low, high };
}

function textNode(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

function heatLegend(range, heatLabel) {
  const legend = textNode('div', 'casemgr-heat-legend', '');
  const bar = textNode('span', 'casemgr-heat-bar', '');
  legend.append(
    textNode('span', 'casemgr-heat-low', heatLabel(range.low)),
    bar,
    textNode('span', 'casemgr-heat-high', heatLabel(range.high)),
  );
  return legend;
}

/** Draw `xml` read-only in `container`; resolves to the bpmn-js viewer. */
async function show(container, xml, options = {}) {
  const heatLabel = options.heatLabel || ((value) => String(Math.round(value * 10) / 10));
  const canvasNode = textNode('div', 'casemgr-diagram-canvas', '');
  container.replaceChildren(canvasNode);
  const viewer = new NavigatedViewer({ container: canvasNode });
  const { warnings } = await viewer.importXML(xml);
  if (warnings.length) {
    console.warn('diagram imported with warnings', warnings);
  }
  viewer.get('canvas').zoom('fit-viewport');
  markSteps(viewer, options);
  const range = paintHeat(viewer, options.heat, heatLabel);
  if (range) {
    container.append(heatLegend(range, heatLabel));
  }
  container.classList.add('casemgr-diagram-ready');
  return viewer;
}

// A case page: <div data-case-diagram data-diagram-url="..."> fetches the case's diagram.
async function showCase(container) {
  const status = container.parentElement.querySelector('.case-diagram-status');
  const response = await fetch(container.dataset.diagramUrl, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`the diagram could not be loaded (${response.status})`);
  }
  const diagram = await response.json();
  const viewer = await show(container, diagram.xml, diagram);
  if (status) {
    status.textContent = `Process ${diagram.process_key}, version ${diagram.version}.`;
  }
  return viewer;
}

function start() {
  document.querySelectorAll('[data-case-diagram]').forEach((container) => {
    showCase(container)
      .then((viewer) => {
        window.casemgrCaseViewer = viewer;
      })
      .catch((error) => {
        const status = container.parentElement.querySelector('.case-diagram-status');
        container.classList.add('casemgr-diagram-failed');
        if (status) {
          status.textContent = `Failed: ${error.message}`;
        }
      });
  });
}

window.casemgrViewer = { show };
document.addEventListener('DOMContentLoaded', start);
