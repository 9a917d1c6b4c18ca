/**
 * The PostgreSQL destination (pg, with pg-copy-streams). A page's rows go by COPY into a staging
 * table and then one INSERT ... ON CONFLICT into the table (row-by-row inserts are many times
 * slower). Two syncs into one database and schema never interleave: `pg_advisory_lock` on the
 * schema's name, held by the run's connection (a file lock would not reach another host).
 */
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { CliError } from '../../errors.js';
import type { Destination, EncodedRows, OpenOptions, RowStatus, Transaction } from './destination.js';
import { CopyRows } from './copy-rows.js';
import { pause, quote } from './destination.js';
import { type CopyStreamsModule, loadPostgres } from './drivers.js';
import type { CellValue, SqlType } from './layout.js';
import { redactText, type PostgresTarget } from './target.js';

const TYPES: Record<SqlType, string> = {
  integer: 'bigint',
  numeric: 'numeric',
  boolean: 'boolean',
  text: 'text',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'jsonb',
};

/** information_schema's `data_type` -> the type it was created as. */
const FROM_DATA_TYPE = new Map<string, SqlType>([
  ['bigint', 'integer'],
  ['integer', 'integer'],
  ['numeric', 'numeric'],
  ['boolean', 'boolean'],
  ['timestamp with time zone', 'timestamp'],
  ['date', 'date'],
  ['jsonb', 'json'],
]);

/** The first key of the two-part advisory lock: says the lock is this tool's. */
const LOCK_CLASS = 0x1f5c;

/** `?` placeholders -> `$1, $2, ...` (the SQL here never holds a literal `?`). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

function sslOption(mode: string): pg.ClientConfig['ssl'] {
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true };
}

/**
 * A connected client, named in `pg_stat_activity` for what it does (`sync`, `sync --plan`); a
 * failure to connect is the user's to fix, and never shows the password.
 */
export async function connectPostgres(target: PostgresTarget, purpose: string): Promise<pg.Client> {
  const { pg } = await loadPostgres();
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ...(target.password ? { password: target.password } : {}),
    ssl: sslOption(target.sslmode),
    application_name: `infusionsoft ${purpose} (pid ${process.pid} on ${hostname()})`,
  });
  // A connection lost between queries emits 'error' on the client; the next query then fails with it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new CliError(`cannot connect to ${target.label}: ${redactText((error as Error).message, target)}`, {
      hint: 'check the host, port, user and database; a password comes from the URL, PGPASSWORD or ~/.pgpass',
    });
  }
  return client;
}

