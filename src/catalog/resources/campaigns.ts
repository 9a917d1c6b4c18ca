import type { ResourceDef, WriteBody } from '../types.js';
import { bool, dt, id, int, objs, str } from '../fields.js';

/** Adding a contact to a sequence sends no body: the path says everything. */
const SEQUENCE_MEMBERSHIP: WriteBody = { fields: [] };

export const campaigns: ResourceDef = {
  name: 'campaigns',
  aliases: ['campaign', 'Campaign'],
  title: 'Campaign',
  description: 'Campaigns, with their goals and sequences. Create/Delete add or remove a contact in a campaign sequence.',
  fields: [
    id(),
    int('active_contact_count', { readOnly: true }),
    int('completed_contact_count', { readOnly: true }),
    int('created_by_global_id', { readOnly: true }),
    dt('date_created', { readOnly: true }),
    str('error_message', { readOnly: true }),
    objs('goals', ['id', 'historical_contact_counts', 'name', 'next_sequence_ids', 'previous_sequence_ids', 'type'], { readOnly: true }),
    bool('locked', { readOnly: true }),
    str('name', { readOnly: true }),
    dt('published_date', { readOnly: true }),
    bool('published_status', { readOnly: true }),
    str('published_time_zone', { readOnly: true }),
    objs('sequences', ['id', 'active_contact_count', 'active_contact_count_completed', 'historical_contact_count', 'name', 'paths'], {
      readOnly: true,
    }),
    str('time_zone', { readOnly: true }),
    int('sequence_id', { key: true, writeOnly: true, description: 'Sequence to add the contact to or remove it from.' }),
    int('contact_id', { writeOnly: true, description: 'Contact to add to or remove from the sequence.' }),
  ],
  keyFields: ['id', 'sequence_id'],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/campaigns',
      shape: { kind: 'page', key: 'campaigns' },
      filters: ['search_text'],
      stableOrder: { order: 'id', order_direction: 'ASCENDING' },
      listLacks: ['active_contact_count', 'completed_contact_count'],
      operationId: 'listCampaignsUsingGET',
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/campaigns/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Campaign id.' }],
      query: { optional_properties: 'goals,sequences' },
      operationId: 'getCampaignUsingGET',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/campaigns/{id}/sequences/{sequence_id}/contacts/{contact_id}',
      operationId: 'addContactToCampaignSequenceUsingPOST',
      body: SEQUENCE_MEMBERSHIP,
      note: 'Adds contact_id to sequence sequence_id of campaign id; there is no body.',
    },
    {
      id: 'delete',
      kind: 'delete',
      title: 'Delete',
      method: 'DELETE',
      path: '/campaigns/{id}/sequences/{sequence_id}/contacts/{contact_id}',
      operationId: 'removeContactFromCampaignSequenceUsingDELETE',
      note: 'Removes contact_id from sequence sequence_id of campaign id.',
    },
  ],
  deviations: [
    { what: 'contact_id is an integer', why: "The seed types it ShortText; the spec's contactId path parameter is an integer." },
    {
      what: 'Read single asks for goals and sequences',
      why: 'GET /campaigns/{campaignId} omits them unless optional_properties names them (spec).',
    },
  ],
};
