/**
 * `sync --all` (issue 18): every resource export reads, each table's row count against an export
 * of the same resource, and a second run that finds nothing to change.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { ndjsonRecords, sqliteCount, sqliteRows, tempFolder } from './support.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 30, orders: 12, products: 6, emails: 20, notes: 15 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

interface Summary {
  resource: string;
  table: string;
  status: string;
  inserted: number;
  updated: number;
  deleted: number;
}

it('syncs every resource into its table, with the rows an export of it reads, and a second run changes nothing', async () => {
  const db = join(tempFolder('sync-all-'), 'keap.db');
  const first = await runCli(['sync', '--all', '--to', `sqlite:${db}`, '--json'], { env: sandbox.env });
  expect(first.code, first.stderr).toBe(0);
  const resources = (JSON.parse(first.stdout) as { resources: Summary[] }).resources;
  expect(resources.length).toBeGreaterThan(20);
  for (const summary of resources) {
    expect(summary.status, summary.resource).toBe('synced');
    const exported = ndjsonRecords((await runCli(['export', summary.resource], { env: sandbox.env })).stdout);
    expect(sqliteCount(db, summary.table), summary.resource).toBe(exported.length);
  }
  const states = sqliteRows(db, 'SELECT resource FROM _infusionsoft_state ORDER BY resource').map((r) => r.resource);
  expect(states).toEqual(resources.map((r) => r.resource).sort());

  const second = await runCli(['sync', '--all', '--to', `sqlite:${db}`, '--json'], { env: sandbox.env });
  expect(second.code, second.stderr).toBe(0);
  for (const summary of (JSON.parse(second.stdout) as { resources: Summary[] }).resources) {
    expect([summary.resource, summary.inserted, summary.updated, summary.deleted]).toEqual([summary.resource, 0, 0, 0]);
  }
});
