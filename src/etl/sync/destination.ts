/**
 * What the merge needs of a database, written once for SQLite and PostgreSQL. SQL is written with
 * `?` placeholders and double-quoted identifiers, which both accept (the PostgreSQL driver numbers
 * the placeholders); what differs (type names, the bulk upsert, the lock) is the driver's.
 */
import type { CellValue, Column, SqlType, TableSpec } from './layout.js';

/** What became of one row of an upsert. */
export type RowStatus = 'inserted' | 'updated' | 'unchanged';

export interface Transaction {
  query<T = Record<string, unknown>>(sql: string, params?: CellValue[]): Promise<T[]>;
  run(sql: string, params?: CellValue[]): Promise<void>;
  /**
   * Inserts rows, or updates those whose key exists when their `_hash` differs or they were marked
   * deleted (the rows carry `_deleted_at` null, so that un-deletes them). `columns` starts with the
   * key columns. One status per row, in order.
   */
  upsert(table: string, columns: string[], keyCount: number, rows: CellValue[][]): Promise<RowStatus[]>;
  /** Plain inserts (child rows, after their parents' old ones were deleted). */
  insert(table: string, columns: string[], rows: CellValue[][]): Promise<void>;
}

export interface Destination {
  readonly kind: 'sqlite' | 'postgres';
  /** The target as it may be shown (never a password). */
  readonly label: string;
  /** A table's name in SQL: quoted, and schema-qualified in PostgreSQL. */
  table(name: string): string;
  typeName(type: SqlType): string;
  /** The columns a table has, by name with the type they were created as; undefined when there is no such table. */
  columnsOf(table: string): Promise<Map<string, SqlType> | undefined>;
  /** Runs `work` in one transaction: all of it commits, or none. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Releases the run's lock and the connection. */
  close(): Promise<void>;
}

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function createTableSql(destination: Destination, spec: TableSpec): string {
  const columns = spec.columns.map(
    (c) => `${quote(c.name)} ${destination.typeName(c.type)}${spec.key.includes(c.name) ? ' NOT NULL' : ''}`,
  );
  return `CREATE TABLE IF NOT EXISTS ${destination.table(spec.name)} (${columns.join(', ')}, PRIMARY KEY (${spec.key.map(quote).join(', ')}))`;
}

export const addColumnSql = (destination: Destination, table: string, column: Column) =>
  `ALTER TABLE ${destination.table(table)} ADD COLUMN ${quote(column.name)} ${destination.typeName(column.type)}`;

/** The bookkeeping tables: the bookmark and resume cursor per resource, and custom-field columns. */
export const STATE_TABLE = '_infusionsoft_state';
export const COLUMNS_TABLE = '_infusionsoft_columns';

export const stateTableSpec: TableSpec = {
  name: STATE_TABLE,
  key: ['resource'],
  columns: [
    { name: 'resource', type: 'text' },
    { name: 'app', type: 'text' },
    { name: 'tenant', type: 'text' },
    { name: 'mode', type: 'text' },
    { name: 'bookmark', type: 'text' },
    { name: 'run_since', type: 'text' },
    { name: 'run_started', type: 'text' },
    { name: 'run_position', type: 'text' },
    { name: 'updated_at', type: 'text' },
  ],
};

export const columnsTableSpec: TableSpec = {
  name: COLUMNS_TABLE,
  key: ['table_name', 'field_id'],
  columns: [
    { name: 'table_name', type: 'text' },
    { name: 'field_id', type: 'integer' },
    { name: 'column_name', type: 'text' },
    { name: 'label', type: 'text' },
  ],
};

/**
 * How a destination opens: its run lock is taken first, waiting up to `waitMs` (then exit 1 naming
 * the holder), and nothing in the database is read or written before it is held.
 */
export interface OpenOptions {
  lockWaitMs: number;
  lockPollMs?: number;
}

/** A wait between lock attempts that a test can shorten. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
