/**
 * `export`'s surface end to end (issue 6): input refused before any request, every read action
 * reachable with `--action`, CSV fit for loaders, nothing dropped, gathered fields of records
 * deleted meanwhile, and messages that count in the right number. In-process (runCli) against
 * the sandbox on loopback: nothing here needs a process of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../src/catalog/index.js';
import { tempDir } from '../support/files.js';
import { runCli, sandboxGet, startTestSandbox, totalRequests, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

const requestsSoFar = () => totalRequests(sandbox);
const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('input refused before any request, with exit 2', () => {
  it.each([
    [
      'a repeated --where key',
      ['contacts', '--where', 'email=a@example.com', '--where', 'email=b@example.com'],
      /--where email is given twice \("a@example.com" and "b@example.com"\)/,
    ],
    ['a repeated --param key', ['order-items', '--param', 'order_id=1', '--param', 'order_id=2'], /--param order_id is given twice/],
    [
      'a --where value that is not a whole number',
      ['orders', '--where', 'contact_id=abc'],
      /--where contact_id=abc: contact_id takes a whole number/,
    ],
    [
      'a --where value that is not true or false',
      ['tasks', '--where', 'completed=yes'],
      /--where completed=yes: completed takes true or false/,
    ],
    [
      'a --where value outside the enum',
      ['files', '--where', 'viewable=SOMETIMES'],
      /--where viewable=SOMETIMES: viewable takes one of a fixed list of values/,
    ],
  ])('%s', async (_what, args, message) => {
    const dir = tempDir();
    const file = join(dir, 'out.ndjson');
    const before = await requestsSoFar();
    const result = await runCli(['export', ...args, '-o', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(file)).toBe(false);
    expect(await requestsSoFar()).toBe(before);
  });

  it('names the allowed values, and the right spelling of one given in the wrong case', async () => {
    const wrongCase = await runCli(['export', 'files', '--where', 'type=image'], { env: sandbox.env });
    expect(wrongCase.code).toBe(2);
    expect(wrongCase.stderr).toMatch(/did you mean type=Image\?/);
    const unknown = await runCli(['export', 'affiliates', '--where', 'status=asleep'], { env: sandbox.env });
    expect(unknown.stderr).toMatch(/use one of active, inactive/);
  });

  it('sends well-typed values, booleans in the form Keap reads', async () => {
    const first = ((await sandboxGet(sandbox, '/orders?limit=1')) as { orders: Array<{ contact: { id: number } }> }).orders[0]!;
    const result = await runCli(['export', 'orders', '--where', `contact_id=${first.contact.id}`], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const orders = ndjson(result.stdout) as Array<{ contact: { id: number } }>;
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => o.contact.id === first.contact.id)).toBe(true);

    const open = await runCli(['export', 'tasks', '--where', 'completed=FALSE'], { env: sandbox.env });
    expect(open.code, open.stderr).toBe(0);
    const tasks = ndjson(open.stdout);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.completed === false)).toBe(true);
  });
});

/** A real value for each `--param` a read action needs, read from the sandbox directly. */
async function paramsFor(resource: string, action: { id: string; params: string[] }): Promise<string[]> {
  const first = async (path: string, key?: string) => {
    const body = (await sandboxGet(sandbox, path)) as Record<string, unknown>;
    return ((key ? body[key] : body) as Array<Record<string, unknown>>)[0]!;
  };
  /** The first record of the resource's plain list, for its `id`. */
  const firstOwn = async () => {
    const list = findResource(resource).actions.find((a) => a.kind === 'read' && !a.params?.length)!;
    return first(`${list.path}?limit=1`, list.shape?.kind === 'page' || list.shape?.kind === 'list' ? list.shape.key : undefined);
  };
  const subscriptionPlan = async () => ((await first('/products?limit=1', 'products')).subscription_plans as Array<{ id: number }>)[0]!.id;
  const values: Record<string, () => Promise<unknown>> = {
    // Product subscriptions have no list of their own: their ids are the first product's plans.
    id: async () => (resource === 'product-subscriptions' ? subscriptionPlan() : (await firstOwn()).id),
    key: async () => (await firstOwn()).key,
    order_id: async () => (await first('/orders?limit=1', 'orders')).id,
    tag_id: async () => (await first('/tags?limit=1', 'tags')).id,
    contact_id: async () => (await first('/contacts?limit=1', 'contacts')).id,
    product_id: async () => (await first('/products?limit=1', 'products')).id,
    subscription_id: subscriptionPlan,
  };
  const args: string[] = [];
  for (const name of action.params) args.push('--param', `${name}=${String(await values[name]!())}`);
  return args;
}

