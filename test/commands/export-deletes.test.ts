/**
 * Deleted contacts can be found (issue 15, item 3): contacts are exported by update time, which
 * never shows a deletion; `--detect-deletes` sweeps every id and compares with the last sweep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

it('a contact deleted in Keap is reported by the next run: --deleted FILE, --json and the summary', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  const deleted = join(dir, 'deleted.txt');
  const args = ['export', 'contacts', '--state', state, '--detect-deletes', '--deleted', deleted, '-o', join(dir, 'c.ndjson')];
  const first = await runCli(args, { env: sandbox.env });
  expect(first.code, first.stderr).toBe(0);
  const total = ((await sandboxGet(sandbox, '/contacts?limit=1')) as { count: number }).count;
  expect(first.stderr).toMatch(new RegExp(`swept ${total.toLocaleString('en-US')} ids in \\d+ requests? for deletions; the first sweep`));
  expect(readFileSync(deleted, 'utf8')).toBe('');

  const page = (await sandboxGet(sandbox, '/contacts?limit=2&offset=5')) as { contacts: Array<{ id: number }> };
  const gone = page.contacts.map((c) => c.id);
  for (const id of gone) await sandboxSend(sandbox, 'DELETE', `/contacts/${id}`);

  const second = await runCli([...args, '--json'], { env: sandbox.env });
  expect(second.code, second.stderr).toBe(0);
  expect(readFileSync(deleted, 'utf8')).toBe(gone.map((id) => `${id}\n`).join(''));
  const result = JSON.parse(second.stdout) as { deleted: number; deletedIds: number[] };
  expect(result.deleted).toBe(2);
  expect(result.deletedIds).toEqual(gone);
  expect(second.stderr).toMatch(/2 deleted since the last sweep/);
  expect(second.stderr).toMatch(new RegExp(`2 deleted since the last run: ${gone.join(', ')}`));

  const third = await runCli(args, { env: sandbox.env });
  expect(third.code, third.stderr).toBe(0);
  expect(readFileSync(deleted, 'utf8')).toBe('');
});

it('--deleted without --detect-deletes on contacts says to add it; --detect-deletes needs --state', async () => {
  const dir = tempDir();
  const refused = await runCli(['export', 'contacts', '--state', join(dir, 's.json'), '--deleted', join(dir, 'd.txt')], {
    env: sandbox.env,
  });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/add --detect-deletes/);
  const alone = await runCli(['export', 'contacts', '--detect-deletes'], { env: sandbox.env });
  expect(alone.code).toBe(2);
  expect(alone.stderr).toMatch(/--detect-deletes needs --state/);
});
