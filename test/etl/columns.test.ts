import { describe, expect, it } from 'vitest';
import { customFieldModel } from '../../src/etl/custom-fields.js';
import { csvColumns } from '../../src/etl/columns.js';
import { UsageError } from '../../src/errors.js';
import { contactsModelBody, contactsResource } from './fixtures.js';

const customLabels = customFieldModel(contactsModelBody).labels;
const tagsGathered = contactsResource.gathered!;

describe('csvColumns', () => {
  it('settles the header from the catalog: fields in order, objects and discriminated arrays spread out, then custom, then gathered', () => {
    const columns = csvColumns(contactsResource, { customLabels, gathered: tagsGathered });
    expect(columns.slice(0, 6)).toEqual([
      'id',
      'given_name',
      'family_name',
      'email_addresses.EMAIL1.email',
      'email_addresses.EMAIL2.email',
      'email_addresses.EMAIL3.email',
    ]);
    expect(columns).toContain('phone_numbers.PHONE2.type');
    expect(columns).not.toContain('phone_numbers.PHONE1.field');
    expect(columns.filter((c) => c.startsWith('addresses.BILLING.'))).toEqual([
      'addresses.BILLING.line1',
      'addresses.BILLING.line2',
      'addresses.BILLING.locality',
      'addresses.BILLING.region',
      'addresses.BILLING.postal_code',
      'addresses.BILLING.country_code',
      'addresses.BILLING.zip_code',
      'addresses.BILLING.zip_four',
    ]);
    const tail = columns.slice(columns.indexOf('company.id'));
    expect(tail).toEqual([
      'company.id',
      'company.company_name',
      'tag_ids',
      'score',
      'opt_in',
      'origin',
      'last_updated',
      'custom.Favourite colour',
      'custom.Shoe size',
      'custom.Favourite colour (2)',
      'custom.v1.2 notes',
      'tags',
    ]);
  });

  it('is the same whatever the data (no records involved) and leaves gathered fields out unless included', () => {
    expect(csvColumns(contactsResource)).not.toContain('tags');
    expect(csvColumns(contactsResource)).toEqual(csvColumns(contactsResource));
  });

  it('--fields selects and orders exactly, and expands objects and discriminated arrays', () => {
    expect(
      csvColumns(contactsResource, {
        customLabels,
        fields: ['custom.Shoe size', 'email_addresses.EMAIL2.email', 'id', 'company', 'phone_numbers.PHONE1'],
      }),
    ).toEqual([
      'custom.Shoe size',
      'email_addresses.EMAIL2.email',
      'id',
      'company.id',
      'company.company_name',
      'phone_numbers.PHONE1.extension',
      'phone_numbers.PHONE1.number',
      'phone_numbers.PHONE1.type',
    ]);
  });

  it('--fields refuses names the resource does not have, naming them', () => {
    expect(() => csvColumns(contactsResource, { fields: ['id', 'emial'] })).toThrow(UsageError);
    expect(() => csvColumns(contactsResource, { fields: ['emial'] })).toThrow(/"emial"/);
    expect(() => csvColumns(contactsResource, { customLabels, fields: ['custom.Nope'] })).toThrow(/custom\.Nope/);
    expect(() => csvColumns(contactsResource, { fields: ['tags'] })).toThrow(/--include tags/);
    expect(() => csvColumns(contactsResource, { fields: ['email_addresses.EMAIL9.email'] })).toThrow(/EMAIL9/);
  });
});
