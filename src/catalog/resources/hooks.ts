import type { ResourceDef, WriteBody } from '../types.js';
import { str } from '../fields.js';

const HOOK_BODY: WriteBody = { fields: 'writable' };

export const hooks: ResourceDef = {
  name: 'hooks',
  aliases: ['hook', 'Hook', 'rest-hooks', 'webhooks', 'REST Hook'],
  title: 'REST Hook',
  description: 'REST hook subscriptions (webhooks).',
  fields: [str('key', { key: true, readOnly: true }), str('eventKey'), str('hookUrl'), str('status', { readOnly: true })],
  keyFields: ['key'],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/hooks',
      shape: { kind: 'array' },
      operationId: 'list_stored_hook_subscriptions',
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/hooks/{key}',
      shape: { kind: 'object' },
      params: [{ name: 'key', description: 'Hook subscription key.' }],
      operationId: 'retrieve_a_hook_subscription',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/hooks',
      operationId: 'create_a_hook_subscription',
      body: HOOK_BODY,
    },
    {
      id: 'update',
      kind: 'update',
      title: 'Update',
      method: 'PUT',
      path: '/hooks/{key}',
      operationId: 'update_a_hook_subscription',
      body: HOOK_BODY,
    },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/hooks/{key}', operationId: 'delete_a_hook_subscription' },
  ],
  deviations: [
    { what: 'Read is a bare array', why: 'GET /hooks returns a JSON array, not a page.' },
    {
      what: 'Delete takes key from the record',
      why: 'The seed fills DELETE /hooks/{key} from a user parameter; like every write, it comes from the record here.',
    },
  ],
};
