import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type ClientOptions } from '../../src/api/client.js';
import { apiKeySource, bearerTokenSource } from '../../src/api/credentials.js';
import { OutcomeUnknownError } from '../../src/api/errors.js';
import type { CredentialSource, KeapApi } from '../../src/api/types.js';
import { ApiError, AuthError, NetworkError, UsageError } from '../../src/errors.js';
import type { Reporter } from '../../src/reporter.js';
import { json, reset, startServer, text, truncated, type TestServer } from './server.js';

const bearer = bearerTokenSource('tok-123', 'INFUSIONSOFT_ACCESS_TOKEN');
const apiKey = apiKeySource('KeapAK-xyz', 'INFUSIONSOFT_API_KEY');

let server: TestServer;
const clients: KeapApi[] = [];
function client(options: Partial<ClientOptions> = {}): KeapApi {
  // Zero jitter and tiny steps keep retry tests fast without changing what is retried.
  const api = createClient({ baseUrl: server.base, credentials: bearer, random: () => 0, retryBaseMs: 1, ...options });
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
    await client({ credentials: apiKey }).request('GET', '/account/profile');
    expect(server.requests[0]?.headers['x-keap-api-key']).toBe('KeapAK-xyz');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses to send anything without a credential (exit 4, saying it is missing)', async () => {
    const api = createClient({ baseUrl: server.base });
    clients.push(api);
    const error = await api.request('GET', '/contacts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).message).toBe('not logged in to Keap');
    expect((error as AuthError).problem).toBe('missing');
    expect(server.requests).toHaveLength(0);
  });

  it("turns a 401 into an AuthError carrying Keap's message and code", async () => {
    server.handle((_req, res) =>
      json(res, 401, {
        fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } },
      }),
    );
    const error = await client()
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as Error).message).toContain('Invalid Access Token (keymanagement.service.invalid_access_token)');
    expect((error as Error).message).toContain('Keap refused the credential from INFUSIONSOFT_ACCESS_TOKEN: 401');
    expect((error as Error).message).not.toContain('tok-123');
    expect((error as AuthError).problem).toBe('refused');
    expect((error as AuthError).credential).toEqual({ source: 'INFUSIONSOFT_ACCESS_TOKEN', scheme: 'bearer' });
    expect(server.requests).toHaveLength(1);
  });

  it('turns a 403 into an AuthError too', async () => {
    server.handle((_req, res) => json(res, 403, { message: 'User does not have permission' }));
    const error = await client()
      .request('GET', '/users')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('403 User does not have permission');
    expect((error as AuthError).problem).toBe('forbidden');
  });
});

/**
 * A source that hands out its tokens in turn: each 401 moves it to the next token, as a refresh
 * would, and it says it cannot renew once the list is used up.
 */
function scriptedSource(tokens: string[]) {
  let current = 0;
  const calls = { header: 0, onUnauthorized: 0 };
  const source: CredentialSource = {
    scheme: 'bearer',
    describe: () => 'profile test',
    async header() {
      calls.header++;
      return { authorization: `Bearer ${tokens[current]}` };
    },
    async onUnauthorized() {
      calls.onUnauthorized++;
      if (current + 1 >= tokens.length) return false;
      current++;
      return true;
    },
  };
  return { source, calls };
}

/** Answers 200 to the one good token and Apigee's 401 to any other. */
function acceptOnly(token: string) {
  return (req: { headers: { authorization?: string } }, res: Parameters<typeof json>[0]) =>
    req.headers.authorization === `Bearer ${token}`
      ? json(res, 200, { ok: true })
      : json(res, 401, {
          fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } },
        });
}

const authorizations = () => server.requests.map((r) => r.headers.authorization);

