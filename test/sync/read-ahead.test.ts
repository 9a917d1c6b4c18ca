/**
 * Building the next page while the current one is written (read-ahead.ts): pages still come in
 * order, a failure ahead surfaces only after the pages before it were handled, and a column the
 * page built ahead adds is not written by the page before it (its transaction has not made it).
 */
import { describe, expect, it } from 'vitest';
import { type Destination, ValueRows } from '../../src/etl/sync/destination.js';
import type { CellValue, ResourceLayout } from '../../src/etl/sync/layout.js';
import { encodePage } from '../../src/etl/sync/merge.js';
import { mapInSlices, readAhead } from '../../src/etl/sync/read-ahead.js';
import { type RecordRows, type Row, TableColumns } from '../../src/etl/sync/rows.js';

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

describe('a page built ahead of the one being written', () => {
  it('is encoded in the columns known when it was built; one it adds waits for its own transaction', () => {
    const destination = {
      encode: (names: readonly string[], rows: readonly Row[], slots: readonly number[]) =>
        new ValueRows(
          names,
          rows.map((row) => slots.map((slot) => row[slot] ?? null)),
        ),
    } as Destination;
    const layout = { table: { name: 'contacts', key: ['id'], columns: [] }, children: [] } as unknown as ResourceLayout;
    const columns = new TableColumns();
    columns.know({ name: 'contacts', key: ['id'], columns: [{ name: 'id', type: 'integer' }] }, new Map([['id', 'integer']]));
    const row = (values: Record<string, CellValue>): RecordRows => {
      const cells: Row = [];
      for (const [name, value] of Object.entries(values)) cells[columns.slot('contacts', name)] = value;
      return { key: [values.id as CellValue], line: 0, childRows: [], values: { row: cells, children: new Map() } };
    };
    columns.ensure('contacts', 'given_name', 'text');
    const first = encodePage(destination, layout, columns, [row({ id: 1, given_name: 'Ann' }), row({ id: 1, given_name: 'Ann B' })]);
    // Its transaction makes what it added.
    expect(columns.take().columns.map((c) => c.column.name)).toEqual(['given_name']);
    // The next page, built while the first is written, needs a variant column not made yet.
    columns.ensure('contacts', 'birthday__v_text', 'text');
    const second = encodePage(destination, layout, columns, [row({ id: 2, birthday__v_text: 'soon' })]);
    expect(first.rows.columns).toEqual(['id', 'given_name']);
    // A key read twice in a page is written once, as last read.
    expect(first).toMatchObject({ read: 2, keys: [[1]] });
    expect((first.rows as ValueRows).values).toEqual([[1, 'Ann B']]);
    columns.settled();
    expect(second.rows.columns).toEqual(['id', 'given_name', 'birthday__v_text']);
    expect(columns.take().columns.map((c) => c.column.name)).toEqual(['birthday__v_text']);
    expect((second.rows as ValueRows).values).toEqual([[2, null, 'soon']]);
    columns.know({ name: 'contacts__tags', key: ['_parent_id', '_position'], columns: [] }, undefined);
    expect(columns.created('contacts__tags')).toBe(false);
    columns.take();
    expect(columns.created('contacts__tags')).toBe(true);
  });
});
