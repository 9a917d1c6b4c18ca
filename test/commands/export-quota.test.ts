/**
 * A used-up daily quota (issue 15, item 4): the export stops at once with Keap's reset time, says
 * what became of the output, exits 1 and keeps the bookmark. In-process against a sandbox whose
 * quota is a handful of requests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ limits: 'pat,quota=5' });
});
afterAll(async () => {
  await sandbox?.stop();
});

it('stops with the reset time and what became of the output; the bookmark stays', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  const bookmark = '{"bookmarks":{"contacts":{"last_updated":"2020-01-01T00:00:00.000Z"}}}\n';
  writeFileSync(state, bookmark);
  const out = join(dir, 'c.csv');
  const result = await runCli(['export', 'contacts', '--page-size', '2', '--state', state, '-o', out], { env: sandbox.env });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /quota is used up; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z; nothing was written to .*c\.csv; the bookmark in .*state\.json was kept/,
  );
  expect(existsSync(out)).toBe(false);
  expect(readFileSync(state, 'utf8')).toBe(bookmark);
});
