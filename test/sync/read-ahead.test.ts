/**
 * Building the next page while the current one is written (read-ahead.ts): pages still come in
 * order, a failure ahead surfaces only after the pages before it were handled, and a column the
 * page built ahead adds is not written by the page before it (its transaction has not made it).
 */
import { describe, expect, it } from 'vitest';
import { mapInSlices, readAhead } from '../../src/etl/sync/read-ahead.js';
import { TableColumns } from '../../src/etl/sync/rows.js';

async function* pages(n: number, failAt?: number) {
  for (let i = 1; i <= n; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (i === failAt) throw new Error(`page ${i} could not be read`);
    yield i;
  }
}

describe('readAhead', () => {
  it('prepares the next page while the current one is handled, in order', async () => {
    const events: string[] = [];
    for await (const page of readAhead(pages(3), (p) => {
      events.push(`built ${p}`);
      return p;
    })) {
      events.push(`writing ${page}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`committed ${page}`);
    }
    expect(events).toEqual([
      'built 1',
      'writing 1',
      'built 2',
      'committed 1',
      'writing 2',
      'built 3',
      'committed 2',
      'writing 3',
      'committed 3',
    ]);
  });

  it('a page that fails ahead fails only after the pages before it were handled', async () => {
    const handled: number[] = [];
    await expect(
      (async () => {
        for await (const page of readAhead(pages(3, 3), (p) => p)) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          handled.push(page);
        }
      })(),
    ).rejects.toThrow('page 3 could not be read');
    expect(handled).toEqual([1, 2]);
  });
});

describe('mapInSlices', () => {
  it('maps in order, letting the event loop run between slices (a database answer is handled mid-page)', async () => {
    let answered = -1;
    let mapped = 0;
    setImmediate(() => (answered = mapped));
    const out = await mapInSlices(
      Array.from({ length: 250 }, (_, i) => i),
      (i) => {
        mapped++;
        return i * 2;
      },
    );
    expect(out).toEqual(Array.from({ length: 250 }, (_, i) => i * 2));
    expect(answered).toBe(100);
  });
});

describe('TableColumns with a page built ahead', () => {
  it('writes only the columns a transaction took; one added meanwhile waits for the next', () => {
    const columns = new TableColumns();
    columns.know({ name: 'contacts', key: ['id'], columns: [{ name: 'id', type: 'integer' }] }, new Map([['id', 'integer']]));
    columns.ensure('contacts', 'given_name', 'text');
    expect(columns.take().columns.map((c) => c.column.name)).toEqual(['given_name']);
    // The next page, built while this one is written, needs a variant column not made yet.
    columns.ensure('contacts', 'birthday__v_text', 'text');
    expect(columns.written('contacts')).toEqual(['id', 'given_name']);
    columns.settled();
    expect(columns.take().columns.map((c) => c.column.name)).toEqual(['birthday__v_text']);
    expect(columns.written('contacts')).toEqual(['id', 'given_name', 'birthday__v_text']);
    columns.know({ name: 'contacts__tags', key: ['_parent_id', '_position'], columns: [] }, undefined);
    expect(columns.created('contacts__tags')).toBe(false);
    columns.take();
    expect(columns.created('contacts__tags')).toBe(true);
  });
});