export async function openPostgres(target: PostgresTarget, schema: string, options: OpenOptions): Promise<Destination> {
  const { copyFrom } = await loadPostgres();
  const client = await connectPostgres(target, 'sync');
  try {
    return await lockedDestination(client, copyFrom, target, schema, options);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * The connection's destination, once it holds the schema's lock. Only then is the schema created:
 * `CREATE SCHEMA IF NOT EXISTS` in two sessions at once can fail on the catalog's unique index.
 */
async function lockedDestination(
  client: pg.Client,
  copyFrom: CopyStreamsModule['from'],
  target: PostgresTarget,
  schema: string,
  options: OpenOptions,
): Promise<Destination> {
  const sql: Sql = async <T>(text: string, params: CellValue[] = []): Promise<T[]> => {
    try {
      return (await client.query(numbered(text), params)).rows as T[];
    } catch (error) {
      const e = error as Error;
      e.message = redactText(e.message, target);
      throw e;
    }
  };
  const release = await takeLock(sql, target, schema, options.lockWaitMs, options.lockPollMs ?? 250);
  await sql(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
  const table = (name: string) => `${quote(schema)}.${quote(name)}`;
  const copyInto = async (into: string, encoded: EncodedRows) => {
    const rows = copyRowsOf(encoded);
    if (rows.length === 0) return;
    const stream = client.query(copyFrom(`COPY ${into} (${rows.columns.map(quote).join(', ')}) FROM STDIN WITH (FORMAT csv)`));
    await pipeline(Readable.from(rows.chunks), stream);
  };
  const tx: Transaction = {
    query: (text, params) => sql(text, params),
    async run(text, params) {
      await sql(text, params);
    },
    upsert: (name, keyCount, rows, keys) => upsertRows({ sql, copyInto, table }, name, keyCount, rows, keys),
    insert: (name, rows) => copyInto(table(name), rows),
  };
  return {
    kind: 'postgres',
    label: `${target.label} (schema ${schema})`,
    table,
    typeName: (type) => TYPES[type],
    encode: (columns, rows, slots) => CopyRows.encode(columns, rows, slots),
    encodeLines: (columns, rows) => CopyRows.fromLines(columns, rows),
    async columnsOf(name) {
      const rows = await sql<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
        [schema, name],
      );
      return rows.length ? new Map(rows.map((r) => [r.column_name, FROM_DATA_TYPE.get(r.data_type) ?? 'text'])) : undefined;
    },
    async transaction(work) {
      await sql('BEGIN');
      try {
        const result = await work(tx);
        await sql('COMMIT');
        return result;
      } catch (error) {
        await sql('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await release();
      await client.end().catch(() => undefined);
    },
  };
}

/** Rows this destination encoded: COPY's CSV lines. */
function copyRowsOf(rows: EncodedRows): CopyRows {
  if (!(rows instanceof CopyRows)) throw new Error('rows encoded by another destination');
  return rows;
}

/** A query with `?` placeholders, its password-free errors. */
type Sql = <T = Record<string, unknown>>(text: string, params?: CellValue[]) => Promise<T[]>;

interface Writer {
  sql: Sql;
  copyInto: (into: string, rows: EncodedRows) => Promise<void>;
  table: (name: string) => string;
}

/**
 * The fast path: the rows by COPY into a staging table, then one INSERT ... ON CONFLICT that
 * updates only rows whose hash differs (or that were marked deleted), returning what it touched.
 */
async function upsertRows(
  writer: Writer,
  name: string,
  keyCount: number,
  rows: EncodedRows,
  keyValues: readonly CellValue[][],
): Promise<RowStatus[]> {
  if (rows.length === 0) return [];
  const { sql, table } = writer;
  const columns = rows.columns;
  // A page of rows none of which the table has (every page of a first sync): straight in, without
  // the staging table and its second copy. The run's lock keeps other syncs out meanwhile.
  if (keyCount === 1) {
    const keys = keyValues.map((key) => key[0] ?? null) as unknown as CellValue;
    const found = await sql(`SELECT 1 FROM ${table(name)} WHERE ${quote(columns[0] as string)} = ANY(?) LIMIT 1`, [keys]);
    if (found.length === 0) {
      await writer.copyInto(table(name), rows);
      return keyValues.map(() => 'inserted');
    }
  }
  const stage = quote(`_stage_${name}`.slice(0, 63));
  await sql(`CREATE TEMP TABLE ${stage} (LIKE ${table(name)}) ON COMMIT DROP`);
  await writer.copyInto(stage, rows);
  const keys = columns.slice(0, keyCount).map(quote);
  const rest = columns.slice(keyCount).map(quote);
  const returned = await sql<Record<string, unknown>>(
    `INSERT INTO ${table(name)} AS t (${columns.map(quote).join(', ')}) SELECT ${columns.map(quote).join(', ')} FROM ${stage} ` +
      `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} ` +
      `WHERE t."_hash" IS DISTINCT FROM EXCLUDED."_hash" OR t."_deleted_at" IS NOT NULL ` +
      `RETURNING ${keys.map((k, i) => `t.${k}::text AS k${i}`).join(', ')}, (xmax = 0) AS inserted`,
  );
  await sql(`DROP TABLE ${stage}`);
  const status = new Map<string, RowStatus>();
  for (const r of returned) {
    const key = JSON.stringify(columns.slice(0, keyCount).map((_, i) => r[`k${i}`]));
    status.set(key, r.inserted ? 'inserted' : 'updated');
  }
  return keyValues.map((key) => status.get(JSON.stringify(key.map((v) => (v === null ? null : String(v))))) ?? 'unchanged');
}

/** `pg_advisory_lock` on the schema (within this database), waited for; past the wait, who holds it. */
async function takeLock(sql: Sql, target: PostgresTarget, schema: string, waitMs: number, pollMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  const args = [LOCK_CLASS, schema];
  for (;;) {
    const [row] = await sql<{ locked: boolean }>('SELECT pg_try_advisory_lock(?, hashtext(?)) AS locked', args);
    if (row?.locked) break;
    if (Date.now() >= deadline) {
      const [holder] = await sql<{ application_name: string; client_addr: string | null; backend_start: Date; pid: number }>(
        `SELECT a.application_name, a.client_addr::text AS client_addr, a.backend_start, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ?::int::oid AND l.objid::bigint = (hashtext(?)::bigint & 4294967295) AND l.objsubid = 2`,
        args,
      );
      const who = holder
        ? `${holder.application_name || 'a session'} (server pid ${holder.pid}${holder.client_addr ? ` from ${holder.client_addr}` : ''}, connected ${new Date(holder.backend_start).toISOString()})`
        : 'another session';
      throw new CliError(`${target.label}: schema ${schema} is locked by ${who}; waited ${Math.round(waitMs / 1000)} s`, {
        hint: 'two syncs into one schema never interleave: let the other finish, or sync into another --schema',
      });
    }
    await pause(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
  return async () => {
    await sql('SELECT pg_advisory_unlock(?, hashtext(?))', args).catch(() => undefined);
  };
}
