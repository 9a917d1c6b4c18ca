/**
 * Import plans its reads (issue 17, item 6): an upsert of a few rows into a large account reads per
 * row; a file of thousands reads the contact list once (kept only for the file's emails) instead of
 * a find and a read per row; both leave the same records in the sandbox. `--plan` estimates and
 * writes nothing. Requests are counted from the sandbox's own stats.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Rec = Record<string, unknown>;

const CONTACTS = 3_000;
let dir: string;
const sandboxes: TestSandbox[] = [];

beforeEach(() => {
  dir = tempDir('import-reads-');
});
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.stop();
});

async function bigAccount(contacts = CONTACTS): Promise<TestSandbox> {
  const sandbox = await startTestSandbox({ counts: { contacts } });
  sandboxes.push(sandbox);
  return sandbox;
}

/** `count` contacts with an EMAIL1, every `step`-th of the account, read straight from the sandbox: id -> EMAIL1. */
async function contactsWithEmail(sandbox: TestSandbox, count: number, step: number): Promise<Map<number, string>> {
  const emails = new Map<number, string>();
  let seen = 0;
  for (let offset = 0; emails.size < count; offset += 1000) {
    const page = (await sandboxGet(sandbox, `/contacts?limit=1000&offset=${offset}&order=id&order_direction=ASCENDING`)) as {
      contacts: Rec[];
    };
    if (!page.contacts.length) break;
    for (const contact of page.contacts) {
      const email = (contact.email_addresses as Rec[]).find((entry) => entry.field === 'EMAIL1')?.email;
      if (typeof email !== 'string' || seen++ % step !== 0 || emails.size >= count) continue;
      emails.set(contact.id as number, email);
    }
  }
  return emails;
}

