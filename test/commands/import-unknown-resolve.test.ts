/**
 * An `unknown` row never becomes a duplicate (issue 13, item 3). At the end of a run every row
 * whose outcome is unknown (a create whose answer was lost, or answered 502/503/504) is looked up
 * in Keap by its natural key, once the wait after its send is over (INFUSIONSOFT_IMPORT_SETTLE_MS
 * shortens the 60 s here). Created by that send: `created`, with its id. Absent: sent once more,
 * and only then. Anything else stays `unknown`, with a message that says to check in Keap, and an
 * error report holding such rows is refused as an input until --action says otherwise.
 *
 * Faults: drop-after-write (the write acts, the answer is lost), write-5xx (a gateway refuses the
 * write, which does not act) and 5xx (on every request) of the sandbox (docs/sandbox.md).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Row[];

const sandboxes: TestSandbox[] = [];
afterAll(async () => {
  for (const sandbox of sandboxes) await sandbox.stop();
});
async function sandboxWith(faults: string): Promise<TestSandbox> {
  const sandbox = await startTestSandbox({ seed: 7, counts: { contacts: 5 }, faults });
  sandboxes.push(sandbox);
  return sandbox;
}

const env = (sandbox: TestSandbox, settleMs = 0) => ({ ...sandbox.env, INFUSIONSOFT_IMPORT_SETTLE_MS: String(settleMs) });
const posts = async (sandbox: TestSandbox) => (await sandbox.stats()).requests['POST /contacts'] ?? 0;

/** A read of the test's own, asked again while the sandbox's 5xx faults answer it. */
async function readThroughFaults(sandbox: TestSandbox, path: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sandboxGet(sandbox, path);
    } catch (error) {
      if (attempt >= 20 || !/: 50[234] /.test(String(error))) throw error;
    }
  }
}

async function contactsWithEmail(sandbox: TestSandbox, email: string): Promise<Array<{ id: number }>> {
  const path = `/contacts?email=${encodeURIComponent(email)}`;
  return ((await readThroughFaults(sandbox, path)) as { contacts: Array<{ id: number }> }).contacts;
}

/** The first email of an existing contact (the sandbox's generated data, created long ago). */
async function olderContact(sandbox: TestSandbox): Promise<{ id: number; email: string }> {
  const { contacts } = (await sandboxGet(sandbox, '/contacts?limit=1')) as {
    contacts: Array<{ id: number; email_addresses: Array<{ email: string }> }>;
  };
  const [contact] = contacts;
  const email = contact?.email_addresses[0]?.email;
  if (!contact || !email) throw new Error('the sandbox has no contact with an email');
  return { id: contact.id, email };
}

function leadsFile(dir: string, name: string, emails: string[]): string {
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, `email_addresses.EMAIL1.email,given_name\n${emails.map((email, i) => `${email},Lead ${i + 1}`).join('\n')}\n`);
  return file;
}

describe('import: unknown rows are looked up at the end of the run (answers lost)', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await sandboxWith('drop-after-write:1');
  });

  it('a create whose answer was lost is found after the wait and counts as created, sent once', async () => {
    const dir = tempDir();
    const emails = ['settled-1@example.org', 'settled-2@example.org', 'settled-3@example.org'];
    const file = leadsFile(dir, 'leads', emails);
    const before = await posts(sandbox);
    const started = Date.now();
    const result = await runCli(['import', 'contacts', file, '--action', 'create', '--json'], { env: env(sandbox, 300) });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 3, unknown: 0, failed: 0 });
    // Looked up only once the wait after the sends was over, and never sent again.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(result.stderr).toMatch(/unknown outcome: looking them up in Keap/);
    expect((await posts(sandbox)) - before).toBe(3);
    const results = readCsv(join(dir, 'leads.results.csv'));
    expect(results.map((r) => r._action)).toEqual(['created', 'created', 'created']);
    for (const [index, email] of emails.entries()) {
      const found = await contactsWithEmail(sandbox, email);
      expect(found.map((c) => String(c.id))).toEqual([results[index]!._id]);
    }
    expect(existsSync(join(dir, 'leads.errors.csv'))).toBe(false);
  });

  it('a lost create whose email an older contact also has stays unknown, is refused as an error report, and --resume resolves it', async () => {
    const dir = tempDir();
    const older = await olderContact(sandbox);
    const file = leadsFile(dir, 'old', [older.email]);
    const before = await posts(sandbox);
    const result = await runCli(['import', 'contacts', file, '--action', 'create', '--json'], { env: env(sandbox) });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 0, unknown: 1 });
    expect((await posts(sandbox)) - before).toBe(1);
    // Keap now has two contacts with that email: which is this row's cannot be told.
    expect(await contactsWithEmail(sandbox, older.email)).toHaveLength(2);
    expect(result.stderr).not.toMatch(/as it is/);
    expect(result.stderr).toMatch(/--resume/);
    const [error] = readCsv(join(dir, 'old.errors.csv'));
    expect(error).toMatchObject({ _status: 'unknown' });
    expect(error!._error).toMatch(/several contacts/);
    expect(error!._error).toMatch(/check in Keap whether it was created before re-importing it/);

    // The error report as it is would create it again: refused before anything is sent.
    const requestsBefore = (await sandbox.stats()).requests;
    const refused = await runCli(['import', 'contacts', join(dir, 'old.errors.csv')], { env: env(sandbox) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unknown/);
    expect(refused.stderr).toMatch(/import contacts \S*old\.csv --resume/);
    expect((await sandbox.stats()).requests).toEqual(requestsBefore);
    // With --action given, the user has checked: the report is read (here only checked).
    const explicit = await runCli(['import', 'contacts', join(dir, 'old.errors.csv'), '--action', 'create', '--dry-run'], {
      env: env(sandbox),
    });
    expect(explicit.code, explicit.stderr).toBe(0);

    // Once the older contact is gone, --resume on the finished run finds this row's contact. (The
    // sandbox drops the answer to this delete too, after deleting.)
    await sandboxSend(sandbox, 'DELETE', `/contacts/${older.id}`).catch(() => undefined);
    await expect(sandboxGet(sandbox, `/contacts/${older.id}`)).rejects.toThrow(/404/);
    const [mine] = await contactsWithEmail(sandbox, older.email);
    const resumed = await runCli(['import', 'contacts', file, '--action', 'create', '--resume', '--json'], { env: env(sandbox) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).counts).toMatchObject({ created: 1, unknown: 0 });
    expect(readCsv(join(dir, 'old.results.csv')).map((r) => [r._action, r._id])).toEqual([['created', String(mine!.id)]]);
    expect((await posts(sandbox)) - before).toBe(1);
  });
});

