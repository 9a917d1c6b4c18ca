/**
 * The embedded sandbox: a Keap-compatible REST v1 server on 127.0.0.1 with generated data
 * (DESIGN.md section 5). This file wires the parts: OAuth (oauth.ts), rate limits (limits.ts),
 * faults (faults.ts), statistics (stats.ts) and the API routes (routes.ts). Uses node:http only
 * and never imports the client side of the project.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Store } from './store.js';
import { BAD_REQUEST, HttpError, buildRoutes, type ApiResponse, type Route } from './routes.js';
import { FaultInjector, QUOTA_APP, QUOTA_FAULT, SLOW_MS, pointNextAtItself } from './faults.js';
import { Limiter } from './limits.js';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, OAuthServer } from './oauth.js';
import { readBody, reply, sleep, type Outcome, type Reply } from './reply.js';
import { StatsBook } from './stats.js';
import type { SandboxHandle, SandboxOptions } from './types.js';

export { parseFaults, type FaultKind, type FaultRule } from './faults.js';
export { parseLimits } from './limits.js';

export const API_PREFIX = '/crm/rest/v1';

/** The parts one running sandbox is made of. */
interface Parts {
  options: SandboxOptions;
  store: Store;
  routes: Route[];
  oauth: OAuthServer;
  limiter: Limiter;
  faults: FaultInjector;
  book: StatsBook;
  /** `http://127.0.0.1:PORT/crm/rest/v1`, known once listening. */
  apiUrl: string;
}

function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { route, params };
  }
  return undefined;
}

/** One API request: counted, authenticated, rate-limited, maybe faulted, then routed. */
async function handleApi(parts: Parts, req: IncomingMessage, url: URL, text: string): Promise<Outcome> {
  const { book, oauth, limiter, faults, store, options } = parts;
  const method = req.method ?? 'GET';
  const path = url.pathname.slice(API_PREFIX.length) || '/';
  const matched = matchRoute(parts.routes, method, path);
  const statsKey = `${method} ${matched ? matched.route.template : path}`;
  const stats = book.current;
  stats.requests[statsKey] = (stats.requests[statsKey] ?? 0) + 1;

  // As Keap's gateway: credentials first (even for unknown paths), then the rate limits.
  const denied = oauth.authenticate(req.headers);
  if (denied) return reply(denied);
  if (!limiter.take()) {
    stats.throttled++;
    return reply({ status: 429, body: stats.throttled % 2 === 1 ? QUOTA_FAULT : QUOTA_APP });
  }
  if (!matched) return reply({ status: 404, body: { message: `No endpoint ${method} ${path}` } });

  // Faults are decided before the handler runs, so a failed write never changes the store (except
  // drop-after-write, whose point is a write that acted but was never answered).
  const write = method !== 'GET';
  // `gone` only touches reads of one record or of what hangs off it (`/contacts/{id}/tags`).
  const recordId = Object.values(matched.params)[0];
  const writesOnly = (kind: string) => kind === 'drop-after-write' || kind === 'write-5xx';
  const fault = faults.roll((kind) => (kind === 'gone' && (write || recordId === undefined)) || (writesOnly(kind) && !write));
  const replaced = fault ? faults.replace(fault, write, recordId) : undefined;
  if (replaced) return replaced;
  if (fault === 'slow') await sleep(SLOW_MS);
  // A server that answers every offset with the first page (as a static mock does).
  if (fault === 'ignore-offset') url.searchParams.delete('offset');

  let body: unknown;
  if (write && text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return reply({ status: 400, body: { message: BAD_REQUEST } });
    }
  }
  let response: ApiResponse;
  try {
    response = matched.route.handler({
      method,
      params: matched.params,
      query: url.searchParams,
      body,
      path,
      apiUrl: parts.apiUrl,
      headers: req.headers,
    });
  } catch (error) {
    if (error instanceof HttpError) return reply({ status: error.status, body: error.body });
    const message = error instanceof Error ? error.message : String(error);
    return reply({ status: 500, body: { message: `Sandbox error: ${message}` } });
  }
  if (write && response.status < 300 && options.dataFile) store.saveFile(options.dataFile);
  // The write has acted (or been refused); the client never learns which: its outcome is unknown.
  if (fault === 'drop-after-write') return { kind: 'reset' };
  if (fault === 'stuck-next') pointNextAtItself(response.body, url);
  return reply({ status: response.status, body: response.body }, fault === 'truncate');
}

