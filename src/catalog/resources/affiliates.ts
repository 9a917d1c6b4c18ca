import type { ResourceDef, WriteBody } from '../types.js';
import { WHOLE_NUMBER, bool, dt, id, int, list, num, str, enumParam } from '../fields.js';
import { oneOf } from '../bodies.js';

const AFFILIATE_CREATE: WriteBody = {
  fields: 'writable',
  properties: [oneOf('status', ['active', 'inactive'])],
  required: ['code', 'contact_id', 'password'],
};

export const affiliates: ResourceDef = {
  name: 'affiliates',
  aliases: ['affiliate', 'Affiliate', 'referral-partners'],
  title: 'Affiliate',
  description: 'Affiliates (referral partners), with their clawbacks, payments and summary on request.',
  fields: [
    id(),
    str('code'),
    int('contact_id'),
    str('name'),
    bool('notify_on_lead'),
    bool('notify_on_sale'),
    int('parent_id'),
    str('status'),
    int('track_leads_for'),
    str('password', { writeOnly: true, description: 'Never returned.' }),
  ],
  keyFields: ['id'],
  gathered: [
    {
      name: 'clawbacks', path: '/affiliates/{id}/clawbacks', shape: { kind: 'page', key: 'clawbacks' }, operationId: 'listAffiliateClawbacksUsingGET',
      components: ['amount', 'contact_id', 'date_earned', 'description', 'family_name', 'given_name', 'invoice_id', 'product_name', 'sale_affiliate_id', 'sold_by_family_name', 'sold_by_given_name', 'subscription_plan_name'],
      description: "The affiliate's commission clawbacks (one request per affiliate).",
    },
    {
      name: 'payments', path: '/affiliates/{id}/payments', shape: { kind: 'page', key: 'payments' }, operationId: 'listPaymentsUsingGET',
      components: ['id', 'amount', 'date', 'notes', 'type'],
      description: 'Payments made to the affiliate (one request per affiliate).',
    },
    {
      name: 'summaries', path: '/affiliates/summaries', shape: { kind: 'list', key: 'summaries' }, operationId: 'listSummariesUsingGET',
      join: { recordField: 'id', itemField: 'affiliate_id' },
      components: ['affiliate_id', 'amount_earned', 'balance', 'clawbacks'],
      description: 'Earnings summary, fetched once per run and joined on affiliate_id.',
    },
  ],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/affiliates', shape: { kind: 'page', key: 'affiliates' },
      filters: ['code', 'contact_id', 'name', 'parent_id', 'program_id', 'status'], stableOrder: { order: 'id', order_direction: 'ASCENDING' }, operationId: 'listAffiliatesUsingGET',
      filterTypes: { status: enumParam('active', 'inactive') },
    },
    {
      id: 'read-single', kind: 'read-single', title: 'Read single', method: 'GET', path: '/affiliates/{id}', shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Affiliate id.' }], operationId: 'getAffiliateUsingGET',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/affiliates', operationId: 'createAffiliateUsingPOST', body: AFFILIATE_CREATE },
  ],
  deviations: [
    { what: 'password is write-only', why: "The spec's create body takes password (required) but no response returns it." },
  ],
};

export const affiliateCommissions: ResourceDef = {
  name: 'affiliate-commissions',
  aliases: ['affiliate-commission', 'affiliate_commissions', 'commissions', 'commission', 'Affiliate Commission'],
  title: 'Affiliate Commission',
  description: 'Commissions earned by affiliates.',
  fields: [
    num('amount_earned'),
    str('contact_first_name'),
    int('contact_id'),
    str('contact_last_name'),
    dt('date_earned', { readOnly: true }),
    str('description'),
    int('invoice_id'),
    str('product_name'),
    int('sales_affiliate_id'),
    str('sold_by_first_name'),
    str('sold_by_last_name'),
  ],
  keyFields: [],
  updatedField: 'date_earned',
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/affiliates/commissions', shape: { kind: 'page', key: 'commissions' },
      dateFilter: { since: 'since', until: 'until', field: 'date_earned', kind: 'event' }, filters: ['affiliateId'], operationId: 'listCommissionsUsingGET',
      filterTypes: { affiliateId: WHOLE_NUMBER },
      note: 'UNCONFIRMED: the spec does not say which field since/until apply to; date_earned (the only date, and the sort key) is assumed.',
    },
  ],
};

export const affiliatePrograms: ResourceDef = {
  name: 'affiliate-programs',
  aliases: ['affiliate-program', 'affiliate_programs', 'programs', 'Affiliate Program'],
  title: 'Affiliate Program',
  description: 'Affiliate (commission) programs.',
  fields: [id(), int('affiliate_id'), str('name'), str('notes'), int('priority')],
  keyFields: ['id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/affiliates/programs', shape: { kind: 'page', key: 'programs' },
      filters: ['affiliate_id'], stableOrder: { order: 'id', order_direction: 'ASCENDING' }, operationId: 'listProgramsUsingGET',
      filterTypes: { affiliate_id: WHOLE_NUMBER },
    },
  ],
};

export const affiliateRedirectLinks: ResourceDef = {
  name: 'affiliate-redirect-links',
  aliases: ['affiliate-redirect-link', 'affiliate_redirect_links', 'redirect-links', 'redirects', 'Affiliate Redirect Link'],
  title: 'Affiliate Redirect Link',
  description: 'Affiliate redirect (tracking) links.',
  fields: [id(), int('affiliate_id'), str('local_url_code'), str('name'), list('program_ids', 'integer'), str('redirect_url')],
  keyFields: ['id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read Redirects', method: 'GET', path: '/affiliates/redirectlinks', shape: { kind: 'page', key: 'redirects' },
      filters: ['affiliate_id'], stableOrder: { order: 'id', order_direction: 'ASCENDING' }, operationId: 'listAffiliateRedirectLinksUsingGET',
    },
  ],
  deviations: [
    { what: 'program_ids is an array of integers', why: 'The seed types it as a LongText composite; the spec has an array of integers.' },
  ],
};
