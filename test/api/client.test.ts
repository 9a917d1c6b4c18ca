import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type ClientOptions } from '../../src/api/client.js';
import { OutcomeUnknownError } from '../../src/api/errors.js';
import type { Credential, KeapApi } from '../../src/api/types.js';
import { ApiError, AuthError, NetworkError, UsageError } from '../../src/errors.js';
import type { Reporter } from '../../src/reporter.js';
import { json, reset, startServer, text, truncated, type TestServer } from './server.js';

const bearer: Credential = { kind: 'bearer', token: 'tok-123', source: 'INFUSIONSOFT_ACCESS_TOKEN' };
const apiKey: Credential = { kind: 'api-key', key: 'KeapAK-xyz', source: 'INFUSIONSOFT_API_KEY' };

let server: TestServer;
const clients: KeapApi[] = [];
function client(options: Partial<ClientOptions> = {}): KeapApi {
  // Zero jitter and tiny steps keep retry tests fast without changing what is retried.
  const api = createClient({ baseUrl: server.base, credential: bearer, random: () => 0, retryBaseMs: 1, ...options });
  clients.push(api);
  return api;
}

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

describe('authentication', () => {
  it('sends an OAuth token as Authorization: Bearer', async () => {
    await client().request('GET', '/account/profile');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer tok-123');
    expect(server.requests[0]?.headers['x-keap-api-key']).toBeUndefined();
  });

  it('sends a PAT or SAK as X-Keap-API-Key', async () => {
    await client({ credential: apiKey }).request('GET', '/account/profile');
    expect(server.requests[0]?.headers['x-keap-api-key']).toBe('KeapAK-xyz');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses to send anything without a credential (exit 4, with a hint)', async () => {
    const api = createClient({ baseUrl: server.base });
    clients.push(api);
    const error = await api.request('GET', '/contacts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).hint).toBe('set INFUSIONSOFT_API_KEY or INFUSIONSOFT_ACCESS_TOKEN, or use --sandbox');
    expect(server.requests).toHaveLength(0);
  });

  it("turns a 401 into an AuthError carrying Keap's message and code", async () => {
    server.handle((_req, res) =>
      json(res, 401, { fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } } }),
    );
    const error = await client().request('GET', '/contacts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as Error).message).toContain('Invalid Access Token (keymanagement.service.invalid_access_token)');
    expect((error as Error).message).not.toContain('tok-123');
    expect((error as AuthError).hint).toMatch(/INFUSIONSOFT_ACCESS_TOKEN/);
    expect(server.requests).toHaveLength(1);
  });

  it('turns a 403 into an AuthError too', async () => {
    server.handle((_req, res) => json(res, 403, { message: 'User does not have permission' }));
    const error = await client().request('GET', '/users').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('403 User does not have permission');
  });
});

