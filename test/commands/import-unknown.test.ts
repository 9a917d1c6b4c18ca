/**
 * A create whose answer is lost (the sandbox's drop-after-write fault: the write is done, the
 * connection closed without an answer) is reported `unknown`, never sent again: not by the client's
 * retries, not by --resume.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 5 }, faults: 'drop-after-write:1' });
});
afterAll(async () => {
  await sandbox?.stop();
});

const count = async (key: string) => (await sandbox.stats()).requests[key] ?? 0;

describe('import: outcomes that are not known', () => {
  it('a create whose answer is lost is reported unknown and never sent again', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.csv');
    writeFileSync(file, 'email_addresses.EMAIL1.email,given_name\nlost-1@example.org,Lost\nlost-2@example.org,Also lost\n');
    const before = await count('POST /contacts');
    const result = await runCli(['import', 'contacts', file, '--action', 'create', '--json'], { env: sandbox.env });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ unknown: 2, created: 0, failed: 0 });
    expect((await count('POST /contacts')) - before).toBe(2);
    const errors = parse(readFileSync(join(dir, 'leads.errors.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(errors.map((r) => r._status)).toEqual(['unknown', 'unknown']);
    expect(errors[0]!._error).toMatch(/outcome is unknown/);
    // Keap did create them: that is why they must not be sent again.
    for (const email of ['lost-1@example.org', 'lost-2@example.org']) {
      expect(((await sandboxGet(sandbox, `/contacts?email=${email}`)) as { contacts: unknown[] }).contacts).toHaveLength(1);
    }
    // --resume does not send them either: their outcome is recorded (unknown), for the user to check.
    const resumed = await runCli(['import', 'contacts', file, '--action', 'create', '--resume'], { env: sandbox.env });
    expect(resumed.code).toBe(3);
    expect((await count('POST /contacts')) - before).toBe(2);
  });
});
