/**
 * The files around an import (issue 13, items 11 and 12): the reports keep the input's dialect
 * (BOM, line endings, delimiter) and its row numbers, a clean --dry-run removes a stale error
 * report, and a mapping file holds a repeated migration's flags. In-process against the sandbox.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20, orders: 3, products: 6 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

const BOM = '\uFEFF';

function readCsv(path: string, delimiter = ','): Row[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true, delimiter }) as Row[];
}

describe('import reports keep the input dialect', () => {
  it('an Excel CSV (BOM, CRLF, semicolons) gets reports with the same BOM, CRLF and semicolons', async () => {
    const dir = tempDir();
    const file = join(dir, 'excel.csv');
    const lines = [
      'given_name;family_name;email_addresses.EMAIL1.email;birthday',
      'Ann;Lee;ann.dialect@example.com;1980-02-03T00:00:00.000Z',
      'Bob;"Ray; Jr.";bob.dialect@example.com;someday',
    ];
    writeFileSync(file, `${BOM}${lines.join('\r\n')}\r\n`);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    for (const report of ['excel.errors.csv', 'excel.results.csv']) {
      const text = readFileSync(join(dir, report), 'utf8');
      expect(text.startsWith(BOM), `${report} starts with a BOM`).toBe(true);
      expect(text.replace(/\r\n/g, ''), `${report} has only CRLF line ends`).not.toMatch(/[\r\n]/);
      expect(text.split('\r\n')[0]).toMatch(/^\uFEFFgiven_name;family_name;/);
    }
    const errors = readCsv(join(dir, 'excel.errors.csv'), ';');
    expect(errors).toEqual([expect.objectContaining({ family_name: 'Ray; Jr.', _row: '3', _field: 'birthday' })]);
  });

  it('a plain CSV (no BOM, LF) stays plain', async () => {
    const dir = tempDir();
    const file = join(dir, 'plain.csv');
    writeFileSync(file, 'given_name,email_addresses.EMAIL1.email,birthday\nCy,cy.dialect@example.com,never\n');
    const result = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(result.code).toBe(3);
    const text = readFileSync(join(dir, 'plain.errors.csv'), 'utf8');
    expect(text.startsWith(BOM)).toBe(false);
    expect(text).not.toMatch(/\r/);
  });

  it('re-importing an error report keeps the original rows in _source_row, through every round', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(
      file,
      [
        'given_name,email_addresses.EMAIL1.email,birthday',
        'Di,di.rows@example.com,1970-01-01T00:00:00.000Z',
        'Ed,ed.rows@example.com,not a date',
        'Flo,flo.rows@example.com,1971-01-01T00:00:00.000Z',
        'Gus,gus.rows@example.com,nor this',
        '',
      ].join('\n'),
    );
    expect((await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env })).code).toBe(3);
    const first = readCsv(join(dir, 'people.errors.csv'));
    expect(first.map((row) => row._row)).toEqual(['3', '5']);
    expect(Object.keys(first[0]!)).not.toContain('_source_row');

    // The report imported as it is (still broken): its rows keep pointing at the original file.
    const again = await runCli(['import', 'contacts', join(dir, 'people.errors.csv'), '--dry-run'], { env: sandbox.env });
    expect(again.code).toBe(3);
    const second = readCsv(join(dir, 'people.errors.errors.csv'));
    expect(second.map((row) => [row._source_row, row._row])).toEqual([
      ['3', '2'],
      ['5', '3'],
    ]);
    const third = await runCli(['import', 'contacts', join(dir, 'people.errors.errors.csv'), '--dry-run'], { env: sandbox.env });
    expect(third.code).toBe(3);
    expect(readCsv(join(dir, 'people.errors.errors.errors.csv')).map((row) => row._source_row)).toEqual(['3', '5']);
  });

  it('a clean --dry-run removes the error report an earlier run left, and only an error report', async () => {
    const dir = tempDir();
    const file = join(dir, 'fixme.csv');
    writeFileSync(file, 'given_name,email_addresses.EMAIL1.email,birthday\nHal,hal.stale@example.com,soon\n');
    expect((await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env })).code).toBe(3);
    const report = join(dir, 'fixme.errors.csv');
    expect(existsSync(report)).toBe(true);

    writeFileSync(file, 'given_name,email_addresses.EMAIL1.email,birthday\nHal,hal.stale@example.com,1990-01-01T00:00:00.000Z\n');
    const clean = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(clean.code, clean.stderr).toBe(0);
    expect(existsSync(report)).toBe(false);

    const mine = join(dir, 'mine.csv');
    writeFileSync(mine, 'a,b\n1,2\n');
    const kept = await runCli(['import', 'contacts', file, '--dry-run', '--errors', mine], { env: sandbox.env });
    expect(kept.code).toBe(0);
    expect(readFileSync(mine, 'utf8')).toBe('a,b\n1,2\n');
  });
});

describe('import --mapping FILE and --set', () => {
  let emails: string[];
  let skus: string[];
  beforeAll(async () => {
    const contacts = (await sandboxGet(sandbox, '/contacts?limit=2')) as { contacts: Array<{ email_addresses: Array<{ email: string }> }> };
    emails = contacts.contacts.map((c) => c.email_addresses[0]!.email);
    const products = (await sandboxGet(sandbox, '/products?limit=2')) as { products: Array<{ sku: string }> };
    skus = products.products.map((p) => p.sku);
  });

  /** A shop's export: its own column names, one row per line item, no order type. */
  function shopFile(dir: string): string {
    const file = join(dir, 'shop.csv');
    writeFileSync(
      file,
      [
        'Invoice,Email,Title,Date,SKU,Qty',
        `S-1,${emails[0]},Shop order,2026-11-01T10:00:00.000Z,${skus[0]},2`,
        `S-1,,,,${skus[1]},1`,
        `S-2,${emails[1]},Other order,2026-11-03T10:00:00.000Z,${skus[1]},4`,
        '',
      ].join('\n'),
    );
    return file;
  }

  const MAPPING = {
    map: { Email: 'contact_id', Title: 'order_title', Date: 'order_date', SKU: 'product_id', Qty: 'quantity' },
    set: { order_type: 'Offline' },
    lookup: { contact_id: 'contacts.email', product_id: 'products.sku' },
    groupBy: 'Invoice',
  };

  async function ordersOf(resultsFile: string): Promise<Array<{ order_type: string; order_items: unknown[]; title: string }>> {
    const ids = [...new Set(readCsv(resultsFile).map((row) => row._id))];
    return (await Promise.all(ids.map((id) => sandboxGet(sandbox, `/orders/${id}`)))) as Array<{
      order_type: string;
      order_items: unknown[];
      title: string;
    }>;
  }

  it('one flag holds the maps, constants, lookups and group column of a repeated migration', async () => {
    const dir = tempDir();
    const file = shopFile(dir);
    const mapping = join(dir, 'shop-mapping.json');
    writeFileSync(mapping, JSON.stringify(MAPPING, null, 2));
    const result = await runCli(['import', 'orders', file, '--mapping', mapping], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const orders = await ordersOf(join(dir, 'shop.results.csv'));
    expect(orders.map((order) => [order.title, order.order_type, order.order_items.length])).toEqual([
      ['Shop order', 'Offline', 2],
      ['Other order', 'Offline', 1],
    ]);
    // The constant is not a column of the file: the reports do not grow one.
    expect(readFileSync(join(dir, 'shop.results.csv'), 'utf8').split('\n')[0]).toBe('Invoice,Email,Title,Date,SKU,Qty,_row,_action,_id');
  });

  it('flags win over the mapping file for the same field or column; --set works alone', async () => {
    const dir = tempDir();
    const file = shopFile(dir);
    const mapping = join(dir, 'shop-mapping.json');
    writeFileSync(mapping, JSON.stringify({ ...MAPPING, map: { ...MAPPING.map, Title: 'order_date', Date: 'order_title' } }));
    const result = await runCli(
      [
        'import',
        'orders',
        file,
        '--mapping',
        mapping,
        '--set',
        'order_type=Online',
        '--map',
        'Title=order_title',
        '--map',
        'Date=order_date',
      ],
      { env: sandbox.env },
    );
    expect(result.code, result.stderr).toBe(0);
    const orders = await ordersOf(join(dir, 'shop.results.csv'));
    expect(orders.map((order) => [order.title, order.order_type])).toEqual([
      ['Shop order', 'Online'],
      ['Other order', 'Online'],
    ]);

    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, `email_addresses.EMAIL1.email\nset.alone@example.com\n`);
    const alone = await runCli(['import', 'contacts', plain, '--set', 'job_title=Buyer'], { env: sandbox.env });
    expect(alone.code, alone.stderr).toBe(0);
    const id = readCsv(join(dir, 'plain.results.csv'))[0]!._id;
    expect(((await sandboxGet(sandbox, `/contacts/${id}?optional_properties=job_title`)) as { job_title: string }).job_title).toBe('Buyer');
  });

  it.each([
    ['an unknown key', '{"map": {}, "constants": {"order_type": "Offline"}}', /shop-mapping\.json: unknown key "constants"/],
    ['a file that is not JSON', 'map: Email=contact_id', /shop-mapping\.json: is not JSON/],
    ['a value of the wrong type', '{"set": {"order_type": ["Offline"]}}', /shop-mapping\.json: "set"\."order_type" must be/],
    ['a pass-through key that is not text', '{"dateFormat": 5}', /shop-mapping\.json: "dateFormat" must be non-empty text/],
    ['a lookup that cannot be', '{"lookup": {"contact_id": "widgets.email"}}', /shop-mapping\.json: "lookup"\."contact_id": .*widgets/],
  ])('%s is exit 2 naming the file and the key, before anything is sent', async (_what, content, message) => {
    const dir = tempDir();
    const file = shopFile(dir);
    const mapping = join(dir, 'shop-mapping.json');
    writeFileSync(mapping, content);
    const before = await sandbox.stats();
    const result = await runCli(['import', 'orders', file, '--mapping', mapping], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect((await sandbox.stats()).requests).toEqual(before.requests);
  });

  it('a missing mapping file, or --set of a column the file has, is exit 2', async () => {
    const dir = tempDir();
    const file = shopFile(dir);
    const missing = await runCli(['import', 'orders', file, '--mapping', join(dir, 'nope.json')], { env: sandbox.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such file/);
    const twice = await runCli(['import', 'orders', file, '--set', 'Title=Same', '--dry-run'], { env: sandbox.env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--set Title: .*shop\.csv has a column "Title" already/);
  });
});
