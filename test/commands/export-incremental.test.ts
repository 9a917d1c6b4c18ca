/**
 * `export --state` end to end: second runs after edits, deletions and creations made with
 * `infusionsoft api` against the sandbox, as a cron user would see them. In-process (runCli)
 * against the sandbox on loopback.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type CliResult, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const records = (file: string) => lines(file).map((line) => JSON.parse(line) as Record<string, unknown>);

async function cli(args: string[], env: Record<string, string> = sandbox.env): Promise<CliResult> {
  return runCli(args, { env });
}

/** `infusionsoft api METHOD PATH [--data JSON]`, which must succeed; its JSON answer, if any. */
async function api(method: string, path: string, data?: unknown): Promise<Record<string, unknown> | undefined> {
  const result = await cli(['api', method, path, ...(data === undefined ? [] : ['--data', JSON.stringify(data)])]);
  expect(result.code, `${method} ${path}: ${result.stderr}`).toBe(0);
  return result.stdout.trim() ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined;
}

interface ExportJson {
  records: number;
  incremental?: string;
  unchanged?: number;
  deleted?: number;
  deletedIds?: unknown[];
  bookmark?: string;
  truncated: boolean;
}

describe('--state on an event time (appointments are filtered on start_date)', () => {
  it('the second run writes exactly the edited and the new records, and reports the deleted one', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const exportArgs = (out: string) => [
      'export',
      'appointments',
      '--state',
      state,
      '-o',
      join(dir, out),
      '--deleted',
      join(dir, 'deleted.txt'),
      '--json',
    ];

    const first = await cli(exportArgs('first.ndjson'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/start_date is an event time/);
    const all = records(join(dir, 'first.ndjson'));
    expect(all.length).toBeGreaterThan(10);
    expect(JSON.parse(first.stdout) as ExportJson).toMatchObject({ records: all.length, incremental: 'hash', deleted: 0 });
    expect(readFileSync(join(dir, 'deleted.txt'), 'utf8')).toBe('');

    // Edited without moving its start date; created dated long before any bookmark; deleted.
    const edited = all[2]!.id as number;
    const gone = all[5]!.id as number;
    // Keap's PATCH body for appointments requires title, start_date and end_date: send them as they were.
    const before = all[2]!;
    await api('PATCH', `/appointments/${edited}`, {
      title: 'Moved to the big room',
      start_date: before.start_date,
      end_date: before.end_date,
    });
    const created = await api('POST', '/appointments', {
      title: 'Back-dated',
      start_date: '2001-02-03T10:00:00.000Z',
      end_date: '2001-02-03T11:00:00.000Z',
    });
    await api('DELETE', `/appointments/${gone}`);

    const second = await cli(exportArgs('second.ndjson'));
    expect(second.code, second.stderr).toBe(0);
    const written = records(join(dir, 'second.ndjson'));
    expect(written.map((r) => r.id).sort()).toEqual([edited, created!.id].sort());
    expect(written.find((r) => r.id === edited)?.title).toBe('Moved to the big room');
    const result = JSON.parse(second.stdout) as ExportJson;
    expect(result).toMatchObject({ records: 2, incremental: 'hash', unchanged: all.length - 2, deleted: 1, deletedIds: [gone] });
    expect(second.stderr).toMatch(new RegExp(`1 deleted since the last run: ${gone}\\b`));
    expect(lines(join(dir, 'deleted.txt'))).toEqual([String(gone)]);

    // Nothing changed since: nothing written, nothing deleted.
    const third = await cli(exportArgs('third.ndjson'));
    expect(third.code, third.stderr).toBe(0);
    expect(lines(join(dir, 'third.ndjson'))).toEqual([]);
    expect(JSON.parse(third.stdout) as ExportJson).toMatchObject({ records: 0, deleted: 0 });
    expect(readFileSync(join(dir, 'deleted.txt'), 'utf8')).toBe('');
  });

  it('a bookmark on start_date left by an older version is not trusted: the first run writes everything', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(state, JSON.stringify({ bookmarks: { appointments: { start_date: '2099-01-01T00:00:00.000Z' } } }));
    const result = await cli(['export', 'appointments', '--state', state, '-o', join(dir, 'a.ndjson')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/first run: every record is new/);
    expect(lines(join(dir, 'a.ndjson')).length).toBeGreaterThan(10);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: Record<string, Record<string, string>> };
    expect(saved.bookmarks.appointments?.start_date).toBeUndefined();
  });

  it('--max cuts the read short: nothing is saved and no deletions are claimed', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const cut = await cli(['export', 'appointments', '--state', state, '--max', '3', '-o', join(dir, 'a.ndjson'), '--json']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stderr).toMatch(/--max cut the export short/);
    expect(JSON.parse(cut.stdout) as ExportJson).toMatchObject({ records: 3, truncated: true });
    expect((JSON.parse(cut.stdout) as ExportJson).deleted).toBeUndefined();
    expect(existsSync(state)).toBe(false);
  });
});

