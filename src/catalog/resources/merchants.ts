import type { ResourceDef } from '../types.js';
import { bool, int, str } from '../fields.js';

export const merchants: ResourceDef = {
  name: 'merchants',
  aliases: ['merchant', 'Merchant', 'merchant-accounts', 'merchant_accounts'],
  title: 'Merchant',
  description: 'Merchant (payment gateway) accounts.',
  fields: [
    int('id', { readOnly: true }),
    str('account_name', { readOnly: true }),
    bool('is_test', { readOnly: true }),
    str('type', { readOnly: true }),
    int('default_merchant_account', {
      readOnly: true,
      description:
        "The account's default merchant account id, from beside the list: the same on every record (the default one has id equal to it).",
    }),
  ],
  keyFields: [],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/merchants',
      shape: { kind: 'list', key: 'merchant_accounts', carry: ['default_merchant_account'] },
      operationId: 'getMerchantAccountsUsingGET',
    },
  ],
  deviations: [
    { what: 'Read is not paged', why: 'GET /merchants returns {default_merchant_account, merchant_accounts} without count/next.' },
    {
      what: 'default_merchant_account is a field of every record',
      why: 'The spec sends it once beside the list; copying it onto each record keeps it in every export format.',
    },
  ],
};
