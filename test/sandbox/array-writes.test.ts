/** The sandbox writes arrays as the catalog says Keap does: replaced, or merged by key. */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { arraysAsKeapWrites } from '../../src/sandbox/routes/writes.js';

const stored = {
  id: 1,
  custom_fields: [
    { id: 7, content: 'Red' },
    { id: 9, content: 12 },
  ],
};

describe('arraysAsKeapWrites', () => {
  it('custom_fields of contacts are replaced (the catalog: Keap v2 "any item not listed will be removed")', () => {
    const write = catalog.find((r) => r.name === 'contacts')?.arrayWrites?.find((w) => w.name === 'custom_fields');
    expect(write?.keap).toBe('replaces');
    const changes = { custom_fields: [{ id: 9, content: 13 }] };
    expect(arraysAsKeapWrites('contacts', stored, changes)).toEqual(changes);
  });

  it('an array the catalog marks as merged keeps the stored elements the write does not name', () => {
    const contacts = catalog.find((r) => r.name === 'contacts')!;
    const original = contacts.arrayWrites;
    contacts.arrayWrites = original?.map((w) => (w.name === 'custom_fields' ? { ...w, keap: 'merges' as const } : w));
    try {
      expect(arraysAsKeapWrites('contacts', stored, { custom_fields: [{ id: 9, content: 13 }] })).toEqual({
        custom_fields: [
          { id: 7, content: 'Red' },
          { id: 9, content: 13 },
        ],
      });
    } finally {
      contacts.arrayWrites = original;
    }
  });
});
