/**
 * The bad-input corpus (test/fixtures/import-bad/): every file has one problem, named by the file.
 * Each gives a message naming the file, the row and the column, the right exit code, and no write:
 *  - input that cannot be used at all (encoding, quoting, header, JSON shape, unknown columns): exit 2,
 *    the message names the file (and the row where there is one);
 *  - rows that break the rules (types, enums, required fields, keys, duplicates): exit 3, each row in
 *    the error report with its `_row`, `_field` and `_error`.
 * Files not listed in ROW_PROBLEMS or USAGE_PROBLEMS are input-level problems of `contacts` files.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

const corpus = join(import.meta.dirname, '..', 'fixtures', 'import-bad');

interface RowProblem {
  resource: string;
  args?: string[];
  /** `_row` and `_field` of each row in the error report, and what its `_error` says. */
  rows: Array<{ row: string; field: string; error: RegExp }>;
}

const ROW_PROBLEMS: Record<string, RowProblem> = {
  'not-a-whole-number.csv': { resource: 'contacts', rows: [{ row: '2', field: 'owner_id', error: /"abc" is not a whole number/ }] },
  'enum-keap-refuses.csv': { resource: 'contacts', rows: [{ row: '2', field: 'source_type', error: /"BOGUS" is not one of/ }] },
  'not-a-date.csv': { resource: 'contacts', rows: [{ row: '2', field: 'birthday', error: /"yesterday"/ }] },
  'in-file-duplicate-emails.csv': {
    resource: 'contacts',
    rows: [
      { row: '2', field: 'email_addresses.EMAIL1.email', error: /rows 2, 3 share email/ },
      { row: '3', field: 'email_addresses.EMAIL1.email', error: /rows 2, 3 share email/ },
    ],
  },
  'contact-without-email-or-phone.csv': {
    resource: 'contacts',
    rows: [{ row: '2', field: 'email_addresses', error: /email_addresses, phone_numbers/ }],
  },
  'bad-json-cell.csv': { resource: 'contacts', rows: [{ row: '2', field: 'social_accounts', error: /not valid JSON/ }] },
  'products-not-a-number.csv': { resource: 'products', rows: [{ row: '2', field: 'product_price', error: /"cheap" is not a number/ }] },
  'products-not-a-boolean.csv': { resource: 'products', rows: [{ row: '2', field: 'active', error: /"maybe" is not true or false/ }] },
  'companies-missing-required.csv': { resource: 'companies', rows: [{ row: '2', field: 'company_name', error: /company_name/ }] },
  'notes-enum.csv': { resource: 'notes', rows: [{ row: '2', field: 'type', error: /"Meeting" is not one of/ }] },
  'tasks-update-missing-key.csv': { resource: 'tasks', args: ['--action', 'update'], rows: [{ row: '2', field: 'id', error: /id/ }] },
  'orders-conflicting-rows.csv': {
    resource: 'orders',
    rows: [
      { row: '2', field: 'order_title', error: /rows 2, 3|rows 2 and 3/ },
      { row: '3', field: 'order_title', error: /rows 2, 3|rows 2 and 3/ },
    ],
  },
  'order-payments-charge-now.csv': { resource: 'order-payments', rows: [{ row: '2', field: 'charge_now', error: /charge/ }] },
  'ndjson-enum-in-nested.ndjson': {
    resource: 'contacts',
    rows: [{ row: '1', field: 'email_addresses.0.field', error: /"EMAIL9" is not one of/ }],
  },
};

/** Unusable input found by the mapping: exit 2, and the message says what to do. */
const USAGE_PROBLEMS: Record<string, { resource: string; message: RegExp }> = {
  'unknown-column.csv': { resource: 'contacts', message: /given_nme.*given_name/s },
  'unknown-custom-field.csv': { resource: 'contacts', message: /custom\.No Such Field/ },
};

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 10, orders: 3, products: 5 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

