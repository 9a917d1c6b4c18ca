/**
 * The one-shot local server that receives the browser's redirect after the user allowed access.
 * It listens on 127.0.0.1 only, answers exactly one good callback, and refuses one whose `state`
 * is not the one this login sent (another page forging a login). It stops after that callback, a
 * timeout, or when the caller aborts (Ctrl-C).
 */
import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AuthError, UsageError } from '../errors.js';

export interface Authorization {
  code: string;
  /** Absent when the user pasted a bare code. */
  state?: string;
}

export interface CallbackServer {
  /** `http://127.0.0.1:PORT/PATH`, exactly as sent to authorize and to the token endpoint. */
  redirectUri: string;
  /** Resolves with the first callback that carries the right state. */
  result: Promise<Authorization>;
  /** Resolves once the server has stopped listening, whatever stopped it (a callback, the timeout, an abort, close). */
  stopped: Promise<void>;
  close(): Promise<void>;
}

export interface CallbackOptions {
  /** 0 picks a free port. */
  port: number;
  /** The path of the redirect URI (`/callback`). */
  path: string;
  /** The host written into the redirect URI (`127.0.0.1` or `localhost`); the server binds 127.0.0.1 either way. */
  host?: string;
  state: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Told about a refused callback (wrong state), for a warning. */
  onRefused?: (reason: string) => void;
}

export function sameState(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

function page(title: string, text: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title} - infusionsoft</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 4em auto">
  <h1>${title}</h1>
  <p>${text}</p>
</body></html>`;
}

export async function startCallbackServer(options: CallbackOptions): Promise<CallbackServer> {
  let settle: { resolve(value: Authorization): void; reject(error: unknown): void } | undefined;
  const result = new Promise<Authorization>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let done = false;
  const finish = (outcome: { value: Authorization } | { error: unknown }) => {
    if (done) return;
    done = true;
    if ('value' in outcome) settle?.resolve(outcome.value);
    else settle?.reject(outcome.error);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, html: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end(html);
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== options.path || done) {
      reply(404, page('Not found', 'This address only receives one Keap login.'));
      return;
    }
    const params = url.searchParams;
    if (!sameState(options.state, params.get('state'))) {
      reply(
        400,
        page(
          'Login refused',
          'This callback does not belong to the login the command line started (its state does not match). Start the login again from the terminal.',
        ),
      );
      options.onRefused?.('a callback arrived with the wrong state and was refused');
      return;
    }
    const error = params.get('error');
    if (error) {
      reply(200, page('Login cancelled', 'Keap did not grant access. You can close this tab.'));
      const description = params.get('error_description');
      finish({
        error: new AuthError(`Keap did not grant access: ${error}${description ? ` (${description})` : ''}`, { problem: 'refused' }),
      });
      return;
    }
    const code = params.get('code');
    if (!code) {
      reply(400, page('Login failed', 'The callback carried no authorization code.'));
      finish({ error: new AuthError('the callback carried no authorization code', { problem: 'refused' }) });
      return;
    }
    reply(200, page('Logged in', 'The command line has your Keap login. You can close this tab and go back to the terminal.'));
    finish({ value: { code, state: params.get('state') ?? '' } });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`cannot receive the login on port ${options.port}: it is in use`, {
              hint: 'pick another with --port, or leave --port out for a free one',
            })
          : error,
      );
    });
    // Loopback only: nothing else on the network can deliver (or snoop) the code.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const stopped = once(server, 'close').then(() => undefined);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const redirectUri = `http://${options.host ?? '127.0.0.1'}:${port}${options.path}`;

  const timer = setTimeout(() => {
    finish({
      error: new AuthError(`no login arrived within ${Math.round(options.timeoutMs / 1000)} s`, {
        problem: 'missing',
        hint: 'run `infusionsoft auth login` again; over SSH or without a browser add --no-browser and paste the address you land on',
      }),
    });
  }, options.timeoutMs);
  const onAbort = () => finish({ error: options.signal?.reason ?? new Error('aborted') });
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const close = async () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  // Whatever ends the wait also stops the server.
  result.then(close, close);
  return { redirectUri, result, stopped, close };
}
