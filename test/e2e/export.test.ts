/**
 * `export` where the binary must be a process: a reader of stdout that goes away (| head), a
 * kill midway, and faults injected into a sandbox process (run in-process, it failed now and then:
 * one request met more faults in a row than the client retries, as requests interleave otherwise).
 * Everything else about export runs in-process, in test/commands/export.test.ts.
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
  it('says so in one line, exit 141, when the reader of stdout goes away (| head)', async () => {
    const result = await run(['export', 'contacts', '--format', 'csv'], {
      env: sandbox.env,
      onStart: (child) => child.stdout?.once('data', () => child.stdout?.destroy()),
    });
    expect(result.code).toBe(141);
    expect(result.stderr).toMatch(/^error: stdout was closed by its reader before the export was complete$/m);
    expect(result.stderr.match(/^error:/gm)).toHaveLength(1);
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
      // What was written is kept for --resume: hidden files beside it, named in the message.
      expect(readdirSync(dir).filter((name) => !name.startsWith('.'))).toEqual(['contacts.csv']);
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.tmp'))) expect(result.stderr).toContain(join(dir, name));

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

describe('resilience', () => {
  it('with 5xx, 429, resets and truncated bodies injected, the output equals a fault-free run byte for byte', async () => {
    // Both sandboxes fresh, so the only difference between them is the faults.
    const reference = await startSandboxProcess();
    const faulty = await startSandboxProcess(['--faults', '5xx:0.1,429:0.1,reset:0.05,truncate:0.05']);
    try {
      const dir = tempDir();
      const args = ['export', 'contacts', '--include', 'tags', '--page-size', '50', '--format', 'csv'];
      const clean = await run([...args, '-o', join(dir, 'clean.csv')], { env: reference.env });
      expect(clean.code, clean.stderr).toBe(0);
      const faultyRun = await run([...args, '-o', join(dir, 'faulty.csv')], { env: faulty.env });
      expect(faultyRun.code, faultyRun.stderr).toBe(0);
      const stats = await faulty.stats();
      expect(Object.values(stats.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
      expect(readFileSync(join(dir, 'faulty.csv'), 'utf8')).toBe(readFileSync(join(dir, 'clean.csv'), 'utf8'));
    } finally {
      await Promise.all([faulty.stop(), reference.stop()]);
    }
  }, 120_000);
});
