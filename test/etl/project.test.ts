import { describe, expect, it } from 'vitest';
import { projectRecord } from '../../src/etl/project.js';

const record = {
  id: 1,
  given_name: 'Ann',
  email_addresses: [
    { email: 'a@example.com', field: 'EMAIL1' },
    { email: 'b@example.com', field: 'EMAIL2' },
  ],
  company: { id: 5, company_name: 'Acme' },
  custom: { 'v1.2 notes': 'dotted label', Size: 9 },
  custom_fields: [{ id: 4, content: 'dotted label' }],
};

describe('projectRecord', () => {
  it('keeps only the given paths, in the given order, with the record nesting', () => {
    const projected = projectRecord(record, ['company.company_name', 'id', 'email_addresses.EMAIL2.email', 'custom.v1.2 notes']);
    expect(projected).toEqual({
      company: { company_name: 'Acme' },
      id: 1,
      email_addresses: [{ field: 'EMAIL2', email: 'b@example.com' }],
      custom: { 'v1.2 notes': 'dotted label' },
    });
    expect(Object.keys(projected)).toEqual(['company', 'id', 'email_addresses', 'custom']);
  });

  it('merges several paths into the same object or element', () => {
    expect(
      projectRecord(record, ['email_addresses.EMAIL1.email', 'email_addresses.EMAIL1.field', 'company.id', 'company.company_name']),
    ).toEqual({
      email_addresses: [{ field: 'EMAIL1', email: 'a@example.com' }],
      company: { id: 5, company_name: 'Acme' },
    });
  });

  it('takes whole values and gives null for missing fields', () => {
    expect(projectRecord(record, ['company', 'family_name', 'email_addresses.EMAIL3.email'])).toEqual({
      company: { id: 5, company_name: 'Acme' },
      family_name: null,
      email_addresses: [],
    });
  });

  it('does not change the record', () => {
    const copy = structuredClone(record);
    projectRecord(record, ['email_addresses.EMAIL1.email', 'company.id']);
    expect(record).toEqual(copy);
  });
});
