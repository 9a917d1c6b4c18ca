/**
 * A page's rows as PostgreSQL's COPY reads them (CSV), encoded when the page is built. The lines
 * sit in buffers of some 64 KB, outside V8's heap: a page waiting for its transaction holds a few
 * buffers instead of thousands of row arrays the young-generation collector would copy again and
 * again. Each line's place is kept, so the rows of some parents (those that changed) can be
 * written without encoding anything again.
 */
import type { EncodedRows } from './destination.js';
import type { CellValue } from './layout.js';

/** One CSV line for COPY (`slots[i]` holds column i's value): null is an unquoted empty field, every text quoted. */
function csvLine(row: readonly (CellValue | undefined)[], slots: readonly number[]): string {
  let line = '';
  for (let i = 0; i < slots.length; i++) {
    const v = row[slots[i] as number] ?? null;
    if (i > 0) line += ',';
    if (v === null) continue;
    if (typeof v === 'boolean') line += v ? 't' : 'f';
    else if (typeof v === 'number') line += String(v);
    else line += `"${v.includes('"') ? v.replace(/"/g, '""') : v}"`;
  }
  return `${line}\n`;
}

/** About this many bytes per buffer, and so per COPY data message (one socket write each). */
const CHUNK = 1 << 16;

export class CopyRows implements EncodedRows {
  private constructor(
    readonly columns: readonly string[],
    /** What COPY is sent: whole lines, in order. */
    readonly chunks: readonly Buffer[],
    /** Line i is `chunks[chunkOf[i]]` from `starts[i]` to `ends[i]`. */
    private readonly chunkOf: Uint32Array,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
  ) {}

  /**
   * Encodes rows as CSV lines, each written whole into a buffer; column i's value of a row is
   * `row[slots[i]]` (rows are kept by column slot), or `row[i]` without `slots`.
   */
  static encode(
    columns: readonly string[],
    rows: readonly (readonly (CellValue | undefined)[])[],
    slots: readonly number[] = columns.map((_, i) => i),
  ): CopyRows {
    const chunks: Buffer[] = [];
    const chunkOf = new Uint32Array(rows.length);
    const starts = new Uint32Array(rows.length);
    const ends = new Uint32Array(rows.length);
    let chunk = Buffer.allocUnsafe(CHUNK * 2);
    let at = 0;
    const close = () => {
      if (at > 0) chunks.push(chunk.subarray(0, at));
    };
    for (let i = 0; i < rows.length; i++) {
      const line = csvLine(rows[i] as readonly CellValue[], slots);
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (at + line.length * 3 > chunk.length || at >= CHUNK) {
        close();
        chunk = Buffer.allocUnsafe(Math.max(CHUNK * 2, line.length * 3));
        at = 0;
      }
      chunkOf[i] = chunks.length;
      starts[i] = at;
      at += chunk.write(line, at, 'utf8');
      ends[i] = at;
    }
    close();
    return new CopyRows(columns, chunks, chunkOf, starts, ends);
  }

  get length(): number {
    return this.ends.length;
  }

  /** The lines at `positions` (ascending), as views of these buffers: adjoining lines stay one view. */
  pick(positions: readonly number[]): CopyRows {
    const chunks: Buffer[] = [];
    const chunkOf = new Uint32Array(positions.length);
    const starts = new Uint32Array(positions.length);
    const ends = new Uint32Array(positions.length);
    let source = -1;
    let from = 0;
    let to = 0;
    const close = () => {
      if (source >= 0) chunks.push((this.chunks[source] as Buffer).subarray(from, to));
    };
    positions.forEach((p, i) => {
      const chunk = this.chunkOf[p] as number;
      const start = this.starts[p] as number;
      if (chunk !== source || start !== to) {
        close();
        source = chunk;
        from = start;
      }
      to = this.ends[p] as number;
      chunkOf[i] = chunks.length;
      starts[i] = start - from;
      ends[i] = to - from;
    });
    close();
    return new CopyRows(this.columns, chunks, chunkOf, starts, ends);
  }
}