/** Routes a request to its part; resolves to the outcome and the headers every answer of its kind carries. */
async function dispatch(
  parts: Parts,
  req: IncomingMessage,
  url: URL,
  text: string,
): Promise<{ outcome: Outcome; headers: Record<string, string> }> {
  const method = req.method ?? 'GET';
  const { pathname } = url;
  const plain = (value: Reply) => ({ outcome: reply(value), headers: {} });
  if (pathname === '/_sandbox/stats' && method === 'GET') return plain({ status: 200, body: parts.book.current });
  if (pathname === '/_sandbox/reset-stats' && method === 'POST') {
    parts.book.reset();
    return plain({ status: 204 });
  }
  if (pathname === '/app/oauth/authorize' && method === 'GET') return plain(parts.oauth.authorizePage(url.searchParams));
  if (pathname === '/app/oauth/authorize' && method === 'POST') return plain(parts.oauth.authorizeSubmit(new URLSearchParams(text)));
  if (pathname === '/token' && method === 'POST') {
    return { outcome: reply(parts.oauth.token(req.headers, text)), headers: { 'cache-control': 'no-store' } };
  }
  if (pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)) {
    const outcome = await handleApi(parts, req, url, text);
    return { outcome, headers: parts.limiter.headers() };
  }
  return plain({ status: 404, body: { message: `Not found: ${pathname}` } });
}

function send(res: ServerResponse, answer: Reply, extraHeaders: Record<string, string>, truncate: boolean): void {
  let payload = '';
  let contentType = answer.contentType ?? 'application/json;charset=UTF-8';
  if (answer.raw !== undefined) payload = answer.raw;
  else if (answer.body !== undefined) payload = JSON.stringify(answer.body);
  else contentType = '';
  const bytes = Buffer.from(payload, 'utf8');
  const headers: Record<string, string> = { ...extraHeaders, ...(answer.headers ?? {}) };
  if (contentType && bytes.length > 0) headers['content-type'] = contentType;
  if (answer.status !== 204) headers['content-length'] = String(bytes.length);
  res.writeHead(answer.status, headers);
  if (truncate) {
    // Correct status and length, half the body, then the connection dies.
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
    return;
  }
  res.end(answer.status === 204 ? undefined : bytes);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const book = new StatsBook();
  // Options are checked (UsageError) before any data is generated or port taken.
  const faults = new FaultInjector(options.faults, seed, book);
  const limiter = new Limiter({
    ...optional('limits', options.limits),
    ...optional('throttle', options.throttle),
    tenant: `sandbox${seed}.infusionsoft.com`,
    now,
    book,
  });
  const fixedToken = `sandbox-${seed}-token`;
  const oauth = new OAuthServer({
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    tokenLifetime: options.tokenLifetime ?? 86400,
    ...optional('redirectUris', options.redirectUris),
    ...optional('keepEarlierLogins', options.keepEarlierLogins),
    ...optional('refreshTokenLifetime', options.refreshTokenLifetime),
    fixedToken,
    now,
    book,
  });
  const store = new Store(seed, options.counts ?? {});
  if (options.dataFile) store.loadFile(options.dataFile);
  const parts: Parts = { options, store, routes: buildRoutes(store), oauth, limiter, faults, book, apiUrl: '' };
  let origin = '';

  const server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const log = (status: string): void => options.log?.(`${method} ${url.pathname} ${status} ${Date.now() - started}ms`);
    void (async () => {
      const text = await readBody(req);
      const { outcome, headers } = await dispatch(parts, req, url, text);
      if (options.latencyMs && options.latencyMs > 0) await sleep(options.latencyMs);
      if (outcome.kind === 'reset') {
        log('reset');
        req.socket.destroy();
        return;
      }
      send(res, outcome.reply, headers, outcome.truncate ?? false);
      log(String(outcome.reply.status) + (outcome.truncate ? ' truncated' : ''));
    })().catch((error: unknown) => {
      log('error');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `Sandbox error: ${error instanceof Error ? error.message : String(error)}` }));
      } else {
        res.destroy();
      }
    });
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  parts.apiUrl = origin + API_PREFIX;

  let closed: Promise<void> | undefined;
  return {
    origin,
    apiUrl: parts.apiUrl,
    token: fixedToken,
    port,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

/** `{ key: value }` when the value is set, `{}` otherwise (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