async function writes(): Promise<number> {
  const stats = await sandbox.stats();
  return Object.entries(stats.requests)
    .filter(([key]) => !key.startsWith('GET '))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Runs the import on a copy of the corpus file (reports are written beside it). */
async function importCopy(name: string, resource: string, args: string[] = []) {
  const dir = tempDir();
  const file = join(dir, name);
  copyFileSync(join(corpus, name), file);
  const before = await writes();
  const result = await runCli(['import', resource, file, ...args], { env: sandbox.env });
  expect(await writes(), `${name}: nothing may be written`).toBe(before);
  return { dir, file, result };
}

const files = readdirSync(corpus).filter((name) => !name.startsWith('.') && name !== 'README.md');

describe('import: the bad-input corpus', () => {
  it('has at least 30 files, each with one problem', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of files) {
    const rowProblem = ROW_PROBLEMS[name];
    const usage = USAGE_PROBLEMS[name];
    if (rowProblem) {
      it(`${name}: exit 3, each bad row in the error report with its row, column and reason`, async () => {
        const { dir, result } = await importCopy(name, rowProblem.resource, rowProblem.args);
        expect(result.code, result.stderr).toBe(3);
        const extension = name.slice(name.lastIndexOf('.') + 1);
        const report = join(dir, `${name.slice(0, name.lastIndexOf('.'))}.errors.${extension}`);
        expect(existsSync(report), `${report} exists`).toBe(true);
        const text = readFileSync(report, 'utf8');
        const rows =
          extension === 'csv'
            ? (parse(text, { columns: true }) as Array<Record<string, string>>)
            : text
                .trim()
                .split('\n')
                .map((line) => JSON.parse(line) as Record<string, unknown>)
                .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
        expect(rows.map((r) => [r._row, r._status, r._field])).toEqual(rowProblem.rows.map((r) => [r.row, 'invalid', r.field]));
        for (const [index, expected] of rowProblem.rows.entries()) expect(rows[index]?._error).toMatch(expected.error);
      });
    } else {
      it(`${name}: exit 2, the message names the file${usage ? ' and what to do' : ' and the row'}`, async () => {
        const { result } = await importCopy(name, usage?.resource ?? 'contacts');
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(name);
        if (usage) expect(result.stderr).toMatch(usage.message);
      });
    }
  }
});

/**
 * Inputs that break naive tools but are fine: a BOM, UTF-16, `;` as the delimiter, CRLF. Each
 * creates one contact whose name must arrive exactly.
 */
const ODD_BUT_FINE: Record<string, { email: string; given_name: string; job_title?: string }> = {
  'utf8-bom.csv': { email: 'odd-bom@example.org', given_name: 'Zoë' },
  'utf16le-bom.csv': { email: 'odd-utf16le@example.org', given_name: 'Jürgen' },
  'utf16be-bom.csv': { email: 'odd-utf16be@example.org', given_name: 'Ngọc' },
  'semicolons.csv': { email: 'odd-semi@example.org', given_name: 'Åsa', job_title: 'Head; of, things' },
  'crlf.csv': { email: 'odd-crlf@example.org', given_name: 'Crlf' },
  'excel-style.ndjson': { email: 'odd-nd@example.org', given_name: 'Émile' },
};

describe('import: odd but valid inputs', () => {
  const odd = join(import.meta.dirname, '..', 'fixtures', 'import-odd');
  it('every file in the folder is listed', () => {
    expect(readdirSync(odd).sort()).toEqual(Object.keys(ODD_BUT_FINE).sort());
  });
  for (const [name, expected] of Object.entries(ODD_BUT_FINE)) {
    it(`${name}: imported, and the text arrives exactly`, async () => {
      const dir = tempDir();
      copyFileSync(join(odd, name), join(dir, name));
      const result = await runCli(['import', 'contacts', join(dir, name), '--json'], { env: sandbox.env });
      expect(result.code, result.stderr).toBe(0);
      const outcome = JSON.parse(result.stdout);
      expect(outcome.counts).toMatchObject({ read: 1, created: 1 });
      const found = (await sandboxGet(sandbox, `/contacts?email=${encodeURIComponent(expected.email)}&optional_properties=job_title`)) as {
        contacts: Array<Record<string, unknown>>;
      };
      expect(found.contacts).toHaveLength(1);
      expect(found.contacts[0]).toMatchObject({
        given_name: expected.given_name,
        ...(expected.job_title ? { job_title: expected.job_title } : {}),
      });
    });
  }

  it('a 10 MB cell is read whole and checked (a dry run: nothing is sent)', async () => {
    const dir = tempDir();
    const file = join(dir, 'big-cell.csv');
    writeFileSync(file, `email_addresses.EMAIL1.email,job_title\nbig@example.org,"${'x'.repeat(10 * 1024 * 1024)}"\n`);
    const before = await writes();
    const result = await runCli(['import', 'contacts', file, '--dry-run', '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ read: 1, valid: 1 });
    expect(await writes()).toBe(before);
  });
});