describe('--state on an update time Keap does not confirm, and without a date filter', () => {
  it('orders say plainly that modification_date is a guess and are compared by content', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const first = await cli(['export', 'orders', '--state', state, '-o', join(dir, 'o1.ndjson')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/modification_date is assumed to be an update time, but Keap does not confirm/);
    const second = await cli(['export', 'orders', '--state', state, '-o', join(dir, 'o2.ndjson')]);
    expect(second.code, second.stderr).toBe(0);
    expect(lines(join(dir, 'o2.ndjson'))).toEqual([]);
    expect(second.stderr).toMatch(new RegExp(`${lines(join(dir, 'o1.ndjson')).length} unchanged, not written`));
  });

  it('notes: an edit, a new note and a deletion, in CSV with --fields', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const exportArgs = (out: string) => [
      'export',
      'notes',
      '--state',
      state,
      '--fields',
      'id,title',
      '-o',
      join(dir, out),
      '--deleted',
      join(dir, 'gone.txt'),
    ];
    expect((await cli(exportArgs('n1.csv'))).code).toBe(0);
    const ids = lines(join(dir, 'n1.csv'))
      .slice(1)
      .map((line) => Number(line.split(',')[0]));
    await api('PATCH', `/notes/${ids[0]}`, { title: 'Called back' });
    const created = await api('POST', '/notes', { contact_id: 1, title: 'New note' });
    await api('DELETE', `/notes/${ids[1]}`);
    const second = await cli(exportArgs('n2.csv'));
    expect(second.code, second.stderr).toBe(0);
    expect(lines(join(dir, 'n2.csv'))).toEqual(['id,title', `${ids[0]},Called back`, `${created!.id},New note`]);
    expect(lines(join(dir, 'gone.txt'))).toEqual([String(ids[1])]);
  });

  it('order items of one order (--param): a deleted item is reported by its id, the order being the --param', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const order = await api('POST', '/orders', {
      contact_id: 1,
      order_date: '2026-01-05T00:00:00.000Z',
      order_title: 'Two things',
      order_type: 'Offline',
      order_items: [
        { product_id: 1, quantity: 1 },
        { product_id: 2, quantity: 2 },
      ],
    });
    const orderId = order!.id as number;
    const exportArgs = (out: string) => [
      'export',
      'order-items',
      '--param',
      `order_id=${orderId}`,
      '--state',
      state,
      '-o',
      join(dir, out),
      '--deleted',
      join(dir, 'gone.txt'),
    ];
    expect((await cli(exportArgs('i1.ndjson'))).code).toBe(0);
    const items = records(join(dir, 'i1.ndjson'));
    expect(items.length).toBe(2);
    await api('DELETE', `/orders/${orderId}/items/${items[0]!.id}`);
    const second = await cli(exportArgs('i2.ndjson'));
    expect(second.code, second.stderr).toBe(0);
    expect(lines(join(dir, 'i2.ndjson'))).toEqual([]);
    expect(lines(join(dir, 'gone.txt'))).toEqual([String(items[0]!.id)]);
  });
});

describe('--state bookmarks on contacts (a confirmed update time)', () => {
  it('a bookmark that is not a date is refused before any request, naming the file, key and value', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(state, JSON.stringify({ bookmarks: { contacts: { last_updated: 'garbage' } } }));
    const before = (await sandbox.stats()).requests['GET /contacts'] ?? 0;
    const result = await cli(['export', 'contacts', '--state', state, '-o', join(dir, 'c.ndjson')]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `error: state file ${state}: the bookmark "contacts.last_updated" is "garbage", which is not a date`,
    );
    expect(result.stderr).toMatch(/--full-refresh/);
    expect(existsSync(join(dir, 'c.ndjson'))).toBe(false);
    expect((await sandbox.stats()).requests['GET /contacts'] ?? 0).toBe(before);
  });

  it('a bookmark in the future is not kept: the run reads every record and saves a bookmark of now', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(state, JSON.stringify({ bookmarks: { contacts: { last_updated: '2099-01-01T00:00:00.000Z' } } }));
    const result = await cli(['export', 'contacts', '--state', state]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: the bookmark "contacts" in .* is in the future \(2099-01-01T00:00:00.000Z\): it is not used/);
    const total = ((await sandboxGet(sandbox, '/contacts?limit=1')) as { count: number }).count;
    expect(result.stdout.split('\n').filter(Boolean).length).toBe(total);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: { contacts: { last_updated: string } } };
    expect(Date.parse(saved.bookmarks.contacts.last_updated)).toBeLessThanOrEqual(Date.now());
  });

  it('deletions cannot be seen by update time: --deleted is refused', async () => {
    const dir = tempDir();
    const result = await cli(['export', 'contacts', '--state', join(dir, 's.json'), '--deleted', join(dir, 'd.txt')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--deleted: contacts are exported by update time/);
  });
});