describe('requests', () => {
  it('puts the path under the base, joins arrays with commas and drops empty values', async () => {
    await client().request('GET', '/contacts', {
      query: { optional_properties: ['custom_fields', 'job_title'], email: 'a b@x.com', since: undefined, until: null, limit: 5 },
    });
    const seen = server.requests[0]!;
    expect(seen.path).toBe('/crm/rest/v1/contacts');
    expect(seen.url).toBe('/crm/rest/v1/contacts?optional_properties=custom_fields,job_title&email=a%20b%40x.com&limit=5');
  });

  it('sends JSON bodies and returns the parsed JSON answer', async () => {
    server.handle((req, res) => json(res, 201, { id: 7, echo: JSON.parse(req.body) as unknown }));
    const response = await client().request('POST', '/contacts', { body: { given_name: 'Ada' } });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 7, echo: { given_name: 'Ada' } });
  });

  it('accepts an absolute URL under the base', async () => {
    await client().request('GET', `${server.base}/tags?limit=1`);
    expect(server.requests[0]?.url).toBe('/crm/rest/v1/tags?limit=1');
  });

  it('never sends credentials to another host or outside the base path', async () => {
    const other = await startServer();
    try {
      const api = client();
      await expect(api.request('GET', `${other.base}/contacts`)).rejects.toThrow(UsageError);
      await expect(api.request('GET', `${server.origin}/elsewhere/contacts`)).rejects.toThrow(/refusing to send credentials/);
      expect(other.requests).toHaveLength(0);
      expect(server.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('writes one verbose line per request, without the token', async () => {
    const lines: string[] = [];
    const reporter: Reporter = {
      verbose: true,
      quiet: false,
      info() {},
      warn() {},
      debug: (message) => lines.push(message),
      progress: () => ({ update() {}, stop() {} }),
    };
    await client({ reporter }).request('GET', '/contacts', { query: { limit: 1000, offset: 0, access_token: 'tok-123' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/contacts\?limit=1000&offset=0 -> 200 \(\d+ ms\)$/);
  });
});

describe('errors', () => {
  it('reports status, Keap message, method and a URL without secrets', async () => {
    server.handle((_req, res) => json(res, 404, { message: 'Contact 99 not found' }));
    const error = await client()
      .request('GET', '/contacts/99', { query: { access_token: 'tok-123', api_key: 'k' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(404);
    expect(apiError.keapMessage).toBe('Contact 99 not found');
    expect(apiError.method).toBe('GET');
    expect(apiError.url).toBe(`${server.base}/contacts/99`);
    expect(apiError.message).not.toContain('tok-123');
  });

  it("reads an HTML error page's title", async () => {
    server.handle((_req, res) => text(res, 502, 'text/html', '<html><head><title>502 Bad Gateway</title></head></html>'));
    const error = await client().request('POST', '/orders', { body: {} }).catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(502);
    expect((error as ApiError).keapMessage).toBe('Bad Gateway');
    expect((error as ApiError).message).toMatch(/failed: 502 Bad Gateway$/);
  });

  it('falls back to the status text when the error body is not valid JSON', async () => {
    server.handle((_req, res) => text(res, 400, 'application/json', '{"message": '));
    const error = await client().request('GET', '/contacts').catch((e: unknown) => e);
    expect((error as ApiError).keapMessage).toBe('Bad Request');
  });

  it('reports a failed TLS handshake as unreachable, even for a POST (nothing was sent)', async () => {
    const api = createClient({ baseUrl: server.base.replace('http:', 'https:'), credential: bearer, maxRetries: 0 });
    clients.push(api);
    const error = await api.request('POST', '/contacts', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/^could not reach https:\/\/127\.0\.0\.1:\d+\/crm\/rest\/v1: /);
  });

  it('times out a silent server: a GET is repeated, a POST reports an unknown outcome', async () => {
    server.handle(() => {
      // Never answer.
    });
    const api = client({ timeoutMs: 150, maxRetries: 1 });
    const get = await api.request('GET', '/contacts').catch((e: unknown) => e);
    expect(get).toBeInstanceOf(NetworkError);
    expect((get as Error).message).toMatch(/UND_ERR_HEADERS_TIMEOUT \(after 2 attempts\)/);
    expect(server.requests).toHaveLength(2);
    const post = await api.request('POST', '/contacts', { body: {} }).catch((e: unknown) => e);
    expect(post).toBeInstanceOf(OutcomeUnknownError);
    expect(server.requests).toHaveLength(3);
  });

  it('reports an unreachable API as a NetworkError naming the URL, with a hint', async () => {
    const closed = await startServer();
    const base = closed.base;
    await closed.close();
    const api = createClient({ baseUrl: base, credential: bearer, maxRetries: 2, retryBaseMs: 1, random: () => 0 });
    clients.push(api);
    const error = await api.request('GET', '/contacts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe(`could not reach ${base}: ECONNREFUSED`);
    expect((error as NetworkError).hint).toBe('check --api-url or INFUSIONSOFT_API_URL');
    expect(api.stats().retries).toBe(2);
  });
});

describe('retries', () => {
  /** Fails the first `failures` requests with `fail`, then answers 200. */
  function failFirst(failures: number, fail: Parameters<TestServer['handle']>[0]) {
    server.handle((req, res, index) => (index < failures ? fail(req, res, index) : json(res, 200, { ok: true })));
  }

  it.each([
    ['429', (_req: unknown, res: Parameters<typeof json>[0]) => json(res, 429, { code: '429', message: 'Quota Exceeded' })],
    ['503', (_req: unknown, res: Parameters<typeof json>[0]) => json(res, 503, { message: 'busy' })],
    ['a reset connection', (_req: unknown, res: Parameters<typeof json>[0]) => reset(res)],
    ['a cut-off body', (_req: unknown, res: Parameters<typeof json>[0]) => truncated(res)],
    ['invalid JSON on a 200', (_req: unknown, res: Parameters<typeof json>[0]) => text(res, 200, 'application/json', '{"ok": tr')],
  ])('repeats a GET after %s', async (_name, fail) => {
    failFirst(2, fail);
    const api = client();
    const response = await api.request('GET', '/contacts');
    expect(response.body).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
    expect(api.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('does not repeat a POST after a 503', async () => {
    failFirst(1, (_req, res) => json(res, 503, { message: 'busy' }));
    const error = await client().request('POST', '/contacts', { body: { given_name: 'Ada' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it('does not repeat a POST whose connection dropped: the outcome is unknown', async () => {
    failFirst(1, (_req, res) => reset(res));
    const error = await client().request('POST', '/contacts', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/outcome is unknown/);
    expect(server.requests).toHaveLength(1);
  });

  it('does not repeat a POST whose answer was cut off', async () => {
    failFirst(1, (_req, res) => truncated(res));
    const error = await client().request('POST', '/contacts', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a POST refused with 429, which Keap did not process', async () => {
    failFirst(1, (_req, res) => json(res, 429, { code: '429', message: 'Quota Exceeded' }));
    const api = client();
    const response = await api.request('POST', '/contacts', { body: {} });
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(api.stats().throttled).toBe(1);
  });

  it.each(['PUT', 'DELETE'])('does not repeat a %s after a 503 (an upsert could create twice)', async (method) => {
    failFirst(1, (_req, res) => json(res, 503, { message: 'busy' }));
    const error = await client().request(method, '/contacts', { body: {} }).catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps retrying 429s without throttle headers past maxRetries, within its patience', async () => {
    failFirst(9, (_req, res) => json(res, 429, { code: '429', message: 'Quota Exceeded' }));
    const api = client({ maxRetries: 2 });
    const response = await api.request('GET', '/contacts');
    expect(response.body).toEqual({ ok: true });
    expect(server.requests).toHaveLength(10);
    expect(api.stats().throttled).toBe(9);
  });

  it('gives up on 429s when its patience runs out, saying why', async () => {
    server.handle((_req, res) => json(res, 429, { code: '429', message: 'Quota Exceeded' }));
    const error = await client({ throttlePatienceMs: 50 }).request('GET', '/contacts').catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).hint).toMatch(/kept answering 429/);
  });

  it('honours retry: false on a GET', async () => {
    failFirst(1, (_req, res) => json(res, 503, {}));
    await expect(client().request('GET', '/contacts', { retry: false })).rejects.toThrow(ApiError);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after maxRetries with the last error', async () => {
    server.handle((_req, res) => json(res, 500, { message: 'still broken' }));
    const error = await client({ maxRetries: 3 }).request('GET', '/contacts').catch((e: unknown) => e);
    expect((error as ApiError).keapMessage).toBe('still broken');
    expect(server.requests).toHaveLength(4);
  });

  it('stops at once when the daily quota is used up, saying when it resets', async () => {
    server.handle((_req, res) =>
      json(res, 429, { code: '429', message: 'Quota Exceeded' }, {
        'x-keap-product-quota-limit': '30000',
        'x-keap-product-quota-time-unit': 'day',
        'x-keap-product-quota-interval': '1',
        'x-keap-product-quota-available': '0',
        'x-keap-product-quota-expiry-time': String(Date.UTC(2030, 0, 2)),
      }),
    );
    const error = await client().request('GET', '/contacts').catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).hint).toContain('2030-01-02T00:00:00.000Z');
    expect(server.requests).toHaveLength(1);
  });
});
