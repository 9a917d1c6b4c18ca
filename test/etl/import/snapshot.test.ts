/**
 * The list read an import keeps instead of one read per row (issue 17, item 6), against a real
 * sandbox over loopback: only the records whose keys occur in the file are kept; it is refreshed by
 * a delta read (`since` = the last read's start - 5 min) before each batch and once a minute by an
 * injected clock; and a record edited in Keap between the list read and the write keeps the new
 * array element (the stale-snapshot guard: with the refresh disabled, the element is lost).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/api/client.js';
import { bearerTokenSource } from '../../../src/api/credentials.js';
import type { KeapApi, PaginateOptions } from '../../../src/api/types.js';
import { findResource } from '../../../src/catalog/index.js';
import { runImport } from '../../../src/etl/import/run.js';
import { listSnapshotRead, RecordSnapshot, SNAPSHOT_SLACK_MS } from '../../../src/etl/import/snapshot.js';
import { silentReporter } from '../../../src/reporter.js';
import { sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../../support/cli.js';
import { tempDir } from '../../support/files.js';

type Rec = Record<string, unknown>;

const contacts = findResource('contacts');
const read = listSnapshotRead(contacts)!;
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 2_500 } });
});
afterAll(async () => {
  await sandbox.stop();
});

const clientFor = (): KeapApi =>
  createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test'), retryBaseMs: 1, maxRetries: 0 });

/** The client, with every paged read's query noted, and `afterList` run once the first whole-list read has ended. */
function watched(api: KeapApi, afterList?: () => Promise<void>): KeapApi & { queries: Array<PaginateOptions['query']> } {
  const queries: Array<PaginateOptions['query']> = [];
  let listed = false;
  return {
    baseUrl: api.baseUrl,
    queries,
    request: (method, path, options) => api.request(method, path, options),
    stats: () => api.stats(),
    close: () => api.close(),
    async *paginate(path, shape, options) {
      queries.push(options?.query);
      yield* api.paginate(path, shape, options);
      const whole = path === '/contacts' && options?.query?.since === undefined && options?.query?.email === undefined;
      if (whole && !listed && afterList) {
        listed = true;
        await afterList();
      }
    },
  };
}

const emailsOf = (record: Rec) => (record.email_addresses as Rec[]).map((entry) => entry as { field: string; email: string });

/** Contacts of the sandbox that have EMAIL1 and no EMAIL3 (room for another user's new address). */
async function someContacts(count: number): Promise<Rec[]> {
  const page = (await sandboxGet(sandbox, '/contacts?limit=200&order=id&order_direction=ASCENDING')) as { contacts: Rec[] };
  return page.contacts
    .filter((record) => emailsOf(record).some((e) => e.field === 'EMAIL1') && !emailsOf(record).some((e) => e.field === 'EMAIL3'))
    .slice(0, count);
}

const email1 = (record: Rec) => emailsOf(record).find((entry) => entry.field === 'EMAIL1')?.email as string;

describe('RecordSnapshot', () => {
  it('keeps only the records whose keys occur in the file, and refreshes by the clock and by batch', async () => {
    const wanted = await someContacts(3);
    // Starts at the real time: the sandbox stamps edits with its own clock, which the delta read filters on.
    const start = Date.now();
    let now = start;
    const api = watched(clientFor());
    const snapshot = await RecordSnapshot.take(api, {
      resource: contacts,
      read,
      query: { ...read.query },
      ids: new Set(),
      keys: new Set(wanted.map((record) => email1(record).toLowerCase())),
      keysOf: (record) => emailsOf(record).map((entry) => entry.email.toLowerCase()),
      now: () => now,
      batch: 4,
    });
    expect(snapshot.size).toBe(3);
    expect(api.queries).toHaveLength(1);
    const [first] = await snapshot.withKey(email1(wanted[0]!).toLowerCase());
    expect(first?.id).toBe(wanted[0]!.id);

    now += 30_000;
    await snapshot.withKey(email1(wanted[1]!).toLowerCase());
    expect(api.queries).toHaveLength(1);

    // A minute after the list read began: a delta read from five minutes before it.
    now += 31_000;
    await sandboxSend(sandbox, 'PATCH', `/contacts/${wanted[2]!.id}`, { given_name: 'Changed meanwhile' });
    const [changed] = await snapshot.withKey(email1(wanted[2]!).toLowerCase());
    expect(api.queries).toHaveLength(2);
    expect(api.queries[1]?.since).toBe(new Date(start - SNAPSHOT_SLACK_MS).toISOString());
    expect(snapshot.refreshes).toBe(1);
    expect(snapshot.size).toBe(3);
    expect(changed?.given_name).toBe('Changed meanwhile');

    // Four units served since that refresh: the next batch begins with another.
    for (let i = 0; i < 3; i++) await snapshot.withKey('nobody@example.org');
    expect(api.queries).toHaveLength(2);
    await snapshot.withKey('nobody@example.org');
    expect(api.queries).toHaveLength(3);
    expect(api.queries[2]?.since).toBe(new Date(now - SNAPSHOT_SLACK_MS).toISOString());
  });

  it('a delta read brings in what changed since, for the file keys only', async () => {
    const [target] = await someContacts(1);
    let now = Date.now();
    const api = watched(clientFor());
    const snapshot = await RecordSnapshot.take(api, {
      resource: contacts,
      read,
      query: { ...read.query },
      ids: new Set([String(target!.id)]),
      keys: new Set(),
      now: () => now,
    });
    expect(snapshot.size).toBe(1);
    await sandboxSend(sandbox, 'PATCH', `/contacts/${target!.id}`, { family_name: 'Edited In Keap' });
    now += 61_000;
    expect((await snapshot.record(target!.id as number))?.family_name).toBe('Edited In Keap');
    expect(snapshot.size).toBe(1);
  });
});

