import { describe, expect, it } from 'vitest';
import { findAction, findResource } from '../../../src/catalog/index.js';
import type { ResourceDef } from '../../../src/catalog/types.js';
import { customFieldModel } from '../../../src/etl/custom-fields.js';
import { mapRow } from '../../../src/etl/import/map-row.js';
import { type MappedRow, planColumns } from '../../../src/etl/import/mapping.js';
import type { InputFormat } from '../../../src/etl/import/types.js';
import { validateBody } from '../../../src/etl/import/validate.js';
import { customFieldsByResource } from '../../../src/sandbox/generate.js';

const contacts = findResource('contacts');
const companies = findResource('companies');
const orders = findResource('orders');
const model = customFieldModel({ custom_fields: customFieldsByResource.contacts });

/** Maps one row ({column: cell} for CSV, the record for JSON) and validates it, as the engine will. */
function check(resource: ResourceDef, actionId: string, values: Record<string, unknown>, format: InputFormat = 'csv') {
  const action = findAction(resource, actionId);
  if (!action) throw new Error(`no action ${actionId}`);
  const plan = planColumns(resource, action, Object.keys(values), format, { customModel: model });
  const mapped = mapRow(plan, { row: 2, values });
  return { mapped, ...validateBody(resource, action, mapped, { customModel: model, columnFor: plan.columnFor }) };
}

