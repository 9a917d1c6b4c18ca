/**
 * `export` as a user runs it: in-process (runCli) against the sandbox on loopback, files on disk.
 * What needs the binary as a process (a reader that goes away, a kill) is in test/e2e/export.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import type { ActionDef, ResourceDef } from '../../src/catalog/types.js';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

/** Where a test finds a real parent id for a read that needs one. */
const PARENT_LISTS: Record<string, { path: string; key: string; field: string }> = {
  order_id: { path: '/orders', key: 'orders', field: 'id' },
  product_id: { path: '/products', key: 'products', field: 'id' },
  tag_id: { path: '/tags', key: 'tags', field: 'id' },
  contact_id: { path: '/contacts', key: 'contacts', field: 'id' },
};

async function parentParams(action: ActionDef): Promise<Array<[string, string]>> {
  const params: Array<[string, string]> = [];
  for (const param of action.params ?? []) {
    const source = PARENT_LISTS[param.name];
    if (!source) throw new Error(`test needs a parent list for --param ${param.name}`);
    const body = (await sandboxGet(sandbox, `${source.path}?limit=5`)) as Record<string, Array<Record<string, unknown>>>;
    // A parent that has children: the sandbox's first records all do.
    params.push([param.name, String(body[source.key]?.[0]?.[source.field])]);
  }
  return params;
}

/** The sandbox's own record count for a read, asked directly (not through our client). */
async function sandboxCount(action: ActionDef, params: Array<[string, string]>): Promise<number> {
  let path = action.path;
  for (const [k, v] of params) path = path.replace(`{${k}}`, encodeURIComponent(v));
  const shape = action.shape!;
  if (shape.kind === 'page') {
    const body = (await sandboxGet(sandbox, `${path}?limit=1000`)) as Record<string, unknown>;
    return body.count as number;
  }
  const body = await sandboxGet(sandbox, path);
  if (shape.kind === 'array') return (body as unknown[]).length;
  if (shape.kind === 'object') return 1;
  if (shape.kind === 'list') return ((body as Record<string, unknown[]>)[shape.key] ?? []).length;
  return Object.keys((body as Record<string, object>)[shape.key] ?? {}).length;
}

function mainRead(resource: ResourceDef): ActionDef | undefined {
  const reads = resource.actions.filter((a) => a.kind === 'read');
  return reads.find((a) => !(a.params ?? []).length) ?? reads[0];
}

const readable = catalog.filter((r) => mainRead(r));

