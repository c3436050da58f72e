// The "casemgr" group of the properties panel: every property casemgr reads from a diagram.
//
// - lane: its role, kept as <spiffworkflow:property name="role"> on the lane (lint and task
//   routing read it; without it the lane's name maps to a role);
// - user task: a named form, or inline fields (<spiffworkflow:property name="form|fields">);
// - timer events: the timer's type and expression, with business-calendar examples;
// - script task: its script; flows out of exclusive/inclusive gateways: condition, default;
// - service task: its kind as the <spiffworkflow:serviceTaskOperator> id, and parameters.
//
// The choices (roles, forms, kinds, messages) come from the page: config.casemgr.
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
} from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import {
  TIMER_TYPES,
  expression,
  isDefaultFlow,
  isGatewayFlow,
  literalOf,
  operatorOf,
  parameterOf,
  propertyValue,
  roleForName,
  setProperty,
  setServiceKind,
  setServiceParameter,
  setTimer,
  timerBody,
  timerOf,
  timerType,
} from './casemgr-model';

export * from './casemgr-model';

const TIMER_HINT =
  'A Python expression over the case data. Quote a literal: ' +
  "'PT4H' (a duration) or '2026-12-24T09:00:00+07:00' (a date with its offset). " +
  'business_due(start, amount, unit) counts working time on the unit calendar.';
export const CALENDAR_EXAMPLE = "business_due(filed_at, 3, 'working_days')";
const DURATION_EXAMPLE = "'PT4H'";

// The services a component needs later (in setValue), taken while it renders.
function useServices() {
  const services = { modeling: useService('modeling'), moddle: useService('moddle') };
  return { get: (name) => services[name] };
}

// -- lanes ------------------------------------------------------------------------------

function LaneRoleEntry({ element, id, options }) {
  const modeler = useServices();
  const byName = roleForName(getBusinessObject(element).name);
  const fallback = options.roles.includes(byName) ? byName : 'none: choose one';
  return h(SelectEntry, {
    element,
    id,
    label: 'Role',
    description: 'Who works on the user tasks in this lane.',
    getValue: () => propertyValue(element, 'role'),
    setValue: (value) => setProperty(modeler, element, 'role', value),
    getOptions: () =>
      choices([{ value: '', label: `From the lane name (${fallback})` }],
        options.roles, propertyValue(element, 'role')),
  });
}

// Options for a select: the fixed ones, the known values, and the current value when it is
// not among them (so an unknown value shows instead of vanishing).
function choices(first, known, current, label = (value) => value) {
  const listed = known.map((value) => ({ value, label: label(value) }));
  const unknown = current && !known.includes(current)
    ? [{ value: current, label: `${current} (unknown)` }] : [];
  return [...first, ...listed, ...unknown];
}

// -- user tasks -------------------------------------------------------------------------

function FormEntry({ element, id, options }) {
  const modeler = useServices();
  return h(SelectEntry, {
    element,
    id,
    label: 'Form',
    description: 'The task form staff fill in; or leave it and list the fields below.',
    getValue: () => propertyValue(element, 'form'),
    setValue: (value) => setProperty(modeler, element, 'form', value),
    getOptions: () =>
      choices([{ value: '', label: '(none: use the fields)' }], options.forms,
        propertyValue(element, 'form')),
  });
}

function FieldsEntry({ element, id, options }) {
  const modeler = useServices();
  return h(TextAreaEntry, {
    element,
    id,
    label: 'Fields',
    description:
      'Instead of a form: name:type, with ! for required and (a|b) for choices, e.g. ' +
      `decision:select(accept|reject)!, note:textarea. Types: ${options.field_types.join(', ')}.`,
    getValue: () => propertyValue(element, 'fields'),
    setValue: (value) => setProperty(modeler, element, 'fields', (value || '').trim()),
    debounce: useService('debounceInput'),
    monospace: true,
    rows: 3,
  });
}

// -- timers -----------------------------------------------------------------------------

function TimerTypeEntry({ element, id }) {
  const modeler = useServices();
  const timer = timerOf(element);
  return h(SelectEntry, {
    element,
    id,
    label: 'Timer type',
    getValue: () => timerType(timer),
    setValue: (value) => setTimer(modeler, element, value, timerBody(timer)),
    getOptions: () => [{ value: '', label: '(choose)' }, ...TIMER_TYPES],
  });
}

function TimerExpressionEntry({ element, id }) {
  const modeler = useServices();
  const timer = timerOf(element);
  return h(TextAreaEntry, {
    element,
    id,
    label: 'Timer expression',
    description: TIMER_HINT,
    getValue: () => timerBody(timer),
    setValue: (value) => setTimer(modeler, element, timerType(timer), (value || '').trim()),
    debounce: useService('debounceInput'),
    monospace: true,
    rows: 2,
  });
}

function exampleButton(label, title, onClick) {
  return h('button', { type: 'button', class: 'casemgr-example', title, onClick }, label);
}

function TimerExamplesEntry({ element, id }) {
  const modeler = useServices();
  const use = (type, body) => () => setTimer(modeler, element, type, body);
  return h('div', { class: 'bio-properties-panel-entry casemgr-examples', 'data-entry-id': id },
    h('span', { class: 'bio-properties-panel-label' }, 'Insert an example'),
    exampleButton(CALENDAR_EXAMPLE, 'Due 3 working days after filing, on the unit calendar',
      use('timeDate', CALENDAR_EXAMPLE)),
    exampleButton(DURATION_EXAMPLE, 'Four hours from when the timer starts',
      use('timeDuration', DURATION_EXAMPLE)));
}

// -- scripts and gateway flows ----------------------------------------------------------

