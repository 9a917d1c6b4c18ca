/**
 * The state file's lock and an export's output (issue 15, item 5): a run that cannot take the lock
 * fails before its first request when it is held from the start, and leaves the older output as
 * it was when it is taken while the run streams. The engine is called directly, so the wait for
 * the lock can be short (the CLI waits 30 s).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../../src/api/client.js';
import { bearerTokenSource } from '../../../src/api/credentials.js';
import type { KeapApi } from '../../../src/api/types.js';
import { findResource } from '../../../src/catalog/index.js';
import { CliError } from '../../../src/errors.js';
import { runExport } from '../../../src/etl/export/run.js';
import { silentReporter, type Reporter } from '../../../src/reporter.js';
import { tempDir } from '../../support/files.js';
import { startTestSandbox, totalRequests, type TestSandbox } from '../../support/cli.js';

let sandbox: TestSandbox;
let api: KeapApi;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  api = createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test') });
});
afterAll(async () => {
  await sandbox?.stop();
});

const requestsSoFar = () => totalRequests(sandbox);
/** A lock line naming a process that lives (ours), as another run's would. */
const liveHolder = () => `${process.ppid} held-by-test\n`;

function request(dir: string) {
  return {
    resource: findResource('contacts'),
    format: 'csv' as const,
    output: join(dir, 'contacts.csv'),
    stateFile: join(dir, 'state.json'),
    pageSize: 5,
    lockWaitMs: 200,
  };
}

it('a lock held from the start: the run fails (exit 1) before its first request, the older output intact', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'contacts.csv'), 'older output\n');
  writeFileSync(join(dir, 'state.json.lock'), liveHolder());
  const before = await requestsSoFar();
  const error = await runExport(api, request(dir), silentReporter).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(1);
  expect((error as CliError).message).toMatch(/state file .*state\.json stayed locked by another run/);
  expect((error as CliError).hint).toMatch(/^nothing was sent/);
  expect(await requestsSoFar()).toBe(before);
  expect(readFileSync(join(dir, 'contacts.csv'), 'utf8')).toBe('older output\n');
});

it('a lock taken while the run streams: the older output and the bookmark stay as they were', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'contacts.csv'), 'older output\n');
  writeFileSync(join(dir, 'state.json'), '{"bookmarks":{}}\n');
  // Another run takes the lock as soon as the first page is written.
  let taken = false;
  const reporter: Reporter = {
    ...silentReporter,
    progress: () => ({
      update() {
        if (taken) return;
        taken = true;
        writeFileSync(join(dir, 'state.json.lock'), liveHolder());
      },
      stop() {},
    }),
  };
  const error = await runExport(api, request(dir), reporter).catch((e: unknown) => e);
  expect(taken).toBe(true);
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(1);
  expect(readFileSync(join(dir, 'contacts.csv'), 'utf8')).toBe('older output\n');
  expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"bookmarks":{}}\n');
});