describe('--action: every listed read action is reachable by its id', () => {
  it('exports with each read action `resources --json` lists', { timeout: 480_000 }, async () => {
    const listed = (
      JSON.parse((await runCli(['resources', '--json'])).stdout) as {
        resources: Array<{ name: string; actions: Array<{ id: string; kind: string; params: string[] }> }>;
      }
    ).resources;
    const reads = listed.flatMap((r) => r.actions.filter((a) => a.kind.startsWith('read')).map((a) => ({ resource: r.name, action: a })));
    expect(reads.map((r) => `${r.resource} ${r.action.id}`)).toEqual(
      expect.arrayContaining([
        'tasks read-search',
        'products read-sync',
        'users read-current',
        'opportunities read-stage-pipelines',
        'transactions read-by-order',
      ]),
    );
    // Two at a time: the machine running the suite is shared.
    for (let i = 0; i < reads.length; i += 2) {
      await Promise.all(
        reads.slice(i, i + 2).map(async ({ resource, action }) => {
          const params = await paramsFor(resource, action);
          const result = await runCli(['export', resource, '--action', action.id, ...params, '--max', '3'], { env: sandbox.env });
          expect(result.code, `${resource} --action ${action.id}: ${result.stderr}`).toBe(0);
          expect(ndjson(result.stdout).length, `${resource} --action ${action.id}`).toBeGreaterThan(0);
        }),
      );
    }
  });

  it('reads what the action names: tasks read-search asks /tasks/search, opportunities read-stage-pipelines gives stage columns', async () => {
    const before = (await sandbox.stats()).requests['GET /tasks/search'] ?? 0;
    const search = await runCli(['export', 'tasks', '--action', 'read-search', '--max', '2'], { env: sandbox.env });
    expect(search.code, search.stderr).toBe(0);
    expect((await sandbox.stats()).requests['GET /tasks/search']).toBe(before + 1);

    const stages = await runCli(['export', 'opportunities', '--action', 'read-stage-pipelines', '--format', 'csv'], { env: sandbox.env });
    expect(stages.code, stages.stderr).toBe(0);
    const rows = parse(stages.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toContain('stage_name');
    expect(Object.keys(rows[0]!)).not.toContain('opportunity_title');
    expect(stages.stderr).toMatch(/exported \d+ opportunity-stage-pipelines/);
  });

  it('what describe recommends works: transactions --action read-by-order', async () => {
    const described = await runCli(['describe', 'transactions']);
    expect(described.stdout).toMatch(/--action read-by-order/);
    expect(described.stdout).toMatch(/export transactions --action ID/);
    const order = ((await sandboxGet(sandbox, '/orders?limit=1')) as { orders: Array<{ id: number }> }).orders[0]!;
    const expected = ((await sandboxGet(sandbox, `/orders/${order.id}/transactions`)) as { transactions: Array<{ id: number }> })
      .transactions;
    const result = await runCli(['export', 'transactions', '--action', 'read-by-order', '--param', `order_id=${order.id}`], {
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(ndjson(result.stdout).map((t) => t.id)).toEqual(expected.map((t) => t.id));
  });

  it.each([
    [
      'an unknown id',
      ['transactions', '--action', 'read-by-invoice'],
      /--action read-by-invoice: transactions has no action "read-by-invoice"/,
    ],
    ['a write action', ['contacts', '--action', 'delete'], /--action delete: DELETE \/contacts\/\{id\} writes to Keap; export only reads/],
    [
      'a missing --param',
      ['transactions', '--action', 'read-by-order'],
      /--action read-by-order \(GET \/orders\/\{order_id\}\/transactions\) needs --param order_id=/,
    ],
    [
      'an extra --param',
      ['tasks', '--action', 'read-search', '--param', 'id=3'],
      /--action read-search \(GET \/tasks\/search\) takes no --param id/,
    ],
  ])('refuses %s with the list of read actions or the right --param', async (_what, args, message) => {
    const before = await requestsSoFar();
    const result = await runCli(['export', ...args], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(message);
    expect(await requestsSoFar()).toBe(before);
  });

  it('lists every read action when the id is wrong', async () => {
    const result = await runCli(['export', 'tasks', '--action', 'search'], { env: sandbox.env });
    expect(result.stderr).toMatch(/--action read \(no --param\)\s+GET \/tasks/);
    expect(result.stderr).toMatch(/--action read-single --param id=\.\.\.\s+GET \/tasks\/\{id\}/);
    expect(result.stderr).toMatch(/--action read-search \(no --param\)\s+GET \/tasks\/search/);
  });
});

describe('messages that count', () => {
  it('says "1 contact" and "2 contacts"', async () => {
    const one = await runCli(['export', 'contacts', '--max', '1'], { env: sandbox.env });
    expect(one.stderr).toMatch(/^exported 1 contact to stdout \(ndjson\) in [\d.]+ s, 2 requests \(stopped at --max 1\)$/m);
    const two = await runCli(['export', 'contacts', '--max', '2'], { env: sandbox.env });
    expect(two.stderr).toMatch(/^exported 2 contacts to stdout/m);
    const country = await runCli(['export', 'countries', '--max', '1'], { env: sandbox.env });
    expect(country.stderr).toMatch(/^exported 1 country to stdout \(ndjson\) in [\d.]+ s, 1 request /m);
  });
});

describe('CSV fit for loaders', () => {
  it('files --include file_data: one file_data column holding the base64 text itself, no write-only columns', async () => {
    const result = await runCli(['export', 'files', '--include', 'file_data', '--format', 'csv', '--max', '3'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const [header] = parse(result.stdout, { to_line: 1 }) as string[][];
    expect(new Set(header).size).toBe(header!.length);
    expect(header!.filter((c) => c === 'file_data')).toHaveLength(1);
    expect(header).not.toContain('file_association');
    expect(header).not.toContain('is_public');
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    for (const row of rows) {
      const body = (await sandboxGet(sandbox, `/files/${row.id}?optional_properties=file_data`)) as { file_data: string };
      expect(row.file_data).toBe(body.file_data);
    }
  });

  it('order-items keep their parent key order_id, which import needs', async () => {
    const order = ((await sandboxGet(sandbox, '/orders?limit=1')) as { orders: Array<{ id: number }> }).orders[0]!;
    const result = await runCli(['export', 'order-items', '--param', `order_id=${order.id}`, '--format', 'csv'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.order_id === String(order.id))).toBe(true);
    expect(Object.keys(rows[0]!)).not.toContain('product_id');
  });
});

describe('nothing dropped', () => {
  it('merchants carry default_merchant_account onto every record, in ndjson and csv', async () => {
    const body = (await sandboxGet(sandbox, '/merchants')) as {
      default_merchant_account: number;
      merchant_accounts: Array<{ id: number }>;
    };
    const lines = await runCli(['export', 'merchants'], { env: sandbox.env });
    expect(lines.code, lines.stderr).toBe(0);
    const records = ndjson(lines.stdout);
    expect(records.map((r) => r.id)).toEqual(body.merchant_accounts.map((m) => m.id));
    expect(records.every((r) => r.default_merchant_account === body.default_merchant_account)).toBe(true);

    const csv = await runCli(['export', 'merchants', '--format', 'csv'], { env: sandbox.env });
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.default_merchant_account)).toEqual(rows.map(() => String(body.default_merchant_account)));
  });
});

describe('a gathered field of a record deleted meanwhile', () => {
  // `gone:1`: every read of one record or of what hangs off it answers 404, as after a delete.
  let deleting: TestSandbox;
  beforeAll(async () => {
    deleting = await startTestSandbox({ faults: 'gone:1' });
  });
  afterAll(async () => {
    await deleting?.stop();
  });

  it('is a warning naming the record, which is still written with null there', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.ndjson');
    const result = await runCli(['export', 'contacts', '--include', 'tags', '--max', '1', '-o', file], { env: deleting.env });
    expect(result.code, result.stderr).toBe(0);
    const [record] = ndjson(readFileSync(file, 'utf8'));
    expect(record!.tags).toBeNull();
    expect(record!.given_name).toBeDefined();
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toEqual([
      `warning: contacts: contact id=${String(record!.id)} was deleted during the export (GET /crm/rest/v1/contacts/${String(record!.id)}/tags answered 404); written with null for tags`,
    ]);
    expect(result.stderr).toMatch(/exported 1 contact to .* \(1 contact deleted meanwhile, written with null gathered fields\)/);
  });

  it('counts several in the summary, and leaves their CSV cells empty', async () => {
    const result = await runCli(
      ['export', 'contacts', '--include', 'tags', '--max', '3', '--format', 'csv', '--fields', 'id,given_name,tags'],
      { env: deleting.env },
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.tags === '' && r.id !== '')).toBe(true);
    expect(
      result.stderr.split('\n').filter((line) => /^warning: contacts: contact id=\d+ was deleted during the export/.test(line)),
    ).toHaveLength(3);
    expect(result.stderr).toMatch(/\(3 contacts deleted meanwhile, written with null gathered fields\)/);
  });
});
