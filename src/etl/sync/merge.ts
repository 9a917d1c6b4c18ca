/**
 * Writing a page: the schema additions it needs (add-only), the rows upserted by key, and each
 * changed parent's child rows replaced, all in the caller's transaction. And at a resource's end,
 * the rows gone from Keap: `_deleted_at` set (or removed with `--hard-delete`).
 */
import {
  addColumnSql,
  createTableSql,
  type Destination,
  type EncodedRows,
  quote,
  type RowStatus,
  type Transaction,
} from './destination.js';
import type { RecordLines } from './content-hash.js';
import { type CellValue, type ChildSpec, DELETED_AT, parentColumn, type ResourceLayout } from './layout.js';
import type { RecordRows, Row, TableColumns } from './rows.js';

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  childRows: number;
  columnsAdded: number;
  variants: number;
}

export const emptyCounts = (): MergeCounts => ({
  inserted: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  childRows: 0,
  columnsAdded: 0,
  variants: 0,
});

/** Statements per batch of keys (SQLite's limit on parameters is 32,766; PostgreSQL's 65,535). */
const KEY_BATCH = 500;

/** Creates the tables and adds the columns the page needs (those waiting when it is called). */
export async function applySchema(tx: Transaction, destination: Destination, columns: TableColumns, counts: MergeCounts): Promise<void> {
  const pending = columns.take();
  const created = new Set<string>();
  for (const spec of pending.tables) {
    await tx.run(createTableSql(destination, spec));
    created.add(spec.name);
  }
  for (const { table, column } of pending.columns) {
    await tx.run(addColumnSql(destination, table, column));
    if (!created.has(table)) counts.columnsAdded++;
  }
}

/** A key as a string to compare by: databases hand back 12 or '12' for the same key. */
export const keyString = (key: readonly unknown[]) => JSON.stringify(key.map((v) => (v === null || v === undefined ? null : String(v))));

/** `("a" = ? AND "b" = ?) OR ...` for a batch of keys, with its parameters. */
function keysWhere(columns: string[], keys: CellValue[][]): { sql: string; params: CellValue[] } {
  if (columns.length === 1)
    return { sql: `${quote(columns[0] as string)} IN (${keys.map(() => '?').join(', ')})`, params: keys.map((k) => k[0] ?? null) };
  const one = `(${columns.map((c) => `${quote(c)} = ?`).join(' AND ')})`;
  return { sql: keys.map(() => one).join(' OR '), params: keys.flat() };
}

async function forBatches(keys: CellValue[][], work: (batch: CellValue[][]) => Promise<void>): Promise<void> {
  for (let i = 0; i < keys.length; i += KEY_BATCH) await work(keys.slice(i, i + KEY_BATCH));
}

/**
 * A page's rows, encoded for the destination as soon as the page is built: what waits for the
 * transaction (the page before it may still be writing) is a few buffers, not thousands of arrays.
 */
export interface PageRows {
  /** Records the page read, a key read twice counted twice. */
  read: number;
  /** The keys of the page's records, each once: a record read twice (overlapping reads) is written once, as last read. */
  keys: CellValue[][];
  /** One row per key, in `keys`' order. */
  rows: EncodedRows;
  /** Each child table's rows, with the position (in `keys`) of each row's parent. */
  children: Map<string, { rows: EncodedRows; parents: number[] }>;
}

/**
 * Encodes a page's rows in the columns its tables have (or will have once its additions are made):
 * from the lines they were hashed over where the destination takes them (`lines`), else from their values.
 */
export function encodePage(
  destination: Destination,
  layout: ResourceLayout,
  columns: TableColumns,
  records: RecordRows[],
  lines?: RecordLines,
): PageRows {
  const byKey = new Map<string, RecordRows>();
  for (const record of records) byKey.set(keyString(record.key), record);
  const unique = [...byKey.values()];
  // Rows by their lines where the destination takes them, else by their values.
  const encode = (table: string, at: number[], rows: Row[]) => {
    const order = columns.lineOrder(table);
    if (lines && destination.encodeLines) return destination.encodeLines(order.columns, { lines, at, data: order.data });
    return destination.encode(order.columns, rows, order.slots);
  };
  const children = new Map<string, { rows: EncodedRows; parents: number[] }>();
  // A record's child rows' lines follow its row's, table by table in the layout's order.
  const next = unique.map((record) => record.line + 1);
  layout.children.forEach((child, c) => {
    const at: number[] = [];
    const rows: Row[] = [];
    const parents: number[] = [];
    unique.forEach((record, position) => {
      const count = record.childRows[c] as number;
      const line = next[position] as number;
      for (let i = 0; i < count; i++) {
        at.push(line + i);
        parents.push(position);
      }
      next[position] = line + count;
      for (const row of record.values?.children.get(child.table) ?? []) rows.push(row);
    });
    if (parents.length) children.set(child.table, { rows: encode(child.table, at, rows), parents });
  });
  return {
    read: records.length,
    keys: unique.map((r) => r.key),
    rows: encode(
      layout.table.name,
      unique.map((r) => r.line),
      unique.map((r) => r.values?.row ?? []),
    ),
    children,
  };
}

