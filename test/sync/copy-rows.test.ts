/**
 * A page's rows as COPY's CSV (copy-rows.ts): the bytes PostgreSQL reads, and the rows of some
 * parents picked out of them without encoding again, across buffer boundaries.
 */
import { describe, expect, it } from 'vitest';
import { type LineOrder, RecordLines } from '../../src/etl/sync/content-hash.js';
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

  it('writes text as UTF-8 byte for byte as Buffer does, short and long, a lone surrogate as U+FFFD', () => {
    const texts = [
      'plain',
      'é',
      'Ünïcødé and 東京 and 🚀 and 👍🏽, past the length written natively',
      '"quoted" 🚀 past the length written natively, with its quotes doubled',
      '"',
      'a\ud800b',
      '\udc00',
      'tail \ud83d',
      'a lone surrogate \ud800 in text long enough to be written natively',
      '\u0000\u007f\u0080\u07ff\u0800\uffff',
    ];
    const rows = CopyRows.encode(
      ['id', 'text'],
      texts.map((t, i) => [i, t]),
    );
    const expected = texts.map((t, i) => `${i},"${t.replace(/"/g, '""')}"\n`).join('');
    expect(Buffer.concat(rows.chunks as Buffer[]).equals(Buffer.from(expected, 'utf8'))).toBe(true);
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

  it('sends the lines a page was hashed over: a column added since as a null, then the bookkeeping cells', () => {
    // Rows by slot: id, name, _hash, _synced_at, note (added after the table was made).
    const order: LineOrder = { columns: ['id', 'name', '_hash', '_synced_at'], slots: [0, 1, 2, 3], data: 2 };
    const child: LineOrder = { columns: ['_parent_id', 'field', 'email'], slots: [0, 1, 2], data: 3 };
    const lines = new RecordLines();
    const ann: Array<CellValue | undefined> = [1, 'Ann "Nan"'];
    lines.write(ann, order, [
      {
        rows: [
          [1, 'EMAIL1', 'a@b.c'],
          [1, 'EMAIL2'],
        ],
        order: child,
      },
    ]);
    ann[2] = 'h1';
    ann[3] = '2026-12-07T11:00:00.000Z';
    lines.seal(0, ann, order);
    // A note column is added between the two records: the second's line has it, the first's does not.
    const withNote: LineOrder = { columns: ['id', 'name', 'note', '_hash', '_synced_at'], slots: [0, 1, 4, 2, 3], data: 3 };
    const bo: Array<CellValue | undefined> = [2, null, 'h2', 'then', 'é 🚀'];
    lines.write(bo, withNote, [{ rows: [], order: child }]);
    lines.seal(3, bo, withNote);
    const rows = CopyRows.fromLines(withNote.columns, { lines, at: [0, 3], data: withNote.data });
    expect(rows.columns).toEqual(['id', 'name', 'note', '_hash', '_synced_at']);
    expect(text(rows)).toBe('1,"Ann ""Nan""",,"h1","2026-12-07T11:00:00.000Z"\n2,,"é 🚀","h2","then"\n');
    const emails = CopyRows.fromLines(child.columns, { lines, at: [1, 2], data: child.data });
    // A trailing null left out of the line (and the hash) is written back for COPY.
    expect(text(emails)).toBe('1,"EMAIL1","a@b.c"\n1,"EMAIL2",\n');
  });
});
