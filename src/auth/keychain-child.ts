/**
 * The helper process that talks to the OS keychain (see keychain.ts): the only code that loads
 * `@napi-rs/keyring`. Its constructor connects to D-Bus synchronously and can block forever on a
 * wedged bus, so it runs here, never in the CLI's own process. The call runs in a worker thread,
 * which keeps this process's main thread free to notice that the CLI went away (stdin closes, even
 * when the CLI was killed with SIGKILL) and to end this process at once with SIGKILL, which a
 * thread blocked in native code cannot delay.
 *
 * Protocol: one JSON request line on stdin (stdin stays open while the CLI waits); on stdout, a
 * `ready` line once the library is loaded, then one JSON line with the outcome.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export type KeychainRequest =
  | { op: 'get' | 'delete'; service: string; account: string }
  | { op: 'set'; service: string; account: string; password: string }
  /** Write, read back and delete a throwaway entry: does the keychain work here? */
  | { op: 'probe'; service: string; account: string; password: string };

/** `ready` first (the library is loaded, the call starts now), then the outcome. */
export type KeychainResponse = { ready: true } | { ok: true; value: string | boolean | null } | { ok: false; error: string };

type KeyringModule = typeof import('@napi-rs/keyring');

async function perform(request: KeychainRequest): Promise<string | boolean | null> {
  const { AsyncEntry } = (await import('@napi-rs/keyring')) as KeyringModule;
  parentPort?.postMessage({ ready: true } satisfies KeychainResponse);
  // Pinned: the library's Linux default falls back to the kernel keyring, which forgets at logout.
  const entry = new AsyncEntry(request.service, request.account, { linux: { store: 'secret-service' } });
  switch (request.op) {
    case 'get':
      return (await entry.getPassword()) ?? null;
    case 'set':
      await entry.setPassword(request.password);
      return null;
    case 'delete':
      return entry.deleteCredential();
    case 'probe': {
      await entry.setPassword(request.password);
      const back = await entry.getPassword();
      await entry.deleteCredential();
      return back === request.password;
    }
  }
}

function runWorker(): void {
  perform(workerData as KeychainRequest).then(
    (value) => parentPort?.postMessage({ ok: true, value } satisfies KeychainResponse),
    (error: unknown) =>
      parentPort?.postMessage({ ok: false, error: (error instanceof Error ? error.message : String(error)) || 'unknown error' }),
  );
}

function runMain(): void {
  let input = '';
  let started = false;
  const die = () => process.kill(process.pid, 'SIGKILL');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    const end = input.indexOf('\n');
    if (started || end < 0) return;
    started = true;
    const worker = new Worker(new URL(import.meta.url), { workerData: JSON.parse(input.slice(0, end)) as KeychainRequest });
    worker.on('message', (response: KeychainResponse) => {
      if ('ready' in response) process.stdout.write(`${JSON.stringify(response)}\n`);
      else process.stdout.write(`${JSON.stringify(response)}\n`, die);
    });
    worker.once('error', (error) => {
      process.stdout.write(`${JSON.stringify({ ok: false, error: error.message } satisfies KeychainResponse)}\n`, die);
    });
  });
  // The CLI is gone (it got its answer, gave up, or was killed): nothing is waiting for this call.
  process.stdin.once('end', die);
  process.stdin.once('error', die);
}

if (isMainThread) runMain();
else runWorker();
