/**
 * `export` where the binary must be a process: a reader of stdout that goes away (| head), and
 * a kill midway. Everything else about export runs in-process, in test/commands/export.test.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('export contacts', () => {
  it('stops quietly when the reader of stdout goes away (| head)', async () => {
    const result = await run(['export', 'contacts', '--format', 'csv'], {
      env: sandbox.env,
      onStart: (child) => child.stdout?.once('data', () => child.stdout?.destroy()),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/error/);
  });
});

describe('no partial files', () => {
  it('an export killed midway leaves no file at -o (and keeps an older one intact)', async () => {
    const slow = await startSandboxProcess(['--latency', '300']);
    // Kill once the export is under way (a few pages served), however fast this machine is.
    const killMidway = (signal: NodeJS.Signals) => (child: ChildProcess) => {
      void (async () => {
        const started = Date.now();
        while (child.exitCode === null && child.signalCode === null) {
          const served = (await slow.stats().catch(() => undefined))?.requests['GET /contacts'] ?? 0;
          if (served >= 3 || Date.now() - started > 20_000) {
            child.kill(signal);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
    };
    try {
      await fetch(`${slow.origin}/_sandbox/reset-stats`, { method: 'POST' });
      const dir = tempDir();
      const file = join(dir, 'contacts.csv');
      writeFileSync(file, 'previous complete export\n');
      const result = await run(['export', 'contacts', '--page-size', '5', '-o', file], {
        env: slow.env,
        onStart: killMidway('SIGTERM'),
      });
      expect(result.code).toBe(143);
      expect(result.stderr).toMatch(/interrupted/);
      expect(readFileSync(file, 'utf8')).toBe('previous complete export\n');
      expect(readdirSync(dir)).toEqual(['contacts.csv']);

      const killed = join(dir, 'killed.csv');
      await fetch(`${slow.origin}/_sandbox/reset-stats`, { method: 'POST' });
      const hard = await run(['export', 'contacts', '--page-size', '5', '-o', killed], {
        env: slow.env,
        onStart: killMidway('SIGKILL'),
      });
      expect(hard.signal).toBe('SIGKILL');
      expect(existsSync(killed)).toBe(false);
    } finally {
      await slow.stop();
    }
  });
});
