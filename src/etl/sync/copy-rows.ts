/**
 * A page's rows as PostgreSQL's COPY reads them (CSV), encoded when the page is built. The lines
 * sit in buffers of some 64 KB, outside V8's heap: a page waiting for its transaction holds a few
 * buffers instead of thousands of row arrays the young-generation collector would copy again and
 * again. Each line's place is kept, so the rows of some parents (those that changed) can be
 * written without encoding anything again.
 */
import { CsvBytes } from './csv-bytes.js';
import type { EncodedRows, RowLines } from './destination.js';
import type { CellValue } from './layout.js';

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
    return CopyRows.build(columns, rows.length, (out, i) => out.cells(rows[i] as readonly CellValue[], slots));
  }

  /**
   * Rows already written as lines (those their hash was taken over, content-hash.ts): each line's
   * cells as they are, a null for each data column added since it was written, then its
   * bookkeeping cells.
   */
  static fromLines(columns: readonly string[], { lines, at, data }: RowLines): CopyRows {
    const bytes = lines.out.buffer;
    return CopyRows.build(columns, at.length, (out, i) => {
      const line = at[i] as number;
      out.copy(bytes, lines.starts[line] as number, lines.ends[line] as number);
      out.commas(data - Math.max(lines.cells[line] as number, 1));
      if (columns.length > data) {
        out.commas(1);
        out.copy(bytes, lines.tailStarts[line] as number, lines.tailEnds[line] as number);
      }
    });
  }

  /** `count` lines, each written whole into one buffer by `write` (its newline added here). */
  private static build(columns: readonly string[], count: number, write: (out: CsvBytes, i: number) => void): CopyRows {
    const chunks: Buffer[] = [];
    const chunkOf = new Uint32Array(count);
    const starts = new Uint32Array(count);
    const ends = new Uint32Array(count);
    let out = new CsvBytes(CHUNK * 2);
    for (let i = 0; i < count; i++) {
      chunkOf[i] = chunks.length;
      starts[i] = out.at;
      write(out, i);
      out.newline();
      ends[i] = out.at;
      if (out.at >= CHUNK) {
        chunks.push(out.buffer.subarray(0, out.at));
        out = new CsvBytes(CHUNK * 2);
      }
    }
    if (out.at > 0) chunks.push(out.buffer.subarray(0, out.at));
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