describe('every readable resource', () => {
  it('covers all 28 resources but the write-only ones', () => {
    expect(readable.length).toBeGreaterThanOrEqual(27);
  });

  it.each(readable.map((r) => [r.name, r] as const))('%s exports in csv, json and ndjson with the sandbox count', async (_, resource) => {
    const action = mainRead(resource)!;
    const params = await parentParams(action);
    const expected = await sandboxCount(action, params);
    const dir = tempDir();
    const paramArgs = params.flatMap(([k, v]) => ['--param', `${k}=${v}`]);
    for (const format of ['ndjson', 'json', 'csv'] as const) {
      const file = join(dir, `${resource.name}.${format}`);
      // Small pages, so every paged resource is read over several requests.
      const result = await runCli(['export', resource.name, ...paramArgs, '--page-size', '40', '--format', format, '-o', file], {
        env: sandbox.env,
      });
      expect(result.code, `${resource.name} ${format}: ${result.stderr}`).toBe(0);
      const text = readFileSync(file, 'utf8');
      const count =
        format === 'ndjson'
          ? text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l)).length
          : format === 'json'
            ? (JSON.parse(text) as unknown[]).length
            : (parse(text, { columns: true }) as unknown[]).length;
      expect(count, `${resource.name} ${format}`).toBe(expected);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('export contacts', () => {
  it('writes CSV whose header follows the flattening rules and whose cells parse back to the API values', async () => {
    const dir = tempDir();
    const csvFile = join(dir, 'contacts.csv');
    const ndjsonFile = join(dir, 'contacts.ndjson');
    expect((await runCli(['export', 'contacts', '-o', csvFile], { env: sandbox.env })).code).toBe(0);
    expect((await runCli(['export', 'contacts', '-o', ndjsonFile], { env: sandbox.env })).code).toBe(0);
    const rows = parse(readFileSync(csvFile, 'utf8'), {
      columns: true,
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    }) as Array<Record<string, string | null>>;
    const records = readFileSync(ndjsonFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const header = Object.keys(rows[0]!);
    expect(header).toContain('email_addresses.EMAIL1.email');
    expect(header).toContain('phone_numbers.PHONE1.number');
    expect(header).toContain('addresses.BILLING.line1');
    expect(header.some((h) => h.startsWith('custom.'))).toBe(true);
    expect(header).not.toContain('custom_fields');
    expect(rows.length).toBe(records.length);

    const asCell = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));
    let tricky = 0;
    for (const [i, record] of records.entries()) {
      const row = rows[i]!;
      expect(row.id).toBe(String(record.id));
      expect(row.given_name).toBe(asCell(record.given_name));
      expect(row.family_name).toBe(asCell(record.family_name));
      for (const email of record.email_addresses ?? []) {
        expect(row[`email_addresses.${email.field}.email`]).toBe(asCell(email.email));
      }
      for (const phone of record.phone_numbers ?? []) {
        expect(row[`phone_numbers.${phone.field}.number`]).toBe(asCell(phone.number));
      }
      for (const address of record.addresses ?? []) {
        expect(row[`addresses.${address.field}.postal_code`]).toBe(asCell(address.postal_code));
        expect(row[`addresses.${address.field}.line1`]).toBe(asCell(address.line1));
      }
      for (const [label, value] of Object.entries(record.custom ?? {})) {
        expect(row[`custom.${label}`]).toBe(asCell(value));
      }
      const text = JSON.stringify(record);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: \x00-\x7f is the ASCII range, not a stray control character
      if (/[,"\n]|\\n|[^\x00-\x7f]/.test(text)) tricky++;
    }
    // The sandbox data must actually exercise the hard cases, or this test proves little.
    expect(tricky).toBeGreaterThan(0);
    expect(
      records.some(
        (r) =>
          (r.phone_numbers ?? []).some((p: { number: string }) => /^0/.test(p.number ?? '')) ||
          (r.addresses ?? []).some((a: { postal_code: string }) => /^0/.test(a.postal_code ?? '')),
      ),
    ).toBe(true);
    expect(rows.some((r) => Object.values(r).some((v) => v === ''))).toBe(true);
    expect(rows.some((r) => Object.values(r).some((v) => v?.includes('\n')))).toBe(true);
  });

  it('--fields selects and orders columns; --where filters as the spec allows and refuses the rest', async () => {
    const first = ((await sandboxGet(sandbox, '/contacts?limit=1')) as { contacts: Array<{ email_addresses: Array<{ email: string }> }> })
      .contacts[0]!;
    const email = first.email_addresses[0]!.email;
    const result = await runCli(
      ['export', 'contacts', '--format', 'csv', '--fields', 'email_addresses.EMAIL1.email,id,given_name', '--where', `email=${email}`],
      { env: sandbox.env },
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual(['email_addresses.EMAIL1.email', 'id', 'given_name']);
    expect(rows.every((r) => r['email_addresses.EMAIL1.email'] === email)).toBe(true);

    const refused = await runCli(['export', 'contacts', '--where', 'colour=blue'], { env: sandbox.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/colour/);
    expect(refused.stderr).toMatch(/email/);
  });

  it('--fields takes a quoted custom-field label that holds a comma', async () => {
    const model = (await sandboxGet(sandbox, '/contacts/model')) as { custom_fields: Array<{ label: string }> };
    const label = model.custom_fields.map((f) => f.label).find((l) => l.includes(','));
    expect(label, 'the sandbox should have a custom field label with a comma').toBeDefined();
    const result = await runCli(['export', 'contacts', '--format', 'csv', '--max', '2', '--fields', `id,"custom.${label}"`], {
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys((parse(result.stdout, { columns: true }) as Array<Record<string, string>>)[0]!)).toEqual(['id', `custom.${label}`]);
  });

  it("--include tags adds each contact's tags from the gathered endpoint", async () => {
    const result = await runCli(['export', 'contacts', '--include', 'tags', '--max', '5'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const records = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; tags: unknown[] });
    expect(records.length).toBe(5);
    for (const record of records) {
      const direct = (await sandboxGet(sandbox, `/contacts/${record.id}/tags`)) as { tags: unknown[] };
      expect(record.tags).toEqual(direct.tags);
    }
  });

  it('--max stops after N records, and keeps the bookmark only when it cut something off', async () => {
    const dir = tempDir();
    const state = join(dir, 's.json');
    const result = await runCli(['export', 'contacts', '--max', '3', '--format', 'json', '--state', state], { env: sandbox.env });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBe(3);
    expect(result.stderr).toMatch(/stopped at --max 3/);
    expect(existsSync(state)).toBe(false);

    const all = await runCli(['export', 'contacts', '--max', '100000', '--state', state], { env: sandbox.env });
    expect(all.code).toBe(0);
    expect(all.stderr).not.toMatch(/stopped at --max/);
    expect(existsSync(state)).toBe(true);
  });

  it('bad flags exit 2 before anything is written', async () => {
    const dir = tempDir();
    const file = join(dir, 'out.csv');
    for (const args of [
      ['--since', 'yesterdayish'],
      ['--format', 'xml'],
      ['--include', 'nonsense'],
      ['--param', 'order_id'],
      ['--page-size', '5000'],
    ]) {
      const result = await runCli(['export', 'contacts', ...args, '-o', file], { env: sandbox.env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0], args.join(' ')).toMatch(new RegExp(args[0]!));
      expect(existsSync(file)).toBe(false);
    }
    const before = (await sandbox.stats()).requests['GET /contacts/{id}/tags'] ?? 0;
    for (const args of [
      ['--where', 'email='],
      ['--since', '2026-05-01', '--until', '2025-01-01'],
      ['--fields', 'nosuch', '--include', 'tags'],
      ['--fields', 'custom.Nope', '--format', 'ndjson'],
    ]) {
      const result = await runCli(['export', 'contacts', ...args, '-o', file], { env: sandbox.env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0], args.join(' ')).toMatch(new RegExp(args[0]!));
      expect(existsSync(file)).toBe(false);
    }
    // A bad --fields is refused before any per-record request is made.
    expect((await sandbox.stats()).requests['GET /contacts/{id}/tags'] ?? 0).toBe(before);
    const tagged = await runCli(['export', 'contacts', '--param', 'tag_id=1', '--fields', 'id,email,date_applied', '--format', 'csv'], {
      env: sandbox.env,
    });
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout.split('\n')[0]).toBe('id,email,date_applied');
    const noDateFilter = await runCli(['export', 'notes', '--since', '2026-01-01'], { env: sandbox.env });
    expect(noDateFilter.code).toBe(2);
    expect(noDateFilter.stderr).toMatch(/no date filter/);
  });
});

describe('gathered and custom fields', () => {
  const gatheredCases = catalog.flatMap((resource) =>
    (resource.gathered ?? []).map((g) => [`${resource.name} --include ${g.name}`, resource, g.name] as const),
  );

  it.each(gatheredCases)('%s adds the field to every record', async (_, resource, name) => {
    const action = mainRead(resource)!;
    const def = resource.gathered!.find((g) => g.name === name)!;
    const params = (await parentParams(action)).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
    const result = await runCli(['export', resource.name, ...params, '--include', name, '--max', '3'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    // Cron mails whatever lands on stderr: no Node warnings (listeners, deprecations).
    expect(result.stderr).not.toMatch(/Warning/);
    const records = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    const empty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);
    // Some records have nothing to gather, but the sandbox's first records mostly do.
    expect(
      records.some((record) => !empty(record[name])),
      `${name} is empty on every record`,
    ).toBe(true);
    for (const record of records) {
      const value = record[name];
      expect(value, `${name} of ${JSON.stringify(record).slice(0, 120)}`).not.toBeUndefined();
      if (def.join) {
        for (const item of value as Array<Record<string, unknown>>) expect(item[def.join.itemField]).toEqual(record[def.join.recordField]);
      }
    }
  });

  it("opportunities --include custom_fields fetches each record's custom fields by label", async () => {
    const result = await runCli(['export', 'opportunities', '--include', 'custom_fields', '--format', 'csv'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Warning/);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    const model = (await sandboxGet(sandbox, '/opportunities/model')) as { custom_fields: Array<{ id: number; label: string }> };
    expect(model.custom_fields.length).toBeGreaterThan(0);
    for (const row of rows) {
      const direct = (await sandboxGet(sandbox, `/opportunities/${row.id}?optional_properties=custom_fields`)) as {
        custom_fields: Array<{ id: number; content: unknown }>;
      };
      for (const field of model.custom_fields) {
        const value = direct.custom_fields.find((f) => f.id === field.id)?.content;
        expect(row[`custom.${field.label}`]).toBe(value === null || value === undefined ? '' : String(value));
      }
    }
  });
});

describe('incremental export with --state', () => {
  it('the second run returns the updated records and the boundary ones, not the rest', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const first = await runCli(['export', 'contacts', '--state', state, '-o', join(dir, 'all.ndjson')], { env: sandbox.env });
    expect(first.code, first.stderr).toBe(0);
    const all = readFileSync(join(dir, 'all.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; last_updated: string });
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: { contacts: { last_updated: string } } };
    const newest = all
      .map((r) => r.last_updated)
      .sort((a, b) => Date.parse(a) - Date.parse(b))
      .at(-1)!;
    expect(Date.parse(saved.bookmarks.contacts.last_updated)).toBe(Date.parse(newest));

    const changed = [all[3]!.id, all[10]!.id];
    for (const id of changed) await sandboxSend(sandbox, 'PATCH', `/contacts/${id}`, { job_title: 'Updated between runs' });

    const second = await runCli(['export', 'contacts', '--state', state, '-o', join(dir, 'changed.ndjson')], { env: sandbox.env });
    expect(second.code, second.stderr).toBe(0);
    const changedRecords = readFileSync(join(dir, 'changed.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; last_updated: string });
    const ids = changedRecords.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(changed));
    const boundary = all.filter((r) => Date.parse(r.last_updated) === Date.parse(newest)).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(boundary));
    expect(ids.length).toBe(new Set([...changed, ...boundary]).size);

    const full = await runCli(['export', 'contacts', '--state', state, '--full-refresh', '--format', 'ndjson'], { env: sandbox.env });
    expect(full.stdout.split('\n').filter(Boolean).length).toBe(all.length);
  });

  it('a cron line with a fixed --since still runs incrementally after the first run', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const args = ['export', 'contacts', '--since', '2020-01-01', '--state', state];
    const first = await runCli(args, { env: sandbox.env });
    const second = await runCli(args, { env: sandbox.env });
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const count = (out: string) => out.split('\n').filter(Boolean).length;
    expect(count(first.stdout)).toBeGreaterThan(10);
    expect(count(second.stdout)).toBeLessThan(count(first.stdout));
    expect(second.stderr).toMatch(/continuing from bookmark/);
  });

  it('a filtered run keeps its own bookmark and never moves the plain one', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const first = ((await sandboxGet(sandbox, '/contacts?limit=1')) as { contacts: Array<{ email_addresses: Array<{ email: string }> }> })
      .contacts[0]!;
    const email = first.email_addresses[0]!.email;
    const filtered = await runCli(['export', 'contacts', '--where', `email=${email}`, '--state', state], { env: sandbox.env });
    expect(filtered.code, filtered.stderr).toBe(0);
    const plain = await runCli(['export', 'contacts', '--state', state], { env: sandbox.env });
    const total = ((await sandboxGet(sandbox, '/contacts?limit=1')) as { count: number }).count;
    expect(plain.stdout.split('\n').filter(Boolean).length).toBe(total);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: Record<string, unknown> };
    expect(Object.keys(saved.bookmarks).sort()).toEqual(['contacts', `contacts?email=${email}`].sort());
  });

  it('a state file in a missing folder fails before anything is fetched or written', async () => {
    const dir = tempDir();
    const before = (await sandbox.stats()).requests['GET /contacts'] ?? 0;
    const result = await runCli(['export', 'contacts', '--state', join(dir, 'nope', 's.json'), '-o', join(dir, 'out.csv')], {
      env: sandbox.env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/--state .*does not exist/);
    expect(readdirSync(dir)).toEqual([]);
    expect((await sandbox.stats()).requests['GET /contacts'] ?? 0).toBe(before);
  });

  it('two exports sharing one state file keep both bookmarks', async () => {
    const dir = tempDir();
    const state = join(dir, 'shared.json');
    const [contacts, orders] = await Promise.all([
      runCli(['export', 'contacts', '--state', state, '-o', join(dir, 'c.ndjson')], { env: sandbox.env }),
      runCli(['export', 'orders', '--state', state, '-o', join(dir, 'o.ndjson')], { env: sandbox.env }),
    ]);
    expect(contacts.code, contacts.stderr).toBe(0);
    expect(orders.code, orders.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: Record<string, unknown> };
    expect(Object.keys(saved.bookmarks).sort()).toEqual(['contacts', 'orders']);
  });

  it('a resource without a date filter exports in full and says so', async () => {
    const dir = tempDir();
    const result = await runCli(['export', 'notes', '--state', join(dir, 's.json')], { env: sandbox.env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no date filter/);
    expect(result.stderr.match(/no date filter/g)?.length).toBe(1);
  });
});

describe('no partial files', () => {
  it('a permanent API error exits non-zero and leaves no file at -o', async () => {
    const dir = tempDir();
    const file = join(dir, 'items.csv');
    const result = await runCli(['export', 'order-items', '--param', 'order_id=99999999', '-o', file], { env: sandbox.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/404/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("says so under the API's error, which keeps its own message, and a stack only with --verbose", async () => {
    const dir = tempDir();
    const file = join(dir, 'items.csv');
    const args = ['export', 'order-items', '--param', 'order_id=99999999', '-o', file];
    const result = await runCli(args, { env: sandbox.env });
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^error: GET \S+\/orders\/99999999 failed: 404 Order with id 99999999 not found$/),
      `nothing was written to ${file}`,
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli(['--verbose', ...args], { env: sandbox.env });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^ApiError: GET .* failed: 404 /m);
  });
});
