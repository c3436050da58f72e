// The process modeller page: bpmn-js with its properties panel, loading the process's
// draft from the URL in data-draft-url and saving, checking and deploying it through
// the casemgr routes named by the other data- attributes of #modeller.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import CasemgrPropertiesModule, * as casemgrProperties from './casemgr-properties';
import spiffworkflow from './spiffworkflow.json';

const ERROR_MARKER = 'has-error';
const ERROR_OVERLAY = 'casemgr-error';

function createModeller(root) {
  return new BpmnModeler({
    // The roles, forms, service task kinds and messages casemgr knows, from the page.
    casemgr: JSON.parse(root.dataset.options),
    container: root.querySelector('.modeller-canvas'),
    propertiesPanel: {
      parent: root.querySelector('.modeller-properties'),
      layout: { groups: { casemgr: { open: true }, general: { open: true } } },
    },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CasemgrPropertiesModule,
    ],
    moddleExtensions: { spiffworkflow },
  });
}

class ModellerPage {
  constructor(root) {
    this.root = root;
    this.urls = root.dataset;
    this.modeler = createModeller(root);
    this.status = root.querySelector('.modeller-status');
    this.errorList = root.querySelector('.modeller-errors');
    this.marked = [];
  }

  async load() {
    const response = await fetch(this.urls.draftUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`could not load the diagram (${response.status})`);
    }
    const { warnings } = await this.modeler.importXML(await response.text());
    this.modeler.get('canvas').zoom('fit-viewport');
    this.root.classList.add('modeller-ready');
    if (warnings.length) {
      console.warn('diagram imported with warnings', warnings);
    }
    this.say(warnings.length
      ? `Loaded with ${warnings.length} import warning(s); see the browser console.`
      : 'Loaded. Edit the diagram, then check or save the draft.');
  }

  async xml() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  post(url, body) {
    const headers = { 'X-CSRFToken': this.urls.csrfToken, Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/xml';
    }
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers, body });
  }

  async check(url, done) {
    this.say('Checking…');
    const response = await this.post(url, await this.xml());
    const answer = await readJson(response);
    if (!response.ok && !answer.errors) {
      this.fail(answer, response);
      return null;
    }
    this.showErrors(answer.errors || []);
    this.say(answer.errors && answer.errors.length ? `${answer.errors.length} problem(s)` : done);
    return answer;
  }

  save() {
    return this.check(this.urls.saveUrl, 'Draft saved, no problems found.');
  }

  validate() {
    return this.check(this.urls.validateUrl, 'No problems found.');
  }

  async deploy() {
    // Deploy what is on the screen: save it first, and stop when the save found problems.
    const saved = await this.save();
    if (!saved || !saved.is_valid) {
      return;
    }
    this.say('Deploying…');
    const response = await this.post(this.urls.deployUrl);
    const answer = await readJson(response);
    if (response.status === 422 && answer.errors) {
      this.showErrors(answer.errors);
      this.say(`Not deployed: ${answer.errors.length} problem(s)`);
      return;
    }
    if (!response.ok) {
      this.fail(answer, response);
      return;
    }
    this.showErrors([]);
    const version = this.root.querySelector('.modeller-version');
    version.textContent = `Deployed as version ${answer.version}.`;
    version.dataset.version = answer.version;
    this.say(`Deployed as version ${answer.version}.`);
  }

  showErrors(errors) {
    const canvas = this.modeler.get('canvas');
    const overlays = this.modeler.get('overlays');
    const registry = this.modeler.get('elementRegistry');
    this.marked.forEach((id) => canvas.removeMarker(id, ERROR_MARKER));
    overlays.remove({ type: ERROR_OVERLAY });
    this.marked = [];
    this.errorList.replaceChildren(...errors.map((error) => this.errorItem(error)));
    this.errorList.hidden = errors.length === 0;

    errors.forEach((error, index) => {
      const element = error.element_id && registry.get(error.element_id);
      if (!element || this.marked.includes(error.element_id)) {
        return;
      }
      canvas.addMarker(element, ERROR_MARKER);
      overlays.add(element, ERROR_OVERLAY, {
        position: { top: -10, right: 10 },
        html: badge(index + 1, error.message),
      });
      this.marked.push(error.element_id);
    });
  }

  errorItem(error) {
    const item = document.createElement('li');
    item.dataset.errorFor = error.element_id || '';
    if (error.element_id) {
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'link element-id';
      link.textContent = error.element_id;
      link.addEventListener('click', () => this.select(error.element_id));
      item.append(link, ': ');
    }
    item.append(error.message);
    return item;
  }

  select(elementId) {
    const element = this.modeler.get('elementRegistry').get(elementId);
    if (element) {
      this.modeler.get('selection').select(element);
      this.modeler.get('canvas').scrollToElement(element);
    }
  }

  say(text) {
    this.status.textContent = text;
  }

  fail(answer, response) {
    const message = (answer.error && answer.error.message) || response.statusText;
    this.say(`Failed (${response.status}): ${message}`);
  }

  bindButtons() {
    const actions = { save: () => this.save(), validate: () => this.validate() };
    actions.deploy = () => this.deploy();
    this.root.querySelectorAll('button[data-action]').forEach((button) => {
      button.addEventListener('click', () => this.run(actions[button.dataset.action]));
    });
  }

  async run(action) {
    this.root.classList.add('modeller-busy');
    try {
      await action();
    } catch (error) {
      this.say(`Failed: ${error.message}`);
    } finally {
      this.root.classList.remove('modeller-busy');
    }
  }
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

function badge(number, message) {
  const mark = document.createElement('span');
  mark.className = 'modeller-error-badge';
  mark.textContent = String(number);
  mark.title = message;
  return mark;
}

function start() {
  const root = document.getElementById('modeller');
  if (!root) {
    return;
  }
  const page = new ModellerPage(root);
  // For the browser tests and the console: the bpmn-js API and casemgr's property helpers.
  window.casemgrModeller = page.modeler;
  window.casemgrModellerPage = page;
  window.casemgrProperties = casemgrProperties;
  page.bindButtons();
  page.load().catch((error) => page.say(`Failed: ${error.message}`));
}

document.addEventListener('DOMContentLoaded', start);
