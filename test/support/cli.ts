/**
 * Runs the CLI in-process, like a user would but without spawning the binary: `main(argv, io)` with
 * string-capturing stdout and stderr, a stdin of our choosing and a clean environment. Nothing here
 * needs `dist/`. Use the spawned binary (test/e2e/cli.ts) only for what needs a process: signals,
 * terminals, the real exit status, descriptors such as `/dev/stdout`, shell pipelines.
 */
import { Readable, Writable } from 'node:stream';
import { systemSecretStores, type SecretStores } from '../../src/auth/secrets.js';
import { main } from '../../src/cli.js';
import { terminalPrompter } from '../../src/commands/prompt.js';
import type { BrowserOpener, IO, Prompter } from '../../src/io.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import { cleanEnv } from './env.js';
import { printsSecretOnPurpose, recordOutput, registerSecret } from './record.js';

export { cleanEnv } from './env.js';
export { totalRequests } from './stats.js';

export interface CliResult {
  code: number;
  stdout: string;
  /** What was written to stderr, each line without the UTC timestamp a non-terminal stderr gets. */
  stderr: string;
  /** stderr exactly as written, timestamps included. */
  rawStderr: string;
}

/**
 * The timestamp that starts each reporter line on a stderr that is not a terminal (log-lines.ts).
 * Most tests read the messages; test/cli-log-lines.test.ts holds the stamps themselves.
 */
const LINE_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /gm;

export function withoutTimestamps(text: string): string {
  return text.replace(LINE_STAMP, '');
}

export interface CliOptions {
  /** Added to a clean environment (see cleanEnv). */
  env?: Record<string, string | undefined>;
  /** What the command reads on stdin (empty by default); a stream to write to it mid-run. */
  stdin?: string | Readable;
  /** The prompter (default: the production one over `stdin`, which is a pipe, not a terminal). */
  prompter?: () => Prompter;
  /** The browser opener (default: one that refuses, so no test opens a real browser). */
  openBrowser?: BrowserOpener;
  /** The secret stores (default: the system's for `env`; give an in-memory or wedged keychain). */
  secrets?: SecretStores;
  /** The wall clock the run sees (Date.now by default). */
  now?: () => number;
  /** Called with each chunk written to stderr, as it is written (to act mid-run). */
  onStderr?: (chunk: string) => void;
}

/** A Writable that keeps what is written to it as text; not a terminal. */
export class CapturedStream extends Writable {
  text = '';
  readonly isTTY = false;
  constructor(private readonly onChunk?: (chunk: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.text += text;
    this.onChunk?.(text);
    done();
  }
}

/** An IO of captured streams, for tests that call `main` or a command's parts themselves. */
export function testIO(options: CliOptions = {}): IO & { stdout: CapturedStream; stderr: CapturedStream } {
  const stdin = typeof options.stdin === 'object' ? options.stdin : Readable.from([options.stdin ?? '']);
  const stderr = new CapturedStream(options.onStderr);
  const env = cleanEnv(options.env);
  return {
    stdout: new CapturedStream(),
    stderr,
    stdin,
    env,
    now: options.now ?? Date.now,
    prompter: options.prompter ?? (() => terminalPrompter(stdin, stderr)),
    openBrowser: options.openBrowser ?? (async () => Promise.reject(new Error('no browser in an in-process test'))),
    secrets: options.secrets ?? systemSecretStores(env),
  };
}

/** `infusionsoft ARGS...` in-process; resolves with its exit code and what it printed. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const io = testIO(options);
  const exitCodeBefore = process.exitCode;
  try {
    const code = await main(['node', 'infusionsoft', ...args], io);
    recordOutput(args, io.stdout.text, io.stderr.text, printsSecretOnPurpose(args));
    return { code, stdout: io.stdout.text, stderr: withoutTimestamps(io.stderr.text), rawStderr: io.stderr.text };
  } finally {
    // A real run may set the process's exit status on a late write error; a test run must not.
    process.exitCode = exitCodeBefore;
  }
}

export interface TestSandbox {
  apiUrl: string;
  origin: string;
  token: string;
  /** INFUSIONSOFT_API_URL and INFUSIONSOFT_ACCESS_TOKEN, for runCli's `env`. */
  env: Record<string, string>;
  stats(): Promise<SandboxStats>;
  stop(): Promise<void>;
}

export interface SandboxStats {
  requests: Record<string, number>;
  throttled: number;
  faults: Record<string, number>;
  tokensIssued: number;
  refreshes: number;
  windows: Record<string, { limit: number; unit: string; refused: number; peak: number }>;
}

/** The sandbox API in this process, on a free loopback port (real HTTP, as the CLI sees Keap). */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ port: 0, ...options });
  registerSecret(sandbox.token);
  return {
    apiUrl: sandbox.apiUrl,
    origin: sandbox.origin,
    token: sandbox.token,
    env: { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token },
    async stats() {
      const response = await fetch(`${sandbox.origin}/_sandbox/stats`);
      return (await response.json()) as SandboxStats;
    },
    stop: () => sandbox.close(),
  };
}

/** A fetch straight to the sandbox, independent of our client: the reference the tests compare with. */
export async function sandboxGet(sandbox: { apiUrl: string; token: string }, path: string): Promise<unknown> {
  const response = await fetch(`${sandbox.apiUrl}${path}`, { headers: { Authorization: `Bearer ${sandbox.token}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A write straight to the sandbox (PATCH, POST...), to change data between runs. */
export async function sandboxSend(
  sandbox: { apiUrl: string; token: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${sandbox.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}
