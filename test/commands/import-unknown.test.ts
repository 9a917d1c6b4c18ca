/**
 * A create whose answer is lost (the sandbox's drop-after-write fault: the write is done, the
 * connection closed without an answer) is never sent again: not by the client's retries, not by
 * --resume. The lookup at the end of the run finds it created (test/commands/import-unknown-resolve.test.ts
 * has the rest; INFUSIONSOFT_IMPORT_SETTLE_MS shortens its wait).
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
  it('a create whose answer is lost is found created at the end of the run and never sent again', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.csv');
    writeFileSync(file, 'email_addresses.EMAIL1.email,given_name\nlost-1@example.org,Lost\nlost-2@example.org,Also lost\n');
    const before = await count('POST /contacts');
    const env = { ...sandbox.env, INFUSIONSOFT_IMPORT_SETTLE_MS: '0' };
    const result = await runCli(['import', 'contacts', file, '--action', 'create', '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ unknown: 0, created: 2, failed: 0 });
    expect((await count('POST /contacts')) - before).toBe(2);
    const results = parse(readFileSync(join(dir, 'leads.results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    // Keap did create them: that is why they must not be sent again.
    for (const [index, email] of ['lost-1@example.org', 'lost-2@example.org'].entries()) {
      const { contacts } = (await sandboxGet(sandbox, `/contacts?email=${email}`)) as { contacts: Array<{ id: number }> };
      expect(contacts.map((contact) => String(contact.id))).toEqual([results[index]!._id]);
    }
    // --resume does not send them either: their outcome is recorded.
    const resumed = await runCli(['import', 'contacts', file, '--action', 'create', '--resume'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await count('POST /contacts')) - before).toBe(2);
  });
});
