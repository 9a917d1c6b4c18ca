/**
 * Undo (issue 13, item 13): `import RESOURCE NAME.results.csv --action delete --only-created` exits 0
 * once every record that run created is deleted. Rows the original run did not create (invalid,
 * failed, skipped) are skipped, not invalid; a record already gone (404 on the delete) is counted
 * deleted, with a note.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 5, products: 3 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Row[];

describe('import --only-created: undo that succeeds says so', () => {
  it('deletes what the run created, skips what it did not, and counts a record already gone as deleted', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.csv');
    writeFileSync(
      file,
      [
        'email_addresses.EMAIL1.email,given_name,owner_id',
        'undo-1@example.org,One,',
        'undo-2@example.org,Two,not-a-number',
        'undo-3@example.org,Three,',
        'undo-4@example.org,Four,',
        '',
      ].join('\n'),
    );
    const first = await runCli(['import', 'contacts', file, '--action', 'create'], { env: sandbox.env });
    expect(first.code).toBe(3); // row 3 is invalid
    const results = readCsv(join(dir, 'leads.results.csv'));
    expect(results.map((r) => r._action)).toEqual(['created', 'invalid', 'created', 'created']);
    const created = results.filter((r) => r._action === 'created').map((r) => r._id!);

    // Someone deleted one of them in Keap already.
    await sandboxSend(sandbox, 'DELETE', `/contacts/${created[1]}`);

    const undo = await runCli(['import', 'contacts', join(dir, 'leads.results.csv'), '--action', 'delete', '--only-created', '--json'], {
      env: sandbox.env,
    });
    expect(undo.code, undo.stderr).toBe(0);
    expect(JSON.parse(undo.stdout).counts).toMatchObject({ deleted: 3, skipped: 1, invalid: 0, failed: 0 });
    // The record that was already gone is named in a note.
    expect(undo.stderr).toMatch(new RegExp(`already (gone|deleted)[^\\n]*${created[1]}|${created[1]}[^\\n]*already (gone|deleted)`));
    for (const id of created) await expect(sandboxGet(sandbox, `/contacts/${id}`)).rejects.toThrow(/404/);
    const undone = readCsv(join(dir, 'leads.results.results.csv'));
    expect(undone.map((r) => r._action)).toEqual(['deleted', 'skipped', 'deleted', 'deleted']);
  });

  it('an order of several line items, listed on each of its rows, is deleted once', async () => {
    const dir = tempDir();
    const file = join(dir, 'orders.csv');
    const { products } = (await sandboxGet(sandbox, '/products')) as { products: Array<{ id: number }> };
    const [red, blue] = products.map((product) => product.id);
    writeFileSync(
      file,
      [
        'order_ref,contact_id,order_title,order_type,order_date,product_id,quantity',
        `A-1,1,Fair order,Offline,2026-11-01T10:00:00.000Z,${red},2`,
        `A-1,,,,,${blue},1`,
        `B-7,2,Phone order,Offline,2026-11-02T10:00:00.000Z,${red},5`,
        '',
      ].join('\n'),
    );
    const first = await runCli(['import', 'orders', file, '--action', 'create'], { env: sandbox.env });
    expect(first.code, first.stderr).toBe(0);
    const results = readCsv(join(dir, 'orders.results.csv'));
    expect(results.map((r) => r._action)).toEqual(['created', 'created', 'created']);
    const ids = [...new Set(results.map((r) => r._id!))];
    expect(ids).toHaveLength(2);

    const undo = await runCli(['import', 'orders', join(dir, 'orders.results.csv'), '--action', 'delete', '--only-created', '--json'], {
      env: sandbox.env,
    });
    expect(undo.code, undo.stderr).toBe(0);
    expect(JSON.parse(undo.stdout).counts).toMatchObject({ deleted: 2, invalid: 0, failed: 0 });
    for (const id of ids) await expect(sandboxGet(sandbox, `/orders/${id}`)).rejects.toThrow(/404/);
  });
});
