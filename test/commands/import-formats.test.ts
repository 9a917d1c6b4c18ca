/**
 * `import` reading the formats people's files have (issue 13, items 5 and 6): email addresses held
 * to one rule, trimmed addresses counted, phone numbers Excel rewrote, --date-format, offsets,
 * --timezone, ISO with milliseconds, booleans in any spelling, and Excel's trailing unnamed columns.
 * In-process against the sandbox; what Keap stored is read back straight from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20, companies: 5, products: 5 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

type Row = Record<string, string>;

function readCsv(path: string): Row[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Row[];
}

function csvFile(name: string, rows: Row[]): string {
  const path = join(tempDir(), name);
  writeFileSync(path, stringify(rows, { header: true, columns: [...new Set(rows.flatMap((row) => Object.keys(row)))] }));
  return path;
}

async function writes(): Promise<number> {
  const stats = await sandbox.stats();
  return Object.entries(stats.requests)
    .filter(([key]) => !key.startsWith('GET '))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** The contact Keap holds under an email address (its EMAIL1), with custom fields. */
async function contactByEmail(email: string): Promise<Record<string, unknown>> {
  const list = (await sandboxGet(sandbox, `/contacts?email=${encodeURIComponent(email)}`)) as { contacts: Array<{ id: number }> };
  expect(list.contacts, email).toHaveLength(1);
  return (await sandboxGet(sandbox, `/contacts/${list.contacts[0]!.id}?optional_properties=custom_fields`)) as Record<string, unknown>;
}

function customContent(contact: Record<string, unknown>, id: number): unknown {
  return (contact.custom_fields as Array<{ id: number; content: unknown }>).find((field) => field.id === id)?.content;
}

const EMAIL = 'email_addresses.EMAIL1.email';

