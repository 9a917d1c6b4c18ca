/**
 * A killed export can be resumed (issue 15, item 4): SIGKILL leaves no chance to clean up, so the
 * temporary file and the checkpoint written while pages flowed stay behind. The next run with
 * `--resume` finds them, continues from the checkpoint, and writes the file an uninterrupted run
 * writes; nothing is left over. The built binary against a slow sandbox process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let slow: SandboxProcess;
beforeAll(async () => {
  slow = await startSandboxProcess(['--latency', '100', '--contacts', '90']);
});
afterAll(async () => {
  await slow?.stop();
});

it('SIGKILL mid-export, then --resume: the same bytes as a clean run, and no leftovers', async () => {
  const dir = tempDir();
  const args = (name: string) => ['export', 'contacts', '--page-size', '5', '-o', join(dir, name)];
  const clean = await run(args('clean.csv'), { env: slow.env });
  expect(clean.code, clean.stderr).toBe(0);

  await fetch(`${slow.origin}/_sandbox/reset-stats`, { method: 'POST' });
  const killed = await run(args('run.csv'), {
    env: slow.env,
    onStart: (child) => {
      void (async () => {
        const started = Date.now();
        // Once a checkpoint exists and more pages have been written since, kill without warning.
        while (child.exitCode === null && child.signalCode === null) {
          const checkpointed = readdirSync(dir).some((name) => name.endsWith('.checkpoint'));
          const served = (await slow.stats().catch(() => undefined))?.requests['GET /contacts'] ?? 0;
          if ((checkpointed && served >= 12) || Date.now() - started > 20_000) {
            child.kill('SIGKILL');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
    },
  });
  expect(killed.signal).toBe('SIGKILL');
  const left = readdirSync(dir).filter((name) => name.startsWith('.run.csv.'));
  expect(left.length).toBe(2);

  const resumed = await run([...args('run.csv'), '--resume'], { env: slow.env });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toMatch(/resuming .*run\.csv from .*\.run\.csv\.\d+\.[0-9a-f]+\.tmp: \d+ records written/);
  expect(readFileSync(join(dir, 'run.csv'))).toEqual(readFileSync(join(dir, 'clean.csv')));
  expect(readdirSync(dir).sort()).toEqual(['clean.csv', 'run.csv']);
}, 60_000);
