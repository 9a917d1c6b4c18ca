/**
 * Runs the built `infusionsoft` binary like a user would, and the sandbox as its own process.
 * `npm test` builds first; run `npm run build` before running these files on their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { type SandboxStats, type TestSandbox, withoutTimestamps } from '../support/cli.js';
import { cleanEnv } from '../support/env.js';
import { printsSecretOnPurpose, recordOutput, registerSecret } from '../support/record.js';

export { cleanEnv } from '../support/env.js';
export { tempDir } from '../support/files.js';
export { totalRequests } from '../support/stats.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = join(projectRoot, 'bin', 'infusionsoft.js');

if (!existsSync(join(projectRoot, 'dist', 'cli.js'))) {
  throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the end-to-end tests');
}

export { outputLogDir, printsSecretOnPurpose, recordOutput, registerSecret } from '../support/record.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without the UTC timestamp that starts each line off a terminal (see test/support/cli.ts). */
  stderr: string;
  rawStderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  /** Called with the child once started (to signal it mid-run). */
  onStart?: (child: ChildProcess) => void;
  onStderr?: (chunk: string, child: ChildProcess) => void;
}

export function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binary, ...args], {
      cwd: options.cwd ?? projectRoot,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(d, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      recordOutput(args, stdout, stderr, printsSecretOnPurpose(args));
      resolve({ code, signal, stdout, stderr: withoutTimestamps(stderr), rawStderr: stderr });
    });
    child.stdin.end(options.input ?? '');
    options.onStart?.(child);
  });
}

/** A run the test talks to while it runs (a login waiting for its callback or a paste). */
export interface LiveRun {
  child: ChildProcess;
  /** Resolves with the first match of `pattern` in stderr, or fails after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a line to its stdin. */
  type(line: string): void;
  done: Promise<RunResult>;
}

export function startRun(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): LiveRun {
  const child = spawn(process.execPath, [binary, ...args], {
    cwd: options.cwd ?? projectRoot,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      recordOutput(args, stdout, stderr, printsSecretOnPurpose(args));
      resolve({ code, signal, stdout, stderr: withoutTimestamps(stderr), rawStderr: stderr });
    });
  });
  return {
    child,
    done,
    type(line) {
      child.stdin!.write(`${line}\n`);
    },
    async waitForStderr(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(withoutTimestamps(stderr));
        if (match) return match;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no ${pattern} in the output of infusionsoft ${args.join(' ')}:\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** A sandbox run as its own process: the same handle as the in-process one. */
export type SandboxProcess = TestSandbox;
export type { SandboxStats };

/** `infusionsoft sandbox --port 0 ...` as a child process; resolves once it printed its two lines. */
export async function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [binary, 'sandbox', '--port', '0', ...args], {
    cwd: projectRoot,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const values: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const fail = () => reject(new Error(`sandbox exited early:\n${stderr}`));
    child.once('exit', fail);
    lines.on('line', (line) => {
      const [key, ...rest] = line.split('=');
      if (key) values[key] = rest.join('=');
      if (values.INFUSIONSOFT_API_URL && values.INFUSIONSOFT_ACCESS_TOKEN) {
        child.off('exit', fail);
        resolve();
      }
    });
  });
  const apiUrl = values.INFUSIONSOFT_API_URL as string;
  const origin = new URL(apiUrl).origin;
  registerSecret(values.INFUSIONSOFT_ACCESS_TOKEN as string);
  // Its request log on stderr is output too; its stdout's two lines print the token on purpose.
  let log = '';
  child.stderr.on('data', (d: string) => (log += d));
  child.once('exit', () => recordOutput(['sandbox', ...args], '', log));
  return {
    apiUrl,
    origin,
    token: values.INFUSIONSOFT_ACCESS_TOKEN as string,
    env: { INFUSIONSOFT_API_URL: apiUrl, INFUSIONSOFT_ACCESS_TOKEN: values.INFUSIONSOFT_ACCESS_TOKEN as string },
    async stats() {
      const response = await fetch(`${origin}/_sandbox/stats`);
      return (await response.json()) as SandboxStats;
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** A fetch straight to the sandbox, independent of our client: the reference the tests compare with. */
export async function sandboxGet(sandbox: SandboxProcess, path: string): Promise<unknown> {
  const response = await fetch(`${sandbox.apiUrl}${path}`, { headers: { Authorization: `Bearer ${sandbox.token}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function sandboxSend(sandbox: SandboxProcess, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}
