/**
 * An upsert killed (SIGKILL) after Keap created the contacts but before their answers came back
 * (issue 13, item 3): --resume looks those rows up instead of sending them again, reports them
 * `created` (the import began in the killed run: "created in this import" spans every run of one
 * journal), and --only-created then undoes every contact the import made.
 *
 * The sandbox runs in this process with latency, so the test sees each write arrive (its counters
 * move when the write is done, before the delayed answer) and kills the import at that moment.
 * INFUSIONSOFT_IMPORT_SETTLE_MS=0 spares the resumed run the 60 s wait before its lookups.
 *
 * Also: Ctrl-C during that wait (here the full 60 s) stops the run at once, sending nothing more,
 * and --resume then looks the rows up.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { run, startRun, tempDir } from './cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20 }, latencyMs: 250 });
});
afterAll(async () => {
  await sandbox?.stop();
});

const ROWS = 8;

async function count(key: string): Promise<number> {
  return (await sandbox.stats()).requests[key] ?? 0;
}

async function contactsWithEmail(email: string): Promise<Array<{ id: number }>> {
  return ((await sandboxGet(sandbox, `/contacts?email=${encodeURIComponent(email)}`)) as { contacts: Array<{ id: number }> }).contacts;
}

describe('import: an upsert killed mid-run, then --resume and --only-created', () => {
  it('rows Keap created before the kill are found, not sent again, reported created, and undone', async () => {
    const dir = tempDir();
    const file = join(dir, 'upserts.csv');
    const emails = Array.from({ length: ROWS }, (_, i) => `upsert-kill-${i + 1}@example.org`);
    writeFileSync(file, `email_addresses.EMAIL1.email,given_name\n${emails.map((email, i) => `${email},Lead ${i + 1}`).join('\n')}\n`);
    const env = { ...sandbox.env, INFUSIONSOFT_IMPORT_SETTLE_MS: '0' };
    const args = ['import', 'contacts', file, '--concurrency', '2'];
    const putsBefore = await count('PUT /contacts');
    const live = startRun(args, { env });
    const deadline = Date.now() + 20_000;
    while ((await count('PUT /contacts')) - putsBefore < ROWS / 2) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the upserts');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    live.child.kill('SIGKILL');
    expect((await live.done).signal).toBe('SIGKILL');

    const resumed = await run([...args, '--resume', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).counts).toMatchObject({ created: ROWS, updated: 0, unknown: 0 });
    // Each row was sent once, over both runs: the killed run's sends were found, not repeated.
    expect((await count('PUT /contacts')) - putsBefore).toBe(ROWS);
    const results = parse(readFileSync(join(dir, 'upserts.results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(results.map((r) => r._action)).toEqual(Array(ROWS).fill('created'));
    for (const [index, email] of emails.entries()) {
      expect((await contactsWithEmail(email)).map((c) => String(c.id))).toEqual([results[index]!._id]);
    }

    const undo = await run(['import', 'contacts', join(dir, 'upserts.results.csv'), '--action', 'delete', '--only-created', '--json'], {
      env,
    });
    expect(undo.code, undo.stderr).toBe(0);
    expect(JSON.parse(undo.stdout).counts).toMatchObject({ deleted: ROWS });
    for (const email of emails) expect(await contactsWithEmail(email)).toEqual([]);
  });
});

describe('import: Ctrl-C while unknown rows wait for their lookup', () => {
  it('exits 130 without sending them again; --resume finds them created', async () => {
    const dropping = await startTestSandbox({ counts: { contacts: 5 }, faults: 'drop-after-write:1' });
    try {
      const dir = tempDir();
      const file = join(dir, 'waiting.csv');
      writeFileSync(file, 'email_addresses.EMAIL1.email,given_name\nwaiting-1@example.org,One\nwaiting-2@example.org,Two\n');
      const args = ['import', 'contacts', file, '--action', 'create'];
      const live = startRun(args, { env: dropping.env });
      await live.waitForStderr(/unknown outcome: looking them up in Keap 60 s after their send/);
      const interruptedAt = Date.now();
      live.child.kill('SIGINT');
      const interrupted = await live.done;
      expect(interrupted.code, interrupted.stderr).toBe(130);
      expect(Date.now() - interruptedAt).toBeLessThan(20_000);
      expect((await dropping.stats()).requests['POST /contacts']).toBe(2);

      const resumed = await run([...args, '--resume', '--json'], { env: { ...dropping.env, INFUSIONSOFT_IMPORT_SETTLE_MS: '0' } });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout).counts).toMatchObject({ created: 2, unknown: 0 });
      expect((await dropping.stats()).requests['POST /contacts']).toBe(2);
    } finally {
      await dropping.stop();
    }
  });
});
