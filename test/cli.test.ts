/**
 * `main(argv, io)` in-process: what a command prints goes to the injected streams, what it reads
 * of the environment and the clock comes from the injected ones, and a run leaves nothing behind
 * on the process (signal listeners) or on shared streams.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { runCli, startTestSandbox, testIO, type TestSandbox } from './support/cli.js';
import { tempDir } from './support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('main with injected IO', () => {
  it('writes help to the injected stdout and a usage error to the injected stderr, with their exit codes', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: infusionsoft \[options\] \[command\]/);
    expect(help.stderr).toBe('');

    const unknown = await runCli(['exprot', 'contacts']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/unknown command 'exprot'/);
  });

  it('reads credentials and the API URL from the injected environment, not the process', async () => {
    expect(process.env.INFUSIONSOFT_ACCESS_TOKEN).toBeUndefined();
    const result = await runCli(['export', 'contacts', '--max', '2', '--fields', 'id'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['{"id":1}', '{"id":2}']);
    expect(result.stderr).toMatch(/^exported 2 contacts to stdout \(ndjson\)/m);

    const without = await runCli(['export', 'contacts', '--max', '2']);
    expect(without.code).toBe(4);
    expect(without.stderr).toMatch(/^error: not logged in to Keap/);
  });

  it('takes the time a run started from the injected clock (the state file records it)', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const startedAt = Date.parse('2030-01-02T03:04:05.000Z');
    const result = await runCli(['export', 'appointments', '--state', state, '-o', join(dir, 'a.ndjson')], {
      env: sandbox.env,
      now: () => startedAt,
    });
    expect(result.code, result.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: Record<string, { saved?: string }> };
    expect(saved.bookmarks.appointments?.saved).toBe('2030-01-02T03:04:05.000Z');
  });

  it('leaves no signal listeners on the process and no listeners on the streams it was given', async () => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = signals.map((name) => process.listenerCount(name));
    const io = testIO({ env: sandbox.env });
    for (let i = 0; i < 3; i++) {
      expect(await main(['node', 'infusionsoft', 'export', 'tags', '--max', '1'], io)).toBe(0);
    }
    expect(await main(['node', 'infusionsoft', '--sandbox', 'describe', 'contacts'], io)).toBe(0);
    expect(signals.map((name) => process.listenerCount(name))).toEqual(before);
    expect(io.stdout.listenerCount('error')).toBe(0);
    expect(io.stderr.listenerCount('error')).toBe(0);
    expect(io.stderr.text).toMatch(/exported 1 tag to stdout/);
  });
});
