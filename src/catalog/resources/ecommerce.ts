import type { ResourceDef, WriteBody } from '../types.js';
import { TRUE_OR_FALSE, WHOLE_NUMBER, bool, date, dt, id, int, list, num, obj, objs, str } from '../fields.js';
import { arrayOf, listOf, objectOf, oneOf, prop } from '../bodies.js';

const PAYMENT = ['id', 'amount', 'invoice_id', 'last_updated', 'note', 'pay_date', 'pay_status', 'payment_id', 'refund_invoice_payment_id', 'skip_commission'];
const TRANSACTION = ['id', 'amount', 'collection_method', 'contact_id', 'currency', 'errors', 'gateway', 'gateway_account_name', 'order_ids', 'orders', 'status', 'test', 'transaction_date', 'type'];
const ORDER_CONTACT = ['company_name', 'email', 'first_name', 'id', 'job_title', 'last_name'];
const ORDER_ITEM = ['id', 'cost', 'description', 'discount', 'name', 'notes', 'price', 'product', 'quantity', 'type'];
const PAYMENT_PLAN = ['auto_charge', 'credit_card_id', 'days_between_payments', 'initial_payment_amount', 'initial_payment_date', 'number_of_payments', 'payment_gateway', 'plan_start_date'];
const SHIPPING_INFORMATION = ['city', 'company', 'country', 'first_name', 'id', 'invoiceToCompany', 'last_name', 'middle_name', 'phone', 'state', 'street1', 'street2', 'zip'];
const SHIPPING_ADDRESS = ['company', 'country_code', 'first_name', 'is_invoice_to_company', 'last_name', 'line1', 'line2', 'locality', 'middle_name', 'phone', 'region', 'zip_code', 'zip_four'];

const ITEM_TYPES = [
  'UNKNOWN', 'SHIPPING', 'TAX', 'SERVICE', 'PRODUCT', 'UPSELL', 'FINANCE_CHARGE', 'SPECIAL', 'PROGRAM', 'SUBSCRIPTION', 'SPECIAL_FREE_TRIAL_DAYS',
  'SPECIAL_ORDER_TOTAL', 'SPECIAL_PRODUCT', 'SPECIAL_CATEGORY', 'SPECIAL_SHIPPING', 'TIP', 'OTHER',
];
/** v1 takes an order item's price as a string, though it reads it back as a number. */
const ORDER_CREATE: WriteBody = {
  fields: 'writable',
  properties: [
    arrayOf('order_items', { description: 'string', item_type: ITEM_TYPES, price: 'string', product_id: 'integer', quantity: 'integer' }),
    oneOf('order_type', ['Offline', 'Online']),
    objectOf('shipping_address', {
      company: 'string', country_code: 'string', first_name: 'string', is_invoice_to_company: 'boolean', last_name: 'string', line1: 'string',
      line2: 'string', locality: 'string', middle_name: 'string', phone: 'string', region: 'string', zip_code: 'string', zip_four: 'string',
    }),
    listOf('promo_codes', 'string'),
  ],
  required: ['contact_id', 'order_date', 'order_items', 'order_items.product_id', 'order_items.quantity', 'order_title', 'order_type'],
};
const ORDER_ITEM_CREATE: WriteBody = {
  fields: 'writable',
  properties: [prop('price', 'string'), oneOf('item_type', ITEM_TYPES)],
  required: ['product_id', 'quantity'],
};
/** charge_now: true would charge the card on the spot. */
const PAYMENT_CREATE: WriteBody = {
  fields: 'writable',
  properties: [prop('payment_amount', 'string'), oneOf('payment_method_type', ['CREDIT_CARD', 'CASH', 'CHECK', 'TOKEN'])],
  neverTrue: ['charge_now'],
};
/** auto_charge defaults to true in Keap: import sends false unless told otherwise, and never true. */
const SUBSCRIPTION_CREATE: WriteBody = {
  fields: 'writable',
  properties: [prop('allow_duplicate', 'boolean'), prop('first_bill_date', 'date')],
  required: ['contact_id'],
  neverTrue: ['auto_charge'],
};

