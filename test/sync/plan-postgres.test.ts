/**
 * `sync --plan --to postgres://...` reads the schema's `_infusionsoft_state` as the SQLite plan does
 * (plan-state.test.ts), in a read-only transaction: a schema that is not there is a first sync and
 * is not created, and the rows it reads keep their xmin (no row was rewritten). A throwaway cluster
 * (test/support/postgres.ts); without PostgreSQL these skip, saying so; under CI=true they fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { type PostgresCluster, postgresUnavailable, startPostgres } from '../support/postgres.js';

const missing = postgresUnavailable();
const mustRun = process.env.CI === 'true';
if (missing) console.warn(`\n*** sync --plan into PostgreSQL: ${missing}: NOT tested${mustRun ? '; failing, since CI=true' : ''} ***\n`);

let cluster: PostgresCluster;
let sandbox: TestSandbox;
const CONTACTS = 150;

describe.skipIf(missing !== undefined && !mustRun)('sync --plan with PostgreSQL', () => {
  beforeAll(async () => {
    if (missing) throw new Error(`${missing}, and CI=true does not skip the PostgreSQL tests (.ci/run installs postgresql)`);
    [cluster, sandbox] = await Promise.all([startPostgres(), startTestSandbox({ seed: 7, counts: { contacts: CONTACTS, notes: 4 } })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([cluster?.stop(), sandbox?.stop()]);
  });

  const sync = (args: string[], api: TestSandbox = sandbox) =>
    runCli(['sync', ...args, '--to', cluster.url, '--schema', 'acme', '--page-size', '100'], { env: api.env });
  const schemas = () => cluster.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'acme'")[0]?.[0];
  const stateRows = () =>
    cluster.psql('SELECT xmin::text, resource, bookmark, run_started FROM acme._infusionsoft_state ORDER BY resource');

  it('estimates a first sync without creating the schema, then the changed records only, rewriting no row', async () => {
    const first = await sync(['contacts', '--plan', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).resources[0]).toMatchObject({ resource: 'contacts', read: 'first', pages: 2 });
    expect(schemas()).toBe('0');

    expect((await sync(['contacts'])).code).toBe(0);
    for (const id of [3, 90]) await sandboxSend(sandbox, 'PATCH', `/contacts/${id}`, { family_name: `Edited ${id}` });
    const before = stateRows();
    const [[bookmark]] = cluster.psql("SELECT bookmark FROM acme._infusionsoft_state WHERE resource = 'contacts'") as [[string]];
    const next = await sync(['contacts', '--plan', '--json']);
    expect(next.code, next.stderr).toBe(0);
    const contacts = JSON.parse(next.stdout).resources[0];
    // The two edited, and the record the bookmark was taken from (the filter is `>=`).
    expect(contacts.records).toBeLessThanOrEqual(3);
    expect(contacts.records).toBeGreaterThanOrEqual(2);
    expect(contacts).toMatchObject({ read: 'incremental', pages: 1 });
    expect(Date.parse(contacts.since)).toBe(Date.parse(bookmark));
    expect(stateRows()).toEqual(before);
  });

  it("refuses another Keap account's schema with exit 2, before any estimate", async () => {
    const other = await startTestSandbox({ seed: 8, counts: { contacts: 5 } });
    try {
      const before = stateRows();
      const wrong = await sync(['contacts', '--plan'], other);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(
        'holds the tables of another Keap account (sandbox7.infusionsoft.com; this run reads sandbox8.infusionsoft.com)',
      );
      expect(wrong.stdout).toBe('');
      expect(stateRows()).toEqual(before);
    } finally {
      await other.stop();
    }
  });
});
