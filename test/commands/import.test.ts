/**
 * `import` as a user runs it: in-process (runCli) against the sandbox on loopback, real files.
 * Kills and resumes need a process: test/e2e/import-resume.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 40, orders: 10, products: 12, tags: 15 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

type Row = Record<string, string>;

function readCsv(path: string): Row[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Row[];
}

function writeCsv(path: string, rows: Row[], columns?: string[]): void {
  const header = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  writeFileSync(path, stringify(rows, { header: true, columns: header }));
}

async function writes(): Promise<number> {
  const stats = await sandbox.stats();
  return Object.entries(stats.requests)
    .filter(([key]) => !key.startsWith('GET '))
    .reduce((sum, [, n]) => sum + n, 0);
}

async function contact(id: string | number): Promise<Record<string, unknown>> {
  return (await sandboxGet(sandbox, `/contacts/${id}?optional_properties=custom_fields,job_title`)) as Record<string, unknown>;
}

const without = (rows: Row[], columns: string[]) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !columns.includes(key))));

describe('import: an exported file comes back as an update', () => {
  it('CSV: edited cells (quotes, commas, newlines, unicode) reach Keap, and nothing else changes', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.csv');
    const exported = await runCli(['export', 'contacts', '--max', '8', '-o', file], { env: sandbox.env });
    expect(exported.code, exported.stderr).toBe(0);
    const rows = readCsv(file);
    rows[0]!.given_name = 'Zoë "Zed", the 2nd\nof her name';
    rows[1]!.family_name = 'Łukasiewicz-Ø';
    rows[2]!['email_addresses.EMAIL2.email'] = 'second@example.org';
    rows[3]!.job_title = 'Head of, "things"';
    writeCsv(file, rows, Object.keys(rows[0]!));

    const imported = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/\(update\)/);
    // Only the edited rows are sent; the others already hold their values (change detection).
    expect(imported.stderr).toMatch(/4 updated, 4 unchanged/);

    const again = join(dir, 'again.csv');
    const reexported = await runCli(['export', 'contacts', '--max', '8', '-o', again], { env: sandbox.env });
    expect(reexported.code, reexported.stderr).toBe(0);
    expect(without(readCsv(again), ['last_updated'])).toEqual(without(rows, ['last_updated']));
    // The results file: every input column, then _row, _action, _id.
    const results = readCsv(join(dir, 'contacts.results.csv'));
    expect(results.map((r) => r._action)).toEqual([...Array(4).fill('updated'), ...Array(4).fill('unchanged')]);
    expect(results.map((r) => r._id)).toEqual(rows.map((r) => r.id));
    // `_row` is the line a record starts on: the edited name spans two lines, and so do some demo values.
    const lines = results.map((r) => Number(r._row));
    expect(lines.slice(0, 2)).toEqual([2, 4]);
    expect(lines.every((line, i) => i === 0 || line > lines[i - 1]!)).toBe(true);
    expect(existsSync(join(dir, 'contacts.errors.csv'))).toBe(false);
  });

  it('NDJSON: the same round trip through the lossless format', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.ndjson');
    expect((await runCli(['export', 'contacts', '--max', '5', '-o', file], { env: sandbox.env })).code).toBe(0);
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    records[0]!.given_name = 'Ngọc "Ann", Jr.';
    records[1]!.job_title = 'line one\nline two';
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const imported = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/2 updated, 3 unchanged/);
    const after = join(dir, 'after.ndjson');
    expect((await runCli(['export', 'contacts', '--max', '5', '-o', after], { env: sandbox.env })).code).toBe(0);
    const strip = (r: Record<string, unknown>) => ({ ...r, last_updated: undefined });
    expect(
      readFileSync(after, 'utf8')
        .trim()
        .split('\n')
        .map((l) => strip(JSON.parse(l))),
    ).toEqual(records.map(strip));
  });

  it('an empty cell leaves the field as it is; --clear-empty clears it', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.csv');
    const id = 11;
    await sandboxSend(sandbox, 'PATCH', `/contacts/${id}`, { job_title: 'Keeper' });
    writeCsv(file, [{ id: String(id), job_title: '', given_name: 'Kept' }]);
    // csv-stringify writes '' as an empty unquoted cell: "leave it".
    expect((await runCli(['import', 'contacts', file], { env: sandbox.env })).code).toBe(0);
    expect((await contact(id)).job_title).toBe('Keeper');
    const cleared = await runCli(['import', 'contacts', file, '--clear-empty'], { env: sandbox.env });
    expect(cleared.code, cleared.stderr).toBe(0);
    expect((await contact(id)).job_title ?? '').toBe('');
  });

  it('an update naming only EMAIL2 keeps EMAIL1 (Keap replaces the list: the record is read and merged)', async () => {
    const dir = tempDir();
    const file = join(dir, 'emails.csv');
    const before = await contact(12);
    const email1 = (before.email_addresses as Array<Record<string, string>>).find((e) => e.field === 'EMAIL1')?.email;
    expect(email1).toBeTruthy();
    writeCsv(file, [{ id: '12', 'email_addresses.EMAIL2.email': 'merged@example.org' }]);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const emails = (await contact(12)).email_addresses as Array<Record<string, string>>;
    expect(emails.find((e) => e.field === 'EMAIL1')?.email).toBe(email1);
    expect(emails.find((e) => e.field === 'EMAIL2')?.email).toBe('merged@example.org');
  });
});

describe('import: new contacts, checked first, undone with --only-created', () => {
  it('--dry-run checks every row, sends nothing, and says what would happen', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.csv');
    writeCsv(file, [
      { 'email_addresses.EMAIL1.email': 'dry1@example.org', given_name: 'Dry' },
      { 'email_addresses.EMAIL1.email': 'dry2@example.org', given_name: 'Run' },
    ]);
    const before = await writes();
    const result = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/would upsert 2 records, nothing sent/);
    expect(await writes()).toBe(before);
  });

  it('upserts without ids, reports created rows with their ids, then deletes exactly those', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.csv');
    writeCsv(file, [
      { 'email_addresses.EMAIL1.email': 'new-lead-1@example.org', given_name: 'New', opt_in_reason: 'Met at the fair' },
      { 'email_addresses.EMAIL1.email': 'new-lead-2@example.org', given_name: 'Newer', opt_in_reason: '' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout);
    expect(outcome).toMatchObject({ action: 'upsert', counts: { read: 2, valid: 2, created: 2, updated: 0, failed: 0 } });
    const results = readCsv(join(dir, 'leads.results.csv'));
    expect(results.map((r) => r._action)).toEqual(['created', 'created']);
    for (const row of results) expect((await contact(row._id!)).given_name).toBe(row.given_name);
    // Only the row with an opt-in reason made its address marketable.
    expect((await contact(results[0]!._id!)).email_opted_in).toBe(true);
    expect((await contact(results[1]!._id!)).email_opted_in).toBe(false);

    copyFileSync(join(dir, 'leads.results.csv'), join(dir, 'first-run.csv'));

    // The same file again: the emails now match, so both rows are updates.
    const again = await runCli(['import', 'contacts', file, '--json'], { env: sandbox.env });
    expect(JSON.parse(again.stdout).counts).toMatchObject({ created: 0, updated: 2 });

    const undo = await runCli(['import', 'contacts', join(dir, 'first-run.csv'), '--action', 'delete', '--only-created'], {
      env: sandbox.env,
    });
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stderr).toMatch(/2 deleted/);
    for (const row of results) await expect(sandboxGet(sandbox, `/contacts/${row._id}`)).rejects.toThrow(/404/);
  });

  it('--opt-in-reason marks every imported address marketable', async () => {
    const dir = tempDir();
    const file = join(dir, 'fair.csv');
    writeCsv(file, [{ 'email_addresses.EMAIL1.email': 'fair-1@example.org' }, { 'email_addresses.EMAIL1.email': 'fair-2@example.org' }]);
    const result = await runCli(['import', 'contacts', file, '--opt-in-reason', 'Met at the fair'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    for (const row of readCsv(join(dir, 'fair.results.csv'))) expect((await contact(row._id!)).email_opted_in).toBe(true);
  });

  it('invalid rows go to the error report, are not sent, and the fixed report imports as it is', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeCsv(file, [
      { 'email_addresses.EMAIL1.email': 'fine@example.org', given_name: 'Fine', 'phone_numbers.PHONE1.number': '' },
      { 'email_addresses.EMAIL1.email': 'bad-owner@example.org', given_name: 'Bad', owner_id: 'abc' },
      { 'email_addresses.EMAIL1.email': 'fine@example.org', given_name: 'Twice' },
    ]);
    const before = await writes();
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/3 invalid/);
    expect(await writes()).toBe(before);
    const errors = readCsv(join(dir, 'people.errors.csv'));
    expect(errors.map((r) => r._row)).toEqual(['2', '3', '4']);
    expect(errors[1]).toMatchObject({ _status: 'invalid', _field: 'owner_id', owner_id: 'abc' });
    expect(errors[0]).toMatchObject({ _status: 'invalid', _field: 'email_addresses.EMAIL1.email' });
    expect(errors[1]!._error).toMatch(/"abc" is not a whole number/);
    expect(errors[0]!._error).toMatch(/rows 2, 4 share/);

    // Fix: keep the first of the pair, correct the owner, feed the report back as it is.
    const fixed = errors.filter((r) => r._row !== '4').map((r) => (r.owner_id === 'abc' ? { ...r, owner_id: '' } : r));
    writeCsv(join(dir, 'people.errors.csv'), fixed, Object.keys(errors[0]!));
    const retry = await runCli(['import', 'contacts', join(dir, 'people.errors.csv')], { env: sandbox.env });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).toMatch(/2 created/);
  });

  it('a run where nothing fails removes the error report an earlier run left, and only that', async () => {
    const dir = tempDir();
    const file = join(dir, 'retry.csv');
    writeCsv(file, [{ 'email_addresses.EMAIL1.email': 'retry@example.org', owner_id: 'abc' }]);
    expect((await runCli(['import', 'contacts', file], { env: sandbox.env })).code).toBe(3);
    const report = join(dir, 'retry.errors.csv');
    expect(existsSync(report)).toBe(true);
    writeCsv(file, [{ 'email_addresses.EMAIL1.email': 'retry@example.org', owner_id: '' }]);
    expect((await runCli(['import', 'contacts', file], { env: sandbox.env })).code).toBe(0);
    expect(existsSync(report)).toBe(false);
    // A file of the user's own at that path is not a report: it stays.
    writeFileSync(report, 'my,own,notes\n');
    expect((await runCli(['import', 'contacts', file], { env: sandbox.env })).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toBe('my,own,notes\n');
  });

  it('--max-errors stops early; the rows not tried are reported as skipped (exit 3)', async () => {
    const dir = tempDir();
    const file = join(dir, 'updates.csv');
    writeCsv(file, [
      { id: '999991', given_name: 'Gone' },
      { id: '999992', given_name: 'Gone too' },
      { id: '13', given_name: 'Never tried' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--max-errors', '1', '--concurrency', '1', '--json'], { env: sandbox.env });
    expect(result.code).toBe(3);
    const outcome = JSON.parse(result.stdout);
    expect(outcome.stoppedEarly).toBe(true);
    expect(outcome.counts).toMatchObject({ failed: 1, skipped: 2 });
    const errors = readCsv(join(dir, 'updates.errors.csv'));
    expect(errors.map((r) => r._status)).toEqual(['404', 'skipped', 'skipped']);
    expect((await contact(13)).given_name).not.toBe('Never tried');
  });
});

describe('import: orders of line items, with natural keys looked up', () => {
  it('groups rows by order_ref, looks up contacts by email and products by sku, and never charges', async () => {
    const dir = tempDir();
    const contacts = (await sandboxGet(sandbox, '/contacts?limit=2')) as {
      contacts: Array<{ id: number; email_addresses: Array<{ email: string }> }>;
    };
    const products = (await sandboxGet(sandbox, '/products?limit=3')) as { products: Array<{ id: number; sku: string }> };
    const [alice, bob] = contacts.contacts;
    const [p1, p2, p3] = products.products;
    const file = join(dir, 'orders.csv');
    writeCsv(file, [
      {
        order_ref: 'A-1',
        contact_id: alice!.email_addresses[0]!.email,
        order_title: 'Fair order',
        order_type: 'Offline',
        order_date: '2026-11-01T10:00:00.000Z',
        product_id: p1!.sku,
        quantity: '2',
        price: '9.50',
      },
      {
        order_ref: 'A-1',
        contact_id: '',
        order_title: 'Fair order',
        order_type: 'Offline',
        order_date: '',
        product_id: p2!.sku,
        quantity: '1',
        price: '',
      },
      {
        order_ref: 'B-7',
        contact_id: bob!.email_addresses[0]!.email,
        order_title: 'Phone order',
        order_type: 'Online',
        order_date: '2026-11-02T10:00:00.000Z',
        product_id: p3!.sku,
        quantity: '5',
        price: '',
      },
      {
        order_ref: 'C-9',
        contact_id: 'nobody@nowhere.example',
        order_title: 'Lost',
        order_type: 'Offline',
        order_date: '2026-11-02T10:00:00.000Z',
        product_id: p3!.sku,
        quantity: '1',
        price: '',
      },
    ]);
    const result = await runCli(
      ['import', 'orders', file, '--lookup', 'contact_id=contacts.email', '--lookup', 'product_id=products.sku', '--json'],
      { env: sandbox.env },
    );
    expect(result.code, result.stderr).toBe(3);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 2, invalid: 1 });
    const results = readCsv(join(dir, 'orders.results.csv'));
    expect(results.map((r) => r._action)).toEqual(['created', 'created', 'created', 'invalid']);
    expect(results[0]!._id).toBe(results[1]!._id);
    const order = (await sandboxGet(sandbox, `/orders/${results[0]!._id}`)) as {
      contact: { id: number };
      order_items: Array<{ product: { id: number }; quantity: number }>;
    };
    expect(order.contact.id).toBe(alice!.id);
    expect(order.order_items.map((i) => [i.product.id, i.quantity])).toEqual([
      [p1!.id, 2],
      [p2!.id, 1],
    ]);
    const errors = readCsv(join(dir, 'orders.errors.csv'));
    expect(errors[0]).toMatchObject({ _row: '5', _field: 'contact_id' });
    expect(errors[0]!._error).toMatch(/nobody@nowhere.example/);
  });
});

describe('import: tags on contacts', () => {
  it('applies tags by name after the write; unknown names fail the row unless --create-tags', async () => {
    const dir = tempDir();
    const tags = (await sandboxGet(sandbox, '/tags?limit=2')) as { tags: Array<{ id: number; name: string }> };
    const known = tags.tags[0]!;
    const file = join(dir, 'tagged.csv');
    writeCsv(file, [{ id: '14', tags: `${known.name};Brand new tag` }]);
    const refused = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(refused.code).toBe(3);
    expect(readCsv(join(dir, 'tagged.errors.csv'))[0]!._error).toMatch(/no tag is named "Brand new tag"/);

    const created = await runCli(['import', 'contacts', file, '--create-tags'], { env: sandbox.env });
    expect(created.code, created.stderr).toBe(0);
    const applied = (await sandboxGet(sandbox, '/contacts/14/tags')) as { tags: Array<{ tag: { name: string } }> };
    expect(applied.tags.map((t) => t.tag.name)).toEqual(expect.arrayContaining([known.name, 'Brand new tag']));
  });
});

describe('import: flags that cannot work are refused before anything is read or sent', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      'an action the resource lacks',
      ['import', 'tags', 'FILE', '--action', 'update'],
      /tags cannot be imported with --action update.*--action create/s,
    ],
    [
      'an action that does not exist',
      ['import', 'contacts', 'FILE', '--action', 'merge'],
      /--action <action>' argument 'merge' is invalid\. Allowed choices are create, update, upsert, delete\./,
    ],
    ['a lookup of an unknown resource', ['import', 'orders', 'FILE', '--lookup', 'contact_id=widgets.email'], /--lookup.*widgets/s],
    ['a lookup key the resource has not', ['import', 'orders', 'FILE', '--lookup', 'product_id=products.color'], /sku/],
    ['--only-created without --action delete', ['import', 'contacts', 'FILE', '--only-created'], /--only-created/],
    ['a duplicate option Keap does not have', ['import', 'contacts', 'FILE', '--duplicate-option', 'Phone'], /Email, EmailAndName/],
    [
      'an --on-duplicate policy that does not exist',
      ['import', 'contacts', 'FILE', '--on-duplicate', 'newest'],
      /--on-duplicate <policy>' argument 'newest' is invalid\. Allowed choices are first, last, error\./,
    ],
    ['--dry-run with --resume', ['import', 'contacts', 'FILE', '--dry-run', '--resume'], /--dry-run/],
    ['a missing file', ['import', 'contacts', 'MISSING'], /missing\.csv: no such file/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const dir = tempDir();
      const file = join(dir, 'rows.csv');
      writeCsv(file, [{ id: '1', given_name: 'x' }]);
      const before = await writes();
      const result = await runCli(
        args.map((arg) => (arg === 'FILE' ? file : arg === 'MISSING' ? join(dir, 'missing.csv') : arg)),
        { env: sandbox.env },
      );
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(await writes()).toBe(before);
    });
  }
});

describe('import: one run of an import at a time', () => {
  it('refuses while another live process holds the import, and takes over a lock left by a dead one', async () => {
    const dir = tempDir();
    const file = join(dir, 'once.csv');
    writeCsv(file, [{ 'email_addresses.EMAIL1.email': 'once@example.org', given_name: 'Once' }]);
    const lock = join(dir, 'once.journal.lock');
    // Our parent process is alive and is not this run.
    writeFileSync(lock, `${process.ppid} other\n`);
    const before = await writes();
    const busy = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`in use by another run \\(process ${process.ppid}\\)`));
    expect(await writes()).toBe(before);

    // A run killed with SIGKILL leaves its lock behind: a process id no longer alive.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lock, `${gone.stdout} dead\n`);
    const after = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(after.code, after.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('import: flags a user reaches for', () => {
  it('JSON (one array): an exported file comes back as an update', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.json');
    expect((await runCli(['export', 'contacts', '--max', '3', '-o', file], { env: sandbox.env })).code).toBe(0);
    const records = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    records[2]!.preferred_name = 'Øyvind, "the third"';
    writeFileSync(file, JSON.stringify(records, null, 2));
    const result = await runCli(['import', 'contacts', file, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ updated: 1, unchanged: 2 });
    const results = JSON.parse(readFileSync(join(dir, 'contacts.results.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(results.map((r) => r._row)).toEqual([1, 2, 3]);
    expect((await contact(String(records[2]!.id))).preferred_name).toBe('Øyvind, "the third"');
  });

  it('a file of ids alone is not sent as empty updates; the warning points at --action delete', async () => {
    const dir = tempDir();
    const file = join(dir, 'ids.csv');
    writeCsv(file, [{ id: '15' }, { id: '16' }]);
    const before = await writes();
    const result = await runCli(['import', 'contacts', file, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ updated: 0, skipped: 2 });
    expect(result.stderr).toMatch(/nothing to update; to delete these records, add --action delete/);
    expect(await writes()).toBe(before);
    expect(readCsv(join(dir, 'ids.results.csv')).map((r) => r._action)).toEqual(['skipped', 'skipped']);
  });

  it('--map reads a column as a field; --ignore-unknown skips the rest with a warning', async () => {
    const dir = tempDir();
    const file = join(dir, 'crm-export.csv');
    writeCsv(file, [{ 'E-mail': 'mapped@example.org', 'First Name': 'Mapped', 'Lead Score': '7' }]);
    const refused = await runCli(
      ['import', 'contacts', file, '--map', 'E-mail=email_addresses.EMAIL1.email', '--map', 'First Name=given_name'],
      {
        env: sandbox.env,
      },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Lead Score/);
    const result = await runCli(
      ['import', 'contacts', file, '--map', 'E-mail=email_addresses.EMAIL1.email', '--map', 'First Name=given_name', '--ignore-unknown'],
      { env: sandbox.env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning:.*Lead Score/);
    const [row] = readCsv(join(dir, 'crm-export.results.csv'));
    expect(row).toMatchObject({ 'E-mail': 'mapped@example.org', _action: 'created' });
    expect((await contact(row!._id!)).given_name).toBe('Mapped');
  });

  it('--on-duplicate last keeps the last of two rows for one email; the other is skipped, not an error', async () => {
    const dir = tempDir();
    const file = join(dir, 'twice.csv');
    writeCsv(file, [
      { 'email_addresses.EMAIL1.email': 'twice@example.org', given_name: 'First' },
      { 'email_addresses.EMAIL1.email': 'twice@example.org', given_name: 'Last' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--on-duplicate', 'last', '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 1, skipped: 1 });
    const results = readCsv(join(dir, 'twice.results.csv'));
    expect(results.map((r) => r._action)).toEqual(['skipped', 'created']);
    expect((await contact(results[1]!._id!)).given_name).toBe('Last');
    expect(existsSync(join(dir, 'twice.errors.csv'))).toBe(false);
  });

  it('--group-by names the column that groups line items; --errors and --results name the reports', async () => {
    const dir = tempDir();
    const products = (await sandboxGet(sandbox, '/products?limit=2')) as { products: Array<{ id: number }> };
    const file = join(dir, 'lines.csv');
    const order = { contact_id: '3', order_title: 'Grouped', order_type: 'Offline', order_date: '2026-11-03T09:00:00.000Z' };
    writeCsv(file, [
      { invoice: 'X', ...order, product_id: String(products.products[0]!.id), quantity: '1' },
      { invoice: 'X', ...order, product_id: String(products.products[1]!.id), quantity: '4' },
    ]);
    const results = join(dir, 'out', 'mine.csv');
    mkdirSync(join(dir, 'out'));
    const result = await runCli(
      ['import', 'orders', file, '--group-by', 'invoice', '--results', results, '--errors', join(dir, 'out', 'bad.csv')],
      {
        env: sandbox.env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = readCsv(results);
    expect(rows[0]!._id).toBe(rows[1]!._id);
    const created = (await sandboxGet(sandbox, `/orders/${rows[0]!._id}`)) as { order_items: Array<{ quantity: number }> };
    expect(created.order_items.map((item) => item.quantity)).toEqual([1, 4]);
  });
});
