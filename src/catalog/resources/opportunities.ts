import type { ResourceDef, WriteBody } from '../types.js';
import { WHOLE_NUMBER, bool, dt, id, int, num, obj, str } from '../fields.js';
import { CUSTOM_FIELDS, CUSTOM_FIELDS_WRITE, objectOf, prop } from '../bodies.js';

/** Create and update take the same body (the spec says so of PATCH in prose); its two dates are plain text. */
const OPPORTUNITY_BODY: WriteBody = {
  fields: 'writable',
  properties: [
    prop('estimated_close_date', 'string'),
    prop('next_action_date', 'string'),
    objectOf('contact', {
      company_name: 'string',
      email: 'string',
      first_name: 'string',
      id: 'integer',
      job_title: 'string',
      last_name: 'string',
      phone_number: 'string',
    }),
    objectOf('stage', {
      details: {
        object: {
          check_list_items: {
            array: {
              description: 'string',
              done_date: 'datetime',
              id: 'integer',
              instance_id: 'integer',
              item_order: 'integer',
              required: 'boolean',
            },
          },
          probability: 'integer',
          stage_order: 'integer',
          target_num_days: 'integer',
        },
      },
      id: 'integer',
      name: 'string',
      reasons: { items: 'string' },
    }),
    objectOf('user', { first_name: 'string', id: 'integer', last_name: 'string' }),
    CUSTOM_FIELDS,
  ],
  required: ['contact', 'contact.id', 'opportunity_title', 'stage', 'stage.id'],
};

export const opportunities: ResourceDef = {
  name: 'opportunities',
  aliases: ['opportunity', 'Opportunity', 'deals'],
  title: 'Opportunity',
  description: 'Sales opportunities, with custom fields (one extra request per record). No date filter.',
  fields: [
    id(),
    int('affiliate_id'),
    obj('contact', ['company_name', 'email', 'first_name', 'id', 'job_title', 'last_name', 'phone_number']),
    dt('date_created'),
    dt('estimated_close_date'),
    int('include_in_forecast'),
    dt('last_updated'),
    dt('next_action_date'),
    str('next_action_notes'),
    str('opportunity_notes'),
    str('opportunity_title'),
    num('projected_revenue_high'),
    num('projected_revenue_low'),
    obj('stage', ['details', 'id', 'name', 'reasons']),
    obj('user', ['first_name', 'id', 'last_name']),
  ],
  keyFields: ['id'],
  arrayWrites: [CUSTOM_FIELDS_WRITE],
  customFields: { modelPath: '/opportunities/model', via: 'single' },
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/opportunities',
      shape: { kind: 'page', key: 'opportunities' },
      filters: ['search_term', 'stage_id', 'user_id'],
      operationId: 'listOpportunitiesUsingGET',
      filterTypes: { stage_id: WHOLE_NUMBER, user_id: WHOLE_NUMBER },
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/opportunities/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Opportunity id.' }],
      operationId: 'getOpportunityUsingGET',
    },
    {
      id: 'read-stage-pipelines',
      kind: 'read',
      title: 'Read Stage Pipeline',
      method: 'GET',
      path: '/opportunity/stage_pipeline',
      shape: { kind: 'array' },
      recordsOf: 'opportunity-stage-pipelines',
      operationId: 'listOpportunityStagePipelinesUsingGET',
      note: 'Records are pipeline stages, as in opportunity-stage-pipelines.',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/opportunities',
      operationId: 'createOpportunityUsingPOST',
      body: OPPORTUNITY_BODY,
    },
    {
      id: 'update',
      kind: 'update',
      title: 'Update',
      method: 'PATCH',
      path: '/opportunities/{id}',
      operationId: 'updatePropertiesOnOpportunityUsingPATCH',
      body: OPPORTUNITY_BODY,
    },
  ],
  deviations: [
    {
      what: 'projected_revenue_high and projected_revenue_low are numbers',
      why: 'The seed types them DT_I4; the spec has number (double).',
    },
    {
      what: 'contact includes phone_number',
      why: "The seed's Contact template has it too; listed here because the spec's opportunity contact is the one schema that carries it.",
    },
  ],
};

export const opportunityStagePipelines: ResourceDef = {
  name: 'opportunity-stage-pipelines',
  aliases: [
    'opportunity-stage-pipeline',
    'opportunity_stage_pipelines',
    'stage-pipelines',
    'stage-pipeline',
    'stage_pipelines',
    'pipelines',
    'Opportunity Stage Pipeline',
  ],
  title: 'Opportunity Stage Pipeline',
  description: 'The stages of the opportunity pipeline.',
  fields: [
    bool('end_stage', { readOnly: true }),
    bool('is_default', { readOnly: true }),
    int('stage_count', { readOnly: true }),
    int('stage_id', { key: true, readOnly: true }),
    str('stage_name', { readOnly: true }),
    int('stage_order', { readOnly: true }),
  ],
  keyFields: ['stage_id'],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/opportunity/stage_pipeline',
      shape: { kind: 'array' },
      operationId: 'listOpportunityStagePipelinesUsingGET',
    },
  ],
  deviations: [{ what: 'Read is a bare array', why: 'GET /opportunity/stage_pipeline returns a JSON array, not a page.' }],
};
