/**
 * A contacts import killed (SIGKILL: no cleanup at all) at fixed points, then run again with
 * --resume: Keap (the sandbox) ends as after one clean run, and no contact is created twice.
 *
 * The import runs as a process (the binary); the sandbox runs in this process with latency, so
 * the test sees each write arrive (its counters move when a request is handled, before the
 * delayed answer) and kills the import at that moment: the write is done, its answer never read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { run, startRun, tempDir } from './cli.js';

let sandbox: TestSandbox;
let customLabel: string;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20 }, latencyMs: 250 });
  const model = (await sandboxGet(sandbox, '/contacts/model')) as { custom_fields: Array<{ label: string; field_type: string }> };
  customLabel = model.custom_fields.find((field) => field.field_type === 'Text')?.label ?? '';
  expect(customLabel).not.toBe('');
});
afterAll(async () => {
  await sandbox?.stop();
});

const ROWS = 8;

function leadsFile(dir: string, prefix: string): string {
  const file = join(dir, `${prefix}.csv`);
  const lines = [`email_addresses.EMAIL1.email,given_name,"custom.${customLabel}"`];
  for (let i = 1; i <= ROWS; i++) lines.push(`${prefix}-${i}@example.org,Lead ${i},note ${i}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function count(key: string): Promise<number> {
  return (await sandbox.stats()).requests[key] ?? 0;
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function contactsWithEmail(email: string): Promise<Array<{ id: number; given_name: string }>> {
  const body = (await sandboxGet(sandbox, `/contacts?email=${encodeURIComponent(email)}`)) as {
    contacts: Array<{ id: number; given_name: string }>;
  };
  return body.contacts;
}

/** Kills the import once `ready` holds, then resumes it; checks the end state. */
async function killAndResume(prefix: string, ready: (before: number) => Promise<boolean>) {
  const dir = tempDir();
  const file = leadsFile(dir, prefix);
  const args = ['import', 'contacts', file, '--action', 'create', '--concurrency', '2'];
  // The rows sent before the kill are looked up at the end of the resumed run, without the 60 s wait.
  const env = { ...sandbox.env, INFUSIONSOFT_IMPORT_SETTLE_MS: '0' };
  const postsBefore = await count('POST /contacts');
  const live = startRun(args, { env });
  await waitFor(() => ready(postsBefore), 'the kill point');
  live.child.kill('SIGKILL');
  const killed = await live.done;
  expect(killed.signal).toBe('SIGKILL');
  const sentBeforeKill = (await count('POST /contacts')) - postsBefore;

  if (sentBeforeKill > 0) {
    // Without --resume, a second run refuses: it could create the sent rows again.
    const refused = await run(args, { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--resume/);
  }

  const resumed = await run([...args, '--resume'], { env });
  expect(resumed.code, resumed.stderr).toBe(0);
  for (let i = 1; i <= ROWS; i++) {
    const found = await contactsWithEmail(`${prefix}-${i}@example.org`);
    expect(found.map((c) => c.given_name)).toEqual([`Lead ${i}`]);
  }
  // Every row is created exactly once: POSTs sent in both runs = rows (a row sent before the kill is
  // found by its email on resume, not sent again).
  expect((await count('POST /contacts')) - postsBefore).toBe(ROWS);
  const results = parse(readFileSync(join(dir, `${prefix}.results.csv`), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  expect(results.map((r) => r._action)).toEqual(Array(ROWS).fill('created'));
  for (const [index, row] of results.entries()) {
    const [contact] = await contactsWithEmail(`${prefix}-${index + 1}@example.org`);
    expect(row._id).toBe(String(contact?.id));
  }
  return { sentBeforeKill };
}

describe('import: SIGKILL, then --resume', () => {
  it('killed before the first write (while reading the custom fields)', async () => {
    const modelReads = await count('GET /contacts/model');
    const { sentBeforeKill } = await killAndResume('before', async () => (await count('GET /contacts/model')) > modelReads);
    expect(sentBeforeKill).toBe(0);
  });

  it('killed mid-batch, with creates sent and not answered', async () => {
    const { sentBeforeKill } = await killAndResume('middle', async (before) => (await count('POST /contacts')) - before >= ROWS / 2);
    expect(sentBeforeKill).toBeGreaterThanOrEqual(ROWS / 2);
    expect(sentBeforeKill).toBeLessThan(ROWS);
  });

  it('killed during the last request', async () => {
    const { sentBeforeKill } = await killAndResume('last', async (before) => (await count('POST /contacts')) - before >= ROWS);
    expect(sentBeforeKill).toBe(ROWS);
  });
});
