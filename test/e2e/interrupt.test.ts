/**
 * Stopping an export with a signal, end to end: the built binary against a slow sandbox process,
 * signalled once the export is under way. SIGHUP (a closed SSH session) is handled like SIGINT and
 * SIGTERM; what the message says depends on whether anything reached the output.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let slow: SandboxProcess;
beforeAll(async () => {
  slow = await startSandboxProcess(['--latency', '300']);
});
afterAll(async () => {
  await slow?.stop();
});
beforeEach(async () => {
  await fetch(`${slow.origin}/_sandbox/reset-stats`, { method: 'POST' });
});

/** Sends `signal` once the sandbox has served a few pages, however fast this machine is. */
const signalMidway = (signal: NodeJS.Signals) => (child: ChildProcess) => {
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

describe('interrupted exports', () => {
  it('SIGHUP mid-export exits 129, keeps the older file, and keeps what was written for --resume', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'previous complete export\n');
    const result = await run(['export', 'contacts', '--page-size', '5', '-o', file], {
      env: slow.env,
      onStart: signalMidway('SIGHUP'),
    });
    expect(result.code, result.stderr).toBe(129);
    expect(result.signal).toBeNull();
    expect(result.stderr).toMatch(/export interrupted; no output file was written/);
    expect(readFileSync(file, 'utf8')).toBe('previous complete export\n');
    // The pages written so far are kept for --resume (hidden, with their checkpoint), and named.
    const kept = readdirSync(dir).filter((name) => name !== 'contacts.csv');
    expect(kept.sort()).toEqual([
      expect.stringMatching(/^\.contacts\.csv\.\d+\.[0-9a-f]+\.tmp$/),
      expect.stringMatching(/\.tmp\.checkpoint$/),
    ]);
    expect(result.stderr).toContain(`is kept in ${join(dir, kept[0] as string)}; to continue: infusionsoft export contacts`);
  });

  it('interrupted while writing to stdout: exit 130, and the message says the output is incomplete', async () => {
    const result = await run(['export', 'contacts', '--page-size', '5', '--format', 'csv'], {
      env: slow.env,
      onStart: (child) => {
        // Interrupt once records have reached stdout.
        child.stdout?.once('data', () => child.kill('SIGINT'));
      },
    });
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout.split('\n').length).toBeGreaterThan(1);
    expect(result.stderr).toMatch(/export interrupted; what was written to stdout so far is incomplete/);
    expect(result.stderr).not.toMatch(/no output file was written|nothing was written/);
  });

  it('interrupted before the first page (reading the model): says nothing was written', async () => {
    // So slow that the signal surely lands while the first request (the model) is in flight.
    const slower = await startSandboxProcess(['--latency', '5000']);
    try {
      const result = await run(['export', 'contacts', '--format', 'csv'], {
        env: slower.env,
        onStart: (child) => {
          void (async () => {
            while (((await slower.stats()).requests['GET /contacts/model'] ?? 0) === 0) {
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            child.kill('SIGTERM');
          })();
        },
      });
      expect(result.code, result.stderr).toBe(143);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/export interrupted before anything was written/);
    } finally {
      await slower.stop();
    }
  });
});
