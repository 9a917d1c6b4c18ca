/**
 * Custom fields between runs (issue 18, item 2): a label renamed in Keap keeps its column, a new
 * field adds one, and `_infusionsoft_columns` says which is which. The sandbox cannot rename or add
 * a custom field, so a small HTTP proxy in front of it stands for the account after those edits:
 * it relabels field 7 in `/contacts/model`, adds field 99 there, and gives each contact it lists a
 * value for it. Everything else passes through unchanged.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { sqliteRows, startRewritingProxy, tempFolder } from './support.js';

let sandbox: TestSandbox;
let proxy: Awaited<ReturnType<typeof startRewritingProxy>>;
let proxyUrl: string;

/** The account after the edits: field 7 relabelled, field 99 added, with a value on every contact. */
function edited(path: string, body: Record<string, unknown>): Record<string, unknown> {
  if (path.endsWith('/contacts/model')) {
    const fields = (body.custom_fields as Array<Record<string, unknown>>).map((f) =>
      f.id === 7 ? { ...f, label: 'Favourite colour' } : f,
    );
    return { ...body, custom_fields: [...fields, { id: 99, label: 'Loyalty tier', field_type: 'Text', record_type: 'CONTACT' }] };
  }
  if (path.endsWith('/contacts') && Array.isArray(body.contacts)) {
    const contacts = (body.contacts as Array<Record<string, unknown>>).map((c) => ({
      ...c,
      custom_fields: [...((c.custom_fields as unknown[]) ?? []), { id: 99, content: `tier-${c.id}` }],
    }));
    return { ...body, contacts };
  }
  return body;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 12 } });
  proxy = await startRewritingProxy(sandbox, edited);
  proxyUrl = proxy.apiUrl;
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.stop();
});

it('a renamed label keeps its column, a new field adds one, and the mapping table records both', async () => {
  const db = join(tempFolder('sync-custom-'), 'keap.db');
  const first = await runCli(['sync', 'contacts', '--to', `sqlite:${db}`], { env: sandbox.env });
  expect(first.code, first.stderr).toBe(0);
  const colours = sqliteRows(db, 'SELECT id, favorite_color FROM contacts ORDER BY id');
  expect(sqliteRows(db, 'SELECT column_name, label FROM _infusionsoft_columns WHERE field_id = 7')).toEqual([
    { column_name: 'favorite_color', label: 'Favorite Color' },
  ]);

  const second = await runCli(['sync', 'contacts', '--to', `sqlite:${db}`, '--json'], {
    env: { ...sandbox.env, INFUSIONSOFT_API_URL: proxyUrl },
  });
  expect(second.code, second.stderr).toBe(0);
  const result = JSON.parse(second.stdout) as { resources: Array<{ columnsAdded: number; updated: number }> };
  expect(result.resources[0]?.columnsAdded).toBe(1);
  // Only the contacts read (updated since the bookmark: the boundary one here) carry the new value.
  const updated = result.resources[0]?.updated ?? 0;
  expect(updated).toBeGreaterThan(0);
  const tiers = sqliteRows(db, 'SELECT id, loyalty_tier FROM contacts WHERE loyalty_tier IS NOT NULL');
  expect(tiers.length).toBe(updated);
  for (const row of tiers) expect(row.loyalty_tier).toBe(`tier-${row.id}`);
  // The renamed field's values stay in its column; no favourite_colour column appears.
  expect(sqliteRows(db, 'SELECT id, favorite_color FROM contacts ORDER BY id')).toEqual(colours);
  const columns = sqliteRows(db, 'PRAGMA table_info(contacts)').map((c) => c.name);
  expect(columns).not.toContain('favourite_colour');
  expect(columns).toContain('loyalty_tier');
  expect(
    sqliteRows(db, 'SELECT field_id, column_name, label FROM _infusionsoft_columns WHERE field_id IN (7, 99) ORDER BY field_id'),
  ).toEqual([
    { field_id: 7, column_name: 'favorite_color', label: 'Favourite colour' },
    { field_id: 99, column_name: 'loyalty_tier', label: 'Loyalty tier' },
  ]);
});
