/**
 * The built binary on a pseudo-terminal (util-linux `script`), for what only a terminal shows:
 * prompts in raw mode, where Ctrl-C is a byte readline receives, not a signal the kernel sends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { binary, cleanEnv, projectRoot, recordOutput } from './cli.js';

export const hasScript = spawnSync('script', ['--version']).status === 0;

export interface TerminalRun {
  /** Everything the terminal showed so far. */
  screen(): string;
  /** Types text at the terminal (no newline added): `\x03` is Ctrl-C, `\r` is Enter. */
  type(text: string): void;
  /** Resolves with the first match of `pattern` on the screen, or fails after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit status, or 'hung' when it is still running after `timeoutMs` (it is then killed). */
  exit(timeoutMs: number): Promise<number | null | 'hung'>;
}

const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

export function runOnTerminal(args: string[], env: Record<string, string | undefined>): TerminalRun {
  const command = `stty cols 200 rows 40 && exec ${quote(process.execPath)} ${quote(binary)} ${args.map(quote).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: projectRoot, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      recordOutput(args, screen, '');
      resolve(code);
    }),
  );
  return {
    screen: () => screen,
    type: (text) => child.stdin.write(text),
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(screen);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} on the terminal:\n${screen}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async exit(timeoutMs) {
      const code = await Promise.race([closed, new Promise<'hung'>((r) => setTimeout(() => r('hung'), timeoutMs))]);
      if (code === 'hung') child.kill('SIGKILL');
      return code;
    },
  };
}
