/**
 * Issue 13, items 7-10: only what changed is sent (`unchanged` rows), --if-unchanged guards a round
 * trip against edits made in Keap since the export, --match finds records by a field of the user's
 * own, and --dry-run shows what would be sent. Requests are counted by the sandbox itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 12 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

const requests = async () => (await sandbox.stats()).requests;
const sent = (after: Record<string, number>, before: Record<string, number>, key: string) => (after[key] ?? 0) - (before[key] ?? 0);
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Row[];
const writeCsv = (path: string, rows: Row[]) => writeFileSync(path, stringify(rows, { header: true }));
const contact = async (id: string) => (await sandboxGet(sandbox, `/contacts/${id}`)) as Record<string, unknown>;

/** An export of the sandbox's contacts, as a user would make it. */
async function exported(dir: string, extra: string[] = []): Promise<{ path: string; rows: Row[] }> {
  const path = join(dir, 'contacts.csv');
  const result = await runCli(['export', 'contacts', '-o', path, ...extra], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  return { path, rows: readCsv(path) };
}

describe('import: change detection', () => {
  it('a round trip with one edited row sends one PATCH; the others are unchanged', async () => {
    const dir = tempDir();
    const { path, rows } = await exported(dir);
    expect(rows.length).toBeGreaterThan(5);
    const edited = rows[2]!;
    edited.given_name = 'Edited-Once';
    writeCsv(path, rows);
    const before = await requests();
    const result = await runCli(['import', 'contacts', path, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const after = await requests();
    expect(sent(after, before, 'PATCH /contacts/{id}')).toBe(1);
    const outcome = JSON.parse(result.stdout);
    expect(outcome.counts).toMatchObject({ updated: 1, unchanged: rows.length - 1, failed: 0 });
    expect(result.stderr).toMatch(/1 updated, \d+ unchanged/);
    const results = readCsv(join(dir, 'contacts.results.csv'));
    expect(results.filter((row) => row._action === 'unchanged')).toHaveLength(rows.length - 1);
    expect(results.find((row) => row.id === edited.id)?._action).toBe('updated');
    expect((await contact(edited.id!)).given_name).toBe('Edited-Once');
    // No error report for unchanged rows: they are successes.
    expect(outcome.errorsFile).toBeUndefined();
  });

  it('numbers compare numerically and dates as instants; a changed custom field is sent', async () => {
    const dir = tempDir();
    const { path, rows } = await exported(dir);
    const [first, second] = rows as [Row, Row];
    const money = Object.keys(first).find((column) => column.startsWith('custom.Lifetime'))!;
    // The same values written differently: not a change.
    first[money] = `${Number(first[money]).toFixed(2)}00`;
    first.birthday &&= new Date(first.birthday).toISOString().replace('.000Z', 'Z');
    second[money] = String(Number(second[money] || 0) + 1);
    writeCsv(path, [first, second]);
    const before = await requests();
    const result = await runCli(['import', 'contacts', path, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ updated: 1, unchanged: 1 });
    expect(sent(await requests(), before, 'PATCH /contacts/{id}')).toBe(1);
    const fields = (await sandboxGet(sandbox, `/contacts/${second.id}?optional_properties=custom_fields`)) as {
      custom_fields: Array<{ content: unknown }>;
    };
    expect(fields.custom_fields.map((field) => String(field.content))).toContain(second[money]);
  });

  it('--send-unchanged sends every row, as before', async () => {
    const dir = tempDir();
    const { path, rows } = await exported(dir);
    const before = await requests();
    const result = await runCli(['import', 'contacts', path, '--send-unchanged', '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(sent(await requests(), before, 'PATCH /contacts/{id}')).toBe(rows.length);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ updated: rows.length, unchanged: 0 });
  });
});

describe('import --if-unchanged', () => {
  it('a record edited in Keap since the export is not overwritten: the row fails with both times, exit 3', async () => {
    const dir = tempDir();
    const { path, rows } = await exported(dir);
    const [first, second] = rows as [Row, Row];
    first.given_name = 'From-The-File';
    second.given_name = 'Also-From-The-File';
    writeCsv(path, [first, second]);
    // Someone edits the first contact in Keap after the export.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sandboxSend(sandbox, 'PATCH', `/contacts/${first.id}`, { family_name: 'Edited-In-Keap' });
    const inKeap = String((await contact(first.id!)).last_updated);
    const before = await requests();
    const result = await runCli(['import', 'contacts', path, '--if-unchanged'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    expect(sent(await requests(), before, 'PATCH /contacts/{id}')).toBe(1);
    expect((await contact(first.id!)).given_name).not.toBe('From-The-File');
    expect((await contact(second.id!)).given_name).toBe('Also-From-The-File');
    const [failed] = readCsv(join(dir, 'contacts.errors.csv'));
    expect(failed?.id).toBe(first.id);
    expect(failed?._field).toBe('last_updated');
    expect(failed?._error).toContain(first.last_updated);
    expect(failed?._error).toContain(inKeap);
  });

  it('a file without last_updated, or a resource without an update time, is exit 2 before anything is sent', async () => {
    const dir = tempDir();
    const { path, rows } = await exported(dir);
    writeCsv(
      path,
      rows.map(({ last_updated: _, ...rest }) => rest),
    );
    const before = await requests();
    const missing = await runCli(['import', 'contacts', path, '--if-unchanged'], { env: sandbox.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--if-unchanged: the file has no last_updated column/);
    const products = join(dir, 'products.csv');
    writeFileSync(products, 'id,product_name\n1,Renamed\n');
    const noTime = await runCli(['import', 'products', products, '--if-unchanged'], { env: sandbox.env });
    expect(noTime.code).toBe(2);
    expect(noTime.stderr).toMatch(/--if-unchanged: products have no update time/);
    const after = await requests();
    expect(Object.keys(after).filter((key) => !key.startsWith('GET') && after[key] !== before[key])).toEqual([]);
  });
});

describe('import --dry-run: what would be sent', () => {
  const leads = (dir: string) => {
    const file = join(dir, 'leads.csv');
    writeCsv(file, [
      { 'email_addresses.EMAIL1.email': 'preview-1@example.org', given_name: 'First' },
      { 'email_addresses.EMAIL1.email': 'preview-2@example.org', given_name: 'Second' },
      { 'email_addresses.EMAIL1.email': 'preview-3@example.org', given_name: 'Third' },
    ]);
    return file;
  };

  it('shows each row: action, the record it would match, the body; FILE after --dry-run is still the file', async () => {
    const dir = tempDir();
    const file = leads(dir);
    const before = await requests();
    for (const args of [
      ['import', 'contacts', '--dry-run', file],
      ['import', 'contacts', file, '--dry-run'],
    ]) {
      const result = await runCli(args, { env: sandbox.env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('row 2: upsert (by Email, email preview-1@example.org): PUT /contacts');
      expect(result.stdout).toContain('"given_name":"Third"');
      expect(result.stdout.match(/^row \d+:/gm)).toHaveLength(3);
    }
    const after = await requests();
    expect(Object.keys(after).filter((key) => !key.startsWith('GET') && after[key] !== before[key])).toEqual([]);
  });

  it('--dry-run=N shows the first N, also as JSON, in either argument order; an update names the record', async () => {
    const dir = tempDir();
    const file = leads(dir);
    for (const args of [
      ['import', 'contacts', '--dry-run=2', file, '--json'],
      ['import', 'contacts', file, '--json', '--dry-run=2'],
    ]) {
      const result = await runCli(args, { env: sandbox.env });
      expect(result.code, result.stderr).toBe(0);
      const outcome = JSON.parse(result.stdout);
      expect(outcome.counts).toMatchObject({ read: 3, valid: 3 });
      expect(outcome.preview).toEqual([
        {
          row: 2,
          action: 'upsert',
          method: 'PUT',
          path: '/contacts',
          match: { by: 'Email', email: 'preview-1@example.org' },
          body: {
            email_addresses: [{ field: 'EMAIL1', email: 'preview-1@example.org' }],
            given_name: 'First',
            duplicate_option: 'Email',
          },
        },
        expect.objectContaining({ row: 3 }),
      ]);
    }
    const updates = join(dir, 'updates.csv');
    writeFileSync(updates, 'id,given_name\n3,Renamed\n');
    const update = await runCli(['import', 'contacts', '--dry-run=1', updates], { env: sandbox.env });
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toBe('row 2: update (id 3): PATCH /contacts/3\n  {"given_name":"Renamed"}\n');
    const bad = await runCli(['import', 'contacts', '--dry-run=none', updates], { env: sandbox.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--dry-run=N/);
  });
});

describe('import --match FIELD', () => {
  const LABEL = '会員番号';
  let fieldId: number;
  const legacy = async (id: number, value: string) =>
    sandboxSend(sandbox, 'PATCH', `/contacts/${id}`, { custom_fields: [{ id: fieldId, content: value }] });

  beforeAll(async () => {
    const model = (await sandboxGet(sandbox, '/contacts/model')) as { custom_fields: Array<{ id: number; label: string }> };
    fieldId = model.custom_fields.find((field) => field.label === LABEL)!.id;
    await legacy(7, 'L-007');
    await legacy(8, 'L-DUP');
    await legacy(9, 'L-DUP');
  });

  const file = (dir: string, rows: Row[]) => {
    const path = join(dir, 'legacy.csv');
    writeCsv(path, rows);
    return path;
  };

  it('upserts by a custom field: one match is updated, none is created by POST, several fail the row (exit 3)', async () => {
    const dir = tempDir();
    const path = file(dir, [
      { [`custom.${LABEL}`]: 'L-007', given_name: 'Matched', 'email_addresses.EMAIL1.email': 'matched-007@example.org' },
      { [`custom.${LABEL}`]: 'L-NEW', given_name: 'Created', 'email_addresses.EMAIL1.email': 'created-by-match@example.org' },
      { [`custom.${LABEL}`]: 'L-DUP', given_name: 'Ambiguous', 'email_addresses.EMAIL1.email': 'ambiguous@example.org' },
    ]);
    const preview = await runCli(['import', 'contacts', path, '--match', `custom.${LABEL}`, '--dry-run'], { env: sandbox.env });
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('row 2: update (id 7): PATCH /contacts/7');
    expect(preview.stdout).toContain('row 3: create: POST /contacts');
    expect(preview.stdout).toMatch(/row 4: upsert: not sent: several contacts have custom\.会員番号 "L-DUP" \(ids 8, 9\)/);
    const before = await requests();
    const result = await runCli(['import', 'contacts', path, '--match', `custom.${LABEL}`, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ updated: 1, created: 1, failed: 1 });
    const after = await requests();
    expect(sent(after, before, 'POST /contacts')).toBe(1);
    expect(sent(after, before, 'PUT /contacts')).toBe(0);
    expect((await contact('7')).given_name).toBe('Matched');
    const created = (await sandboxGet(sandbox, '/contacts?email=created-by-match@example.org&optional_properties=custom_fields')) as {
      contacts: Array<{ custom_fields: Array<{ id: number; content: unknown }> }>;
    };
    expect(created.contacts).toHaveLength(1);
    expect(created.contacts[0]!.custom_fields.find((field) => field.id === fieldId)?.content).toBe('L-NEW');
    const [failed] = readCsv(join(dir, 'legacy.errors.csv'));
    expect(failed).toMatchObject({ _row: '4', _field: `custom.${LABEL}` });
    expect(failed!._error).toMatch(/several contacts/);
  });

  it('a field Keap can filter on is found by one filtered read per value, not by reading the whole list', async () => {
    await sandboxSend(sandbox, 'PATCH', '/contacts/10', { family_name: 'Matchfamily-Ten' });
    await sandboxSend(sandbox, 'PATCH', '/contacts/11', { family_name: 'Matchfamily-Eleven' });
    const dir = tempDir();
    const path = file(dir, [
      { family_name: 'Matchfamily-Ten', job_title: 'Found by name' },
      { family_name: 'Matchfamily-Eleven', job_title: 'Also found by name' },
    ]);
    const before = await requests();
    // Per row (two finds and two reads) costs one more request than the small account's list read: asked for.
    const result = await runCli(['import', 'contacts', path, '--match', 'family_name', '--action', 'update', '--reads', 'per-row'], {
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const after = await requests();
    expect(sent(after, before, 'GET /contacts')).toBe(2);
    expect(sent(after, before, 'PATCH /contacts/{id}')).toBe(2);
    expect(((await sandboxGet(sandbox, '/contacts/11?optional_properties=job_title')) as { job_title: string }).job_title).toBe(
      'Also found by name',
    );
  });

  it('--action update fails a row without a match and creates nothing; --duplicate-option with --match is exit 2', async () => {
    const dir = tempDir();
    const path = file(dir, [
      { [`custom.${LABEL}`]: 'L-007', given_name: 'Matched-Again' },
      { [`custom.${LABEL}`]: 'L-NONE', given_name: 'Nobody' },
    ]);
    const before = await requests();
    const result = await runCli(['import', 'contacts', path, '--match', `custom.${LABEL}`, '--action', 'update'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    const after = await requests();
    expect(sent(after, before, 'POST /contacts')).toBe(0);
    expect(sent(after, before, 'PATCH /contacts/{id}')).toBe(1);
    expect((await contact('7')).given_name).toBe('Matched-Again');
    const [failed] = readCsv(join(dir, 'legacy.errors.csv'));
    expect(failed).toMatchObject({ _row: '3', _status: 'failed' });
    expect(failed!._error).toMatch(/no contact has custom\.会員番号 "L-NONE"/);
    const both = await runCli(['import', 'contacts', path, '--match', `custom.${LABEL}`, '--duplicate-option', 'Email'], {
      env: sandbox.env,
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--match and --duplicate-option/);
  });
});
