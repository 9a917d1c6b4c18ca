/**
 * `sync --to postgres://...` into a real PostgreSQL (a throwaway cluster, test/support/postgres.ts),
 * rows read back with psql. Without PostgreSQL these skip, saying so; under CI=true they fail.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { type PostgresCluster, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { ndjsonRecords, sqliteRows, tempFolder } from './support.js';

const missing = postgresUnavailable();
const mustRun = process.env.CI === 'true';
if (missing) console.warn(`\n*** sync into PostgreSQL: ${missing}: NOT tested${mustRun ? '; failing, since CI=true' : ''} ***\n`);

let cluster: PostgresCluster;
let sandbox: TestSandbox;
const counts = { contacts: 40, notes: 20, orders: 6, companies: 5 };

describe.skipIf(missing !== undefined && !mustRun)('sync into PostgreSQL', () => {
  beforeAll(async () => {
    if (missing) throw new Error(`${missing}, and CI=true does not skip the PostgreSQL tests (.ci/run installs postgresql)`);
    [cluster, sandbox] = await Promise.all([startPostgres(), startTestSandbox({ counts })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([cluster?.stop(), sandbox?.stop()]);
  });

  const sync = (args: string[], env: Record<string, string | undefined> = {}, api: TestSandbox = sandbox) =>
    runCli(['sync', ...args], { env: { ...api.env, ...env } });

  it('makes typed tables in the schema, money as numeric from the JSON text, the rows an export reads', async () => {
    const run = await sync(['contacts', 'notes', 'orders', '--to', cluster.url, '--schema', 'acme']);
    expect(run.stderr).toContain('contacts: 40 inserted');
    expect(run.code).toBe(0);
    for (const resource of ['contacts', 'notes', 'orders']) {
      const exported = ndjsonRecords((await runCli(['export', resource], { env: sandbox.env })).stdout);
      expect(cluster.psql(`SELECT count(*) FROM acme.${resource}`)).toEqual([[String(exported.length)]]);
    }
    const orders = ndjsonRecords((await runCli(['export', 'orders'], { env: sandbox.env })).stdout).sort(
      (a, b) => Number(a.id) - Number(b.id),
    );
    expect(cluster.psql("SELECT coalesce(total::text, 'null') FROM acme.orders ORDER BY id").map((r) => r[0])).toEqual(
      orders.map((o) => String(o.total)),
    );
    const types = new Map(
      cluster
        .psql("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'acme' AND table_name = 'contacts'")
        .map(([name, type]) => [name, type]),
    );
    expect(types.get('id')).toBe('bigint');
    expect(types.get('last_updated')).toBe('timestamp with time zone');
    expect(types.get('email_opted_in')).toBe('boolean');
    expect(types.get('lifetime_value')).toBe('numeric');
    expect(types.get('_extra')).toBe('jsonb');
    expect(cluster.psql('SELECT count(*) FROM acme.contacts__email_addresses')[0]?.[0]).not.toBe('0');
  });

  it('answers "which contacts carry tag X" (docs/sync.md) as an export with --include tags does', async () => {
    const run = await sync(['contacts', '--include', 'tags', '--to', cluster.url, '--schema', 'tagged']);
    expect(run.code).toBe(0);
    const exported = ndjsonRecords((await runCli(['export', 'contacts', '--include', 'tags'], { env: sandbox.env })).stdout);
    const tagsOf = (c: Record<string, unknown>) => (c.tags as Array<{ tag: { name: string } }>).map((t) => t.tag.name);
    const name = exported.flatMap(tagsOf)[0] as string;
    const carrying = exported.filter((c) => tagsOf(c).includes(name)).map((c) => String(c.id));
    const query = `SELECT c.id FROM tagged.contacts c JOIN tagged.contacts__tags t ON t._parent_id = c.id WHERE t.tag_name = '${name.replace(/'/g, "''")}' ORDER BY c.id`;
    expect(cluster.psql(query).map((r) => r[0])).toEqual(carrying.sort((a, b) => Number(a) - Number(b)));
    expect(carrying.length).toBeGreaterThan(0);
  });

  it('applies an edit and a delete incrementally, through the COPY fast path', async () => {
    await sandboxSend(sandbox, 'PATCH', '/contacts/3', {
      given_name: 'Edited',
      email_addresses: [{ email: 'edited@example.com', field: 'EMAIL2' }],
    });
    await sandboxSend(sandbox, 'DELETE', '/notes/2');
    // A page that holds a new row beside one the table has: merged by key, not copied in.
    const made = (await sandboxSend(sandbox, 'POST', '/contacts', {
      given_name: 'Newly',
      email_addresses: [{ email: 'newly@example.com', field: 'EMAIL1' }],
    })) as { id: number };
    const run = await sync(['contacts', 'notes', '--to', cluster.url, '--schema', 'acme']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/contacts: 1 inserted, 1 updated/);
    expect(cluster.psql(`SELECT given_name FROM acme.contacts WHERE id = ${made.id}`)).toEqual([['Newly']]);
    expect(cluster.psql('SELECT count(*) FROM acme.contacts')).toEqual([[String(counts.contacts + 1)]]);
    expect(run.stderr).toMatch(/notes: 0 inserted, 0 updated, 19 unchanged, 1 deleted/);
    expect(cluster.psql('SELECT given_name FROM acme.contacts WHERE id = 3')).toEqual([['Edited']]);
    expect(cluster.psql('SELECT _deleted_at IS NOT NULL FROM acme.notes WHERE id = 2')).toEqual([['t']]);
    // Child rows: the edited and the new contact's replaced or added, every other contact's left as they were.
    const exported = ndjsonRecords((await runCli(['export', 'contacts'], { env: sandbox.env })).stdout);
    const emails = exported.flatMap((c) =>
      (c.email_addresses as Array<{ field: string; email: string }>).map((e) => `${c.id}|${e.field}|${e.email}`),
    );
    const stored = cluster.psql('SELECT _parent_id, field, email FROM acme.contacts__email_addresses').map((r) => r.join('|'));
    expect(stored.sort()).toEqual(emails.sort());
    expect(stored).toContain('3|EMAIL2|edited@example.com');
  });

  it('takes the password from PGPASSWORD or the password file, and never prints one', async () => {
    const bare = cluster.url.replace(`:${cluster.password}@`, '@');
    const folder = tempFolder('sync-pgpass-');
    const file = join(folder, 'pgpass');
    writeFileSync(file, `127.0.0.1:${cluster.port}:*:postgres:${cluster.password}\n`, { mode: 0o600 });
    const viaFile = await sync(['notes', '--to', bare, '--schema', 'viafile'], { PGPASSFILE: file, PGPASSWORD: undefined });
    expect(viaFile.code).toBe(0);
    const viaEnv = await sync(['notes', '--to', bare, '--schema', 'viaenv'], { PGPASSWORD: cluster.password });
    expect(viaEnv.code).toBe(0);
    const wrong = await sync([
      'notes',
      '--to',
      cluster.url.replace(cluster.password, 'not-the-password-x1'),
      '--schema',
      'acme',
      '--verbose',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`cannot connect to postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password-x1');
    for (const run of [viaFile, viaEnv]) expect(run.stderr + run.stdout).not.toContain(cluster.password);
  });

  it('refuses another account in a schema that holds one (exit 2), and takes it in another schema', async () => {
    const other = await startTestSandbox({ counts, seed: 2 });
    try {
      const wrong = await sync(['notes', '--to', cluster.url, '--schema', 'acme'], {}, other);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('another Keap account');
      expect((await sync(['notes', '--to', cluster.url, '--schema', 'other'], {}, other)).code).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('waits for a run holding the schema lock, then names it with exit 1', async () => {
    const holder = new pg.Client({ connectionString: cluster.url, application_name: 'nightly-holder' });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1, hashtext('nightly'))", [0x1f5c]);
      // The holder is a first run, mid-way through creating the schema: a run that created it
      // before asking for the lock waited on that transaction (or failed on pg_namespace's index).
      await holder.query('BEGIN');
      await holder.query('CREATE SCHEMA nightly');
      const run = await sync(['notes', '--to', cluster.url, '--schema', 'nightly', '--lock-wait', '1']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/schema nightly is locked by nightly-holder \(server pid \d+ from 127\.0\.0\.1/);
      // Another schema is not held up.
      expect((await sync(['notes', '--to', cluster.url, '--schema', 'unlocked', '--lock-wait', '1'])).code).toBe(0);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  }, 30_000);

  it('--full-refresh deletes and re-inserts in one transaction while a reader holds one open', async () => {
    const reader = new pg.Client({ connectionString: cluster.url });
    await reader.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const before = (await reader.query('SELECT count(*)::int AS n, max(_synced_at) AS at FROM acme.notes')).rows[0];
      const run = await sync(['notes', '--full-refresh', '--to', cluster.url, '--schema', 'acme']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('notes: 19 inserted, 0 updated, 0 unchanged, 0 deleted');
      expect((await reader.query('SELECT count(*)::int AS n, max(_synced_at) AS at FROM acme.notes')).rows[0]).toEqual(before);
      await reader.query('COMMIT');
      expect(cluster.psql('SELECT count(*) FROM acme.notes')).toEqual([['19']]);
    } finally {
      await reader.end();
    }
  });

  it('sync --all: every resource in its table, as many rows as an export reads, and a second run changes nothing', async () => {
    type Summary = { resource: string; table: string; status: string; inserted: number; updated: number; deleted: number };
    const run = await sync(['--all', '--to', cluster.url, '--schema', 'everything', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const resources = (JSON.parse(run.stdout) as { resources: Summary[] }).resources;
    expect(resources.length).toBeGreaterThan(20);
    for (const summary of resources) {
      const exported = ndjsonRecords((await runCli(['export', summary.resource], { env: sandbox.env })).stdout);
      expect(cluster.psql(`SELECT count(*) FROM everything.${summary.table}`), summary.resource).toEqual([[String(exported.length)]]);
    }
    // Every record read again (all of them, for a resource kept by its hashes) hashes as it did.
    const again = await sync(['--all', '--to', cluster.url, '--schema', 'everything', '--json']);
    expect(again.code, again.stderr).toBe(0);
    for (const summary of (JSON.parse(again.stdout) as { resources: Summary[] }).resources) {
      expect([summary.resource, summary.inserted, summary.updated, summary.deleted]).toEqual([summary.resource, 0, 0, 0]);
    }
  });

  it('keys a resource without a key of its own by the hash SQLite gives it, so the keys a schema holds stay as they were', async () => {
    // PostgreSQL hashes other rows over the CSV lines it is sent; rows keyed by their hash keep the cells-joined hash.
    const run = await sync(['affiliate-commissions', '--to', cluster.url, '--schema', 'keyless']);
    expect(run.code, run.stderr).toBe(0);
    const db = join(tempFolder('sync-keyless-'), 'keap.db');
    const lite = await runCli(['sync', 'affiliate-commissions', '--to', `sqlite:${db}`], { env: sandbox.env });
    expect(lite.code, lite.stderr).toBe(0);
    const keys = cluster.psql('SELECT _hash FROM keyless.affiliate_commissions ORDER BY _hash').map(([key]) => key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys).toEqual(sqliteRows(db, 'SELECT _hash FROM affiliate_commissions ORDER BY _hash').map((r) => r._hash));
  });

  it('carries text through COPY as Keap sent it: quotes, commas, line breaks, emoji and other scripts', async () => {
    await sandboxSend(sandbox, 'PATCH', '/contacts/9', { given_name: 'O"Brien, "Jr"\nsecond line 🚀 東京 Ünïcødé', family_name: '' });
    const run = await sync(['contacts', '--to', cluster.url, '--schema', 'texts']);
    expect(run.code, run.stderr).toBe(0);
    const fields = ['given_name', 'family_name', 'job_title', 'company_name', 'preferred_name', 'time_zone'];
    const [[stored]] = cluster.psql(
      `SELECT json_agg(json_build_object('id', id, ${fields.map((f) => `'${f}', ${f}`).join(', ')}) ORDER BY id) FROM texts.contacts`,
    ) as [[string]];
    const exported = ndjsonRecords((await runCli(['export', 'contacts'], { env: sandbox.env })).stdout)
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((c) => Object.fromEntries([['id', c.id], ...fields.map((f) => [f, c[f] ?? null])]));
    expect(JSON.parse(stored)).toEqual(exported);
    expect(exported.find((c) => c.id === 9)?.given_name).toContain('\nsecond line 🚀');
  });
});
