/** The merge of a partial update's arrays with the record's, by the catalog's arrayWrites. */
import { describe, expect, it } from 'vitest';
import { bodyProperties, findAction, findResource } from '../../../src/catalog/index.js';
import { mergeArrays } from '../../../src/etl/import/merge.js';

const contacts = findResource('contacts');
const properties = bodyProperties(contacts, findAction(contacts, 'update')!);
const record = {
  id: 5,
  phone_numbers: [
    { field: 'PHONE1', number: '555-0101', type: 'Work', extension: '42', number_e164: '+15550101' },
    { field: 'PHONE2', number: '555-0202', type: 'Mobile' },
  ],
  custom_fields: [
    { id: 9, content: 1234.5 },
    { id: 17, content: true },
    { id: 35, content: 2 },
  ],
};

const merge = (body: Record<string, unknown>, arrays: string[], covered?: Record<string, unknown[]>) =>
  mergeArrays({ resource: contacts, properties, body, record, arrays, ...(covered ? { covered } : {}) });

describe('mergeArrays', () => {
  it("keeps the record's elements the row does not name, and merges inside the one it names", () => {
    const body = merge({ phone_numbers: [{ field: 'PHONE1', number: '555-9999' }] }, ['phone_numbers']);
    expect(body.phone_numbers).toEqual([
      { field: 'PHONE1', number: '555-9999', type: 'Work', extension: '42', number_e164: '+15550101' },
      { field: 'PHONE2', number: '555-0202', type: 'Mobile' },
    ]);
  });

  it('merges custom fields by id, and sends an element the row gives unchanged exactly as read', () => {
    const body = merge(
      {
        custom_fields: [
          { id: 9, content: '1234.50' },
          { id: 17, content: 'true' },
          { id: 35, content: 3 },
        ],
      },
      ['custom_fields'],
    );
    expect(body.custom_fields).toEqual([
      { id: 9, content: 1234.5 },
      { id: 17, content: true },
      { id: 35, content: 3 },
    ]);
  });

  it("appends new elements after the record's, and removes those the row covers but does not give (--clear-empty)", () => {
    const body = merge({ phone_numbers: [{ field: 'PHONE3', number: '1' }] }, ['phone_numbers'], { phone_numbers: ['PHONE2', 'PHONE3'] });
    expect(body.phone_numbers).toEqual([
      { field: 'PHONE1', number: '555-0101', type: 'Work', extension: '42', number_e164: '+15550101' },
      { field: 'PHONE3', number: '1' },
    ]);
  });

  it('a changed value is never taken for the same one: "007" is not 7, and "" is not 0', () => {
    const body = merge({ custom_fields: [{ id: 35, content: '' }] }, ['custom_fields']);
    expect(body.custom_fields).toEqual([
      { id: 9, content: 1234.5 },
      { id: 17, content: true },
      { id: 35, content: '' },
    ]);
  });

  it('leaves arrays the row does not list, and the body it was given, alone', () => {
    const given = { given_name: 'Ann', phone_numbers: [{ field: 'PHONE1', number: '1' }] };
    const body = merge(given, []);
    expect(body).toEqual(given);
    merge(given, ['phone_numbers']);
    expect(given.phone_numbers).toEqual([{ field: 'PHONE1', number: '1' }]);
  });
});