/** Upserts a page's rows and replaces the child rows of every parent that changed. */
export async function mergePage(
  tx: Transaction,
  destination: Destination,
  layout: ResourceLayout,
  columns: TableColumns,
  page: PageRows,
  counts: MergeCounts,
): Promise<void> {
  const statuses: RowStatus[] = await tx.upsert(layout.table.name, layout.table.key.length, page.rows, page.keys);
  const changed = statuses.map((status) => status !== 'unchanged');
  // A parent inserted now has no child rows yet: only updated ones have old ones to delete.
  const updated = page.keys.filter((_, i) => statuses[i] === 'updated');
  for (const status of statuses) counts[status]++;
  if (!changed.includes(true)) return;
  const everyOne = !changed.includes(false);
  for (const child of layout.children) {
    if (!columns.created(child.table)) continue;
    const parentColumns = layout.table.key.map(parentColumn);
    await forBatches(updated, async (batch) => {
      const where = keysWhere(parentColumns, batch);
      await tx.run(`DELETE FROM ${destination.table(child.table)} WHERE ${where.sql}`, where.params);
    });
    const entry = page.children.get(child.table);
    if (!entry) continue;
    const rows = everyOne ? entry.rows : entry.rows.pick(entry.parents.flatMap((parent, i) => (changed[parent] ? [i] : [])));
    await tx.insert(child.table, rows);
    counts.childRows += rows.length;
  }
}

/**
 * Replaces one child table's rows of these parents with `rows`: a
 * gathered table rebuilt from its inverse lists, whatever the parents' update times say.
 */
export async function replaceChildRows(
  tx: Transaction,
  destination: Destination,
  layout: ResourceLayout,
  columns: TableColumns,
  child: ChildSpec,
  parents: { keys: CellValue[][]; rows: Row[] },
): Promise<void> {
  await forBatches(parents.keys, async (batch) => {
    const where = keysWhere(layout.table.key.map(parentColumn), batch);
    await tx.run(`DELETE FROM ${destination.table(child.table)} WHERE ${where.sql}`, where.params);
  });
  const order = columns.lineOrder(child.table);
  await tx.insert(child.table, destination.encode(order.columns, parents.rows, order.slots));
}

/** Full refresh: every row of the resource's tables goes, in the transaction that inserts them again. */
export async function clearTables(tx: Transaction, destination: Destination, layout: ResourceLayout, columns: TableColumns): Promise<void> {
  for (const child of layout.children) if (columns.created(child.table)) await tx.run(`DELETE FROM ${destination.table(child.table)}`);
  await tx.run(`DELETE FROM ${destination.table(layout.table.name)}`);
}

/** The keys of the rows not marked deleted. */
export async function liveKeys(tx: Transaction, destination: Destination, layout: ResourceLayout): Promise<CellValue[][]> {
  const key = layout.table.key;
  const rows = await tx.query<Record<string, CellValue>>(
    `SELECT ${key.map((k, i) => `${quote(k)} AS k${i}`).join(', ')} FROM ${destination.table(layout.table.name)} WHERE ${quote(DELETED_AT)} IS NULL`,
  );
  return rows.map((r) => key.map((_, i) => r[`k${i}`] ?? null));
}

/** The keys of the rows marked deleted. */
export async function deletedKeys(tx: Transaction, destination: Destination, layout: ResourceLayout): Promise<CellValue[][]> {
  const key = layout.table.key;
  const rows = await tx.query<Record<string, CellValue>>(
    `SELECT ${key.map((k, i) => `${quote(k)} AS k${i}`).join(', ')} FROM ${destination.table(layout.table.name)} WHERE ${quote(DELETED_AT)} IS NOT NULL`,
  );
  return rows.map((r) => key.map((_, i) => r[`k${i}`] ?? null));
}

/** Rows marked deleted that Keap has again (a sweep found their ids): un-deleted. */
export async function markUndeleted(tx: Transaction, destination: Destination, layout: ResourceLayout, keys: CellValue[][]): Promise<void> {
  await forBatches(keys, async (batch) => {
    const where = keysWhere(layout.table.key, batch);
    await tx.run(`UPDATE ${destination.table(layout.table.name)} SET ${quote(DELETED_AT)} = NULL WHERE ${where.sql}`, where.params);
  });
}

/** Rows gone from Keap: `_deleted_at` now, or (`--hard-delete`) removed with their child rows. */
export async function markDeleted(
  tx: Transaction,
  destination: Destination,
  layout: ResourceLayout,
  columns: TableColumns,
  keys: CellValue[][],
  options: { hard: boolean; at: string },
): Promise<void> {
  const table = destination.table(layout.table.name);
  await forBatches(keys, async (batch) => {
    const where = keysWhere(layout.table.key, batch);
    if (!options.hard) {
      await tx.run(`UPDATE ${table} SET ${quote(DELETED_AT)} = ? WHERE ${where.sql}`, [options.at, ...where.params]);
      return;
    }
    for (const child of layout.children) {
      if (!columns.created(child.table)) continue;
      const childWhere = keysWhere(layout.table.key.map(parentColumn), batch);
      await tx.run(`DELETE FROM ${destination.table(child.table)} WHERE ${childWhere.sql}`, childWhere.params);
    }
    await tx.run(`DELETE FROM ${table} WHERE ${where.sql}`, where.params);
  });
}