describe('import: email addresses and phone numbers are checked before anything is sent', () => {
  const badAddresses = ['foo@', 'x@y', 'bar at example.com', 'anna@@example.com'];

  it('the dry run finds foo@, x@y, "bar at example.com" and anna@@example.com, naming row and column', async () => {
    const file = csvFile('leads.csv', [
      { [EMAIL]: 'good@example.com', given_name: 'Good' },
      ...badAddresses.map((email) => ({ [EMAIL]: email, given_name: 'Bad' })),
    ]);
    const result = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/5 read, 1 valid, 4 invalid/);
    const report = readCsv(file.replace(/\.csv$/, '.errors.csv'));
    expect(report.map((row) => [row._row, row._field, row[EMAIL]])).toEqual(badAddresses.map((email, i) => [String(i + 3), EMAIL, email]));
    expect(report.map((row) => row._error)).toEqual([
      '"foo@" is not an email address: nothing comes after the @',
      '"x@y" is not an email address: its domain "y" needs a dot inside it, as in example.com',
      '"bar at example.com" is not an email address: it has a space in it',
      '"anna@@example.com" is not an email address: it has 2 @ signs, and an address has one',
    ]);
  });

  it('a real run sends only the good row and exits 3', async () => {
    const file = csvFile('leads.csv', [
      { [EMAIL]: 'only-good@example.com', given_name: 'Good' },
      ...badAddresses.map((email) => ({ [EMAIL]: email, given_name: 'Bad' })),
    ]);
    const before = await writes();
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/1 created, 0 updated, 0 unchanged, 0 deleted, 0 failed, 4 invalid/);
    expect(await writes()).toBe(before + 1);
    expect((await contactByEmail('only-good@example.com')).given_name).toBe('Good');
  });

  it("a company's email_address is held to the same rule", async () => {
    const file = csvFile('companies.csv', [
      { company_name: 'Good Co', email_address: 'office@good.example.com' },
      { company_name: 'Bad Co', email_address: 'office@bad' },
    ]);
    const result = await runCli(['import', 'companies', file, '--dry-run'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    const report = readCsv(file.replace(/\.csv$/, '.errors.csv'));
    expect(report.map((row) => [row._row, row._field])).toEqual([['3', 'email_address']]);
  });

  it('surrounding whitespace is trimmed, counted in one warning, and Keap stores the address without it', async () => {
    const file = csvFile('spaces.csv', [
      { [EMAIL]: '  spaced.one@example.com', given_name: 'One' },
      { [EMAIL]: 'spaced.two@example.com\t', given_name: 'Two' },
      { [EMAIL]: 'unspaced@example.com', given_name: 'Three' },
    ]);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/trimmed the spaces around 2 email addresses/g)).toHaveLength(1);
    for (const email of ['spaced.one@example.com', 'spaced.two@example.com']) {
      const emails = (await contactByEmail(email)).email_addresses as Array<{ email: string; field: string }>;
      expect(emails.find((e) => e.field === 'EMAIL1')?.email).toBe(email);
    }
  });

  it("a phone number in Excel's scientific notation is invalid, saying the spreadsheet mangled it", async () => {
    const file = csvFile('phones.csv', [
      { [EMAIL]: 'phone-ok@example.com', 'phone_numbers.PHONE1.number': '+1 612 346 0000' },
      { [EMAIL]: 'phone-bad@example.com', 'phone_numbers.PHONE1.number': '6.12346E+09' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    const [row] = readCsv(file.replace(/\.csv$/, '.errors.csv'));
    expect(row).toMatchObject({ _row: '3', _field: 'phone_numbers.PHONE1.number' });
    expect(row!._error).toMatch(/^"6\.12346E\+09" is a phone number a spreadsheet rewrote in scientific notation/);
  });
});

describe('import: dates, time zones and booleans as files hold them', () => {
  it('--date-format MM/DD/YYYY reads dates and date-times; a date-time field gets midnight UTC with milliseconds', async () => {
    const file = csvFile('us.csv', [
      { [EMAIL]: 'us-dates@example.com', birthday: '11/2/1980', 'custom.Date de naissance': '12/31/1999' },
      { [EMAIL]: 'us-dates-bad@example.com', birthday: '31/12/1980' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--date-format', 'MM/DD/YYYY'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    const stored = await contactByEmail('us-dates@example.com');
    expect(stored.birthday).toBe('1980-11-02T00:00:00.000Z');
    expect(customContent(stored, 11)).toBe('1999-12-31');
    const [row] = readCsv(file.replace(/\.csv$/, '.errors.csv'));
    expect(row).toMatchObject({ _row: '3', _field: 'birthday', _error: '"31/12/1980" is not a date-time in the format MM/DD/YYYY' });
  });

  it('a --mapping file carries the date format and zone, as the flags do', async () => {
    const file = csvFile('mapped-dates.csv', [{ [EMAIL]: 'mapped-dates@example.com', birthday: '02.11.1980 09:30' }]);
    const mapping = file.replace(/\.csv$/, '.mapping.json');
    writeFileSync(mapping, JSON.stringify({ dateFormat: 'DD.MM.YYYY HH:mm', timezone: 'Europe/Berlin' }));
    const result = await runCli(['import', 'contacts', file, '--mapping', mapping], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contactByEmail('mapped-dates@example.com')).birthday).toBe('1980-11-02T08:30:00.000Z');
  });

  it('a date-time without milliseconds is sent with them, as Keap requires', async () => {
    const file = csvFile('iso.csv', [{ [EMAIL]: 'iso-no-ms@example.com', birthday: '2026-11-02T10:00:00Z' }]);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contactByEmail('iso-no-ms@example.com')).birthday).toBe('2026-11-02T10:00:00.000Z');
  });

  it('common offsets are read: 2026-11-02 10:00:00 -0500, +01:00', async () => {
    const file = csvFile('offsets.csv', [
      { [EMAIL]: 'offset-1@example.com', birthday: '2026-11-02 10:00:00 -0500' },
      { [EMAIL]: 'offset-2@example.com', birthday: '2026-11-02T10:00:00+01:00' },
    ]);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contactByEmail('offset-1@example.com')).birthday).toBe('2026-11-02T15:00:00.000Z');
    expect((await contactByEmail('offset-2@example.com')).birthday).toBe('2026-11-02T09:00:00.000Z');
  });

  it('--date-format in strftime (%d.%m.%Y %H:%M), with an offset after the value', async () => {
    const file = csvFile('strftime.csv', [
      { [EMAIL]: 'strftime-1@example.com', birthday: '02.11.2026 10:00' },
      { [EMAIL]: 'strftime-2@example.com', birthday: '02.11.2026 10:00 +0100' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--date-format', '%d.%m.%Y %H:%M'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contactByEmail('strftime-1@example.com')).birthday).toBe('2026-11-02T10:00:00.000Z');
    expect((await contactByEmail('strftime-2@example.com')).birthday).toBe('2026-11-02T09:00:00.000Z');
  });

  it('--timezone reads values without an offset in that zone; a date alone is midnight there', async () => {
    const file = csvFile('zoned.csv', [
      { [EMAIL]: 'zoned-1@example.com', birthday: '2026-07-02 10:00' },
      { [EMAIL]: 'zoned-2@example.com', birthday: '2026-11-02' },
      { [EMAIL]: 'zoned-3@example.com', birthday: '2026-11-02 10:00 Z' },
    ]);
    const result = await runCli(['import', 'contacts', file, '--timezone', 'America/New_York'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contactByEmail('zoned-1@example.com')).birthday).toBe('2026-07-02T14:00:00.000Z');
    expect((await contactByEmail('zoned-2@example.com')).birthday).toBe('2026-11-02T05:00:00.000Z');
    expect((await contactByEmail('zoned-3@example.com')).birthday).toBe('2026-11-02T10:00:00.000Z');
  });

  it('a bad --timezone or --date-format is exit 2 naming the flag, before anything is read or sent', async () => {
    const file = csvFile('any.csv', [{ [EMAIL]: 'never@example.com' }]);
    const before = await writes();
    const zone = await runCli(['import', 'contacts', file, '--timezone', 'Mars/Olympus_Mons'], { env: sandbox.env });
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/--timezone: "Mars\/Olympus_Mons" is not a time zone/);
    const format = await runCli(['import', 'contacts', file, '--date-format', '%Y-%m-%d %Q'], { env: sandbox.env });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--date-format %Y-%m-%d %Q: %Q is not a directive/);
    expect(await writes()).toBe(before);
  });

  it('booleans read 1/0, yes/no and true/false in any case, in CSV custom fields and JSON fields', async () => {
    const csv = csvFile('vip.csv', [
      { [EMAIL]: 'vip-yes@example.com', 'custom.Is "VIP"?': '1' },
      { [EMAIL]: 'vip-no@example.com', 'custom.Is "VIP"?': 'NO' },
    ]);
    const result = await runCli(['import', 'contacts', csv], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(customContent(await contactByEmail('vip-yes@example.com'), 17)).toBe(true);
    expect(customContent(await contactByEmail('vip-no@example.com'), 17)).toBe(false);

    const json = join(tempDir(), 'products.json');
    writeFileSync(
      json,
      JSON.stringify([
        { product_name: 'Boolean Widget No', active: 'No', subscription_only: 0 },
        { product_name: 'Boolean Widget Yes', active: 'TRUE', subscription_only: 'yes' },
      ]),
    );
    const products = await runCli(['import', 'products', json, '--action', 'create'], { env: sandbox.env });
    expect(products.code, products.stderr).toBe(0);
    const results = JSON.parse(readFileSync(json.replace(/\.json$/, '.results.json'), 'utf8')) as Array<{ _id: number }>;
    const ids = results.map((row) => row._id);
    const stored = await Promise.all(ids.map((id) => sandboxGet(sandbox, `/products/${id}`) as Promise<Record<string, unknown>>));
    expect(stored.map((p) => [p.product_name, p.active, p.subscription_only])).toEqual([
      ['Boolean Widget No', false, false],
      ['Boolean Widget Yes', true, true],
    ]);
  });
});

describe("import: Excel's trailing unnamed columns", () => {
  it('a header whose trailing columns have no name and no values is accepted', async () => {
    const file = join(tempDir(), 'excel.csv');
    writeFileSync(file, `given_name,${EMAIL},,\r\nExcel,excel-trailing@example.com,,\r\n`);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contactByEmail('excel-trailing@example.com')).given_name).toBe('Excel');
  });

  it('an unnamed column that holds a value is refused, naming its position and row, and nothing is sent', async () => {
    const file = join(tempDir(), 'excel.csv');
    writeFileSync(file, `given_name,${EMAIL},,\r\nA,a-unnamed@example.com,,\r\nB,b-unnamed@example.com,,stray\r\n`);
    const before = await writes();
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/excel\.csv, row 3: column 4 has no name in the header but holds "stray"/);
    expect(await writes()).toBe(before);
  });

  it('an unnamed column between named ones is still refused', async () => {
    const file = join(tempDir(), 'gap.csv');
    writeFileSync(file, `given_name,,${EMAIL}\nA,,gap@example.com\n`);
    const result = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the header's column 2 has no name/);
  });
});
