/**
 * `_infusionsoft_state` read for `sync --plan`, which must change nothing: no database file,
 * schema or table is created, no lock is taken (a WAL reader sees the last committed state while a
 * run writes), and the connection is read-only. A destination without the file, the schema or the
 * table holds no state: every resource's next run is its first.
 */
import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { CliError } from '../../errors.js';
import { STATE_TABLE } from './destination.js';
import { loadSqlite, type SqliteModule } from './drivers.js';
import { connectPostgres } from './postgres.js';
import type { StateRow } from './state.js';
import { type PostgresTarget, redactText, type SqliteTarget, type SyncTarget } from './target.js';

export async function readStatesReadOnly(target: SyncTarget, schema = 'public'): Promise<Map<string, StateRow>> {
  const rows = target.kind === 'sqlite' ? await sqliteStates(target) : await postgresStates(target, schema);
  return new Map(rows.map((r) => [r.resource, r]));
}

async function sqliteStates(target: SqliteTarget): Promise<StateRow[]> {
  if (!existsSync(target.path)) return [];
  const Database = await loadSqlite();
  try {
    const db = openQueryOnly(Database, target.path);
    try {
      const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(STATE_TABLE);
      return table ? (db.prepare(`SELECT * FROM "${STATE_TABLE}"`).all() as StateRow[]) : [];
    } finally {
      db.close();
    }
  } catch (error) {
    throw new CliError(`cannot read ${target.label}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A connection that cannot write and leaves no file behind. With a `-wal` file there (a run is
 * writing, or one was killed) a read-only connection uses it and neither checkpoints nor removes
 * it. Without one, a read-only connection would create `-wal` and `-shm` and leave them; a
 * read-write one refusing writes (`query_only`) removes them on close, its empty log copying
 * nothing into the database file.
 */
function openQueryOnly(Database: SqliteModule, path: string): BetterSqlite3.Database {
  if (existsSync(`${path}-wal`)) return new Database(path, { readonly: true, fileMustExist: true });
  const db = new Database(path, { fileMustExist: true });
  db.pragma('query_only = true');
  return db;
}

async function postgresStates(target: PostgresTarget, schema: string): Promise<StateRow[]> {
  const client = await connectPostgres(target, 'sync --plan');
  try {
    await client.query('BEGIN READ ONLY');
    // Null when the schema or the table is not there (no error, nothing created).
    const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [
      `"${schema.replace(/"/g, '""')}"."${STATE_TABLE}"`,
    ]);
    const rows = found.rows[0]?.t
      ? (await client.query<StateRow>(`SELECT * FROM "${schema.replace(/"/g, '""')}"."${STATE_TABLE}"`)).rows
      : [];
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    throw new CliError(`cannot read ${target.label}: ${redactText((error as Error).message, target)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