describe('import with a list read: a record edited in Keap after the list read', () => {
  /**
   * An upsert by EMAIL1 merges the record's email addresses (Keap replaces the list). Another user
   * adds EMAIL3 to one of the file's contacts right after the import's list read: the write must
   * keep it, which only the refresh before the first batch can see.
   */
  async function importWithEditAfterList(refreshSnapshot: boolean): Promise<Rec> {
    const rows = await someContacts(5);
    const target = rows[2]!;
    const dir = tempDir('snapshot-guard-');
    const file = join(dir, 'upsert.csv');
    writeFileSync(
      file,
      `email_addresses.EMAIL1.email,given_name\n${rows.map((record) => `${email1(record)},Guarded ${record.id}`).join('\n')}\n`,
    );
    const added = `added-meanwhile-${refreshSnapshot}@example.org`;
    const api = watched(clientFor(), async () => {
      const current = (await sandboxGet(sandbox, `/contacts/${target.id}`)) as Rec;
      await sandboxSend(sandbox, 'PATCH', `/contacts/${target.id}`, {
        email_addresses: [...emailsOf(current), { field: 'EMAIL3', email: added }],
      });
    });
    const outcome = await runImport(
      api,
      {
        resource: contacts,
        file,
        mapping: { map: new Map(), ignoreUnknown: false, clearEmpty: false, onlyCreated: false },
        lookups: [],
        onDuplicate: 'error',
        createTags: false,
        dryRun: false,
        concurrency: 2,
        resume: false,
        account: 'test',
        stdin: process.stdin,
        now: Date.now,
        reads: 'list',
        refreshSnapshot,
      },
      silentReporter,
    );
    expect(outcome.counts.updated).toBe(5);
    const after = (await sandboxGet(sandbox, `/contacts/${target.id}`)) as Rec;
    expect(after.given_name).toBe(`Guarded ${target.id}`);
    return { after, added };
  }

  it('keeps the element added in Keap meanwhile', async () => {
    const { after, added } = (await importWithEditAfterList(true)) as { after: Rec; added: string };
    expect(emailsOf(after)).toContainEqual(expect.objectContaining({ field: 'EMAIL3', email: added }));
  });

  it('(without the refresh, the stale snapshot would drop it: the guard is what keeps it)', async () => {
    const { after, added } = (await importWithEditAfterList(false)) as { after: Rec; added: string };
    expect(emailsOf(after)).not.toContainEqual(expect.objectContaining({ email: added }));
  });
});

describe('import with a list read: --if-unchanged sees an edit made after the list read', () => {
  it('fails the row with both times, as a read per row would', async () => {
    const [target, other] = await someContacts(2);
    const exported = [target!, other!].map((record) => ({ id: record.id, last_updated: record.last_updated }));
    const dir = tempDir('snapshot-if-unchanged-');
    const file = join(dir, 'roundtrip.csv');
    writeFileSync(
      file,
      `id,last_updated,given_name\n${exported.map((row) => `${row.id},${row.last_updated},Round ${row.id}`).join('\n')}\n`,
    );
    const api = watched(clientFor(), async () => {
      await sandboxSend(sandbox, 'PATCH', `/contacts/${target!.id}`, { given_name: 'Edited in Keap meanwhile' });
    });
    const outcome = await runImport(
      api,
      {
        resource: contacts,
        file,
        mapping: { map: new Map(), ignoreUnknown: false, clearEmpty: false, onlyCreated: false },
        lookups: [],
        onDuplicate: 'error',
        createTags: false,
        dryRun: false,
        concurrency: 1,
        resume: false,
        account: 'test',
        stdin: process.stdin,
        now: Date.now,
        reads: 'list',
        ifUnchanged: true,
      },
      silentReporter,
    );
    expect(outcome.counts).toMatchObject({ updated: 1, failed: 1 });
    expect(((await sandboxGet(sandbox, `/contacts/${target!.id}`)) as Rec).given_name).toBe('Edited in Keap meanwhile');
    expect(((await sandboxGet(sandbox, `/contacts/${other!.id}`)) as Rec).given_name).toBe(`Round ${other!.id}`);
    // The list was read (no GET of a single contact), and refreshed once before the writes.
    expect(api.queries.filter((query) => query?.since !== undefined)).toHaveLength(1);
  });
});