export const orders: ResourceDef = {
  name: 'orders',
  aliases: ['order', 'Order', 'E-Commerce Order', 'invoices'],
  title: 'E-Commerce Order',
  description: 'Orders (invoices), with their payments and transactions on request.',
  fields: [
    id(),
    bool('allow_payment', { readOnly: true }),
    bool('allow_paypal', { readOnly: true }),
    obj('contact', ORDER_CONTACT, { readOnly: true }),
    dt('creation_date', { readOnly: true }),
    int('lead_affiliate_id'),
    dt('modification_date', { readOnly: true }),
    str('notes', { readOnly: true }),
    dt('order_date'),
    objs('order_items', ORDER_ITEM),
    obj('payment_plan', PAYMENT_PLAN, { readOnly: true }),
    bool('recurring', { readOnly: true }),
    num('refund_total', { readOnly: true }),
    int('sales_affiliate_id'),
    obj('shipping_information', SHIPPING_INFORMATION, { readOnly: true }),
    str('source_type', { readOnly: true }),
    str('status', { readOnly: true }),
    str('terms', { readOnly: true }),
    str('title', { readOnly: true }),
    num('total', { readOnly: true }),
    num('total_due', { readOnly: true }),
    num('total_paid', { readOnly: true }),
    str('order_title', { writeOnly: true, description: 'The title to create the order with (read back as title).' }),
    int('contact_id'),
    obj('shipping_address', SHIPPING_ADDRESS, { writeOnly: true, description: 'Shipping address to create the order with (read back as shipping_information).' }),
    str('order_type'),
  ],
  keyFields: ['id'],
  updatedField: 'modification_date',
  gathered: [
    {
      name: 'payments', path: '/orders/{id}/payments', shape: { kind: 'array' }, operationId: 'listOrderPaymentsUsingGET',
      components: PAYMENT, description: 'Payments on the order (one request per order).',
    },
    {
      name: 'transactions', path: '/orders/{id}/transactions', shape: { kind: 'page', key: 'transactions' }, operationId: 'listTransactionsForOrderUsingGET',
      components: TRANSACTION, description: 'Transactions of the order (one request per order).',
    },
  ],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/orders', shape: { kind: 'page', key: 'orders' },
      dateFilter: { since: 'since', until: 'until', field: 'modification_date', kind: 'updated-unconfirmed' }, filters: ['contact_id', 'paid', 'product_id'],
      filterTypes: { contact_id: WHOLE_NUMBER, paid: TRUE_OR_FALSE, product_id: WHOLE_NUMBER },
      operationId: 'listOrdersUsingGET',
      note: 'UNCONFIRMED: the spec does not say which field since/until apply to; modification_date is assumed.',
    },
    {
      id: 'read-single', kind: 'read-single', title: 'Read single', method: 'GET', path: '/orders/{id}', shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Order id.' }], operationId: 'getOrderUsingGET',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/orders', operationId: 'createOrderUsingPOST', body: ORDER_CREATE },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/orders/{id}', operationId: 'deleteOrderUsingDELETE' },
  ],
  deviations: [
    { what: 'Read operationId is listOrdersUsingGET', why: "The seed's documentation link names getOrderUsingGET, the single-order read." },
    { what: 'shipping_information components follow the spec', why: "The seed's ShippingInfo template (Address plus names) describes the create body's shipping_address, not the order read back." },
    { what: 'order_title and shipping_address are write-only', why: 'They are in the spec\'s create body only; reads return title and shipping_information.' },
    { what: 'Fields the create body does not take are read-only', why: "The seed marks only a few; the spec's create body takes just contact_id, lead_affiliate_id, order_date, order_items, order_title, order_type, sales_affiliate_id and shipping_address." },
  ],
};

export const orderItems: ResourceDef = {
  name: 'order-items',
  aliases: ['order-item', 'order_items', 'order_item', 'items', 'Order Item', 'E-Commerce Order Item'],
  title: 'E-Commerce Order Item',
  description: 'The items of one order (--param order_id=N).',
  fields: [
    id(),
    num('cost', { readOnly: true }),
    str('description'),
    num('discount', { readOnly: true }),
    str('name', { readOnly: true }),
    str('notes', { readOnly: true }),
    num('price'),
    obj('product', ['description', 'id', 'name', 'shippable', 'sku', 'taxable'], { readOnly: true }),
    int('quantity'),
    str('type', { readOnly: true }),
    int('product_id', { writeOnly: true, description: 'Product to add.' }),
    str('item_type', { writeOnly: true, description: 'Item type to create the item with (read back as type).' }),
    int('order_id', { key: true, writeOnly: true, description: 'The order the item belongs to: not in the records read, taken from --param order_id.' }),
  ],
  keyFields: ['order_id', 'id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/orders/{order_id}', shape: { kind: 'list', key: 'order_items' },
      params: [{ name: 'order_id', description: 'Order id.' }], operationId: 'getOrderUsingGET',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/orders/{order_id}/items', operationId: 'createOrderItemsOnOrderUsingPOST', body: ORDER_ITEM_CREATE },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/orders/{order_id}/items/{id}', operationId: 'deleteOrderOrderItemUsingDELETE' },
  ],
  deviations: [
    { what: 'Keys are order_id and id, not product_id', why: 'DELETE /orders/{orderId}/items/{orderItemId} addresses an item by its own id; the seed keys on product_id and order_id.' },
    { what: 'product components follow the spec', why: "The seed's Product template describes /products; an order item's product has description, id, name, shippable, sku, taxable." },
    { what: 'item_type added, type is read-only', why: "The spec's create body names the type item_type; type only appears in reads." },
    { what: 'Create path uses order_id', why: 'The seed fills /orders/{item.orderId}/items from a field it does not declare; order_id is the declared key.' },
  ],
};

