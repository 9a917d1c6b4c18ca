/** `_hash`: a row is written again exactly when what it stores changed (src/etl/sync/content-hash.ts). */
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/etl/sync/content-hash.js';

const h = (row: unknown[], children: unknown[][][] = []) => contentHash(row as never, children as never);

describe('contentHash', () => {
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
      ].map(String),
    );
    expect(seen.size).toBe(18);
  });

  it('keeps a hash when a column is added after the row was written (a new column is empty, and last)', () => {
    expect(h([1, 'Pat', null, null])).toBe(h([1, 'Pat']));
    expect(h([1, 'Pat', undefined, null])).toBe(h([1, 'Pat']));
    expect(h([1, null, 'Pat'])).not.toBe(h([1, 'Pat']));
  });
});
