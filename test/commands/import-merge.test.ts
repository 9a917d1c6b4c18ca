/**
 * Import's data safety as a user sees it (issue 13, items 1, 2 and 4): a quoted empty cell is an
 * empty cell, a row never drops what it does not name, and `--map COLUMN=custom.<label>` works for
 * every label. Each test runs the CLI in-process against the sandbox and reads the record back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

type Rec = Record<string, unknown>;

async function contact(id: unknown): Promise<Rec> {
  return (await sandboxGet(sandbox, `/contacts/${id}?optional_properties=custom_fields,job_title`)) as Rec;
}

async function writes(): Promise<number> {
  const stats = await sandbox.stats();
  return Object.entries(stats.requests)
    .filter(([key]) => !key.startsWith('GET '))
    .reduce((sum, [, n]) => sum + n, 0);
}

let serial = 0;
/** A new contact in the sandbox, with two phones, a typed phone, names and every custom field set. */
async function newContact(extra: Rec = {}): Promise<{ id: number; email: string }> {
  serial += 1;
  const email = `merge-${serial}-${Date.now()}@example.org`;
  const model = (await sandboxGet(sandbox, '/contacts/model')) as { custom_fields: Array<{ id: number; field_type: string }> };
  const made = (await sandboxSend(sandbox, 'POST', '/contacts', {
    given_name: 'Renée',
    family_name: 'Durand',
    email_addresses: [{ field: 'EMAIL1', email }],
    phone_numbers: [
      { field: 'PHONE1', number: '555-0101', type: 'Work', extension: '42' },
      { field: 'PHONE2', number: '555-0202', type: 'Mobile' },
    ],
    custom_fields: model.custom_fields.map((field) => ({ id: field.id, content: sampleContent(field.field_type) })),
    ...extra,
  })) as { id: number };
  return { id: made.id, email };
}

/** A value Keap holds for a custom field of this type (as the sandbox models it). */
function sampleContent(type: string): unknown {
  switch (type) {
    case 'Currency':
    case 'DecimalNumber':
      return 1234.5;
    case 'WholeNumber':
    case 'Percent':
      return 42;
    case 'User':
      return 1;
    case 'YesNo':
      return true;
    case 'Date':
      return '1980-02-29';
    case 'DateTime':
      return '2026-03-01T09:30:00.000Z';
    case 'Dropdown':
      return 'Green';
    case 'ListBox':
      return 'Email,Phone';
    case 'Drilldown':
      return 'Europe > France';
    default:
      return `text of a ${type}, "quoted"`;
  }
}