describe('credential source', () => {
  it('is asked for the header on every attempt, so a retry carries the newest credential', async () => {
    let issued = 0;
    const source: CredentialSource = {
      scheme: 'bearer',
      describe: () => 'profile test',
      header: async () => ({ authorization: `Bearer t${++issued}` }),
      onUnauthorized: async () => false,
    };
    server.handle((_req, res, index) => (index === 0 ? json(res, 503, { message: 'busy' }) : json(res, 200, {})));
    await client({ credentials: source }).request('GET', '/contacts');
    expect(authorizations()).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('after a 401, tells the source once and repeats the request with the renewed credential', async () => {
    const { source, calls } = scriptedSource(['stale', 'fresh']);
    server.handle(acceptOnly('fresh'));
    const response = await client({ credentials: source }).request('GET', '/contacts');
    expect(response.body).toEqual({ ok: true });
    expect(authorizations()).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(calls.onUnauthorized).toBe(1);
  });

  it('repeats a POST after a 401 too: Keap refused it without acting on it', async () => {
    const { source } = scriptedSource(['stale', 'fresh']);
    server.handle(acceptOnly('fresh'));
    await client({ credentials: source }).request('POST', '/contacts', { body: { given_name: 'Ann' } });
    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', '{"given_name":"Ann"}'],
      ['POST', '{"given_name":"Ann"}'],
    ]);
  });

  it('takes a second 401 as final: the source is told once per request, whatever it says', async () => {
    const { source, calls } = scriptedSource(['a', 'b', 'c']);
    server.handle(acceptOnly('never'));
    const error = await client({ credentials: source })
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      'Keap refused the credential from profile test: 401 Invalid Access Token (keymanagement.service.invalid_access_token)',
    );
    expect((error as AuthError).credential).toEqual({ source: 'profile test', scheme: 'bearer' });
    expect(authorizations()).toEqual(['Bearer a', 'Bearer b']);
    expect(calls.onUnauthorized).toBe(1);
  });

  it('fails at the first 401 when the source cannot renew', async () => {
    const { source, calls } = scriptedSource(['only']);
    server.handle(acceptOnly('never'));
    const error = await client({ credentials: source })
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(server.requests).toHaveLength(1);
    expect(calls.onUnauthorized).toBe(1);
  });

  it('gives every request its own renewal', async () => {
    const { source, calls } = scriptedSource(['one', 'two', 'three']);
    // Each token works for one request only, as if it expired right after.
    const used = new Set<string>();
    server.handle((req, res) => {
      const auth = String(req.headers.authorization);
      if (used.has(auth)) return json(res, 401, { message: 'expired' });
      used.add(auth);
      return json(res, 200, {});
    });
    const api = client({ credentials: source });
    await api.request('GET', '/contacts');
    await api.request('GET', '/contacts');
    await api.request('GET', '/contacts');
    expect(authorizations()).toEqual(['Bearer one', 'Bearer one', 'Bearer two', 'Bearer two', 'Bearer three']);
    expect(calls.onUnauthorized).toBe(2);
  });

  it('does not count the renewal against the retries for 5xx', async () => {
    const { source } = scriptedSource(['stale', 'fresh']);
    server.handle((req, res, index) => {
      if (req.headers.authorization !== 'Bearer fresh') return json(res, 401, { message: 'expired' });
      return index === 1 ? json(res, 503, { message: 'busy' }) : json(res, 200, {});
    });
    const response = await client({ credentials: source, maxRetries: 1 }).request('GET', '/contacts');
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(3);
  });

  it('does not ask the source to renew after a 403: the credential works, it may not do this', async () => {
    const { source, calls } = scriptedSource(['a', 'b']);
    server.handle((_req, res) => json(res, 403, { message: 'User does not have permission' }));
    const error = await client({ credentials: source })
      .request('GET', '/users')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(calls.onUnauthorized).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it("passes on the source's own failure (e.g. a refresh refused) and sends nothing", async () => {
    const source: CredentialSource = {
      scheme: 'bearer',
      describe: () => 'profile test',
      header: async () => Promise.reject(new AuthError('the refresh token of profile test was revoked')),
      onUnauthorized: async () => false,
    };
    const error = await client({ credentials: source })
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('the refresh token of profile test was revoked');
    expect(server.requests).toHaveLength(0);
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
    const error = await client()
      .request('POST', '/orders', { body: {} })
      .catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(502);
    expect((error as ApiError).keapMessage).toBe('Bad Gateway');
    expect((error as ApiError).message).toMatch(/failed: 502 Bad Gateway$/);
  });

  it('falls back to the status text when the error body is not valid JSON', async () => {
    server.handle((_req, res) => text(res, 400, 'application/json', '{"message": '));
    const error = await client()
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect((error as ApiError).keapMessage).toBe('Bad Request');
  });

  it('reports a failed TLS handshake as unreachable, even for a POST (nothing was sent)', async () => {
    const api = createClient({ baseUrl: server.base.replace('http:', 'https:'), credentials: bearer, maxRetries: 0 });
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
    const api = createClient({ baseUrl: base, credentials: bearer, maxRetries: 2, retryBaseMs: 1, random: () => 0 });
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
    const error = await client()
      .request('POST', '/contacts', { body: { given_name: 'Ada' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it('does not repeat a POST whose connection dropped: the outcome is unknown', async () => {
    failFirst(1, (_req, res) => reset(res));
    const error = await client()
      .request('POST', '/contacts', { body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/outcome is unknown/);
    expect(server.requests).toHaveLength(1);
  });

  it('does not repeat a POST whose answer was cut off', async () => {
    failFirst(1, (_req, res) => truncated(res));
    const error = await client()
      .request('POST', '/contacts', { body: {} })
      .catch((e: unknown) => e);
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
    const error = await client()
      .request(method, '/contacts', { body: {} })
      .catch((e: unknown) => e);
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
    const error = await client({ throttlePatienceMs: 50 })
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
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
    const error = await client({ maxRetries: 3 })
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect((error as ApiError).keapMessage).toBe('still broken');
    expect(server.requests).toHaveLength(4);
  });

  it("does not wait for a 429's Retry-After (Keap sends none): it backs off by its own steps", async () => {
    failFirst(1, (_req, res) => json(res, 429, { message: 'slow down' }, { 'retry-after': '3600' }));
    const api = client();
    expect((await api.request('GET', '/contacts')).status).toBe(200);
    expect(server.requests).toHaveLength(2);
  });

  it("takes a 429 whose body speaks of a quota for a throttle when no quota header is used up: Keap's wording is the same for both", async () => {
    const quotaWording = {
      fault: { faultstring: 'Rate limit quota violation', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } },
    };
    failFirst(1, (_req, res) => json(res, 429, quotaWording));
    const api = client();
    expect((await api.request('GET', '/contacts')).status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(api.stats().throttled).toBe(1);
  });

  it('stops at once when the daily quota is used up, saying when it resets', async () => {
    server.handle((_req, res) =>
      json(
        res,
        429,
        { code: '429', message: 'Quota Exceeded' },
        {
          'x-keap-product-quota-limit': '30000',
          'x-keap-product-quota-time-unit': 'day',
          'x-keap-product-quota-interval': '1',
          'x-keap-product-quota-available': '0',
          'x-keap-product-quota-expiry-time': String(Date.UTC(2030, 0, 2)),
        },
      ),
    );
    const error = await client()
      .request('GET', '/contacts')
      .catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).hint).toContain('2030-01-02T00:00:00.000Z');
    expect(server.requests).toHaveLength(1);
  });
});
