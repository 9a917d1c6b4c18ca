/**
 * The embedded sandbox: a Keap-compatible REST v1 server on 127.0.0.1 with generated data,
 * OAuth authorize/token endpoints, throttling, fault injection and request statistics
 * (DESIGN.md section 5). Uses node:http only and never imports the client side of the project.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { UsageError } from '../errors.js';
import { Random, hash32 } from './random.js';
import { Store } from './store.js';
import { BAD_REQUEST, HttpError, buildRoutes, type ApiResponse, type Route } from './routes.js';
import type { SandboxHandle, SandboxOptions } from './types.js';

export const API_PREFIX = '/crm/rest/v1';

export type FaultKind = '500' | '502' | '503' | '504' | '5xx' | '429' | 'reset' | 'slow' | 'truncate' | 'ignore-offset' | 'stuck-next' | 'gone';
export interface FaultRule {
  kind: FaultKind;
  rate: number;
}

const faultKinds: readonly FaultKind[] = ['500', '502', '503', '504', '5xx', '429', 'reset', 'slow', 'truncate', 'ignore-offset', 'stuck-next', 'gone'];

/** Parses `500:0.05,429:0.02,reset:0.01`. Throws UsageError naming the bad part. */
export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const [kind, rateText, ...rest] = part.split(':');
    if (kind === undefined || rateText === undefined || rest.length > 0) {
      throw new UsageError(`--faults: "${part}" should be KIND:RATE, e.g. 503:0.05`);
    }
    if (!(faultKinds as readonly string[]).includes(kind)) {
      throw new UsageError(`--faults: "${part}" has unknown kind "${kind}"; kinds are ${faultKinds.join(', ')}`);
    }
    const rate = Number(rateText);
    if (rateText.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new UsageError(`--faults: "${part}" rate must be between 0 and 1`);
    }
    rules.push({ kind: kind as FaultKind, rate });
  }
  const total = rules.reduce((sum, rule) => sum + rule.rate, 0);
  if (total > 1 + 1e-9) throw new UsageError(`--faults: "${spec}" rates add up to ${total}, more than 1`);
  return rules;
}

interface Stats {
  requests: Record<string, number>;
  throttled: number;
  faults: Record<string, number>;
  tokensIssued: number;
  refreshes: number;
}

function emptyStats(): Stats {
  return { requests: {}, throttled: 0, faults: {}, tokensIssued: 0, refreshes: 0 };
}

const INVALID_TOKEN = { fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } } };
const EXPIRED_TOKEN = { fault: { faultstring: 'Access Token expired', detail: { errorcode: 'keymanagement.service.access_token_expired' } } };
const QUOTA_FAULT = {
  fault: { faultstring: 'Rate limit quota violation. Quota limit exceeded. Identifier : sandbox', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } },
};
const QUOTA_APP = { code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null };
const DAY_QUOTA = 150000;
const UNLIMITED = 1000000;

