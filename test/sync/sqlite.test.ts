/**
 * `sync --to sqlite:PATH` against the sandbox (issue 18): tables and rows checked with the sqlite3
 * shell, after full and incremental runs, deletes, another account, and the run-level refusals.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { ndjsonRecords, sqliteCount, sqliteRows, tempFolder } from './support.js';

let sandbox: TestSandbox;
const counts = { contacts: 60, companies: 12, notes: 30, orders: 8 };

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts });
});
afterAll(async () => {
  await sandbox.stop();
});

const sync = (args: string[], env: Record<string, string> = sandbox.env) => runCli(['sync', ...args], { env });

describe('sync into SQLite', () => {
  it('makes one table per resource with the rows an export reads, child tables for keyed arrays, and commits the bookmark', async () => {
    const db = join(tempFolder('sync-full-'), 'keap.db');
    const run = await sync(['contacts', 'companies', 'notes', 'orders', '--to', `sqlite:${db}`]);
    expect(run.stderr).toContain('contacts: 60 inserted, 0 updated, 0 unchanged, 0 deleted');
    expect(run.code).toBe(0);
    for (const resource of ['contacts', 'companies', 'notes', 'orders']) {
      const exported = ndjsonRecords((await runCli(['export', resource], { env: sandbox.env })).stdout);
      expect(sqliteCount(db, resource), resource).toBe(exported.length);
      const ids = sqliteRows(db, `SELECT id FROM ${resource} ORDER BY id`).map((r) => r.id);
      expect(ids).toEqual(exported.map((r) => r.id).sort((a, b) => Number(a) - Number(b)));
    }
    const contacts = ndjsonRecords((await runCli(['export', 'contacts'], { env: sandbox.env })).stdout);
    const emails = contacts.flatMap((c) => (c.email_addresses as Array<{ field: string; email: string }>).map((e) => ({ id: c.id, ...e })));
    const rows = sqliteRows(db, 'SELECT _parent_id AS id, field, email FROM contacts__email_addresses ORDER BY _parent_id, field');
    expect(rows).toEqual(
      emails
        .map((e) => ({ id: e.id, field: e.field, email: e.email }))
        .sort((a, b) => Number(a.id) - Number(b.id) || a.field.localeCompare(b.field)),
    );
    // Money exactly as Keap sent it: the JSON number's text.
    const orders = ndjsonRecords((await runCli(['export', 'orders'], { env: sandbox.env })).stdout);
    const totals = sqliteRows(db, 'SELECT id, total, typeof(total) AS t FROM orders ORDER BY id');
    expect(totals.map((r) => r.t)).toEqual(orders.map(() => 'text'));
    expect(totals.map((r) => r.total)).toEqual(
      orders.sort((a, b) => Number(a.id) - Number(b.id)).map((o) => (o.total === null ? null : String(o.total))),
    );
    // Custom fields by label.
    const custom = contacts.find((c) => (c.custom as Record<string, unknown>)['Favorite Color'] !== null) as Record<string, unknown>;
    const [row] = sqliteRows(db, `SELECT favorite_color, field_13 FROM contacts WHERE id = ${custom.id}`);
    expect(row?.favorite_color).toBe((custom.custom as Record<string, unknown>)['Favorite Color']);
    expect(sqliteRows(db, 'SELECT column_name FROM _infusionsoft_columns WHERE field_id = 13')).toEqual([{ column_name: 'field_13' }]);
    const [state] = sqliteRows(db, "SELECT mode, bookmark, run_started, tenant FROM _infusionsoft_state WHERE resource = 'contacts'");
    expect(state).toMatchObject({ mode: 'since', run_started: null, tenant: 'sandbox1.infusionsoft.com' });
    expect(Date.parse(String(state?.bookmark))).not.toBeNaN();
  });

  it('applies exactly the edits, creates and deletes made since the last run', async () => {
    const local = await startTestSandbox({ counts, seed: 1 });
    try {
      const db = join(tempFolder('sync-incr-'), 'keap.db');
      const to = ['--to', `sqlite:${db}`];
      expect((await sync(['contacts', 'notes', ...to], local.env)).code).toBe(0);
      const before = sqliteRows(db, 'SELECT id, _hash FROM contacts ORDER BY id');
      await sandboxSend(local, 'PATCH', '/contacts/5', { given_name: 'Renamed' });
      const made = (await sandboxSend(local, 'POST', '/contacts', {
        given_name: 'New',
        email_addresses: [{ field: 'EMAIL1', email: 'new.one@example.com' }],
      })) as { id: number };
      await sandboxSend(local, 'DELETE', '/notes/3');
      await sandboxSend(local, 'DELETE', '/contacts/7');
      const second = await sync(['contacts', 'notes', '--detect-deletes', ...to], local.env);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/contacts: 1 inserted, 1 updated, \d+ unchanged, 1 deleted/);
      expect(second.stderr).toMatch(/notes: 0 inserted, 0 updated, 29 unchanged, 1 deleted/);
      expect(sqliteRows(db, 'SELECT given_name FROM contacts WHERE id = 5')).toEqual([{ given_name: 'Renamed' }]);
      expect(sqliteRows(db, `SELECT email FROM contacts__email_addresses WHERE _parent_id = ${made.id}`)).toEqual([
        { email: 'new.one@example.com' },
      ]);
      expect(sqliteCount(db, 'notes', 'WHERE id = 3 AND _deleted_at IS NOT NULL')).toBe(1);
      expect(sqliteCount(db, 'contacts', 'WHERE id = 7 AND _deleted_at IS NOT NULL')).toBe(1);
      // Nothing else moved.
      const after = new Map(sqliteRows(db, 'SELECT id, _hash FROM contacts').map((r) => [r.id, r._hash]));
      for (const row of before) if (row.id !== 5) expect(after.get(row.id), `contact ${row.id}`).toBe(row._hash);
      // --hard-delete removes rows (and their child rows) instead.
      await sandboxSend(local, 'DELETE', '/notes/4');
      expect((await sync(['notes', '--hard-delete', ...to], local.env)).code).toBe(0);
      expect(sqliteCount(db, 'notes', 'WHERE id = 4')).toBe(0);
    } finally {
      await local.stop();
    }
  });

  it('keeps a value that does not fit its column in a text variant, and counts it; an empty date is NULL, not a variant', async () => {
    const db = join(tempFolder('sync-variant-'), 'keap.db');
    await sandboxSend(sandbox, 'PATCH', '/contacts/3', { anniversary: 'every other June' });
    const run = await sync(['contacts', '--to', `sqlite:${db}`, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { resources: Array<{ variants: number }> };
    expect(
      sqliteRows(db, 'SELECT id, anniversary, anniversary__v_text AS kept FROM contacts WHERE anniversary__v_text IS NOT NULL'),
    ).toEqual([{ id: 3, anniversary: null, kept: 'every other June' }]);
    expect(result.resources[0]?.variants).toBe(1);
    // The sandbox, as Keap, sends "" for every anniversary never set: no value, and no variant.
    const empty = sqliteRows(db, 'SELECT count(*) AS n FROM contacts WHERE anniversary IS NULL AND anniversary__v_text IS NULL')[0]?.n;
    expect(Number(empty)).toBe(counts.contacts - 1);
  });

  it('refuses another Keap account into tables that hold one (exit 2), and --state with --to', async () => {
    const db = join(tempFolder('sync-account-'), 'keap.db');
    expect((await sync(['notes', '--to', `sqlite:${db}`])).code).toBe(0);
    const other = await startTestSandbox({ counts, seed: 2 });
    try {
      const wrong = await sync(['notes', '--to', `sqlite:${db}`], other.env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(
        'holds the tables of another Keap account (sandbox1.infusionsoft.com; this run reads sandbox2.infusionsoft.com)',
      );
    } finally {
      await other.stop();
    }
    const state = await sync(['notes', '--to', `sqlite:${db}`, '--state', 'state.json']);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('the bookmark lives in the database');
    const schema = await sync(['notes', '--to', `sqlite:${db}`, '--schema', 'acme']);
    expect(schema.code).toBe(2);
  });

  it('waits for another run holding the lock, then names it with exit 1', async () => {
    const { writeFileSync } = await import('node:fs');
    const db = join(tempFolder('sync-lock-'), 'keap.db');
    // A live process holds it: this test's own parent (vitest's), which outlives the run.
    writeFileSync(`${db}.lock`, `${process.ppid} holder ${hostname()}\n`);
    const started = Date.now();
    const run = await sync(['notes', '--to', `sqlite:${db}`, '--lock-wait', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`is in use by another run (process ${process.ppid}); waited 1 s`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('a lock that cannot be taken (not another run holding it) fails at once, not after the lock wait', async () => {
    const { mkdirSync } = await import('node:fs');
    const db = join(tempFolder('sync-badlock-'), 'keap.db');
    mkdirSync(`${db}.lock`);
    // Waited out like another run's lock, this would outlast the test's timeout.
    const run = await sync(['notes', '--to', `sqlite:${db}`, '--lock-wait', '600']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot lock sqlite:${db}:`);
  }, 20_000);

  it('a run refused by the lock never touches the database the holder is writing', async () => {
    const { writeFileSync } = await import('node:fs');
    const Database = (await import('better-sqlite3')).default;
    const db = join(tempFolder('sync-lock-busy-'), 'keap.db');
    // The holder is mid-way through its first transaction, before its database is in WAL mode:
    // a second run that set the journal mode before asking for the lock met "database is locked".
    const holder = new Database(db);
    holder.exec('CREATE TABLE started (a)');
    holder.exec('BEGIN EXCLUSIVE');
    writeFileSync(`${db}.lock`, `${process.ppid} holder ${hostname()}\n`);
    try {
      const run = await sync(['notes', '--to', `sqlite:${db}`, '--lock-wait', '0']);
      expect(run.stderr).toContain(`is in use by another run (process ${process.ppid}); waited 0 s`);
      expect(run.code).toBe(1);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 30_000);

  it('--full-refresh re-inserts every row in one transaction while a reader holds a transaction open', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = join(tempFolder('sync-refresh-'), 'keap.db');
    expect((await sync(['notes', '--to', `sqlite:${db}`])).code).toBe(0);
    const reader = new Database(db, { readonly: true });
    reader.exec('BEGIN');
    const before = reader.prepare('SELECT count(*) AS n, max(_synced_at) AS at FROM notes').get() as { n: number; at: string };
    const run = await sync(['notes', '--full-refresh', '--to', `sqlite:${db}`]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('notes: 30 inserted, 0 updated, 0 unchanged, 0 deleted');
    // The reader's snapshot is the old one until it ends its transaction.
    expect(reader.prepare('SELECT count(*) AS n, max(_synced_at) AS at FROM notes').get()).toEqual(before);
    reader.exec('COMMIT');
    const [after] = sqliteRows(db, 'SELECT count(*) AS n, max(_synced_at) AS at FROM notes');
    expect(Number(after?.n)).toBe(30);
    expect(String(after?.at) > before.at).toBe(true);
    reader.close();
  });

  it('export RESOURCE --to URL syncs that resource; file flags and --state are refused with exit 2', async () => {
    const db = join(tempFolder('sync-export-'), 'keap.db');
    const run = await runCli(['export', 'notes', '--to', `sqlite:${db}`, '--json'], { env: sandbox.env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ resources: [{ resource: 'notes', inserted: 30, status: 'synced' }] });
    expect(sqliteCount(db, 'notes')).toBe(30);
    for (const extra of [
      ['-o', 'x.csv'],
      ['--fields', 'id'],
      ['--state', 'state.json'],
      ['--max', '3'],
    ]) {
      const refused = await runCli(['export', 'notes', '--to', `sqlite:${db}`, ...extra], { env: sandbox.env });
      expect(refused.code, extra.join(' ')).toBe(2);
    }
    // export --all --to is sync --all --to.
    const all = await runCli(['export', '--all', '--to', `sqlite:${join(tempFolder('sync-export-all-'), 'all.db')}`, '--json'], {
      env: sandbox.env,
    });
    expect(all.code, all.stderr).toBe(0);
    expect((JSON.parse(all.stdout) as { resources: unknown[] }).resources.length).toBeGreaterThan(20);
    const noTarget = await sync(['notes']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--to is needed');
  });
});
