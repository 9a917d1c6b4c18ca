/**
 * `export --all` stopped by SIGTERM (issue 15, item 9), end to end with the built binary: the files
 * already written stay, the one in progress leaves no file, and manifest.json says which were not
 * run; the exit status is the signal's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  // Slow answers, so the signal lands while a resource is being read.
  sandbox = await startSandboxProcess(['--contacts', '20', '--latency', '40']);
});
afterAll(async () => {
  await sandbox?.stop();
});

it('SIGTERM mid-run: written files kept, the rest not run, the manifest says so, exit 143', async () => {
  const dir = tempDir();
  let killed = false;
  const result = await run(['export', '--all', '-o', dir], {
    env: sandbox.env,
    onStderr: (chunk, child) => {
      // After the second resource is written, stop the third.
      if (!killed && /exported \d+ affiliates to/.test(chunk)) {
        killed = true;
        child.kill('SIGTERM');
      }
    },
  });
  expect(killed, result.stderr).toBe(true);
  expect(result.code, result.stderr).toBe(143);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    resources: Array<{ resource: string; file: string; status: string; sha256?: string }>;
  };
  const written = manifest.resources.filter((e) => e.status === 'written');
  expect(written.map((e) => e.resource)).toEqual(['account-profile', 'affiliates']);
  for (const entry of written) {
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, entry.file)))
        .digest('hex'),
    ).toBe(entry.sha256);
  }
  const rest = manifest.resources.filter((e) => e.status !== 'written');
  expect(rest.length).toBeGreaterThan(20);
  expect(new Set(rest.map((e) => e.status))).toEqual(new Set(['not-run']));
  for (const entry of rest) expect(existsSync(join(dir, entry.file))).toBe(false);
  // No temporary file of the interrupted export is left behind.
  expect(readdirSync(dir).sort()).toEqual(['account-profile.ndjson', 'affiliates.ndjson', 'manifest.json']);
});
