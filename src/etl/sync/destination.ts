/**
 * What the merge needs of a database, written once for SQLite and PostgreSQL. SQL is written with
 * `?` placeholders and double-quoted identifiers, which both accept (the PostgreSQL driver numbers
 * the placeholders); what differs (type names, the bulk upsert, the lock) is the driver's.
 */
import type { RecordLines } from './content-hash.js';
import type { CellValue, Column, SqlType, TableSpec } from './layout.js';
import type { Row } from './rows.js';

/** What became of one row of an upsert. */
export type RowStatus = 'inserted' | 'updated' | 'unchanged';

/**
 * A table's rows in the form their destination writes them (`Destination.encode`). A page is
 * encoded as soon as it is built, so its row arrays die young instead of waiting for the
 * transaction.
 */
export interface EncodedRows {
  /** The columns the rows hold, in order, the key columns first. */
  readonly columns: readonly string[];
  readonly length: number;
  /** The rows at `positions` (ascending), without encoding them again. */
  pick(positions: readonly number[]): EncodedRows;
}

/**
 * A table's rows as the lines they were hashed over (`RecordLines`, kept): row i is line `at[i]`.
 * The first `data` columns are data cells, though a line written before a column was added holds
 * fewer (the rest are null); the others are the bookkeeping cells `RecordLines.seal` wrote.
 */
export interface RowLines {
  lines: RecordLines;
  at: readonly number[];
  data: number;
}

/** Rows kept as values, for a destination that binds them one by one (SQLite). */
export class ValueRows implements EncodedRows {
  constructor(
    readonly columns: readonly string[],
    readonly values: readonly CellValue[][],
  ) {}

  get length(): number {
    return this.values.length;
  }

  pick(positions: readonly number[]): ValueRows {
    return new ValueRows(
      this.columns,
      positions.map((p) => this.values[p] as CellValue[]),
    );
  }
}

export interface Transaction {
  query<T = Record<string, unknown>>(sql: string, params?: CellValue[]): Promise<T[]>;
  run(sql: string, params?: CellValue[]): Promise<void>;
  /**
   * Inserts rows, or updates those whose key exists when their `_hash` differs or they were marked
   * deleted (the rows carry `_deleted_at` null, so that un-deletes them). `keys` holds each row's
   * key values, in the table's key order. One status per row, in order.
   */
  upsert(table: string, keyCount: number, rows: EncodedRows, keys: readonly CellValue[][]): Promise<RowStatus[]>;
  /** Plain inserts (child rows, after their parents' old ones were deleted). */
  insert(table: string, rows: EncodedRows): Promise<void>;
}

export interface Destination {
  readonly kind: 'sqlite' | 'postgres';
  /** The target as it may be shown (never a password). */
  readonly label: string;
  /** A table's name in SQL: quoted, and schema-qualified in PostgreSQL. */
  table(name: string): string;
  typeName(type: SqlType): string;
  /** Rows as this destination's transactions take them: column i's value of a row is `row[slots[i]]`. */
  encode(columns: readonly string[], rows: readonly Row[], slots: readonly number[]): EncodedRows;
  /**
   * Where a destination takes rows as the lines their hash was taken over (PostgreSQL's COPY is
   * sent them as they are): those lines, as its transactions take them. A page then keeps its
   * lines until it is encoded, and no row arrays.
   */
  encodeLines?(columns: readonly string[], rows: RowLines): EncodedRows;
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
