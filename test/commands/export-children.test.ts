/**
 * Child resources without a parent (issue 15, item 9): `export order-items` (order payments, product
 * subscriptions) without `--param` walks every parent and writes one file, each record carrying its
 * parent id, exactly as the `--param` exports of each parent would. In-process against the sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  // A few parents, so a walk and the per-parent exports it is compared with stay quick.
  sandbox = await startTestSandbox({ counts: { orders: 7, products: 5 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

async function exported(args: string[]): Promise<string> {
  const run = await runCli(['export', ...args], { env: sandbox.env });
  expect(run.code, `export ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

/** The parents' ids as `export PARENT` gives them, in its order. */
async function parentIds(parent: string): Promise<number[]> {
  const text = await exported([parent, '--fields', 'id']);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: number }).id);
}

describe('a child resource without --param walks every parent', () => {
  it.each([
    ['order-items', 'orders', 'order_id'],
    ['order-payments', 'orders', 'order_id'],
    ['product-subscriptions', 'products', 'product_id'],
  ])('export %s (NDJSON) is the --param exports of every %s, one after another', async (child, parent, param) => {
    const ids = await parentIds(parent);
    expect(ids.length).toBeGreaterThan(2);
    let expected = '';
    for (const id of ids) expected += await exported([child, '--param', `${param}=${id}`]);
    expect(expected).not.toBe('');

    const walk = await runCli(['export', child], { env: sandbox.env });
    expect(walk.code, walk.stderr).toBe(0);
    expect(walk.stdout).toBe(expected);
    // Every record names its parent, as --param adds it.
    const parents = new Set(
      walk.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as Record<string, number>)[param]),
    );
    for (const id of parents) expect(ids).toContain(id);
  });

  it('CSV: one header, then the rows of every parent', async () => {
    const ids = await parentIds('orders');
    const rows: string[] = [];
    let header = '';
    for (const id of ids) {
      const [head, ...rest] = (await exported(['order-items', '--param', `order_id=${id}`, '--format', 'csv'])).split('\n').filter(Boolean);
      header = head ?? '';
      rows.push(...rest);
    }
    const dir = tempDir();
    const file = join(dir, 'items.csv');
    await exported(['order-items', '-o', file]);
    expect(readFileSync(file, 'utf8')).toBe(`${[header, ...rows].join('\n')}\n`);
  });

  it('prints what the walk costs: one request per parent, plus paging the parents', async () => {
    const dir = tempDir();
    const count = (await parentIds('orders')).length;
    const walk = await runCli(['export', 'order-payments', '--json', '-o', join(dir, 'payments.ndjson')], { env: sandbox.env });
    expect(walk.code, walk.stderr).toBe(0);
    // One page lists the orders; then one request per order.
    expect((JSON.parse(walk.stdout) as { requests: number }).requests).toBe(1 + count);
    // Before the first request: what it will cost; after the walk: what it cost.
    expect(walk.stderr).toMatch(
      /no --param order_id: every order is read \(GET \/orders, paged\), then GET \/orders\/\{order_id\}\/payments once per order/,
    );
    expect(walk.stderr).toContain(`walked ${count} orders in ${1 + count} requests (1 listing them, ${count} for their order-payments)`);

    // Paged in threes, the listing takes several pages (overlapping, as every export's paging does).
    const paged = await runCli(['export', 'order-payments', '--page-size', '3', '--json', '-o', join(dir, 'paged.ndjson')], {
      env: sandbox.env,
    });
    expect(paged.code, paged.stderr).toBe(0);
    const said = paged.stderr.match(/walked (\d+) orders in (\d+) requests \((\d+) listing them, (\d+) for their order-payments\)/);
    expect(said, paged.stderr).not.toBeNull();
    const [parents, total, listing, children] = said!.slice(1).map(Number);
    expect([parents, children]).toEqual([count, count]);
    expect(listing).toBeGreaterThanOrEqual(Math.ceil(count / 3));
    expect(total).toBe(listing! + count);
    expect((JSON.parse(paged.stdout) as { requests: number }).requests).toBe(total);
    expect(readFileSync(join(dir, 'paged.ndjson'), 'utf8')).toBe(readFileSync(join(dir, 'payments.ndjson'), 'utf8'));
  });

  it('--max stops the walk early; a --param still reads one parent, and one beside the parent is refused', async () => {
    const walk = await runCli(['export', 'order-items', '--max', '2'], { env: sandbox.env });
    expect(walk.code, walk.stderr).toBe(0);
    expect(walk.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(walk.stderr).toMatch(/every order is read/);

    const [first] = await parentIds('orders');
    const one = await exported(['order-items', '--param', `order_id=${first}`]);
    for (const line of one.split('\n').filter(Boolean)) expect((JSON.parse(line) as { order_id: number }).order_id).toBe(first);
    const single = await runCli(['export', 'product-subscriptions', '--param', 'id=1'], { env: sandbox.env });
    expect(single.code).toBe(2);
  });
});

describe('--state on a walk', () => {
  it('keeps a bookmark of its own, apart from the --param jobs, and sees items added and removed in any order', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const deleted = join(dir, 'deleted.txt');
    const [first, second] = await parentIds('orders');
    await exported(['order-items', '--param', `order_id=${first}`, '--state', state]);
    const walk = ['order-items', '--state', state, '--deleted', deleted];
    const all = (await exported(walk)).split('\n').filter(Boolean);
    const keys = Object.keys((JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: object }).bookmarks).sort();
    expect(keys).toEqual(['order-items?order_id=*', `order-items?order_id=${first}`]);

    // Nothing changed: nothing written, nothing deleted.
    const again = await runCli(['export', ...walk], { env: sandbox.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(new RegExp(`${all.length} unchanged`));

    // One item removed from the first order, one added to the second: the walk sees both.
    const gone = (JSON.parse(all[0]!) as { id: number }).id;
    await sandboxSend(sandbox, 'DELETE', `/orders/${first}/items/${gone}`);
    const product = ((await sandboxGet(sandbox, '/products?limit=1')) as { products: Array<{ id: number }> }).products[0]!.id;
    const added = (await sandboxSend(sandbox, 'POST', `/orders/${second}/items`, { product_id: product, quantity: 2 })) as { id: number };
    const third = await runCli(['export', ...walk], { env: sandbox.env });
    expect(third.code, third.stderr).toBe(0);
    const written = third.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: number; order_id: number });
    expect(written.map((r) => [r.order_id, r.id])).toEqual([[second, added.id]]);
    expect(readFileSync(deleted, 'utf8')).toBe(`${gone}\n`);
  });
});
