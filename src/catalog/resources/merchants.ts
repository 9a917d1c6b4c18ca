import type { ResourceDef } from '../types.js';
import { bool, int, str } from '../fields.js';

export const merchants: ResourceDef = {
  name: 'merchants',
  aliases: ['merchant', 'Merchant', 'merchant-accounts', 'merchant_accounts'],
  title: 'Merchant',
  description: 'Merchant (payment gateway) accounts.',
  fields: [int('id', { readOnly: true }), str('account_name', { readOnly: true }), bool('is_test', { readOnly: true }), str('type', { readOnly: true })],
  keyFields: [],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/merchants', shape: { kind: 'list', key: 'merchant_accounts' },
      operationId: 'getMerchantAccountsUsingGET',
    },
  ],
  deviations: [
    { what: 'Read is not paged', why: 'GET /merchants returns {default_merchant_account, merchant_accounts} without count/next.' },
  ],
};
