/** `_hash`: a row is written again exactly when what it stores changed (src/etl/sync/content-hash.ts). */
import { describe, expect, it } from 'vitest';
import { contentHash, type LineOrder, RecordLines } from '../../src/etl/sync/content-hash.js';

type Cells = unknown[];

/** Four data columns in slot order, and two bookkeeping ones the hash does not cover. */
const order: LineOrder = { columns: ['a', 'b', 'c', 'd', '_hash', '_synced_at'], slots: [0, 1, 2, 3, 4, 5], data: 4 };

const hashers = {
  // SQLite: the cells joined.
  cells: (row: Cells, children: Cells[][] = []) => contentHash(row as never, children as never),
  // PostgreSQL: the CSV lines COPY is sent, all of a page's records written one after another.
  lines: (() => {
    const lines = new RecordLines();
    return (row: Cells, children: Cells[][] = []) =>
      lines.write(
        row as never,
        order,
        children.map((rows) => ({ rows: rows as never, order })),
      );
  })(),
};

describe.each(Object.entries(hashers))('the content hash over %s', (_, h) => {
  it('is the same for the same cells, whatever arrays they come in', () => {
    expect(h([1, 'Pat', null, true], [[[1, 'EMAIL1', 'a@b.c']]])).toBe(h([1, 'Pat', null, true], [[[1, 'EMAIL1', 'a@b.c']]]));
    expect(h([1, 'Pat'])).toMatch(/^[0-9a-f]{20}$/);
  });

  it('tells apart every change a row can store', () => {
    const seen = new Set(
      [
        h([1, 'Pat']),
        h([1, 'Pat', '']),
        h([1, 'Pat', 'null']),
        h([1, 'Pat', 't']),
        h([1, 'Pat', true]),
        h([1, 'Pat', false]),
        h([1, 'Pat', 0]),
        h([1, 'Pat', '0']),
        h([1, 'Pa', 't']),
        h([1, 'Pa\u0001t']),
        h([1, '\u0003Pat']),
        h([1, 'Pa,t']),
        h([1, 'Pa', 't"']),
        h([1, 'Pa\u001et']),
        h([1, 'Pa\nt']),
        h(['1', 'Pat']),
        h([1, 'Pat'], [[]]),
        h([1, 'Pat'], [[[1, 'EMAIL1']]]),
        h([1, 'Pat'], [[[1, 'EMAIL1']], []]),
        h([1, 'Pat'], [[], [[1, 'EMAIL1']]]),
        h(
          [1, 'Pat'],
          [
            [
              [1, 'EMAIL1'],
              [1, 'EMAIL2'],
            ],
          ],
        ),
        h([1, 'Pat'], [[[1, 'EMAIL1', 'EMAIL2']]]),
        h([1, 'Pat'], [[[1, 'EMAIL1\n1', 'EMAIL2']]]),
      ].map(String),
    );
    expect(seen.size).toBe(23);
  });

  it('keeps a hash when a column is added after the row was written (a new column is empty, and last)', () => {
    expect(h([1, 'Pat', null, null])).toBe(h([1, 'Pat']));
    expect(h([1, 'Pat', undefined, null])).toBe(h([1, 'Pat']));
    expect(h([1, 'Pat'], [[[1, 'EMAIL1', null]]])).toBe(h([1, 'Pat'], [[[1, 'EMAIL1']]]));
    expect(h([1, null, 'Pat'])).not.toBe(h([1, 'Pat']));
  });
});

describe('the content hash over CSV lines', () => {
  it('does not cover the bookkeeping cells that follow the data', () => {
    const lines = new RecordLines();
    expect(lines.write([1, 'Pat', null, null, 'old hash', 'yesterday'], order, [])).toBe(lines.write([1, 'Pat'], order, []));
  });
});