describe('import: unknown rows of a resource Keap cannot be searched by', () => {
  it('a lost note create stays unknown, is never sent again, and the report says to check', async () => {
    const sandbox = await sandboxWith('drop-after-write:1');
    const dir = tempDir();
    const older = await olderContact(sandbox);
    const file = join(dir, 'notes.csv');
    writeFileSync(file, `contact_id,title,body\n${older.id},Lost note,Its answer never came\n`);
    const result = await runCli(['import', 'notes', file, '--action', 'create', '--json'], { env: env(sandbox) });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 0, unknown: 1 });
    expect((await sandbox.stats()).requests['POST /notes']).toBe(1);
    const [error] = readCsv(join(dir, 'notes.errors.csv'));
    expect(error).toMatchObject({ _status: 'unknown' });
    expect(error!._error).toMatch(/notes cannot be looked up.*check in Keap whether it was created before re-importing it/);
    expect(result.stderr).not.toMatch(/as it is/);
  });
});

describe('import: a create answered 502/503/504 is looked up at the end of the run', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await sandboxWith('write-5xx:1');
  });

  it('absent from Keap, it is sent once more, and only once; still unanswered, it stays unknown (exit 3)', async () => {
    const dir = tempDir();
    const emails = ['gateway-1@example.org', 'gateway-2@example.org'];
    const file = leadsFile(dir, 'gateway', emails);
    const before = await posts(sandbox);
    const result = await runCli(['import', 'contacts', file, '--action', 'create', '--json'], { env: env(sandbox) });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 0, failed: 0, unknown: 2 });
    expect((await posts(sandbox)) - before).toBe(4);
    for (const email of emails) expect(await contactsWithEmail(sandbox, email)).toEqual([]);
    const errors = readCsv(join(dir, 'gateway.errors.csv'));
    expect(errors.map((r) => r._status)).toEqual(['unknown', 'unknown']);
    for (const error of errors) expect(error._error).toMatch(/second send.*check in Keap whether it was created before re-importing it/);
  });

  it('an older contact with its email is not this row: it stays unknown and is never sent again', async () => {
    const dir = tempDir();
    const older = await olderContact(sandbox);
    const file = leadsFile(dir, 'existing', [older.email]);
    const before = await posts(sandbox);
    const result = await runCli(['import', 'contacts', file, '--action', 'create'], { env: env(sandbox) });
    expect(result.code).toBe(3);
    expect((await posts(sandbox)) - before).toBe(1);
    const [error] = readCsv(join(dir, 'existing.errors.csv'));
    expect(error).toMatchObject({ _status: 'unknown' });
    expect(error!._error).toMatch(new RegExp(`id ${older.id}.*existed already`));
  });
});

describe('import: creates at 10% gateway faults', () => {
  it('none fails and none is created twice: each is created, or unknown and absent from Keap', async () => {
    const sandbox = await sandboxWith('5xx:0.1');
    const dir = tempDir();
    const emails = Array.from({ length: 30 }, (_, i) => `faulty-${i + 1}@example.org`);
    const file = leadsFile(dir, 'faulty', emails);
    const result = await runCli(['import', 'contacts', file, '--action', 'create', '--json'], { env: env(sandbox) });
    const { counts } = JSON.parse(result.stdout);
    expect(counts.failed).toBe(0);
    expect(counts.created + counts.unknown).toBe(30);
    expect(result.code).toBe(counts.unknown ? 3 : 0);
    expect((await sandbox.stats()).faults['5xx'] ?? 0).toBeGreaterThan(0);
    const results = readCsv(join(dir, 'faulty.results.csv'));
    for (const [index, email] of emails.entries()) {
      const found = (await contactsWithEmail(sandbox, email)).map((c) => String(c.id));
      expect(found).toEqual(results[index]!._action === 'created' ? [results[index]!._id] : []);
    }
  });
});
