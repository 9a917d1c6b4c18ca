/**
 * State files that are not what the last run left (issue 15, item 10): an emptied state file is
 * said out loud, a hashes file cut at a line boundary is caught by the count saved beside it, and
 * `--json` times are milliseconds. In-process against the sandbox.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

it('a 0-byte state file is a warning, not a silent full export', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  writeFileSync(state, '');
  const result = await runCli(['export', 'contacts', '--state', state, '-o', join(dir, 'c.ndjson')], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/warning: state file .*state\.json is empty: every job in it starts again from the beginning/);
});

it('a hashes file cut short at a line boundary is caught before any record is written', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  const args = ['export', 'notes', '--state', state, '-o', join(dir, 'notes.ndjson')];
  expect((await runCli(args, { env: sandbox.env })).code).toBe(0);
  const folder = join(dir, 'state.json.hashes');
  const [file] = readdirSync(folder);
  const lines = readFileSync(join(folder, file!), 'utf8').split('\n').filter(Boolean);
  writeFileSync(join(folder, file!), `${lines.slice(0, -3).join('\n')}\n`);
  const again = await runCli(args, { env: sandbox.env });
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(
    new RegExp(`holds ${lines.length - 4} record hashes where the last run saved ${lines.length - 1}: it was cut short`),
  );
});

it('--json gives the run time in seconds with at most three decimals', async () => {
  const dir = tempDir();
  const result = await runCli(['export', 'tags', '--json', '-o', join(dir, 't.ndjson')], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  const { seconds, records } = JSON.parse(result.stdout) as { seconds: number; records: number };
  expect(typeof records).toBe('number');
  expect(String(seconds)).toMatch(/^\d+(\.\d{1,3})?$/);
});
