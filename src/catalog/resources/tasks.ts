import type { ActionDef, ResourceDef, WriteBody } from '../types.js';
import { TRUE_OR_FALSE, WHOLE_NUMBER, bool, dt, id, int, obj, str } from '../fields.js';
import { objectOf, prop } from '../bodies.js';

const TASK_FILTERS = ['completed', 'contact_id', 'has_due_date', 'user_id'];
const TASK_FILTER_TYPES = { completed: TRUE_OR_FALSE, contact_id: WHOLE_NUMBER, has_due_date: TRUE_OR_FALSE, user_id: WHOLE_NUMBER };
const UNCONFIRMED = 'UNCONFIRMED: the spec does not say which field since/until apply to; modification_date is assumed.';
const taskDates: ActionDef['dateFilter'] = { since: 'since', until: 'until', field: 'modification_date', kind: 'updated-unconfirmed' };

const TASK_PROPERTIES = [
  objectOf('contact', { email: 'string', first_name: 'string', id: 'integer', last_name: 'string' }),
  prop('funnel_id', 'integer'),
  prop('jgraph_id', 'integer'),
];
const TASK_CREATE: WriteBody = {
  fields: 'writable',
  properties: TASK_PROPERTIES,
  rules: [{ kind: 'all-of', fields: ['title', 'due_date'], quote: 'must contain at least one item in the fields `title` and `due_date`' }],
};
const TASK_UPDATE: WriteBody = { fields: 'writable', properties: TASK_PROPERTIES };

export const tasks: ResourceDef = {
  name: 'tasks',
  aliases: ['task', 'Task'],
  title: 'Task',
  description: 'Tasks.',
  fields: [
    id(),
    bool('completed'),
    dt('completion_date'),
    obj('contact', ['email', 'first_name', 'id', 'last_name']),
    dt('creation_date', { readOnly: true }),
    str('description'),
    dt('due_date'),
    dt('modification_date', { readOnly: true }),
    int('priority'),
    int('remind_time'),
    str('title'),
    str('type'),
    str('url'),
    int('user_id'),
  ],
  keyFields: ['id'],
  updatedField: 'modification_date',
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/tasks',
      shape: { kind: 'page', key: 'tasks' },
      dateFilter: taskDates,
      filters: TASK_FILTERS,
      operationId: 'listTasksUsingGET',
      note: UNCONFIRMED,
      filterTypes: TASK_FILTER_TYPES,
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/tasks/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Task id.' }],
      operationId: 'getTaskUsingGET',
    },
    {
      id: 'read-search',
      kind: 'read',
      title: 'Read search',
      method: 'GET',
      path: '/tasks/search',
      shape: { kind: 'page', key: 'tasks' },
      dateFilter: taskDates,
      filters: TASK_FILTERS,
      operationId: 'listTasksForCurrentUserUsingGET',
      filterTypes: TASK_FILTER_TYPES,
      note: `Only the authenticated user's tasks. ${UNCONFIRMED}`,
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/tasks',
      operationId: 'createTaskUsingPOST',
      body: TASK_CREATE,
    },
    {
      id: 'update',
      kind: 'update',
      title: 'Update',
      method: 'PATCH',
      path: '/tasks/{id}',
      operationId: 'updatePropertiesOnTaskUsingPATCH',
      body: TASK_UPDATE,
      note: 'Keap does not update task custom fields here.',
    },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/tasks/{id}', operationId: 'deleteTaskUsingDELETE' },
  ],
  deviations: [
    {
      what: 'Read and Read search operationIds are listTasksUsingGET and listTasksForCurrentUserUsingGET',
      why: "The seed's documentation links name getTaskUsingGET for both.",
    },
    {
      what: 'due_date is writable',
      why: "The seed marks it read-only, but the spec's create and update bodies take it; a task's due date is set on write.",
    },
  ],
};