/** A CSV upserting these contacts by EMAIL1 with a new given name (EMAIL1 only: the merge keeps the rest). */
function upsertFile(name: string, emails: Map<number, string>): string {
  const file = join(dir, name);
  const lines = ['email_addresses.EMAIL1.email,given_name'];
  for (const [id, email] of emails) lines.push(`${email},Imported ${id}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const requestsOf = async (sandbox: TestSandbox) => (await sandbox.stats()).requests;
const reset = (sandbox: TestSandbox) => fetch(`${sandbox.origin}/_sandbox/reset-stats`, { method: 'POST' });

/** The records as Keap holds them, without the stamp each write moves. */
async function recordsOf(sandbox: TestSandbox, ids: number[]): Promise<Rec[]> {
  const records: Rec[] = [];
  for (const id of ids) {
    const { last_updated: _, ...record } = (await sandboxGet(sandbox, `/contacts/${id}?optional_properties=custom_fields`)) as Rec;
    records.push(record);
  }
  return records;
}

describe('import: reads per row or one list read', () => {
  it('a file of 10 rows against a large account reads per row: a find and a read per row, no list read', async () => {
    // 50,000 contacts are 51 list pages: more than 10 finds and 10 reads.
    const sandbox = await bigAccount(50_000);
    const file = upsertFile('few.csv', await contactsWithEmail(sandbox, 10, 577));
    await reset(sandbox);
    const run = await runCli(['import', 'contacts', file, '--no-progress', '--verbose'], { env: { ...cleanEnv(), ...sandbox.env } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/reads: one per row/);
    const requests = await requestsOf(sandbox);
    expect(requests['PUT /contacts']).toBe(10);
    expect(requests['GET /contacts/{id}']).toBe(10);
    // The finds by email; the count probe is one more list request with limit=1.
    expect(requests['GET /contacts']).toBeLessThanOrEqual(11);
  });

  it('a file of thousands reads the list, and leaves the same records as the per-row plan', async () => {
    const listed = await bigAccount();
    const perRow = await bigAccount();
    const emails = await contactsWithEmail(listed, 1_000, 2);
    expect(emails.size).toBe(1_000);
    const ids = [...emails.keys()];
    const listFile = upsertFile('many.csv', emails);
    const perRowFile = upsertFile('many-per-row.csv', emails);
    await reset(listed);
    await reset(perRow);

    const byList = await runCli(['import', 'contacts', listFile, '--no-progress', '--verbose'], { env: { ...cleanEnv(), ...listed.env } });
    expect(byList.code, byList.stderr).toBe(0);
    expect(byList.stderr).toMatch(/reads: one list read/);
    const listRequests = await requestsOf(listed);
    expect(listRequests['GET /contacts/{id}'] ?? 0).toBe(0);
    expect(listRequests['PUT /contacts']).toBe(1_000);
    const total = Object.values(listRequests).reduce((sum, n) => sum + n, 0);
    // 4 pages of 3,000 contacts, the probe, a few refreshes: well under 1.1 requests a row.
    expect(total / 1_000).toBeLessThanOrEqual(1.1);

    const byRow = await runCli(['import', 'contacts', perRowFile, '--no-progress', '--reads', 'per-row'], {
      env: { ...cleanEnv(), ...perRow.env },
    });
    expect(byRow.code, byRow.stderr).toBe(0);
    expect((await requestsOf(perRow))['GET /contacts/{id}']).toBe(1_000);

    const sample = ids.filter((_, index) => index % 50 === 0);
    const after = await recordsOf(listed, sample);
    expect(after).toEqual(await recordsOf(perRow, sample));
    expect(after.map((record) => record.given_name)).toEqual(sample.map((id) => `Imported ${id}`));
  }, 120_000);

  it('--plan prints reads, writes, time and quota share, and writes nothing', async () => {
    const sandbox = await bigAccount();
    const file = upsertFile('plan.csv', await contactsWithEmail(sandbox, 1_000, 2));
    await reset(sandbox);
    const run = await runCli(['import', 'contacts', file, '--plan', '--json'], { env: { ...cleanEnv(), ...sandbox.env } });
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { plan: Rec & { reads: Rec; quota?: Rec } };
    expect(outcome.plan.reads).toMatchObject({ plan: 'list', rows: 1_000, perRow: 2_000, accountRecords: CONTACTS, countIsTotal: true });
    expect(outcome.plan.writes).toBe(1_000);
    expect(outcome.plan.requests).toBe((outcome.plan.reads.list as number) + 1_000);
    expect(outcome.plan.seconds).toBeGreaterThan(0);
    expect(outcome.plan.quota).toMatchObject({ share: expect.any(Number), remaining: expect.any(Number) });
    const requests = await requestsOf(sandbox);
    // Only the count probe: no list pages, no writes.
    expect(Object.keys(requests)).toEqual(['GET /contacts']);
    expect(requests['GET /contacts']).toBe(1);

    const text = await runCli(['import', 'contacts', file, '--plan'], { env: { ...cleanEnv(), ...sandbox.env } });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^reads: one list read, about \d+ requests for 1000 rows/m);
    expect(text.stdout).toMatch(/^writes: 1000$/m);
    expect(text.stdout).toMatch(/^time: .* at \d+ requests a minute$/m);
    expect(text.stdout).toMatch(/^daily quota: \d+\.\d% of the \d+ requests left$/m);
  });

  it('a row whose comparison needs what the list lacks (opt_in_reason) reads its record by itself', async () => {
    const sandbox = await bigAccount(1_200);
    const file = join(dir, 'update.csv');
    writeFileSync(file, 'id,given_name\n5,Five\n6,Six\n7,Seven\n');
    await reset(sandbox);
    const listed = await runCli(['import', 'contacts', file, '--reads', 'list', '--no-progress'], {
      env: { ...cleanEnv(), ...sandbox.env },
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect((await requestsOf(sandbox))['GET /contacts/{id}'] ?? 0).toBe(0);
    await reset(sandbox);
    const optIn = await runCli(['import', 'contacts', file, '--reads', 'list', '--opt-in-reason', 'Fair', '--no-progress'], {
      env: { ...cleanEnv(), ...sandbox.env },
    });
    expect(optIn.code, optIn.stderr).toBe(0);
    expect((await requestsOf(sandbox))['GET /contacts/{id}']).toBe(3);
  });

  it('--match with a list read: every row is found in the list, even one whose comparison reads its record by itself', async () => {
    const sandbox = await bigAccount(1_200);
    for (const id of [21, 22, 23]) await sandboxSend(sandbox, 'PATCH', `/contacts/${id}`, { family_name: `Listmatch-${id}` });
    const file = join(dir, 'match.csv');
    // Only the first row gives an opt-in reason, which the list does not show: that row's record is read by itself.
    writeFileSync(file, 'family_name,given_name,opt_in_reason\nListmatch-21,A,Fair\nListmatch-22,B,\nListmatch-23,C,\n');
    await reset(sandbox);
    const run = await runCli(
      ['import', 'contacts', file, '--match', 'family_name', '--action', 'update', '--reads', 'list', '--no-progress'],
      {
        env: { ...cleanEnv(), ...sandbox.env },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const requests = await requestsOf(sandbox);
    expect(requests['POST /contacts'] ?? 0).toBe(0);
    expect(requests['PATCH /contacts/{id}']).toBe(3);
    expect(requests['GET /contacts/{id}']).toBe(1);
    expect(((await sandboxGet(sandbox, '/contacts/22')) as Rec).given_name).toBe('B');
  });
});
