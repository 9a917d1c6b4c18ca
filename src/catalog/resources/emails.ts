import type { ResourceDef, WriteBody } from '../types.js';
import { TRUE_OR_FALSE, WHOLE_NUMBER, dt, id, int, str } from '../fields.js';
import { oneOf, prop } from '../bodies.js';

const EMAIL_CREATE: WriteBody = {
  fields: 'writable',
  properties: [oneOf('original_provider', ['UNKNOWN', 'INFUSIONSOFT', 'MICROSOFT', 'GOOGLE']), prop('provider_source_id', 'string')],
  required: ['sent_to_address'],
};

export const emails: ResourceDef = {
  name: 'emails',
  aliases: ['email', 'Email', 'email-records'],
  title: 'Email',
  description: 'Email records (sent and received emails logged in Keap).',
  fields: [
    id(),
    dt('clicked_date'),
    int('contact_id'),
    str('headers'),
    dt('opened_date'),
    str('original_provider'),
    str('original_provider_id'),
    dt('received_date'),
    dt('sent_date'),
    str('sent_from_address'),
    str('sent_from_reply_address'),
    str('sent_to_address'),
    str('sent_to_bcc_addresses'),
    str('sent_to_cc_addresses'),
    str('subject'),
    str('html_content', { description: 'Only returned by Read single.' }),
    str('plain_content', { description: 'Only returned by Read single.' }),
  ],
  keyFields: ['id'],
  updatedField: 'sent_date',
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/emails',
      shape: { kind: 'page', key: 'emails' },
      dateFilter: { since: 'since_sent_date', until: 'until_sent_date', field: 'sent_date', kind: 'event' },
      filters: ['contact_id', 'email', 'ordered'],
      filterTypes: { contact_id: WHOLE_NUMBER, ordered: TRUE_OR_FALSE },
      operationId: 'listEmailsUsingGET',
      note: 'Keap warns this endpoint is slow on very large accounts; --where ordered=false turns off sorting.',
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/emails/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Email id.' }],
      operationId: 'getEmailUsingGET',
    },
    {
      id: 'read-by-contact',
      kind: 'read',
      title: 'Read contact',
      method: 'GET',
      path: '/contacts/{contact_id}/emails',
      shape: { kind: 'page', key: 'emails' },
      params: [{ name: 'contact_id', description: 'Contact id.' }],
      filters: ['email'],
      operationId: 'listEmailsForContactUsingGET',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/emails',
      operationId: 'createEmailUsingPOST',
      body: EMAIL_CREATE,
    },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/emails/{id}', operationId: 'deleteEmailUsingDELETE' },
  ],
  deviations: [
    {
      what: 'Update omitted',
      why: 'The seed has Update as PUT /emails/{id} (updateEmailUsingPUT); the Nov 2025 spec has no such operation.',
    },
  ],
};
