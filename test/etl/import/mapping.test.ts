import { describe, expect, it } from 'vitest';
import { findResource } from '../../../src/catalog/index.js';
import { UsageError } from '../../../src/errors.js';
import { csvColumns } from '../../../src/etl/columns.js';
import { mapRow } from '../../../src/etl/import/map-row.js';
import { contacts, mapCsv, model, plan } from './mapping-fixtures.js';

describe('planColumns', () => {
  it('maps an exported contacts CSV header with no unknown columns, warning only about what Keap does not take', () => {
    const header = csvColumns(contacts, { customLabels: model.labels });
    const columnPlan = plan(contacts, 'create', header, { customModel: model });
    const warned = columnPlan.warnings.map((w) => /^column (\S+):/.exec(w)?.[1]);
    expect(warned.sort()).toEqual(
      ['ScoreValue', 'company.company_name', 'company_name', 'date_created', 'email_opted_in', 'email_status', 'id', 'last_updated'].sort(),
    );
    expect(columnPlan.warnings.find((w) => w.startsWith('column id:'))).toMatch(/key.*assigns on create/);
    expect(columnPlan.warnings.find((w) => w.startsWith('column last_updated:'))).toMatch(/read-only/);
    expect(columnPlan.columnFor('email_addresses.EMAIL1.email')).toBe('email_addresses.EMAIL1.email');
    expect(columnPlan.columnFor('custom.Favorite Color')).toBe('custom.Favorite Color');
  });

  it('sends the key to the path on update and delete, and keeps write-only path keys', () => {
    expect(plan(contacts, 'update', ['id', 'given_name']).columnFor('id')).toBe('id');
    expect(plan(contacts, 'update', ['id']).pathFields).toEqual(['id']);
    const items = plan(findResource('order-items'), 'create', ['order_id', 'product_id', 'quantity']);
    expect(items.pathFields).toEqual(['order_id']);
    expect(mapRow(items, { row: 2, values: { order_id: '12', product_id: '3', quantity: '2' } })).toMatchObject({
      path: { order_id: 12 },
      body: { product_id: 3, quantity: 2 },
    });
  });

  it('refuses unknown columns, listing them all with the closest field names', () => {
    const attempt = () =>
      plan(contacts, 'create', ['given_nme', 'email_addresses.EMAIL9.email', 'shoe', 'custom.Favourite Color'], { customModel: model });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/"given_nme" \(did you mean "given_name"\?\)/);
    expect(attempt).toThrow(/"email_addresses\.EMAIL9\.email" \(did you mean "email_addresses\.EMAIL1\.email"\?\)/);
    expect(attempt).toThrow(/"shoe"/);
    expect(attempt).toThrow(/"custom\.Favourite Color" \(did you mean "custom\.Favorite Color"\?\)/);
  });

  it('with ignoreUnknown, skips unknown columns with one warning', () => {
    const columnPlan = plan(contacts, 'create', ['given_name', 'shoe', 'hat'], { ignoreUnknown: true });
    expect(columnPlan.warnings).toEqual(['unknown columns ignored: shoe, hat']);
    expect(mapRow(columnPlan, { row: 2, values: { given_name: 'Ann', shoe: '9', hat: 'x' } }).body).toEqual({ given_name: 'Ann' });
  });

  it('ignores columns starting with _ (error reports and results files carry them)', () => {
    const { plan: columnPlan, mapped } = mapCsv(contacts, 'create', { _row: '3', _status: 'invalid', _error: 'x', given_name: 'Ann' });
    expect(columnPlan.warnings).toEqual([]);
    expect(mapped.body).toEqual({ given_name: 'Ann' });
  });

  it('--map renames a column, and refuses a column the file lacks or a field that does not exist, naming the flag', () => {
    const map = new Map([
      ['E-mail', 'email_addresses.EMAIL1.email'],
      ['Age', 'custom.Lifetime Value (€)'],
    ]);
    const { mapped } = mapCsv(contacts, 'create', { 'E-mail': 'a@example.com', Age: '12.5' }, { map, customModel: model });
    expect(mapped.body).toEqual({
      email_addresses: [{ email: 'a@example.com', field: 'EMAIL1' }],
      custom_fields: [{ id: 9, content: 12.5 }],
    });
    expect(() => plan(contacts, 'create', ['Email'], { map: new Map([['Mail', 'given_name']]) })).toThrow(
      /--map Mail=given_name: the file has no column "Mail"/,
    );
    expect(() => plan(contacts, 'create', ['Email'], { map: new Map([['Email', 'emial']]) })).toThrow(
      /--map Email=emial: contacts create has no field "emial"/,
    );
  });

  it('refuses two columns feeding one field', () => {
    expect(() =>
      plan(contacts, 'create', ['Email', 'email_addresses.EMAIL1.email'], { map: new Map([['Email', 'email_addresses.EMAIL1.email']]) }),
    ).toThrow(/columns Email and email_addresses\.EMAIL1\.email both feed/);
  });

  it('a delete reads only its path fields and says once that the rest is ignored', () => {
    const header = csvColumns(contacts, { customLabels: model.labels });
    const columnPlan = plan(contacts, 'delete', header, { customModel: model });
    expect(columnPlan.warnings).toHaveLength(1);
    expect(columnPlan.warnings[0]).toMatch(/delete sends only id/);
    expect(mapRow(columnPlan, { row: 2, values: { id: '42', given_name: 'Ann' } })).toMatchObject({ path: { id: 42 }, body: {} });
  });
});
