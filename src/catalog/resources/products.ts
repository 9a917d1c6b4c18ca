import type { ResourceDef, WriteBody } from '../types.js';
import { TRUE_OR_FALSE, bool, id, int, num, objs, str } from '../fields.js';
import { oneOf } from '../bodies.js';

const PRODUCT_OPTION = [
  'id', 'allow_spaces', 'can_contain_character', 'can_contain_number', 'can_end_with_character', 'can_end_with_number',
  'can_start_with_character', 'can_start_with_number', 'display_index', 'label', 'max_chars', 'min_chars', 'name', 'required',
  'text_message', 'type', 'values',
];
const SUBSCRIPTION_PLAN = ['id', 'active', 'cycle', 'frequency', 'number_of_cycles', 'plan_price', 'subscription_plan_index', 'subscription_plan_name', 'url'];
const PRODUCT_FIELDS = [
  'id', 'product_desc', 'product_name', 'product_options', 'product_price', 'product_short_desc', 'sku', 'status', 'subscription_only',
  'subscription_plans', 'url',
];

const PRODUCT_BODY: WriteBody = { fields: 'writable', required: ['product_name'] };
const PLAN_CREATE: WriteBody = {
  fields: 'writable',
  properties: [oneOf('cycle_type', ['YEAR', 'MONTH', 'WEEK', 'DAY'])],
  required: ['cycle_type', 'plan_price'],
};

export const products: ResourceDef = {
  name: 'products',
  aliases: ['product', 'Product'],
  title: 'Product',
  description: 'Products, with their options and subscription plans.',
  fields: [
    id(),
    str('product_desc'),
    str('product_name'),
    objs('product_options', PRODUCT_OPTION, { readOnly: true }),
    num('product_price'),
    str('product_short_desc'),
    str('sku'),
    int('status', { readOnly: true }),
    bool('subscription_only'),
    objs('subscription_plans', SUBSCRIPTION_PLAN, { readOnly: true }),
    str('url', { readOnly: true }),
    bool('active'),
  ],
  keyFields: ['id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/products', shape: { kind: 'page', key: 'products' },
      filters: ['active'], operationId: 'listProductsUsingGET',
      filterTypes: { active: TRUE_OR_FALSE },
    },
    {
      id: 'read-single', kind: 'read-single', title: 'Read single', method: 'GET', path: '/products/{id}', shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Product id.' }], operationId: 'retrieveProductUsingGET',
    },
    {
      id: 'read-subscription', kind: 'read-single', title: 'Read Product Subscription', method: 'GET',
      path: '/products/{product_id}/subscriptions/{subscription_id}', shape: { kind: 'object' },
      params: [{ name: 'product_id', description: 'Product id.' }, { name: 'subscription_id', description: 'Subscription plan id.' }],
      recordsOf: 'product-subscriptions', operationId: 'retrieveProductSubscriptionUsingGET', note: 'Records are subscription plans, as in product-subscriptions.',
    },
    {
      id: 'read-sync', kind: 'read', title: 'Read Synced Products', method: 'GET', path: '/products/sync', shape: { kind: 'page', key: 'product_statuses' },
      filters: ['sync_token'], recordMap: { ...Object.fromEntries(PRODUCT_FIELDS.map((name) => [name, `product.${name}`])), sync_status: 'status' },
      operationId: 'listProductsFromSyncTokenUsingGET', deprecated: true,
      note: 'Deprecated by Keap. Records add sync_status (CREATED, UPDATED, DELETED).',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/products', operationId: 'createProductUsingPOST', body: PRODUCT_BODY },
    { id: 'update', kind: 'update', title: 'Update', method: 'PATCH', path: '/products/{id}', operationId: 'updateProductUsingPATCH', body: PRODUCT_BODY },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/products/{id}', operationId: 'deleteProductUsingDELETE' },
  ],
  deviations: [
    { what: 'image dropped', why: 'No product response has it and the create/update bodies do not take it; images go through POST /products/{productId}/image, which the catalog does not model.' },
    { what: 'Read Synced Products is deprecated and flattened', why: 'The spec deprecates GET /products/sync; its items are {product, status}, not products.' },
    { what: 'Read Product Subscription params are product_id and subscription_id', why: "The seed names them id and subscriptionid; a read by a parent must not reuse read-single's id." },
    { what: 'active is only in Read single', why: 'The spec returns active from GET /products/{productId}; list items carry status instead.' },
  ],
};

export const productSubscriptions: ResourceDef = {
  name: 'product-subscriptions',
  aliases: ['product-subscription', 'product_subscriptions', 'subscription-plans', 'subscription_plans', 'Product Subscription'],
  title: 'Product Subscription',
  description: "A product's subscription plans (--param product_id=N).",
  fields: [
    id(),
    bool('active'),
    str('cycle_type'),
    int('frequency'),
    int('number_of_cycles'),
    num('plan_price'),
    int('subscription_plan_index'),
    int('product_id', { key: true, writeOnly: true, description: 'The product: not in the records read, taken from --param product_id.' }),
  ],
  keyFields: ['product_id', 'id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/products/{product_id}', shape: { kind: 'list', key: 'subscription_plans' },
      params: [{ name: 'product_id', description: 'Product id.' }], operationId: 'retrieveProductUsingGET',
    },
    {
      id: 'read-single', kind: 'read-single', title: 'Read single', method: 'GET', path: '/products/{product_id}/subscriptions/{id}', shape: { kind: 'object' },
      params: [{ name: 'product_id', description: 'Product id.' }, { name: 'id', description: 'Subscription plan id.' }],
      operationId: 'retrieveProductSubscriptionUsingGET',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/products/{product_id}/subscriptions', operationId: 'createProductSubscriptionUsingPOST', body: PLAN_CREATE },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/products/{product_id}/subscriptions/{id}', operationId: 'deleteProductSubscriptionUsingDELETE' },
  ],
  deviations: [
    { what: 'Read comes from the product', why: 'v1 has no list of product subscriptions; GET /products/{productId} carries them as subscription_plans (list shape, not paged).' },
    { what: 'Read single added', why: 'Not in the seed for this resource; the spec has GET /products/{productId}/subscriptions/{subscriptionId}.' },
    { what: 'plan_price is a number', why: 'The seed types it DT_I4; the spec has number (double).' },
  ],
};
