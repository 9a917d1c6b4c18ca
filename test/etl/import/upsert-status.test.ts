/**
 * How an upsert's outcome is told created from updated (issue 16, item 7): Keap answers 201 for a
 * new record; otherwise the record's own stamps decide, against when the import began.
 */
import { describe, expect, it } from 'vitest';
import { findResource } from '../../../src/catalog/index.js';
import { upsertStatus } from '../../../src/etl/import/upsert-status.js';

const contacts = findResource('contacts');
const startedAt = Date.parse('2026-03-01T12:00:00.000Z');
const before = '2026-02-01T08:00:00.000Z';
const later = '2026-02-20T08:00:00.000Z';
const since = '2026-03-01T12:00:00.000Z';
const record = (date_created?: string, last_updated?: string) => ({ id: 7, date_created, last_updated });

describe('upsertStatus', () => {
  it('the catalog says which fields hold the stamps', () => {
    expect(contacts.createdField).toBe('date_created');
    expect(contacts.updatedField).toBe('last_updated');
  });

  it('201 is created, whatever the record says', () => {
    expect(upsertStatus(contacts, startedAt, 201, record(before, later))).toBe('created');
    expect(upsertStatus(contacts, startedAt, 201, undefined)).toBe('created');
  });

  it('a 200 without a record is updated', () => {
    expect(upsertStatus(contacts, startedAt, 200, undefined)).toBe('updated');
    expect(upsertStatus(contacts, startedAt, 200, [record(since, since)])).toBe('updated');
    expect(upsertStatus(contacts, startedAt, 200, 'ok')).toBe('updated');
  });

  it('a resource without a created field is updated', () => {
    const companies = findResource('companies');
    expect(companies.createdField).toBeUndefined();
    expect(upsertStatus(companies, startedAt, 200, record(since, since))).toBe('updated');
  });

  it('a record without a readable creation time is updated', () => {
    expect(upsertStatus(contacts, startedAt, 200, record(undefined, before))).toBe('updated');
    expect(upsertStatus(contacts, startedAt, 200, record('not a date', before))).toBe('updated');
  });

  it('a record created since the import began is created, even if updated after', () => {
    expect(upsertStatus(contacts, startedAt, 200, record(since, '2026-03-02T00:00:00.000Z'))).toBe('created');
    expect(upsertStatus(contacts, startedAt, 200, record('2026-03-05T00:00:00.000Z', undefined))).toBe('created');
  });

  it('an older record never updated since its creation is created (last_updated <= date_created)', () => {
    expect(upsertStatus(contacts, startedAt, 200, record(before, before))).toBe('created');
    expect(upsertStatus(contacts, startedAt, 200, record(later, before))).toBe('created');
  });

  it('an older record updated after its creation, or with no update time, is updated', () => {
    expect(upsertStatus(contacts, startedAt, 200, record(before, later))).toBe('updated');
    expect(upsertStatus(contacts, startedAt, 200, record(before, undefined))).toBe('updated');
    expect(upsertStatus(contacts, startedAt, 200, record(before, 'never'))).toBe('updated');
  });
});
