import { describe, expect, it } from 'vitest';
import { CellError } from '../../../src/etl/errors.js';
import { csvColumns } from '../../../src/etl/columns.js';
import { FlattenPlan, flattenRecord } from '../../../src/etl/flatten.js';
import { mapRow } from '../../../src/etl/import/map-row.js';
import { contacts, mapCsv, model, orders, plan } from './mapping-fixtures.js';

/** A contact as the sandbox returns it with custom fields, resolved as export writes it. */
const contactRecord = {
  id: 42,
  ScoreValue: '12',
  given_name: 'Zoë',
  family_name: "O'Brien, Jr.",
  job_title: 'CTO',
  lead_source_id: 3,
  owner_id: 1,
  birthday: '1980-02-03T00:00:00.000Z',
  email_addresses: [
    { email: 'zoe@example.com', field: 'EMAIL1' },
    { email: 'z@work.example', field: 'EMAIL2' },
  ],
  phone_numbers: [{ number: '0123 456', field: 'PHONE1', type: 'Mobile', extension: null }],
  addresses: [{ field: 'BILLING', line1: '1 Main St', locality: 'Springfield', zip_code: '02134', country_code: 'USA' }],
  company: { id: 5, company_name: 'Acme' },
  company_name: 'Acme',
  date_created: '2024-01-01T00:00:00.000Z',
  last_updated: '2024-02-01T00:00:00.000Z',
  email_opted_in: true,
  email_status: 'SingleOptIn',
  custom_fields: [
    { id: 7, content: 'Blue' },
    { id: 9, content: 1234.5 },
    { id: 13, content: '00123' },
  ],
  custom: {
    'Favorite Color': 'Blue',
    'Lifetime Value (€)': 1234.5,
    'Date de naissance': null,
    会員番号: '00123',
    'Notes, misc': null,
    'Is "VIP"?': null,
  },
};

