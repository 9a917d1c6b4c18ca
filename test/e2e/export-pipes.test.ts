/**
 * Exports into pipes that misbehave (issue 15, item 6), end to end with the built binary: a FIFO
 * nobody reads answers SIGTERM and SIGINT at once (it used to block in open() until SIGKILL), and
 * a reader that closes early makes the export fail with 141, as `cat` under SIGPIPE, instead of
 * exiting 0 with most of the data never delivered.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { binary, cleanEnv, run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess(['--contacts', '3000']);
});
afterAll(async () => {
  await sandbox?.stop();
});

it.each(['SIGTERM', 'SIGINT'] as const)('-o FIFO with no reader: %s ends the run at once, the FIFO left as it was', async (signal) => {
  const dir = tempDir();
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  let sent = 0;
  const result = await run(['export', 'contacts', '--format', 'csv', '-o', fifo], {
    env: sandbox.env,
    onStderr: (_chunk, child) => {
      if (sent === 0 && /waiting for a reader on/.test(_chunk)) {
        sent = Date.now();
        child.kill(signal);
      }
    },
  });
  expect(sent, result.stderr).toBeGreaterThan(0);
  expect(result.code).toBe(signal === 'SIGTERM' ? 143 : 130);
  expect(result.stderr).toMatch(/interrupted while waiting for a reader on .*pipe; nothing was written/);
  expect(lstatSync(fifo).isFIFO()).toBe(true);
});

it('a reader that closes the pipe early: exit 141 and one line, not a silent 0', async () => {
  const dir = tempDir();
  const script = `"$NODE" "$BIN" export contacts --format csv | head -c 2000 > head.csv; echo "status=\${PIPESTATUS[0]}" >&2`;
  const result = await new Promise<{ stderr: string }>((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: dir,
      env: cleanEnv({ ...sandbox.env, NODE: process.execPath, BIN: binary }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => resolve({ stderr }));
  });
  expect(result.stderr).toMatch(/status=141/);
  expect(result.stderr).toMatch(/stdout was closed by its reader before the export was complete/);
  // Off a terminal the line starts with its UTC time (docs/cron.md).
  expect(result.stderr.match(/^(?:\S+Z )?error:/gm)).toHaveLength(1);
  expect(existsSync(join(dir, 'head.csv'))).toBe(true);
});