function file(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe('a quoted empty cell is an empty cell (issue 13, item 1)', () => {
  it('CSV upsert: "","" leaves the names as they are, exactly as unquoted empty cells do', async () => {
    const { id, email } = await newContact();
    const quoted = file('hubspot.csv', `email_addresses.EMAIL1.email,given_name,family_name\r\n"${email}","",""\r\n`);
    const result = await runCli(['import', 'contacts', quoted], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(await contact(id)).toMatchObject({ given_name: 'Renée', family_name: 'Durand' });

    const unquoted = file('plain.csv', `email_addresses.EMAIL1.email,given_name,family_name\n${email},,\n`);
    expect((await runCli(['import', 'contacts', unquoted], { env: sandbox.env })).code).toBe(0);
    expect(await contact(id)).toMatchObject({ given_name: 'Renée', family_name: 'Durand' });
  });

  it('CSV update: a quoted empty custom field cell leaves the field as it is', async () => {
    const { id } = await newContact();
    const before = await contact(id);
    const path = file('update.csv', `id,job_title,"custom.Notes, misc"\n${id},"Buyer",""\n`);
    const result = await runCli(['import', 'contacts', path], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const after = await contact(id);
    expect(after.job_title).toBe('Buyer');
    expect(after.custom_fields).toEqual(before.custom_fields);
  });

  it('JSON and NDJSON: an absent key, "" and null all leave the field as it is', async () => {
    const { id, email } = await newContact();
    const json = file('rows.json', JSON.stringify([{ 'email_addresses.EMAIL1.email': email, given_name: '', family_name: null }]));
    const first = await runCli(['import', 'contacts', json], { env: sandbox.env });
    expect(first.code, first.stderr).toBe(0);
    expect(await contact(id)).toMatchObject({ given_name: 'Renée', family_name: 'Durand' });
    const ndjson = file('rows.ndjson', `${JSON.stringify({ id, given_name: '', middle_name: null, job_title: 'Chef' })}\n`);
    const second = await runCli(['import', 'contacts', ndjson], { env: sandbox.env });
    expect(second.code, second.stderr).toBe(0);
    expect(await contact(id)).toMatchObject({ given_name: 'Renée', family_name: 'Durand', job_title: 'Chef' });
  });

  it('--clear-empty clears quoted and unquoted empty cells alike', async () => {
    const { id } = await newContact({ middle_name: 'Q.' });
    const path = file('clear.csv', `id,given_name,middle_name\n${id},"",\n`);
    const result = await runCli(['import', 'contacts', path, '--clear-empty'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(await contact(id)).toMatchObject({ given_name: '', middle_name: '', family_name: 'Durand' });
  });

  it('--clear-empty: an empty cell of a keyed element removes that element, and keeps the others whole', async () => {
    const { id } = await newContact();
    const path = file('phones.csv', `id,phone_numbers.PHONE2.number\n${id},""\n`);
    const result = await runCli(['import', 'contacts', path, '--clear-empty'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contact(id)).phone_numbers).toEqual([{ field: 'PHONE1', number: '555-0101', type: 'Work', extension: '42' }]);
  });

  it('an upsert whose email is empty is invalid before any write, quoted or not, dry run or not', async () => {
    const path = file('blank-email.csv', `email_addresses.EMAIL1.email,given_name\n"",Nobody\n,Nobody else\n`);
    const dry = await runCli(['import', 'contacts', path, '--dry-run'], { env: sandbox.env });
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stderr).toMatch(/2 invalid/);
    const before = await writes();
    const real = await runCli(['import', 'contacts', path, '--action', 'upsert'], { env: sandbox.env });
    expect(real.code, real.stderr).toBe(3);
    expect(real.stderr).toMatch(/2 invalid/);
    expect(await writes()).toBe(before);
  });

  it('a new contact with neither an email nor a phone, or a region without a country code, is invalid before any write', async () => {
    const path = file(
      'new.csv',
      'given_name,email_addresses.EMAIL1.email,phone_numbers.PHONE1.number,addresses.BILLING.region,addresses.BILLING.country_code\n' +
        'Nobody,"","",,\n' +
        'Regional,regional@example.org,,Bavaria,""\n',
    );
    const before = await writes();
    const result = await runCli(['import', 'contacts', path, '--action', 'create'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/2 invalid/);
    expect(await writes()).toBe(before);
  });
});

describe('a row never drops what it does not name (issue 13, item 2)', () => {
  it('one custom.<label> column keeps every other custom field', async () => {
    const { id } = await newContact();
    const before = await contact(id);
    const path = file('one-custom.csv', `id,"custom.Notes, misc"\n${id},"New note, with a comma"\n`);
    const result = await runCli(['import', 'contacts', path], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const expected = (before.custom_fields as Rec[]).map((field) =>
      field.id === 15 ? { ...field, content: 'New note, with a comma' } : field,
    );
    expect((await contact(id)).custom_fields).toEqual(expected);
  });

  it('setting phone_numbers.PHONE1.number keeps PHONE1 type and extension, and PHONE2', async () => {
    const { id } = await newContact();
    const path = file('phone.csv', `id,phone_numbers.PHONE1.number\n${id},555-9999\n`);
    const result = await runCli(['import', 'contacts', path], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect((await contact(id)).phone_numbers).toEqual([
      { field: 'PHONE1', number: '555-9999', type: 'Work', extension: '42' },
      { field: 'PHONE2', number: '555-0202', type: 'Mobile' },
    ]);
  });

  it('an upsert naming one custom field and one address keeps the rest', async () => {
    const { id, email } = await newContact({
      addresses: [
        { field: 'BILLING', line1: '1 Rue de la Paix', locality: 'Paris', country_code: 'FRA' },
        { field: 'SHIPPING', line1: '2 Quai Branly', locality: 'Paris', country_code: 'FRA' },
      ],
    });
    const before = await contact(id);
    const path = file('upsert.csv', `email_addresses.EMAIL1.email,addresses.SHIPPING.line1,custom.会員番号\n${email},3 Avenue Foch,M-77\n`);
    const result = await runCli(['import', 'contacts', path], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const after = await contact(id);
    expect(after.addresses).toEqual([
      { field: 'BILLING', line1: '1 Rue de la Paix', locality: 'Paris', country_code: 'FRA' },
      { field: 'SHIPPING', line1: '3 Avenue Foch', locality: 'Paris', country_code: 'FRA' },
    ]);
    expect(after.custom_fields).toEqual((before.custom_fields as Rec[]).map((f) => (f.id === 13 ? { ...f, content: 'M-77' } : f)));
  });
});

describe('--map COLUMN=custom.<label> (issue 13, item 4)', () => {
  it('works for every custom field: commas, quotes, non-Latin scripts, currency signs', async () => {
    const model = (await sandboxGet(sandbox, '/contacts/model')) as {
      custom_fields: Array<{ id: number; label: string; field_type: string }>;
    };
    const text = model.custom_fields.filter((field) => ['Text', 'TextArea'].includes(field.field_type) || field.label.includes('€'));
    expect(text.map((f) => f.label)).toEqual(expect.arrayContaining(['Notes, misc', '会員番号', 'Lifetime Value (€)']));
    for (const field of model.custom_fields.filter((f) => f.label.includes('"'))) text.push(field);
    const { id } = await newContact();
    const columns = text.map((_, i) => `col${i}`);
    const values = text.map((field) =>
      field.field_type === 'Currency' ? '99.5' : field.field_type === 'YesNo' ? 'false' : `v${field.id}`,
    );
    const path = file('mapped.csv', `id,${columns.join(',')}\n${id},${values.join(',')}\n`);
    const maps = text.flatMap((field, i) => ['--map', `col${i}=custom.${field.label}`]);
    const result = await runCli(['import', 'contacts', path, ...maps], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const after = (await contact(id)).custom_fields as Rec[];
    for (const [i, field] of text.entries()) {
      const expected = field.field_type === 'Currency' ? 99.5 : field.field_type === 'YesNo' ? false : values[i];
      expect(after.find((f) => f.id === field.id)?.content, field.label).toEqual(expected);
    }
  });
});

describe('a round trip changes exactly the cell edited (issue 13, item 2)', () => {
  it('a contact holding every custom-field type: export, edit one cell, import, and nothing else changes', async () => {
    const model = (await sandboxGet(sandbox, '/contacts/model')) as { custom_fields: Array<{ field_type: string }> };
    const types = model.custom_fields.map((field) => field.field_type);
    expect(types).toEqual(expect.arrayContaining(['Date', 'DateTime', 'ListBox', 'Drilldown', 'User', 'YesNo', 'Currency', 'Dropdown']));
    const { id, email } = await newContact({ addresses: [{ field: 'BILLING', line1: '1 Main St', region: 'Ohio', country_code: 'USA' }] });
    const before = await contact(id);
    let name = 'Renée';
    for (const format of ['csv', 'json', 'ndjson']) {
      const dir = tempDir();
      const path = join(dir, `contacts.${format}`);
      const exported = await runCli(['export', 'contacts', '--where', `email=${email}`, '-o', path], { env: sandbox.env });
      expect(exported.code, exported.stderr).toBe(0);
      const text = readFileSync(path, 'utf8');
      expect(text).toContain(name);
      writeFileSync(path, text.replace(name, `Renée-${format}`));
      name = `Renée-${format}`;
      const imported = await runCli(['import', 'contacts', path], { env: sandbox.env });
      expect(imported.code, `${format}: ${imported.stderr}`).toBe(0);
      expect(imported.stderr).toMatch(/1 updated/);
      const { last_updated: _a, ...after } = await contact(id);
      const { last_updated: _b, ...expected } = before;
      expect(after, format).toEqual({ ...expected, given_name: `Renée-${format}` });
    }
  });
});

describe('custom field cells are sent in their field type', () => {
  it('a User field edited in a CSV is sent as the user id, and the other fields stay as read', async () => {
    const { id } = await newContact();
    const before = await contact(id);
    const path = file('user.csv', `id,custom.Account manager,custom.Visits\n${id},2,42\n`);
    const result = await runCli(['import', 'contacts', path], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const expected = (before.custom_fields as Rec[]).map((field) => (field.id === 35 ? { ...field, content: 2 } : field));
    expect((await contact(id)).custom_fields).toEqual(expected);
  });
});
