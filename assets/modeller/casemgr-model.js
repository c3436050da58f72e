// Reading and writing what casemgr keeps in a diagram, through the bpmn-js services.
// `modeler` is anything with get(name) for 'modeling' and 'moddle'.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export const TIMER_TYPES = [
  { value: 'timeDate', label: 'Date: a moment' },
  { value: 'timeDuration', label: 'Duration: how long from now' },
  { value: 'timeCycle', label: 'Cycle: repeating' },
];

export function extensionValues(businessObject) {
  const extensions = businessObject.extensionElements;
  return (extensions && extensions.values) || [];
}

export function propertiesOf(businessObject) {
  return extensionValues(businessObject).find((value) => is(value, 'spiffworkflow:Properties'));
}

export function propertyValue(element, name) {
  const properties = propertiesOf(getBusinessObject(element));
  const property = properties && properties.properties.find((each) => each.name === name);
  return property ? property.value : '';
}

// TODO: each missing container is its own command, so undo may take a few steps; bpmn-js
// has no public way to group commands from outside a command handler.
function extensionsOf(modeler, element) {
  const businessObject = getBusinessObject(element);
  let extensions = businessObject.extensionElements;
  if (!extensions) {
    extensions = modeler.get('moddle').create('bpmn:ExtensionElements', { values: [] });
    extensions.$parent = businessObject;
    modeler.get('modeling').updateProperties(element, { extensionElements: extensions });
  }
  return extensions;
}

function addExtension(modeler, element, value) {
  const extensions = extensionsOf(modeler, element);
  value.$parent = extensions;
  modeler.get('modeling').updateModdleProperties(element, extensions, {
    values: [...extensions.values, value],
  });
  return value;
}

function propertiesContainer(modeler, element) {
  const found = propertiesOf(getBusinessObject(element));
  if (found) {
    return found;
  }
  const container = modeler.get('moddle').create('spiffworkflow:Properties', { properties: [] });
  return addExtension(modeler, element, container);
}

/** Set (or, with an empty value, remove) one spiffworkflow property of an element. */
export function setProperty(modeler, element, name, value) {
  const modeling = modeler.get('modeling');
  const existing = propertiesOf(getBusinessObject(element));
  const property = existing && existing.properties.find((each) => each.name === name);
  if (!value) {
    if (property) {
      const rest = existing.properties.filter((each) => each !== property);
      modeling.updateModdleProperties(element, existing, { properties: rest });
    }
    return;
  }
  if (property) {
    modeling.updateModdleProperties(element, property, { value });
    return;
  }
  const container = propertiesContainer(modeler, element);
  const created = modeler.get('moddle').create('spiffworkflow:Property', { name, value });
  created.$parent = container;
  modeling.updateModdleProperties(element, container, {
    properties: [...container.properties, created],
  });
}

export function expression(modeler, body) {
  return body ? modeler.get('moddle').create('bpmn:FormalExpression', { body }) : undefined;
}

// -- lanes ------------------------------------------------------------------------------

/** The role a lane name maps to, as casemgr.processes.lint.role_for_lane does. */
export function roleForName(name) {
  return (name || '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

// -- timers -----------------------------------------------------------------------------

export function timerOf(element) {
  const definitions = getBusinessObject(element).eventDefinitions || [];
  return definitions.find((definition) => is(definition, 'bpmn:TimerEventDefinition'));
}

export function timerType(timer) {
  const found = TIMER_TYPES.find(({ value }) => timer.get(value));
  return found ? found.value : '';
}

export function timerBody(timer) {
  const type = timerType(timer);
  return type ? timer.get(type).body || '' : '';
}

/** Give a timer event its type and expression (both kept when only one changes). */
export function setTimer(modeler, element, type, body) {
  const timer = timerOf(element);
  const update = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
  update[type || 'timeDate'] = expression(modeler, body) ||
    modeler.get('moddle').create('bpmn:FormalExpression', { body: '' });
  modeler.get('modeling').updateModdleProperties(element, timer, update);
}

// -- gateway flows ----------------------------------------------------------------------

export function isGatewayFlow(element) {
  return is(element, 'bpmn:SequenceFlow') && element.source &&
    (is(element.source, 'bpmn:ExclusiveGateway') || is(element.source, 'bpmn:InclusiveGateway'));
}

export function isDefaultFlow(element) {
  return getBusinessObject(element.source).default === getBusinessObject(element);
}

// -- service tasks ----------------------------------------------------------------------

export function operatorOf(element) {
  return extensionValues(getBusinessObject(element)).find(
    (value) => is(value, 'spiffworkflow:ServiceTaskOperator'));
}

export function parameterOf(element, name) {
  const operator = operatorOf(element);
  const parameters = operator && operator.parameters && operator.parameters.parameters;
  return (parameters || []).find((parameter) => parameter.id === name);
}

// Parameter values are expressions; the panel writes quoted literals and shows them bare.
export function literalOf(value) {
  const match = /^'([^'\\]*)'$/.exec((value || '').trim());
  return match ? match[1] : value || '';
}

/** Set a service task's kind; a new kind starts with no parameters. */
export function setServiceKind(modeler, element, kind) {
  const moddle = modeler.get('moddle');
  const modeling = modeler.get('modeling');
  const operator = operatorOf(element);
  if (!kind) {
    if (operator) {
      const extensions = getBusinessObject(element).extensionElements;
      modeling.updateModdleProperties(element, extensions, {
        values: extensions.values.filter((value) => value !== operator),
      });
    }
    return;
  }
  const parameters = moddle.create('spiffworkflow:Parameters', { parameters: [] });
  if (operator) {
    parameters.$parent = operator;
    modeling.updateModdleProperties(element, operator, { id: kind, parameters });
    return;
  }
  const created = moddle.create('spiffworkflow:ServiceTaskOperator', { id: kind, parameters });
  parameters.$parent = created;
  addExtension(modeler, element, created);
}

/** Set a service task parameter to a quoted literal (or remove it when empty). */
export function setServiceParameter(modeler, element, name, text) {
  const modeling = modeler.get('modeling');
  const container = operatorOf(element).parameters;
  const existing = parameterOf(element, name);
  const rest = container.parameters.filter((parameter) => parameter !== existing);
  if (!text) {
    modeling.updateModdleProperties(element, container, { parameters: rest });
    return;
  }
  const value = `'${text.replace(/['\\]/g, '')}'`;
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const parameter = modeler.get('moddle').create('spiffworkflow:Parameter', {
    id: name, type: 'str', value,
  });
  parameter.$parent = container;
  modeling.updateModdleProperties(element, container, { parameters: [...rest, parameter] });
}
