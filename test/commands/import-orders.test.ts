/**
 * Orders of line items speak in the file's terms (issue 13, item 14): the summary counts rows and
 * orders apart, a conflict quotes the cells as the file has them, continuation rows are not blamed
 * for the order's blank cells, and a failed lookup is reported once. In-process against the sandbox.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;
let sandbox: TestSandbox;
let emails: string[];
let skus: string[];
let prices: number[];

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20, orders: 3, products: 6 } });
  const contacts = (await sandboxGet(sandbox, '/contacts?limit=2')) as { contacts: Array<{ email_addresses: Array<{ email: string }> }> };
  emails = contacts.contacts.map((c) => c.email_addresses[0]!.email);
  const products = (await sandboxGet(sandbox, '/products?limit=2')) as { products: Array<{ sku: string; product_price: number }> };
  skus = products.products.map((p) => p.sku);
  prices = products.products.map((p) => p.product_price);
});
afterAll(async () => {
  await sandbox?.stop();
});

const LOOKUPS = ['--lookup', 'contact_id=contacts.email', '--lookup', 'product_id=products.sku'];
const HEADER = 'order_ref,contact_id,order_title,order_type,order_date,product_id,quantity,price';

function ordersFile(lines: (names: { a: string; b: string; p1: string; p2: string }) => string[]): string {
  const file = join(tempDir(), 'orders.csv');
  const [a = '', b = ''] = emails;
  const [p1 = '', p2 = ''] = skus;
  writeFileSync(file, `${[HEADER, ...lines({ a, b, p1, p2 })].join('\n')}\n`);
  return file;
}

const errorsOf = (file: string): Row[] =>
  parse(readFileSync(file.replace(/\.csv$/, '.errors.csv'), 'utf8'), { columns: true, bom: true }) as Row[];

describe('import orders: rows and orders', () => {
  it('counts rows and orders separately, in the summary and in --json', async () => {
    const file = ordersFile(({ a, b, p1, p2 }) => [
      `A-1,${a},Fair order,Offline,2026-11-01T10:00:00.000Z,${p1},2,9.50`,
      `A-1,,,,,${p2},1,`,
      `A-1,,,,,${p1},3,`,
      `B-7,${b},Phone order,Online,2026-11-02T10:00:00.000Z,${p2},1,`,
      `C-9,,Lost,Offline,2026-11-02T10:00:00.000Z,${p1},1,`,
      `C-9,,,,,${p2},1,`,
    ]);
    const result = await runCli(['import', 'orders', file, ...LOOKUPS, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/6 rows read in 3 orders: 2 valid, 2 created, .*1 invalid/);
    expect(result.stderr).toMatch(/rows: 4 created, 2 invalid/);
    const json = JSON.parse(result.stdout);
    expect(json.counts).toMatchObject({ read: 3, valid: 2, created: 2, invalid: 1 });
    expect(json.grouped).toMatchObject({ by: 'order_ref', noun: 'order', rows: { read: 6, valid: 4, created: 4, invalid: 2 } });

    const dry = await runCli(['import', 'orders', file, ...LOOKUPS, '--dry-run'], { env: sandbox.env });
    expect(dry.stderr).toMatch(/6 rows read in 3 orders: 2 valid, 1 invalid \(rows: 4 valid, 2 invalid\); would create 2 orders/);
  });

  it('the imported price of a line reaches Keap, the product price where the cell is empty', async () => {
    const file = ordersFile(({ a, p1, p2 }) => [`P-1,${a},Priced,Offline,2026-11-01T10:00:00.000Z,${p1},2,9.50`, `P-1,,,,,${p2},1,`]);
    const result = await runCli(['import', 'orders', file, ...LOOKUPS, '--json'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const results = parse(readFileSync(file.replace(/\.csv$/, '.results.csv'), 'utf8'), { columns: true }) as Row[];
    const order = (await sandboxGet(sandbox, `/orders/${results[0]!._id}`)) as { order_items: Array<{ price: number }>; total: number };
    expect(order.order_items.map((item) => item.price)).toEqual([9.5, prices[1]]);
  });

  it('a conflict quotes the cells as the file has them, not the ids they resolved to', async () => {
    const file = ordersFile(({ a, b, p1, p2 }) => [
      `B-7,${a},Phone order,Online,2026-11-02T10:00:00.000Z,${p1},1,`,
      `B-7,${b},Phone order,Online,2026-11-02T10:00:00.000Z,${p2},1,`,
    ]);
    const result = await runCli(['import', 'orders', file, ...LOOKUPS], { env: sandbox.env });
    expect(result.code).toBe(3);
    const errors = errorsOf(file);
    expect(errors.map((row) => [row._row, row._field])).toEqual([
      ['2', 'contact_id'],
      ['3', 'contact_id'],
    ]);
    for (const row of errors) expect(row._error).toBe(`rows 2 and 3 of order_ref "B-7" disagree: "${emails[0]}" and "${emails[1]}"`);
  });

  it('continuation rows are not blamed for blank order-level cells', async () => {
    const file = ordersFile(({ p1, p2 }) => [`D-1,,No contact,Offline,2026-11-02T10:00:00.000Z,${p1},1,`, `D-1,,,,,${p2},1,`]);
    const result = await runCli(['import', 'orders', file, ...LOOKUPS, '--dry-run'], { env: sandbox.env });
    expect(result.code).toBe(3);
    const [first, second] = errorsOf(file);
    expect(first).toMatchObject({ _row: '2', _field: 'contact_id' });
    expect(first!._error).toMatch(/contact_id is required/);
    expect(second).toMatchObject({ _row: '3', _field: 'order_ref' });
    expect(second!._error).toBe('not sent: row 2 of order_ref "D-1" is invalid');
  });

  it('an order-level cell given on a later row is blamed on that row', async () => {
    const file = ordersFile(({ a, p1, p2 }) => [`E-1,${a},Bad type,,2026-11-02T10:00:00.000Z,${p1},1,`, `E-1,,,Sometimes,,${p2},1,`]);
    const result = await runCli(['import', 'orders', file, ...LOOKUPS, '--dry-run'], { env: sandbox.env });
    expect(result.code).toBe(3);
    const [first, second] = errorsOf(file);
    expect(second).toMatchObject({ _row: '3', _field: 'order_type' });
    expect(first).toMatchObject({ _row: '2', _field: 'order_ref', _error: 'not sent: row 3 of order_ref "E-1" is invalid' });
  });

  it('a failed lookup is reported once', async () => {
    const file = ordersFile(({ p1 }) => [`C-9,nobody@nowhere.example,Lost,Offline,2026-11-02T10:00:00.000Z,${p1},1,`]);
    const result = await runCli(['import', 'orders', file, ...LOOKUPS, '--dry-run'], { env: sandbox.env });
    expect(result.code).toBe(3);
    const [row] = errorsOf(file);
    expect(row).toMatchObject({ _row: '2', _field: 'contact_id' });
    expect(row!._error.match(/nobody@nowhere\.example/g)).toHaveLength(1);
    expect(row!._error).not.toMatch(/whole number/);
  });
});
