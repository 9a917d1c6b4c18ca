/**
 * A page's rows as COPY's CSV (copy-rows.ts): the bytes PostgreSQL reads, and the rows of some
 * parents picked out of them without encoding again, across buffer boundaries.
 */
import { describe, expect, it } from 'vitest';
import { CopyRows } from '../../src/etl/sync/copy-rows.js';
import type { CellValue } from '../../src/etl/sync/layout.js';

const text = (rows: CopyRows) => Buffer.concat(rows.chunks as Buffer[]).toString('utf8');

describe('CopyRows', () => {
  it('writes null unquoted, flags as t/f, every text quoted with its quotes doubled', () => {
    const rows = CopyRows.encode(
      ['id', 'name', 'vip', 'note'],
      [
        [1, 'Ann "Nan"', true, null],
        [2, '', false, 'line\nbreak, comma 🚀'],
      ],
    );
    expect(rows.length).toBe(2);
    expect(text(rows)).toBe('1,"Ann ""Nan""",t,\n2,"",f,"line\nbreak, comma 🚀"\n');
  });

  it('picks rows by position, adjoining ones as one view, across buffers', () => {
    // Lines of about 20 KB: a few per 64 KB buffer, so the page spans several.
    const values: CellValue[][] = Array.from({ length: 12 }, (_, i) => [i, `${i}`.padEnd(20_000, 'é')]);
    const rows = CopyRows.encode(['id', 'text'], values);
    expect(rows.chunks.length).toBeGreaterThan(2);
    const line = (i: number) => `${i},"${values[i]?.[1]}"\n`;
    expect(text(rows)).toBe(values.map((_, i) => line(i)).join(''));
    const picked = rows.pick([0, 1, 2, 5, 9, 10, 11]);
    expect(picked.length).toBe(7);
    expect(text(picked)).toBe([0, 1, 2, 5, 9, 10, 11].map(line).join(''));
    // Picking again from a pick reads the same lines.
    expect(text(picked.pick([1, 3, 6]))).toBe([1, 5, 11].map(line).join(''));
    expect(picked.pick([]).length).toBe(0);
  });
});
