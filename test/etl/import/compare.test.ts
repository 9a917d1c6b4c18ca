/** Change detection's comparison (issue 13, item 8): both sides normalised alike; in doubt, changed. */
import { describe, expect, it } from 'vitest';
import { findResource } from '../../../src/catalog/index.js';
import { holdsValues } from '../../../src/etl/import/compare.js';

const contacts = findResource('contacts');
const contactUpdate = contacts.actions.find((action) => action.kind === 'update')!;
const orders = findResource('orders');
const orderCreate = orders.actions.find((action) => action.kind === 'create')!;

describe('holdsValues', () => {
  it('compares numbers numerically: an order item price written "9.50" is read back as 9.5', () => {
    const body = { order_items: [{ product_id: 3, quantity: 2, price: '9.50' }] };
    expect(holdsValues(orders, orderCreate, body, { order_items: [{ product_id: 3, quantity: 2, price: 9.5 }] })).toBe(true);
    expect(holdsValues(orders, orderCreate, body, { order_items: [{ product_id: 3, quantity: 2, price: 9.51 }] })).toBe(false);
  });

  it('compares date-times as instants, and text that only looks like a number as text', () => {
    const record = { birthday: '1990-05-01T00:00:00Z', given_name: '0123' };
    expect(holdsValues(contacts, contactUpdate, { birthday: '1990-05-01T00:00:00.000Z' }, record)).toBe(true);
    expect(holdsValues(contacts, contactUpdate, { birthday: '1990-05-01T02:00:00.000+02:00' }, record)).toBe(true);
    expect(holdsValues(contacts, contactUpdate, { birthday: '1990-05-02T00:00:00.000Z' }, record)).toBe(false);
    expect(holdsValues(contacts, contactUpdate, { given_name: '123' }, record)).toBe(false);
  });

  it('counts as changed what it cannot see: a field the record does not show, a dropped element, a dropped component', () => {
    const record = {
      email_addresses: [
        { field: 'EMAIL1', email: 'a@example.com' },
        { field: 'EMAIL2', email: 'b@example.com' },
      ],
      phone_numbers: [{ field: 'PHONE1', number: '555', type: 'Work' }],
    };
    expect(holdsValues(contacts, contactUpdate, { opt_in_reason: 'Fair' }, record)).toBe(false);
    expect(holdsValues(contacts, contactUpdate, { email_addresses: [{ field: 'EMAIL1', email: 'a@example.com' }] }, record)).toBe(false);
    expect(holdsValues(contacts, contactUpdate, { phone_numbers: [{ field: 'PHONE1', number: '555' }] }, record)).toBe(false);
    const same = {
      email_addresses: [...record.email_addresses].reverse(),
      phone_numbers: [{ field: 'PHONE1', number: '555', type: 'Work' }],
    };
    expect(holdsValues(contacts, contactUpdate, same, record)).toBe(true);
  });

  it('an element holding nothing but its key is as good as absent; clearing an empty field is no change', () => {
    const record = {
      custom_fields: [
        { id: 7, content: 'Red' },
        { id: 9, content: null },
      ],
      middle_name: '',
    };
    expect(holdsValues(contacts, contactUpdate, { custom_fields: [{ id: 7, content: 'Red' }], middle_name: null }, record)).toBe(true);
    expect(holdsValues(contacts, contactUpdate, { custom_fields: [{ id: 7, content: null }] }, record)).toBe(false);
  });
});