describe('an update time that is not a date (a mock answering "string", as Prism does)', () => {
  let mock: TestSandbox;
  beforeAll(async () => {
    const dir = tempDir();
    const data = join(dir, 'data.json');
    const contact = (id: number) => ({ id, given_name: `Placeholder ${id}`, email_addresses: [], last_updated: 'string' });
    writeFileSync(
      data,
      JSON.stringify({ version: 1, collections: { contacts: { overlay: [contact(1), contact(2)], deleted: [], nextId: 3 } } }),
    );
    mock = await startTestSandbox({ counts: { contacts: 0 }, dataFile: data });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('never becomes a bookmark', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const result = await cli(['export', 'contacts', '--state', state, '-o', join(dir, 'c.ndjson'), '--json'], mock.env);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(join(dir, 'c.ndjson')).length).toBe(2);
    expect(result.stderr).toMatch(/2 record\(s\) had a last_updated that is not a date \("string"\)/);
    expect((JSON.parse(result.stdout) as ExportJson).bookmark).toBeUndefined();
    expect(existsSync(state)).toBe(false);
  });
});

describe('export --json and --deleted refusals', () => {
  it('--json needs the data in a file; --deleted needs --state and keyed records', async () => {
    const dir = tempDir();
    const refusals: Array<[string[], RegExp]> = [
      [['export', 'notes', '--json'], /--json prints the result on stdout/],
      [['export', 'notes', '--json', '-o', '-'], /--json prints the result on stdout/],
      [['export', 'notes', '--deleted', join(dir, 'd.txt')], /--deleted needs --state/],
      [['export', 'affiliate-commissions', '--state', join(dir, 's.json'), '--deleted', join(dir, 'd.txt')], /records have no key/],
    ];
    for (const [args, message] of refusals) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      // Under --json the error is also one object on stdout (docs/json.md); no data either way.
      if (args.includes('--json')) expect(JSON.parse(result.stdout), args.join(' ')).toMatchObject({ error: { exitCode: 2 } });
      else expect(result.stdout, args.join(' ')).toBe('');
    }
    expect(existsSync(join(dir, 'd.txt'))).toBe(false);
    expect(existsSync(join(dir, 's.json'))).toBe(false);
  });

  it('prints the result of a plain export as one JSON document, the summary staying on stderr', async () => {
    const dir = tempDir();
    const out = join(dir, 'tags.ndjson');
    const result = await cli(['export', 'tags', '-o', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as ExportJson & { resource: string; output: string; format: string; requests: number };
    expect(json).toMatchObject({ resource: 'tags', output: out, format: 'ndjson', records: lines(out).length, truncated: false });
    expect(json.requests).toBeGreaterThan(0);
    expect(json.incremental).toBeUndefined();
    expect(result.stderr).toMatch(/exported \d+ tags to/);
  });
});

describe('describe', () => {
  it('shows what each date filter is and how --state treats the resource', async () => {
    const kinds: Array<[string, RegExp]> = [
      ['contacts', /bookmark on last_updated, an update time/],
      ['appointments', /start_date is an event time/],
      ['orders', /modification_date is assumed to be an update time, but Keap does not confirm/],
      ['notes', /no date filter: every record is read/],
    ];
    for (const [resource, text] of kinds) {
      const result = await cli(['describe', resource]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout, resource).toMatch(text);
    }
    const json = JSON.parse((await cli(['describe', 'appointments', '--json'])).stdout) as {
      actions: Array<{ id: string; dateFilter?: unknown; incremental?: unknown }>;
    };
    expect(json.actions.find((a) => a.id === 'read')).toMatchObject({
      dateFilter: { field: 'start_date', kind: 'event' },
      incremental: 'hash',
    });
  });
});
