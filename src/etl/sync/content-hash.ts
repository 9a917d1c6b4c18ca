/**
 * A row's content hash (`_hash`): SHA-1 over what its row and its child rows hold, so a row is
 * written again exactly when what it stores changed. Nulls at a row's end are left out, so a column
 * added since (it only ever comes last) leaves every hash as it was. A hash is only ever compared
 * with hashes the same database stores, so each destination takes it over what costs it least:
 *
 * - PostgreSQL: over the CSV lines COPY is then sent (`RecordLines`, `CopyRows.fromLines`), so a
 *   cell is encoded once, not once for the hash and again for COPY. The encoding is one-to-one:
 *   text is always quoted, null is an empty cell, and a child table starts with U+001E, which is
 *   never outside quotes otherwise.
 * - SQLite binds values and writes no text: over the cells joined (`contentHash`). So are the rows
 *   of a resource keyed by its hash (commissions) in PostgreSQL too: their keys stay as they were.
 */
import { hash } from 'node:crypto';
import { CsvBytes } from './csv-bytes.js';
import type { CellValue } from './layout.js';

type Cells = ReadonlyArray<CellValue | undefined>;

/**
 * A table's columns in the order its lines are written: the data columns (the key first, then the
 * others in column order), then the bookkeeping ones a row carries but its hash does not cover
 * (`_hash`, `_synced_at`, `_deleted_at`; `_hash` stays first among the data where it is the key).
 */
export interface LineOrder {
  columns: readonly string[];
  /** Where each column's value sits in the table's rows. */
  slots: readonly number[];
  /** How many of `columns`, from the first, are data columns. */
  data: number;
}

/**
 * A page's records as CSV lines, hashed as they are written and kept (with the bookkeeping cells
 * `seal` adds) until the page is encoded (`CopyRows.fromLines`). Pages are built one at a time,
 * so one of these serves them all, cleared at each.
 */
export class RecordLines {
  readonly out = new CsvBytes(1 << 16);
  /** Line i's data cells are `out.buffer` from `starts[i]` to `ends[i]`: `cells[i]` of them (its trailing nulls left out). */
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly cells: number[] = [];
  /** The bookkeeping cells `seal` wrote for line i (a row's, not its child rows'): `out.buffer` from `tailStarts[i]` to `tailEnds[i]`. */
  readonly tailStarts: number[] = [];
  readonly tailEnds: number[] = [];

  /** Forgets the lines written (a new page). */
  clear(): void {
    this.out.at = 0;
    for (const list of [this.starts, this.ends, this.cells, this.tailStarts, this.tailEnds]) list.length = 0;
  }

  /** Lines written so far: the index the next record's row line gets (its child rows' lines follow it, table by table). */
  get count(): number {
    return this.starts.length;
  }

  /** Writes a record's lines (its row's, then each child table's rows') and returns its hash. */
  write(row: Cells, order: LineOrder, children: ReadonlyArray<{ rows: readonly Cells[]; order: LineOrder }>): string {
    const from = this.out.at;
    this.line(row, order);
    for (const child of children) {
      this.out.byte(CHILD_TABLE);
      for (const cells of child.rows) this.line(cells, child.order);
    }
    return hash('sha1', this.out.buffer.subarray(from, this.out.at)).slice(0, 20);
  }

  /** The row's bookkeeping cells (after its data), filled in since its hash was taken from line `line`. */
  seal(line: number, row: Cells, order: LineOrder): void {
    if (order.columns.length === order.data) return;
    this.tailStarts[line] = this.out.at;
    this.out.cells(row, order.slots, order.data, order.columns.length - 1);
    this.tailEnds[line] = this.out.at;
  }

  private line(row: Cells, order: LineOrder): void {
    let last = order.data - 1;
    while (last >= 0 && (row[order.slots[last] as number] ?? null) === null) last--;
    this.starts.push(this.out.at);
    this.out.cells(row, order.slots, 0, last);
    this.ends.push(this.out.at);
    this.cells.push(last + 1);
    this.tailStarts.push(0);
    this.tailEnds.push(0);
    this.out.newline();
  }
}

const CHILD_TABLE = 0x1e;

/*
 * Cells joined by U+0001; a cell that is not plain text says what it is by its first character
 * (U+0000 null, U+0002 a flag, U+0003 a number, U+0004 text written as JSON because it holds U+0001
 * or starts with a character below U+0007; U+0005 starts a child row, U+0006 a child table).
 */
const SEPARATOR = '\u0001';
const JOINED_CHILD_ROW = '\u0005';
const JOINED_CHILD_TABLE = '\u0006';

function cell(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '\u0000';
  if (typeof value === 'string') {
    const plain = value.length === 0 || (value.charCodeAt(0) > 6 && !value.includes(SEPARATOR));
    return plain ? value : `\u0004${JSON.stringify(value)}`;
  }
  if (typeof value === 'number') return `\u0003${value}`;
  return value ? '\u0002t' : '\u0002f';
}

function pushCells(parts: string[], row: Cells): void {
  let last = row.length - 1;
  while (last >= 0 && (row[last] ?? null) === null) last--;
  for (let i = 0; i <= last; i++) parts.push(cell(row[i]));
}

/** The hash of a row (by column slot) and of its child tables' rows, in the layout's order, cell by cell. */
export function contentHash(row: Cells, children: Iterable<readonly Cells[]>): string {
  const parts: string[] = [];
  pushCells(parts, row);
  for (const rows of children) {
    parts.push(JOINED_CHILD_TABLE);
    for (const child of rows) {
      parts.push(JOINED_CHILD_ROW);
      pushCells(parts, child);
    }
  }
  return hash('sha1', parts.join(SEPARATOR)).slice(0, 20);
}