describe('validateBody', () => {
  it('passes a good contact create', () => {
    const { problems } = check(contacts, 'create', { given_name: 'Ann', 'email_addresses.EMAIL1.email': 'ann@example.com' });
    expect(problems).toEqual([]);
  });

  it('names the column and quotes the value for type and enum problems', () => {
    const json = check(
      contacts,
      'create',
      { email_addresses: [{ field: 'EMAIL9', email: 'a@example.com' }], owner_id: 'abc', birthday: '1980-13-01', source_type: 'FAX' },
      'json',
    );
    expect(json.problems).toEqual(
      expect.arrayContaining([
        { field: 'email_addresses.0.field', message: '"EMAIL9" is not one of EMAIL1, EMAIL2, EMAIL3' },
        { field: 'owner_id', message: '"abc" is not a whole number' },
        { field: 'birthday', message: expect.stringMatching(/^"1980-13-01" is not a date-time/) },
        { field: 'source_type', message: expect.stringMatching(/^"FAX" is not one of APPOINTMENT, /) },
      ]),
    );
    const csv = check(orders, 'create', {
      contact_id: '1',
      order_date: '2024-05-01T09:00:00.000Z',
      order_title: 'T',
      order_type: 'Mail',
      product_id: '3',
      quantity: '1',
    });
    expect(csv.problems).toEqual([{ field: 'order_type', message: '"Mail" is not one of Offline, Online' }]);
  });

  it('reports required paths and prose rules from the catalog', () => {
    const { problems } = check(contacts, 'create', { given_name: 'Ann', 'addresses.BILLING.region': 'CA', 'origin.ip_address': null });
    expect(problems).toEqual([
      { field: 'email_addresses', message: 'at least one of email_addresses, phone_numbers is needed' },
      { field: 'addresses.BILLING.country_code', message: 'country_code is required when addresses.region is given' },
    ]);
    const company = check(companies, 'create', { email_address: 'x@example.com' });
    expect(company.problems).toEqual([{ field: 'company_name', message: 'company_name is required' }]);
  });

  it('on update, lists required fields the row lacks for the engine to fill from the record', () => {
    const { problems, fillFromRecord } = check(companies, 'update', { id: '5', website: 'https://example.com' });
    expect(problems).toEqual([]);
    expect(fillFromRecord).toEqual(['company_name']);
  });

  it('refuses clearing a required field on update', () => {
    const action = findAction(companies, 'update')!;
    const plan = planColumns(companies, action, ['id', 'company_name'], 'csv', { clearEmpty: true });
    const mapped = mapRow(plan, { row: 2, values: { id: '5', company_name: null } });
    expect(validateBody(companies, action, mapped).problems).toEqual([
      { field: 'company_name', message: 'company_name is required; it cannot be cleared' },
    ]);
  });

  it('needs the path fields, of the right type, on update and delete', () => {
    expect(check(contacts, 'delete', { id: null }).problems).toEqual([
      { field: 'id', message: expect.stringMatching(/^id is needed to address the contact/) },
    ]);
    expect(check(contacts, 'update', { id: 'x7', given_name: 'A' }).problems).toEqual([
      { field: 'id', message: '"x7" is not a whole number' },
    ]);
  });

  it('refuses a never-true boolean set to true, and sends false when it is left out', () => {
    const payments = findResource('order-payments');
    const refused = check(payments, 'create', { order_id: '3', payment_amount: '10.00', payment_method_type: 'CASH', charge_now: 'true' });
    expect(refused.problems).toEqual([
      { field: 'charge_now', message: expect.stringMatching(/^true is refused: it would charge the card/) },
    ]);
    const left = check(payments, 'create', { order_id: '3', payment_amount: '10.00', payment_method_type: 'CASH' });
    expect(left.problems).toEqual([]);
    expect(left.mapped.body.charge_now).toBe(false);
    const subscription = check(findResource('subscriptions'), 'create', { contact_id: '4', auto_charge: 'false' });
    expect(subscription.mapped.body.auto_charge).toBe(false);
  });

  it('checks custom field contents against the model, naming the custom column', () => {
    const bad = check(contacts, 'create', {
      'email_addresses.EMAIL1.email': 'a@example.com',
      'custom.Favorite Color': 'Purple',
      'custom.Is "VIP"?': 'maybe',
      'custom.Date de naissance': '1999-02-30',
    });
    expect(bad.problems).toEqual([
      { field: 'custom.Favorite Color', message: '"Purple" is not one of Red, Green, Blue, Bleu clair' },
      { field: 'custom.Is "VIP"?', message: '"maybe" is not Yes or No' },
      { field: 'custom.Date de naissance', message: '"1999-02-30" is not a date (YYYY-MM-DD)' },
    ]);
    const good = check(
      contacts,
      'create',
      {
        email_addresses: [{ field: 'EMAIL1', email: 'a@example.com' }],
        custom: { 'Is "VIP"?': 'Yes', 'Lifetime Value (€)': '12.5', 'Favorite Color': 'Red' },
      },
      'json',
    );
    expect(good.problems).toEqual([]);
    expect(good.mapped.body.custom_fields).toEqual([
      { id: 17, content: true },
      { id: 9, content: 12.5 },
      { id: 7, content: 'Red' },
    ]);
  });

  it('names the row of a grouped item with a problem', () => {
    const action = findAction(orders, 'create')!;
    const mapped: MappedRow = {
      row: 2,
      body: {
        contact_id: 1,
        order_date: '2024-05-01T09:00:00.000Z',
        order_title: 'T',
        order_type: 'Online',
        order_items: [
          { product_id: 1, quantity: 1 },
          { product_id: 2, quantity: 'two' },
        ],
      },
      path: {},
      partialArrays: [],
      itemRows: [2, 3],
    };
    const { problems } = validateBody(orders, action, mapped, {
      columnFor: (f) => (f === 'order_items.quantity' ? 'quantity' : undefined),
    });
    expect(problems).toEqual([{ field: 'quantity', message: '"two" is not a whole number (row 3)', row: 3 }]);
  });

  it('requires each item to name its product', () => {
    const { problems } = check(orders, 'create', {
      contact_id: '1',
      order_date: '2024-05-01T09:00:00Z',
      order_title: 'T',
      order_type: 'Online',
      quantity: '1',
    });
    expect(problems).toEqual([{ field: 'order_items.0.product_id', message: 'product_id is required in each order_items given' }]);
  });
});