describe('mapRow', () => {
  it('round trip: an exported contact row maps back to the writable part of the record', () => {
    const header = csvColumns(contacts, { customLabels: model.labels });
    const flatten = new FlattenPlan(contacts, header, { customLabels: model.labels });
    const cells = flattenRecord(contactRecord, flatten);
    const values = Object.fromEntries(header.map((column, i) => [column, cells[i] === null ? null : String(cells[i])]));
    const columnPlan = plan(contacts, 'update', header, { customModel: model });
    const mapped = mapRow(columnPlan, { row: 2, values });
    expect(mapped.path).toEqual({ id: 42 });
    expect(mapped.body).toEqual({
      given_name: 'Zoë',
      family_name: "O'Brien, Jr.",
      job_title: 'CTO',
      lead_source_id: 3,
      owner_id: 1,
      birthday: '1980-02-03T00:00:00.000Z',
      email_addresses: [
        { email: 'zoe@example.com', field: 'EMAIL1' },
        { email: 'z@work.example', field: 'EMAIL2' },
      ],
      phone_numbers: [{ number: '0123 456', field: 'PHONE1', type: 'Mobile' }],
      addresses: [{ field: 'BILLING', line1: '1 Main St', locality: 'Springfield', zip_code: '02134', country_code: 'USA' }],
      company: { id: 5 },
      custom_fields: [
        { id: 7, content: 'Blue' },
        { id: 9, content: 1234.5 },
        { id: 13, content: '00123' },
      ],
    });
    // EMAIL3 and PHONE2..5 are not in the row, nor the other custom fields: the engine merges the record's before updating.
    expect(mapped.partialArrays.sort()).toEqual(['addresses', 'custom_fields', 'email_addresses', 'phone_numbers']);
    expect(mapped.coveredValues?.email_addresses).toEqual(['EMAIL1', 'EMAIL2']);
  });

  it('an NDJSON record as exported maps to the same body: nested values as they are, custom by label', () => {
    const columns = Object.keys(contactRecord);
    const columnPlan = plan(contacts, 'update', columns, { customModel: model }, 'ndjson');
    expect(columnPlan.warnings).toContain('column custom_fields: left out; the custom object beside it (values by label) is used');
    expect(columnPlan.warnings.some((w) => w.startsWith('column date_created: read-only'))).toBe(true);
    const mapped = mapRow(columnPlan, { row: 1, values: contactRecord });
    expect(mapped.body.company).toEqual({ id: 5 }); // company_name is read back, never written
    expect(contactRecord.company).toEqual({ id: 5, company_name: 'Acme' });
    expect(mapped.body.phone_numbers).toEqual(contactRecord.phone_numbers);
    expect(mapped.body.custom_fields).toEqual([
      { id: 7, content: 'Blue' },
      { id: 9, content: 1234.5 },
      { id: 13, content: '00123' },
    ]);
    expect(mapped.body).not.toHaveProperty('date_created');
    expect(mapped.body).not.toHaveProperty('custom');
    expect(mapped.path).toEqual({ id: 42 });
  });

  it('names the custom label a JSON record has that the account does not', () => {
    const columnPlan = plan(contacts, 'create', ['given_name', 'custom'], { customModel: model }, 'json');
    expect(() => mapRow(columnPlan, { row: 3, values: { given_name: 'A', custom: { Shoe: 9 } } })).toThrow(/column custom\.Shoe/);
  });

  it('leaves empty cells out, never sending an empty array', () => {
    const { mapped } = mapCsv(contacts, 'update', {
      id: '1',
      given_name: null,
      'email_addresses.EMAIL1.email': null,
      owner_id: null,
      job_title: 'CEO',
    });
    expect(mapped.body).toEqual({ job_title: 'CEO' });
    expect(mapped.partialArrays).toEqual([]);
  });

  it("with clearEmpty, sends '' for text and null for other scalars, and keyed arrays whole without empty elements", () => {
    const values = {
      id: '1',
      given_name: null,
      owner_id: null,
      'email_addresses.EMAIL1.email': 'a@example.com',
      'email_addresses.EMAIL2.email': null,
      'email_addresses.EMAIL3.email': null,
      'phone_numbers.PHONE1.number': null,
    };
    const { mapped } = mapCsv(contacts, 'update', values, { clearEmpty: true });
    expect(mapped.body).toEqual({
      given_name: '',
      owner_id: null,
      email_addresses: [{ email: 'a@example.com', field: 'EMAIL1' }],
      phone_numbers: [],
    });
    // Both are merged with the record (inside EMAIL1 too); EMAIL2, EMAIL3 and PHONE1 are covered, so removed.
    expect(mapped.partialArrays).toEqual(['email_addresses', 'phone_numbers']);
    expect(mapped.coveredValues).toEqual({ email_addresses: ['EMAIL1', 'EMAIL2', 'EMAIL3'], phone_numbers: ['PHONE1'] });
  });

  it('types custom fields from the model and refuses a cell that does not fit, naming the column', () => {
    const { mapped } = mapCsv(
      contacts,
      'create',
      { 'custom.Lifetime Value (€)': '99.95', 'custom.会員番号': '007' },
      { customModel: model },
    );
    expect(mapped.body.custom_fields).toEqual([
      { id: 9, content: 99.95 },
      { id: 13, content: '007' },
    ]);
    expect(() => mapCsv(contacts, 'create', { 'custom.Lifetime Value (€)': 'lots' }, { customModel: model })).toThrow(CellError);
    expect(() => mapCsv(contacts, 'create', { 'custom.Lifetime Value (€)': 'lots' }, { customModel: model })).toThrow(
      /column custom\.Lifetime Value \(€\)/,
    );
  });

  it('drops the id on create with a warning and keeps it on update', () => {
    const created = mapCsv(contacts, 'create', { id: '5', given_name: 'A' });
    expect(created.mapped).toMatchObject({ body: { given_name: 'A' }, path: {} });
    expect(created.plan.warnings).toEqual(["column id: the record's key, which Keap assigns on create, left out"]);
    expect(mapCsv(contacts, 'update', { id: '5', given_name: 'A' }).mapped.path).toEqual({ id: 5 });
  });

  it('puts opt_in_reason in the body from a column or from --opt-in-reason', () => {
    expect(mapCsv(contacts, 'create', { given_name: 'A', opt_in_reason: 'Signed up at the fair' }).mapped.body.opt_in_reason).toBe(
      'Signed up at the fair',
    );
    expect(mapCsv(contacts, 'create', { given_name: 'A' }, { optInReason: 'Imported list' }).mapped.body.opt_in_reason).toBe(
      'Imported list',
    );
    const orderPlan = plan(orders, 'create', ['contact_id'], { optInReason: 'x' });
    expect(orderPlan.warnings).toContain('--opt-in-reason: orders create does not take opt_in_reason; ignored');
  });

  it('reads tags as ;-separated names or ids, or as export JSON', () => {
    const header = ['given_name', 'tags'];
    const columnPlan = plan(contacts, 'create', header);
    expect(columnPlan.tagsColumn).toBe('tags');
    expect(mapRow(columnPlan, { row: 2, values: { given_name: 'A', tags: 'VIP; 12 ;Newsletter' } }).tags).toEqual([
      'VIP',
      12,
      'Newsletter',
    ]);
    const exported = JSON.stringify([{ tag: { id: 3, name: 'VIP' }, date_applied: '2024-01-01T00:00:00.000Z' }]);
    expect(mapRow(columnPlan, { row: 2, values: { given_name: 'A', tags: exported } }).tags).toEqual([3]);
    expect(mapRow(columnPlan, { row: 2, values: { given_name: 'A', tags: null } }).tags).toBeUndefined();
    expect(mapRow(columnPlan, { row: 2, values: { given_name: 'A', tags: 'VIP' } }).body).toEqual({ given_name: 'A' });
  });

  it('with onlyCreated, reads _action and fills the key from _id', () => {
    const columnPlan = plan(contacts, 'delete', ['given_name', '_row', '_action', '_id'], { onlyCreated: true });
    expect(mapRow(columnPlan, { row: 2, values: { given_name: 'A', _row: '2', _action: 'created', _id: '77' } })).toMatchObject({
      path: { id: 77 },
      onlyCreated: { action: 'created', id: '77' },
    });
    expect(() => plan(contacts, 'delete', ['id'], { onlyCreated: true })).toThrow(/--only-created.*_action and _id/);
  });

  it('types body-only properties and typed components from the body (order items: price is text, product_id a number)', () => {
    const columns = [
      'order_ref',
      'contact_id',
      'order_title',
      'order_type',
      'product_id',
      'quantity',
      'price',
      'shipping_address.is_invoice_to_company',
    ];
    const columnPlan = plan(orders, 'create', columns);
    expect(columnPlan).toMatchObject({ groupBy: 'order_ref', itemArray: 'order_items' });
    expect(columnPlan.columnFor('order_items.product_id')).toBe('product_id');
    const mapped = mapRow(columnPlan, {
      row: 2,
      values: {
        order_ref: 'A-1',
        contact_id: '12',
        order_title: 'Spring',
        order_type: 'Offline',
        product_id: '3',
        quantity: '2',
        price: '9.50',
        'shipping_address.is_invoice_to_company': 'false',
      },
    });
    expect(mapped).toMatchObject({
      group: 'A-1',
      body: {
        contact_id: 12,
        order_title: 'Spring',
        order_type: 'Offline',
        shipping_address: { is_invoice_to_company: false },
        order_items: [{ product_id: 3, quantity: 2, price: '9.50' }],
      },
    });
    expect(mapped.body).not.toHaveProperty('order_ref');
    expect(mapped.body).not.toHaveProperty('product_id');
  });

  it('reads order_items.N.field columns and a JSON order_items cell', () => {
    const { mapped } = mapCsv(orders, 'create', {
      contact_id: '1',
      order_items: '[{"product_id":1,"quantity":1}]',
      'order_items.0.product_id': '2',
      'order_items.0.quantity': '3',
    });
    expect(mapped.body.order_items).toEqual([
      { product_id: 1, quantity: 1 },
      { product_id: 2, quantity: 3 },
    ]);
  });

  it('refuses --group-by on a body without row items, or naming a column the file lacks', () => {
    expect(() => plan(contacts, 'create', ['given_name', 'ref'], { groupBy: 'ref' })).toThrow(
      /--group-by ref: contacts create has no item array/,
    );
    expect(() => plan(orders, 'create', ['contact_id'], { groupBy: 'ref' })).toThrow(/--group-by ref: the file has no column "ref"/);
  });
});
