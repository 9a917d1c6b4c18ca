/**
 * Every call to the OS keychain, bounded in time and never on the CLI's own thread (issue 14).
 *
 * `@napi-rs/keyring` connects to D-Bus synchronously in its constructor: on a wedged bus or keyring
 * that blocks the thread that calls it, forever, and no timer or signal handler runs there. A
 * worker thread would not do either: Node waits at exit for a worker blocked in native code. So
 * each call runs in a helper process (keychain-child.ts) that this module can always abandon:
 * killed after the guard (3 s from when the library is loaded and the call starts;
 * INFUSIONSOFT_KEYCHAIN_TIMEOUT seconds), when the caller's
 * AbortSignal fires (SIGINT, SIGTERM), and when the CLI exits. The helper ends itself when the
 * CLI goes away, even killed with SIGKILL. The cost is one short-lived Node process per call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KeychainRequest, KeychainResponse } from './keychain-child.js';

export type { KeychainRequest } from './keychain-child.js';

const DEFAULT_TIMEOUT_MS = 3_000;
/**
 * Starting Node and loading the library cannot wait on the keychain, but takes seconds on a busy
 * machine; the guard starts once the helper is ready, and this bounds the start itself.
 */
const STARTUP_TIMEOUT_MS = 20_000;
const HELPER = fileURLToPath(new URL('./keychain-child.js', import.meta.url));

/** The keychain guard: INFUSIONSOFT_KEYCHAIN_TIMEOUT seconds (a keyring that asks for a password), else 3 s. */
export function keychainTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.INFUSIONSOFT_KEYCHAIN_TIMEOUT?.trim());
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_MS;
}

/** Helpers still running, killed if the CLI exits first so none is left behind. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const each of running) each.kill('SIGKILL');
  });
}

/** The helper's environment: what the keychain needs (D-Bus, HOME...), none of our own secrets. */
function helperEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INFUSIONSOFT_')));
}

/** Which helper runs the call: keychain-child.js, unless a test names a double. */
export interface KeychainHelper {
  helperScript?: string;
}

/** Thrown when the caller's signal ended the wait; the caller's own interruption handling takes over. */
export class KeychainAbortedError extends Error {}

/**
 * Runs one keychain call in the helper. Resolves its value; rejects with the library's message, or
 * "did not answer within N s", or a KeychainAbortedError when `signal` fires first.
 */
export function callKeychain(
  request: KeychainRequest,
  options: { env: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } & KeychainHelper,
): Promise<string | boolean | null> {
  const { env, signal, helperScript = HELPER } = options;
  if (signal?.aborted) return Promise.reject(new KeychainAbortedError('the keychain call was interrupted'));
  const timeoutMs = keychainTimeoutMs(env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [helperScript], { env: helperEnv(env), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    killOnExit(child);
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.kill('SIGKILL');
      outcome();
    };
    const onAbort = () => settle(() => reject(new KeychainAbortedError('the keychain call was interrupted')));
    let timer = setTimeout(
      () => settle(() => reject(new Error(`the keychain helper did not start within ${STARTUP_TIMEOUT_MS / 1000} s`))),
      STARTUP_TIMEOUT_MS,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (let end = stdout.indexOf('\n'); end >= 0; end = stdout.indexOf('\n')) {
        const response = parseResponse(stdout.slice(0, end));
        stdout = stdout.slice(end + 1);
        if ('ready' in response) {
          clearTimeout(timer);
          timer = setTimeout(
            () => settle(() => reject(new Error(`the keychain did not answer within ${timeoutMs / 1000} s (${request.op})`))),
            timeoutMs,
          );
        } else settle(() => (response.ok ? resolve(response.value) : reject(new Error(response.error))));
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2_000);
    });
    child.once('error', (error) => settle(() => reject(new Error(`cannot start the keychain helper: ${error.message}`))));
    // 'close', not 'exit': the answer may still be in the pipe when the helper has exited.
    child.once('close', (code, killedBy) =>
      settle(() => reject(new Error(`the keychain helper ended (${killedBy ?? code}) without an answer: ${lastLine(stderr)}`))),
    );
    // Errors writing (the helper died at once) surface through 'close'.
    child.stdin!.on('error', () => undefined);
    // The request, secret included, goes through the pipe: never argv or the environment, which
    // other users' `ps` can see. Stdin stays open: the helper ends itself when it closes.
    child.stdin!.write(`${JSON.stringify(request)}\n`);
  });
}

function parseResponse(line: string): KeychainResponse {
  try {
    return JSON.parse(line) as KeychainResponse;
  } catch {
    return { ok: false, error: `the keychain helper answered something unexpected: ${line.slice(0, 200)}` };
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((line) => line.trim())
      .pop() ?? 'no message'
  );
}
