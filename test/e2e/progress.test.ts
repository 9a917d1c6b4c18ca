/**
 * The progress line (issue 15, item 10): with a known total it shows the time left, and it is
 * drawn on a terminal that reports no size (`stty cols 0`, some CI consoles), where it used to be
 * left out. The built binary on a pseudo-terminal from util-linux `script`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, cleanEnv, projectRoot, recordOutput, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('progress tests skipped: util-linux `script` is not installed');

let sandbox: SandboxProcess;
beforeAll(async () => {
  if (hasScript) sandbox = await startSandboxProcess(['--contacts', '300', '--latency', '150']);
});
afterAll(async () => {
  await sandbox?.stop();
});

/** The export on a terminal of `stty` size `cols`; resolves with the screen and the exit status. */
async function exportOnTerminal(cols: number): Promise<{ screen: string; code: number | null }> {
  const file = join(tempDir(), 'contacts.csv');
  const command = `stty cols ${cols} rows ${cols ? 20 : 0} && exec ${process.execPath} ${binary} export contacts --page-size 20 -o ${file}`;
  const env = cleanEnv(sandbox.env);
  delete env.CI;
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: projectRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
  recordOutput(['script', '-qec', command], screen, '');
  return { screen, code };
}

describe.skipIf(!hasScript)('the progress line', () => {
  it('on a terminal that reports no size: drawn, with the time left once Keap has said how many', async () => {
    const { screen, code } = await exportOnTerminal(0);
    expect(code, screen.slice(-400)).toBe(0);
    expect(screen).toMatch(/contacts: \d+ of 300 · [\d,]+\/s · (\d+s|\d+m \d\ds) left/);
    expect(screen).toMatch(/exported 300 contacts/);
  }, 30_000);

  it('on a terminal with a size: the time left too', async () => {
    const { screen, code } = await exportOnTerminal(120);
    expect(code, screen.slice(-400)).toBe(0);
    expect(screen).toMatch(/contacts: \d+ of 300 · [\d,]+\/s · (\d+s|\d+m \d\ds) left/);
  }, 30_000);
});