function ScriptEntry({ element, id }) {
  const modeling = useService('modeling');
  return h(TextAreaEntry, {
    element,
    id,
    label: 'Script',
    description: 'Python, run restricted: set case data by assigning names.',
    getValue: () => getBusinessObject(element).script || '',
    setValue: (value) => modeling.updateProperties(element, { script: value || undefined }),
    debounce: useService('debounceInput'),
    monospace: true,
    rows: 8,
  });
}

function ConditionEntry({ element, id }) {
  const modeler = useServices();
  return h(TextAreaEntry, {
    element,
    id,
    label: 'Condition',
    description: isDefaultFlow(element)
      ? 'This is the default flow: it is taken when no other condition holds.'
      : "A Python expression over the case data, e.g. decision == 'reject'.",
    getValue: () => {
      const condition = getBusinessObject(element).conditionExpression;
      return condition ? condition.body || '' : '';
    },
    setValue: (value) => modeler.get('modeling').updateProperties(element, {
      conditionExpression: expression(modeler, (value || '').trim()),
    }),
    debounce: useService('debounceInput'),
    monospace: true,
    rows: 2,
  });
}

function DefaultFlowEntry({ element, id }) {
  const modeling = useService('modeling');
  return h(CheckboxEntry, {
    element,
    id,
    label: 'Default flow',
    description: 'Taken when no condition of the gateway holds.',
    getValue: () => isDefaultFlow(element),
    setValue: (checked) => modeling.updateProperties(element.source, {
      default: checked ? getBusinessObject(element) : undefined,
    }),
  });
}

// -- service tasks ----------------------------------------------------------------------

function ServiceKindEntry({ element, id, options }) {
  const modeler = useServices();
  const kind = () => (operatorOf(element) ? operatorOf(element).id || '' : '');
  return h(SelectEntry, {
    element,
    id,
    label: 'Kind',
    description: options.service_kinds[kind()] || 'What casemgr does when a case gets here.',
    getValue: kind,
    setValue: (value) => setServiceKind(modeler, element, value),
    getOptions: () =>
      choices([{ value: '', label: '(choose)' }], Object.keys(options.service_kinds), kind()),
  });
}

function ServiceParameterEntry({ element, id, name, label, description, known }) {
  const modeler = useServices();
  const current = () => literalOf((parameterOf(element, name) || {}).value);
  return h(SelectEntry, {
    element,
    id,
    label,
    description,
    getValue: current,
    setValue: (value) => setServiceParameter(modeler, element, name, value),
    getOptions: () => choices([{ value: '', label: '(choose)' }], known, current()),
  });
}

function serviceEntries(element, options) {
  const entries = [{ id: 'casemgr-service-kind', element, options,
    component: ServiceKindEntry, isEdited: isSelectEntryEdited }];
  const operator = operatorOf(element);
  if (!operator || operator.id !== 'notify') {
    return entries;
  }
  return [...entries,
    { id: 'casemgr-notify-message', element, name: 'message', label: 'Message',
      description: 'Which message text to send (notifications/messages.py).',
      known: options.messages, component: ServiceParameterEntry,
      isEdited: isSelectEntryEdited },
    { id: 'casemgr-notify-to', element, name: 'to', label: 'To',
      description: 'The reporter (the default) or the holders of a staff role.',
      known: options.recipients, component: ServiceParameterEntry,
      isEdited: isSelectEntryEdited }];
}

// -- the provider -----------------------------------------------------------------------

function entriesFor(element, options) {
  const entry = (id, component, isEdited) => ({ id, element, options, component, isEdited });
  if (is(element, 'bpmn:Lane')) {
    return [entry('casemgr-lane-role', LaneRoleEntry, isSelectEntryEdited)];
  }
  if (is(element, 'bpmn:UserTask')) {
    return [entry('casemgr-form', FormEntry, isSelectEntryEdited),
      entry('casemgr-fields', FieldsEntry, isTextAreaEntryEdited)];
  }
  if (is(element, 'bpmn:ServiceTask')) {
    return serviceEntries(element, options);
  }
  if (is(element, 'bpmn:ScriptTask')) {
    return [entry('casemgr-script', ScriptEntry, isTextAreaEntryEdited)];
  }
  if (is(element, 'bpmn:Event') && timerOf(element)) {
    return [entry('casemgr-timer-type', TimerTypeEntry, isSelectEntryEdited),
      entry('casemgr-timer-expression', TimerExpressionEntry, isTextAreaEntryEdited),
      entry('casemgr-timer-examples', TimerExamplesEntry, () => false)];
  }
  if (isGatewayFlow(element)) {
    return [entry('casemgr-condition', ConditionEntry, isTextAreaEntryEdited),
      entry('casemgr-default-flow', DefaultFlowEntry, isCheckboxEntryEdited)];
  }
  return [];
}

function CasemgrPropertiesProvider(propertiesPanel, options) {
  this.options = options;
  propertiesPanel.registerProvider(500, this);
}

CasemgrPropertiesProvider.$inject = ['propertiesPanel', 'config.casemgr'];

CasemgrPropertiesProvider.prototype.getGroups = function getGroups(element) {
  return (groups) => {
    const entries = entriesFor(element, this.options);
    if (!entries.length) {
      return groups;
    }
    // The built-in timer group edits the same values without casemgr's hints: one is enough.
    const kept = groups.filter((group) => group.id !== 'timer');
    return [...kept, { id: 'casemgr', label: 'casemgr', entries }];
  };
};

export default {
  __init__: ['casemgrPropertiesProvider'],
  casemgrPropertiesProvider: ['type', CasemgrPropertiesProvider],
};