export const orderPayments: ResourceDef = {
  name: 'order-payments',
  aliases: ['order-payment', 'order_payments', 'order_payment', 'payments', 'Order Payment', 'E-Commerce Order Payment'],
  title: 'E-Commerce Order Payment',
  description: 'Payments on one order (--param order_id=N); create records a payment.',
  fields: [
    id(),
    num('amount', { readOnly: true }),
    int('invoice_id', { readOnly: true }),
    dt('last_updated', { readOnly: true }),
    str('note', { readOnly: true }),
    dt('pay_date', { readOnly: true }),
    str('pay_status', { readOnly: true }),
    int('payment_id', { readOnly: true }),
    int('refund_invoice_payment_id', { readOnly: true }),
    bool('skip_commission', { readOnly: true }),
    bool('apply_to_commissions', { writeOnly: true }),
    bool('charge_now', { writeOnly: true }),
    int('credit_card_id', { writeOnly: true }),
    dt('date', { writeOnly: true }),
    str('notes', { writeOnly: true }),
    num('payment_amount', { writeOnly: true }),
    str('payment_gateway_id', { writeOnly: true }),
    str('payment_method_type', { writeOnly: true }),
    int('order_id', { key: true, writeOnly: true, description: 'The order paid: not in the records read, taken from --param order_id.' }),
  ],
  keyFields: ['order_id'],
  readKey: ['id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/orders/{order_id}/payments', shape: { kind: 'array' },
      params: [{ name: 'order_id', description: 'Order id.' }], operationId: 'listOrderPaymentsUsingGET',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/orders/{order_id}/payments', operationId: 'createPaymentOnOrderUsingPOST', body: PAYMENT_CREATE },
  ],
  deviations: [
    { what: 'Read is a bare array', why: 'GET /orders/{orderId}/payments returns a JSON array, not a page.' },
  ],
};

export const subscriptions: ResourceDef = {
  name: 'subscriptions',
  aliases: ['subscription', 'Subscription', 'E-Commerce Subscription'],
  title: 'E-Commerce Subscription',
  description: "Contacts' subscriptions.",
  fields: [
    id(),
    bool('active', { readOnly: true }),
    bool('allow_tax'),
    bool('auto_charge'),
    num('billing_amount'),
    str('billing_cycle', { readOnly: true }),
    int('billing_frequency', { readOnly: true }),
    int('contact_id'),
    int('credit_card_id'),
    date('end_date', { readOnly: true }),
    date('next_bill_date', { readOnly: true }),
    int('payment_gateway_id'),
    int('product_id', { readOnly: true }),
    int('quantity'),
    int('sale_affiliate_id'),
    date('start_date', { readOnly: true }),
    int('subscription_plan_id'),
    bool('use_default_payment_gateway', { readOnly: true }),
  ],
  keyFields: ['id'],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/subscriptions', shape: { kind: 'page', key: 'subscriptions' },
      filters: ['contact_id'], operationId: 'listSubscriptionsUsingGET',
      filterTypes: { contact_id: WHOLE_NUMBER },
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/subscriptions', operationId: 'createSubscriptionUsingPOST', body: SUBSCRIPTION_CREATE },
  ],
  deviations: [
    { what: 'end_date, next_bill_date and start_date are dates', why: 'The seed types them DateTime; the spec gives format date.' },
  ],
};

export const transactions: ResourceDef = {
  name: 'transactions',
  aliases: ['transaction', 'Transaction', 'E-Commerce Transaction'],
  title: 'E-Commerce Transaction',
  description: 'Payment transactions. The account-wide list is deprecated: prefer --action read-by-order.',
  fields: [
    id(),
    num('amount'),
    str('collection_method'),
    int('contact_id'),
    str('currency'),
    str('errors'),
    str('gateway'),
    str('gateway_account_name'),
    str('order_ids'),
    list('orders', 'object'),
    str('status'),
    bool('test'),
    dt('transaction_date'),
    str('type'),
  ],
  keyFields: ['id'],
  updatedField: 'transaction_date',
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/transactions', shape: { kind: 'page', key: 'transactions' },
      dateFilter: { since: 'since', until: 'until', field: 'transaction_date', kind: 'event' }, filters: ['contact_id'],
      filterTypes: { contact_id: WHOLE_NUMBER },
      operationId: 'listTransactionsUsingGET', deprecated: true,
      note: 'Deprecated by Keap. UNCONFIRMED: since/until are assumed to apply to transaction_date.',
    },
    {
      id: 'read-single', kind: 'read-single', title: 'Read single', method: 'GET', path: '/transactions/{id}', shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Transaction id.' }], operationId: 'getTransactionUsingGET', deprecated: true, note: 'Deprecated by Keap.',
    },
    {
      id: 'read-by-order', kind: 'read', title: 'Read order', method: 'GET', path: '/orders/{order_id}/transactions', shape: { kind: 'page', key: 'transactions' },
      params: [{ name: 'order_id', description: 'Order id.' }], dateFilter: { since: 'since', until: 'until', field: 'transaction_date', kind: 'event' },
      filters: ['contact_id'], operationId: 'listTransactionsForOrderUsingGET',
      filterTypes: { contact_id: WHOLE_NUMBER },
    },
  ],
  deviations: [
    { what: 'Read and Read single are marked deprecated', why: 'The spec deprecates GET /transactions and GET /transactions/{transactionId}; GET /orders/{orderId}/transactions is not.' },
    { what: 'orders is a JSON array', why: 'The seed lists it without components; the spec returns full order objects.' },
  ],
};
