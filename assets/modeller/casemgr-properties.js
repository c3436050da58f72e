// A "casemgr" group in the properties panel: the task form a user task shows, kept as
// <spiffworkflow:property name="form"> like the diagrams in workflows/ do.
import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';

export function propertyValue(element, name) {
  const properties = propertiesOf(element.businessObject);
  const property = properties && properties.properties.find((each) => each.name === name);
  return property ? property.value : '';
}

// TODO: each missing container is its own command, so undo may take a few steps.
export function setProperty(modeler, element, name, value) {
  const modeling = modeler.get('modeling');
  const container = propertiesContainer(modeler, element);
  const existing = container.properties.find((each) => each.name === name);
  if (!value) {
    if (existing) {
      const rest = container.properties.filter((each) => each !== existing);
      modeling.updateModdleProperties(element, container, { properties: rest });
    }
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const property = modeler.get('moddle').create('spiffworkflow:Property', { name, value });
  property.$parent = container;
  modeling.updateModdleProperties(element, container, {
    properties: [...container.properties, property],
  });
}

function propertiesOf(businessObject) {
  const extensions = businessObject.extensionElements;
  const values = (extensions && extensions.values) || [];
  return values.find((value) => is(value, 'spiffworkflow:Properties'));
}

function propertiesContainer(modeler, element) {
  const moddle = modeler.get('moddle');
  const modeling = modeler.get('modeling');
  const businessObject = element.businessObject;
  let extensions = businessObject.extensionElements;
  if (!extensions) {
    extensions = moddle.create('bpmn:ExtensionElements', { values: [] });
    extensions.$parent = businessObject;
    modeling.updateProperties(element, { extensionElements: extensions });
  }
  let container = propertiesOf(businessObject);
  if (!container) {
    container = moddle.create('spiffworkflow:Properties', { properties: [] });
    container.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, {
      values: [...extensions.values, container],
    });
  }
  return container;
}

function FormEntry({ element }) {
  // Hooks run while rendering only, so take the services now for the later setValue.
  const services = { modeling: useService('modeling'), moddle: useService('moddle') };
  const modeler = { get: (name) => services[name] };
  return h(TextFieldEntry, {
    element,
    id: 'casemgr-form',
    label: 'Form',
    description: 'The task form staff fill in, such as triage or resolve.',
    getValue: () => propertyValue(element, 'form'),
    setValue: (value) => setProperty(modeler, element, 'form', (value || '').trim()),
    debounce: useService('debounceInput'),
  });
}

function CasemgrPropertiesProvider(propertiesPanel) {
  propertiesPanel.registerProvider(500, this);
}

CasemgrPropertiesProvider.$inject = ['propertiesPanel'];

CasemgrPropertiesProvider.prototype.getGroups = function getGroups(element) {
  return (groups) => {
    if (!is(element, 'bpmn:UserTask')) {
      return groups;
    }
    const entries = [
      { id: 'casemgr-form', element, component: FormEntry, isEdited: isTextFieldEntryEdited },
    ];
    return [...groups, { id: 'casemgr', label: 'casemgr', entries }];
  };
};

export default {
  __init__: ['casemgrPropertiesProvider'],
  casemgrPropertiesProvider: ['type', CasemgrPropertiesProvider],
};
