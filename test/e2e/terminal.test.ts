/**
 * The export on a real terminal (a pseudo-terminal from util-linux `script`): the progress line is
 * drawn, and Ctrl-C typed at the terminal stops the export and leaves no file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, cleanEnv, projectRoot, recordOutput, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('terminal tests skipped: util-linux `script` is not installed');

let sandbox: SandboxProcess;
beforeAll(async () => {
  if (hasScript) sandbox = await startSandboxProcess(['--contacts', '2000', '--throttle', '20']);
});
afterAll(async () => {
  await sandbox?.stop();
});

describe.skipIf(!hasScript)('on a terminal', () => {
  it('draws progress, and Ctrl-C stops the export leaving no file', async () => {
    const dir = tempDir();
    const file = join(dir, 'contacts.csv');
    // A pseudo-terminal made from a pipe has no size: give it one, or no progress is drawn. Tags read
    // per record keep the export going long enough to be interrupted.
    const command = `stty cols 120 rows 20 && exec ${process.execPath} ${binary} export contacts --include tags --gather per-record -o ${file}`;
    // ora draws a static line when CI is set at all (CI sets it); a person's terminal has no CI.
    const env = cleanEnv(sandbox.env);
    delete env.CI;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: projectRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait for the progress line to show records, then type Ctrl-C.
    const deadline = Date.now() + 20_000;
    while (!/contacts: \d+ of 2,000/.test(screen) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(screen).toMatch(/contacts: \d+ of 2,000/);
    child.stdin.write('\x03');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    recordOutput(['script', '-qec', command], screen, '');
    expect(code, screen.slice(-400)).toBe(130);
    expect(screen, JSON.stringify(screen.slice(-300))).toMatch(/interrupted/);
    expect(existsSync(file)).toBe(false);
    // Pages written before Ctrl-C, if any, are kept hidden for --resume, and named on the screen.
    expect(readdirSync(dir).filter((name) => !name.startsWith('.'))).toEqual([]);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.tmp'))) expect(screen.replace(/\s+/g, '')).toContain(name);
  }, 40_000);
});
