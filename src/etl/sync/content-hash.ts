/**
 * A row's content hash (`_hash`): SHA-1 over what its row and its child rows hold, cell by cell in
 * column order, so a row is written again exactly when what it stores changed. Hashing the
 * record's JSON instead cost more than building its rows (JSON.stringify of every record).
 *
 * The encoding is one-to-one: cells are joined by U+0001, and a cell that is not plain text says
 * what it is by its first character (U+0000 null, U+0002 a flag, U+0003 a number, U+0004 text
 * written as JSON because it holds U+0001 or starts with a character below U+0007; U+0005 starts a
 * child row, U+0006 a child table). Nulls at a row's end are left out: a column added since (it
 * only ever comes last) leaves every hash as it was.
 */
import { hash } from 'node:crypto';
import type { CellValue } from './layout.js';

const SEPARATOR = '\u0001';
const CHILD_ROW = '\u0005';
const CHILD_TABLE = '\u0006';

function cell(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '\u0000';
  if (typeof value === 'string') {
    const plain = value.length === 0 || (value.charCodeAt(0) > 6 && !value.includes(SEPARATOR));
    return plain ? value : `\u0004${JSON.stringify(value)}`;
  }
  if (typeof value === 'number') return `\u0003${value}`;
  return value ? '\u0002t' : '\u0002f';
}

function pushCells(parts: string[], row: ReadonlyArray<CellValue | undefined>): void {
  let last = row.length - 1;
  while (last >= 0 && (row[last] ?? null) === null) last--;
  for (let i = 0; i <= last; i++) parts.push(cell(row[i]));
}

/** The hash of a row (by column slot) and of its child tables' rows, in the layout's order. */
export function contentHash(
  row: ReadonlyArray<CellValue | undefined>,
  children: Iterable<ReadonlyArray<ReadonlyArray<CellValue | undefined>>>,
): string {
  const parts: string[] = [];
  pushCells(parts, row);
  for (const rows of children) {
    parts.push(CHILD_TABLE);
    for (const child of rows) {
      parts.push(CHILD_ROW);
      pushCells(parts, child);
    }
  }
  return hash('sha1', parts.join(SEPARATOR)).slice(0, 20);
}