interface Reply {
  status: number;
  /** A JSON value, or a string sent as-is with `contentType`. */
  body?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The `stuck-next` fault: a list's `next` link names the offset just asked for, not the following one. */
function pointNextAtItself(body: unknown, url: URL): void {
  if (typeof body !== 'object' || body === null || typeof (body as Record<string, unknown>)['next'] !== 'string') return;
  const list = body as Record<string, unknown>;
  const next = new URL(list['next'] as string);
  next.searchParams.set('offset', url.searchParams.get('offset') ?? '0');
  list['next'] = next.href;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const faultRules = options.faults ? parseFaults(options.faults) : [];
  const tokenLifetime = options.tokenLifetime ?? 86400;
  const store = new Store(seed, options.counts ?? {});
  if (options.dataFile) store.loadFile(options.dataFile);
  const routes = buildRoutes(store);
  const fixedToken = `sandbox-${seed}-token`;
  const tenant = `sandbox${seed}.infusionsoft.com`;

  let stats = emptyStats();
  const faultRandom = new Random(hash32(seed, 0xfa17));
  /** access token -> expiry (epoch ms) */
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Map<string, { clientId: string }>();
  const codes = new Map<string, { clientId: string; redirectUri: string; expires: number }>();

  // Token bucket: capacity N, refilled at N per second.
  const throttle = options.throttle && options.throttle > 0 ? options.throttle : 0;
  let bucket = throttle;
  let bucketAt = Date.now();
  let minuteStart = Date.now();
  let minuteUsed = 0;
  let dayKey = new Date().toISOString().slice(0, 10);
  let dayUsed = 0;

  let origin = '';
  let apiUrl = '';

  const rateHeaders = (): Record<string, string> => {
    const today = new Date().toISOString().slice(0, 10);
    if (today !== dayKey) {
      dayKey = today;
      dayUsed = 0;
    }
    const midnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1);
    const headers: Record<string, string> = {
      'x-keap-product-quota-limit': String(DAY_QUOTA),
      'x-keap-product-quota-time-unit': 'day',
      'x-keap-product-quota-interval': '1',
      'x-keap-product-quota-available': String(Math.max(0, DAY_QUOTA - dayUsed)),
      'x-keap-product-quota-used': String(dayUsed),
      'x-keap-product-quota-expiry-time': String(midnight),
      'x-keap-product-throttle-interval': '1',
      'x-keap-tenant-id': tenant,
    };
    if (throttle) {
      const available = Math.max(0, Math.floor(bucket));
      headers['x-keap-product-throttle-limit'] = String(throttle);
      headers['x-keap-product-throttle-time-unit'] = 'second';
      headers['x-keap-product-throttle-available'] = String(available);
      headers['x-keap-product-throttle-used'] = String(throttle - available);
    } else {
      headers['x-keap-product-throttle-limit'] = String(UNLIMITED);
      headers['x-keap-product-throttle-time-unit'] = 'minute';
      headers['x-keap-product-throttle-available'] = String(Math.max(0, UNLIMITED - minuteUsed));
      headers['x-keap-product-throttle-used'] = String(minuteUsed);
    }
    return headers;
  };

  /** Takes one token; false when the bucket is empty. */
  const takeToken = (): boolean => {
    const now = Date.now();
    if (now - minuteStart >= 60000) {
      minuteStart = now;
      minuteUsed = 0;
    }
    if (throttle) {
      bucket = Math.min(throttle, bucket + ((now - bucketAt) / 1000) * throttle);
      bucketAt = now;
      if (bucket < 1) return false;
      bucket -= 1;
    }
    minuteUsed++;
    dayUsed++;
    return true;
  };

  const rollFault = (): FaultKind | undefined => {
    if (faultRules.length === 0) return undefined;
    const draw = faultRandom.next();
    let cumulative = 0;
    for (const rule of faultRules) {
      cumulative += rule.rate;
      if (draw < cumulative) return rule.kind;
    }
    return undefined;
  };

  const issueTokens = (): Record<string, unknown> => {
    const accessToken = randomBytes(18).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    accessTokens.set(accessToken, Date.now() + tokenLifetime * 1000);
    stats.tokensIssued++;
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: tokenLifetime, token_type: 'bearer', scope: 'full|sandbox.infusionsoft.com' };
  };

  const authenticate = (req: IncomingMessage): Reply | undefined => {
    const header = req.headers['authorization'];
    const apiKey = req.headers['x-keap-api-key'];
    let token: string | undefined;
    if (typeof header === 'string' && /^Bearer\s+/i.test(header)) token = header.replace(/^Bearer\s+/i, '').trim();
    else if (typeof apiKey === 'string') token = apiKey.trim();
    if (token === fixedToken) return undefined;
    const expires = token === undefined ? undefined : accessTokens.get(token);
    if (expires === undefined) return { status: 401, body: INVALID_TOKEN };
    if (expires <= Date.now()) return { status: 401, body: EXPIRED_TOKEN };
    return undefined;
  };

  const matchRoute = (method: string, path: string): { route: Route; params: Record<string, string> } | undefined => {
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
  };

  const persist = (): void => {
    if (options.dataFile) store.saveFile(options.dataFile);
  };

  // ----- OAuth ---------------------------------------------------------------------------------

  const authorizePage = (query: URLSearchParams): Reply => {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!clientId || !redirectUri || query.get('response_type') !== 'code') {
      return { status: 400, raw: '<!doctype html><title>Bad request</title><p>client_id, redirect_uri and response_type=code are required.</p>', contentType: 'text/html; charset=utf-8' };
    }
    const hidden = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? '')}">`)
      .join('\n    ');
    const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize application - Keap sandbox</title></head>
