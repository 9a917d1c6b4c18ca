/**
 * The SQLite destination (better-sqlite3). WAL mode with a busy timeout, so a reader's open
 * transaction never blocks a page's commit; the lock beside the database file (`FILE.lock`, naming
 * its holder's process) keeps two syncs from interleaving.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CliError } from '../../errors.js';
import { holdRunLock, RunLockBusyError } from '../../fs/index.js';
import type { Destination, EncodedRows, OpenOptions, RowStatus, Transaction } from './destination.js';
import { pause, quote, ValueRows } from './destination.js';
import { loadSqlite } from './drivers.js';
import type { CellValue, SqlType } from './layout.js';
import type { SqliteTarget } from './target.js';

/** SQLite has no exact decimal (NUMERIC affinity stores REAL): money is TEXT holding the JSON number. */
/**
 * Declared names that keep SQLite's affinity right (a name containing INT is INTEGER, TEXT is TEXT)
 * and say what the column holds, so a later run reads the type back from the table.
 */
const TYPES: Record<SqlType, string> = {
  integer: 'INTEGER',
  numeric: 'DECIMAL TEXT',
  boolean: 'BOOLEAN INTEGER',
  text: 'TEXT',
  timestamp: 'TIMESTAMP TEXT',
  date: 'DATE TEXT',
  json: 'JSON TEXT',
};
const FROM_DECLARED = new Map(Object.entries(TYPES).map(([type, name]) => [name, type as SqlType]));

/** How long a statement waits for another connection's write before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/** better-sqlite3 binds no booleans: 1 and 0, as SQLite stores them. */
const bind = (values: CellValue[]) => values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));

/** Rows this destination encoded: values bound as SQLite stores them, inserted one by one. */
function valuesOf(rows: EncodedRows): ValueRows {
  if (!(rows instanceof ValueRows)) throw new Error('rows encoded by another destination');
  return rows;
}

/** The database file in WAL mode, opened once this run holds its lock. */
async function openDatabase(target: SqliteTarget): Promise<BetterSqlite3.Database> {
  const Database = await loadSqlite();
  try {
    const db = new Database(target.path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    // Each page's commit then waits for no disk flush (the WAL is flushed at checkpoints). A power
    // cut may take back the last pages committed, never half of one: the resume cursor commits with
    // its rows, so the next run reads those pages again.
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    throw new CliError(`cannot open ${target.label}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The lock comes first: a run that touched the file before holding it could meet another run's
 * write (switching to WAL answers "database is locked" without waiting).
 */
export async function openSqlite(target: SqliteTarget, options: OpenOptions): Promise<Destination> {
  await loadSqlite();
  const release = await waitForRunLock(target, options.lockWaitMs, options.lockPollMs ?? 250);
  try {
    return destinationOf(await openDatabase(target), target, release);
  } catch (error) {
    await release();
    throw error;
  }
}

function destinationOf(db: BetterSqlite3.Database, target: SqliteTarget, release: () => Promise<void>): Destination {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const tx: Transaction = {
    async query<T>(sql: string, params: CellValue[] = []) {
      return prepare(sql).all(...bind(params)) as T[];
    },
    async run(sql, params = []) {
      if (params.length === 0 && !/^\s*(insert|update|delete|select)/i.test(sql)) db.exec(sql);
      else prepare(sql).run(...bind(params));
      // A schema change makes prepared statements stale: they are prepared again.
      if (/^\s*(create|alter)/i.test(sql)) statements.clear();
    },
    async upsert(table, keyCount, encoded) {
      const { columns, values: rows } = valuesOf(encoded);
      const name = quote(table);
      const keys = columns.slice(0, keyCount);
      const where = keys.map((k) => `${quote(k)} = ?`).join(' AND ');
      const select = prepare(`SELECT "_hash" AS h, "_deleted_at" AS d FROM ${name} WHERE ${where}`);
      const insert = prepare(`INSERT INTO ${name} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      const rest = columns.slice(keyCount);
      const update = prepare(`UPDATE ${name} SET ${rest.map((c) => `${quote(c)} = ?`).join(', ')} WHERE ${where}`);
      const hashAt = columns.indexOf('_hash');
      return rows.map((values): RowStatus => {
        const keyValues = values.slice(0, keyCount);
        const found = select.get(...keyValues) as { h: string | null; d: string | null } | undefined;
        if (!found) {
          insert.run(...values);
          return 'inserted';
        }
        if (found.h === values[hashAt] && found.d === null) return 'unchanged';
        update.run(...values.slice(keyCount), ...keyValues);
        return 'updated';
      });
    },
    async insert(table, encoded) {
      const { columns, values: rows } = valuesOf(encoded);
      const insert = prepare(
        `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      for (const values of rows) insert.run(...values);
    },
  };
  return {
    kind: 'sqlite',
    label: target.label,
    table: quote,
    typeName: (type) => TYPES[type],
    // Bound once here, booleans as 1 and 0, not again by each statement.
    encode: (columns, rows, slots) =>
      new ValueRows(
        columns,
        rows.map((row) => bind(slots.map((slot) => row[slot] ?? null))),
      ),
    async columnsOf(table) {
      const rows = db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Array<{ name: string; type: string }>;
      return rows.length ? new Map(rows.map((r) => [r.name, FROM_DECLARED.get(r.type.toUpperCase()) ?? 'text'])) : undefined;
    },
    async transaction(work) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    async close() {
      statements.clear();
      db.close();
      await release();
    },
  };
}

/** The lock beside the database file, polled until `waitMs` has passed; then fails naming its holder. */
async function waitForRunLock(target: SqliteTarget, waitMs: number, pollMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await holdRunLock(`${target.path}.lock`, { label: target.label, busyHint: '' });
    } catch (error) {
      // Only another run's lock is waited out; a folder that does not exist is not going to appear.
      if (!(error instanceof RunLockBusyError)) throw error;
      if (Date.now() >= deadline) {
        throw new CliError(`${(error as Error).message}; waited ${Math.round(waitMs / 1000)} s`, {
          hint: `two syncs into one database never interleave: let the other finish (its lock is ${target.path}.lock)`,
        });
      }
      await pause(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    }
  }
}