<body>
  <h1>Allow access to the sandbox?</h1>
  <p>The application <strong>${escapeHtml(clientId)}</strong> wants full access to this Keap sandbox account.</p>
  <form method="post" action="/app/oauth/authorize">
    ${hidden}
    <button type="submit" name="allow" value="Allow">Allow</button>
    <button type="submit" name="deny" value="Deny">Deny</button>
  </form>
</body></html>`;
    return { status: 200, raw: html, contentType: 'text/html; charset=utf-8' };
  };

  const authorizeSubmit = (form: URLSearchParams): Reply => {
    const clientId = form.get('client_id') ?? '';
    const redirectUri = form.get('redirect_uri') ?? '';
    if (!clientId || !redirectUri) return { status: 400, raw: '<!doctype html><title>Bad request</title><p>client_id and redirect_uri are required.</p>', contentType: 'text/html; charset=utf-8' };
    const target = new URL(redirectUri);
    const state = form.get('state');
    if (form.has('deny')) {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = randomBytes(12).toString('base64url');
      codes.set(code, { clientId, redirectUri, expires: Date.now() + 10 * 60 * 1000 });
      target.searchParams.set('code', code);
    }
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() }, raw: '' };
  };

  const tokenEndpoint = (req: IncomingMessage, text: string): Reply => {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.includes('application/x-www-form-urlencoded')) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'response_type or grant_type is required' } };
    }
    const form = new URLSearchParams(text);
    let clientId = form.get('client_id') ?? '';
    const basic = String(req.headers['authorization'] ?? '');
    if (/^Basic\s+/i.test(basic)) {
      const decoded = Buffer.from(basic.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
      clientId = decoded.split(':')[0] ?? clientId;
    }
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const saved = codes.get(code);
      codes.delete(code);
      if (!saved || saved.expires < Date.now()) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid authorization code' } };
      const redirectUri = form.get('redirect_uri');
      if (redirectUri !== null && redirectUri !== saved.redirectUri) return { status: 400, body: { error: 'invalid_grant', error_description: 'Redirect URI mismatch' } };
      if (!clientId || !form.get('client_secret')) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
      const tokens = issueTokens();
      refreshTokens.set(String(tokens['refresh_token']), { clientId: clientId || saved.clientId });
      return { status: 200, body: tokens };
    }
    if (grant === 'refresh_token') {
      if (!clientId) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
      const refreshToken = form.get('refresh_token') ?? '';
      if (!refreshTokens.has(refreshToken)) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
      // Rotation: the old refresh token dies with this use.
      refreshTokens.delete(refreshToken);
      const tokens = issueTokens();
      refreshTokens.set(String(tokens['refresh_token']), { clientId });
      stats.refreshes++;
      return { status: 200, body: tokens };
    }
    if (!grant) return { status: 400, body: { error: 'invalid_request', error_description: 'response_type or grant_type is required' } };
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant}` } };
  };

  // ----- the API -------------------------------------------------------------------------------

  type Outcome = { kind: 'reply'; reply: Reply; truncate?: boolean } | { kind: 'reset' };

  const handleApi = async (req: IncomingMessage, url: URL, text: string): Promise<Outcome> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const matched = matchRoute(method, path);
    const statsKey = `${method} ${matched ? matched.route.template : path}`;
    stats.requests[statsKey] = (stats.requests[statsKey] ?? 0) + 1;

    const denied = authenticate(req);
    if (denied) return { kind: 'reply', reply: denied };
    if (!takeToken()) {
      stats.throttled++;
      return { kind: 'reply', reply: { status: 429, body: stats.throttled % 2 === 1 ? QUOTA_FAULT : QUOTA_APP } };
    }
    if (!matched) return { kind: 'reply', reply: { status: 404, body: { message: `No endpoint ${method} ${path}` } } };

    // Faults are decided before the handler runs, so a failed write never changes the store.
    const write = method !== 'GET';
    let fault = rollFault();
    // `gone` only touches reads of one record or of what hangs off it (`/contacts/{id}/tags`).
    const recordId = Object.values(matched.params)[0];
    if (fault === 'gone' && (write || recordId === undefined)) fault = undefined;
    if (fault) stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    switch (fault) {
      case 'reset':
        return { kind: 'reset' };
      case '429':
        return { kind: 'reply', reply: { status: 429, body: faultRandom.next() < 0.5 ? QUOTA_FAULT : QUOTA_APP } };
      case '500':
        return { kind: 'reply', reply: { status: 500, body: { message: 'Internal Server Error' } } };
      case '502':
      case '503':
      case '504':
      case '5xx': {
        const status = fault === '5xx' ? [502, 503, 504][Math.floor(faultRandom.next() * 3)] ?? 503 : Number(fault);
        return { kind: 'reply', reply: gatewayError(status) };
      }
      case 'slow':
        await sleep(1500);
        break;
      case 'gone':
        // As Keap answers for a record deleted a moment before the request.
        return { kind: 'reply', reply: { status: 404, body: { message: `Record with id ${recordId} not found` } } };
      case 'truncate':
        if (write) return { kind: 'reply', reply: { status: 500, body: { message: 'Internal Server Error' } }, truncate: true };
        break;
      case 'ignore-offset':
        // A server that answers every offset with the first page (as a static mock does).
        url.searchParams.delete('offset');
        break;
      default:
        break;
    }

    let body: unknown;
    if (write && text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return { kind: 'reply', reply: { status: 400, body: { message: BAD_REQUEST } } };
      }
    }
    let response: ApiResponse;
    try {
      response = matched.route.handler({ method, params: matched.params, query: url.searchParams, body, path, apiUrl, headers: req.headers });
    } catch (error) {
      if (error instanceof HttpError) return { kind: 'reply', reply: { status: error.status, body: error.body } };
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'reply', reply: { status: 500, body: { message: `Sandbox error: ${message}` } } };
    }
    if (write && response.status < 300) persist();
    if (fault === 'stuck-next') pointNextAtItself(response.body, url);
    return { kind: 'reply', reply: { status: response.status, body: response.body }, truncate: fault === 'truncate' };
  };

  const send = (res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>, truncate: boolean): void => {
    let payload = '';
    let contentType = reply.contentType ?? 'application/json;charset=UTF-8';
    if (reply.raw !== undefined) payload = reply.raw;
    else if (reply.body !== undefined) payload = JSON.stringify(reply.body);
    else contentType = '';
    const bytes = Buffer.from(payload, 'utf8');
    const headers: Record<string, string> = { ...extraHeaders, ...(reply.headers ?? {}) };
    if (contentType && bytes.length > 0) headers['content-type'] = contentType;
    if (reply.status !== 204) headers['content-length'] = String(bytes.length);
    res.writeHead(reply.status, headers);
    if (truncate) {
      // Correct status and length, half the body, then the connection dies.
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
      return;
    }
    res.end(reply.status === 204 ? undefined : bytes);
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const log = (status: string): void => options.log?.(`${method} ${url.pathname} ${status} ${Date.now() - started}ms`);
    void (async () => {
      const text = await readBody(req);
      let outcome: Outcome;
      let headers: Record<string, string> = {};
      if (url.pathname === '/_sandbox/stats' && method === 'GET') {
        outcome = { kind: 'reply', reply: { status: 200, body: stats } };
      } else if (url.pathname === '/_sandbox/reset-stats' && method === 'POST') {
        stats = emptyStats();
        outcome = { kind: 'reply', reply: { status: 204 } };
      } else if (url.pathname === '/app/oauth/authorize' && method === 'GET') {
        outcome = { kind: 'reply', reply: authorizePage(url.searchParams) };
      } else if (url.pathname === '/app/oauth/authorize' && method === 'POST') {
        outcome = { kind: 'reply', reply: authorizeSubmit(new URLSearchParams(text)) };
      } else if (url.pathname === '/token' && method === 'POST') {
        outcome = { kind: 'reply', reply: tokenEndpoint(req, text) };
        headers = { 'cache-control': 'no-store' };
      } else if (url.pathname === API_PREFIX || url.pathname.startsWith(API_PREFIX + '/')) {
        outcome = await handleApi(req, url, text);
        headers = rateHeaders();
      } else {
        outcome = { kind: 'reply', reply: { status: 404, body: { message: `Not found: ${url.pathname}` } } };
      }
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
  apiUrl = origin + API_PREFIX;

  let closed: Promise<void> | undefined;
  return {
    origin,
    apiUrl,
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

function gatewayError(status: number): Reply {
  if (status === 503) {
    // Gateways sometimes answer with HTML: clients must not assume JSON.
    return { status, raw: '<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>', contentType: 'text/html' };
  }
  const text = status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
  const code = status === 502 ? 'messaging.adaptors.http.flow.BadGateway' : 'messaging.adaptors.http.flow.GatewayTimeout';
  return { status, body: { fault: { faultstring: text, detail: { errorcode: code } } } };
}
