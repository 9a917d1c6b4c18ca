import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeySource, bearerTokenSource } from '../../src/api/credentials.js';
import { createClient } from '../../src/api/client.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import type { KeapApi } from '../../src/api/types.js';
import { json, startServer, type TestServer } from './server.js';

/**
 * A server throttled like the sandbox bench: a token bucket of `rate` requests a second
 * (capacity `rate`), advertised in Keap's headers, answering 429 when it is empty.
 */
function throttled(server: TestServer, rate: number, family = 'product-throttle') {
  let tokens = rate;
  let last = performance.now();
  const counts = { ok: 0, throttled: 0 };
  server.handle((_req, res) => {
    const now = performance.now();
    tokens = Math.min(rate, tokens + ((now - last) / 1000) * rate);
    last = now;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    const headers = {
      [`x-keap-${family}-limit`]: String(rate),
      [`x-keap-${family}-time-unit`]: 'second',
      [`x-keap-${family}-interval`]: '1',
      [`x-keap-${family}-available`]: String(Math.floor(tokens)),
    };
    if (allowed) {
      counts.ok++;
      json(res, 200, { ok: true }, headers);
    } else {
      counts.throttled++;
      json(
        res,
        429,
        { fault: { faultstring: 'Rate limit quota violation', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } } },
        headers,
      );
    }
  });
  return counts;
}

/** `callers` loops sharing the client, `total` successful requests between them. */
async function run(callers: number, total: number, client: KeapApi = api, path = '/contacts') {
  let left = total;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (left > 0) {
        left--;
        await client.request('GET', path);
      }
    }),
  );
}

let server: TestServer;
let api: KeapApi;

describe('pacing from the throttle headers', () => {
  // An OAuth token: paced by what the headers say (a key keeps Keap's 5/s besides, below).
  beforeEach(async () => {
    server = await startServer();
    api = createClient({ baseUrl: server.base, credentials: bearerTokenSource('t', 'test'), concurrency: 8, retryBaseMs: 5 });
  });
  afterEach(async () => {
    await api.close();
    await server.close();
  });

  it('keeps 8 concurrent callers under an advertised 20 requests a second', async () => {
    const counts = throttled(server, 20);
    await run(8, 60);
    expect(counts.ok).toBe(60);
    // Without pacing, 8 callers against a 20/s bucket get most requests refused.
    expect(counts.throttled).toBeLessThanOrEqual(2);
    expect(api.stats().throttled).toBe(counts.throttled);
  });

  it('paces from the tenant family too', async () => {
    const counts = throttled(server, 40, 'tenant-throttle');
    await run(8, 60);
    expect(counts.ok).toBe(60);
    expect(counts.throttled).toBeLessThanOrEqual(2);
  });

  it('holds requests until the window turns over once Keap says none are left', async () => {
    const times: number[] = [];
    server.handle((_req, res, index) => {
      times.push(performance.now());
      json(
        res,
        index === 0 ? 429 : 200,
        {},
        {
          'x-keap-product-throttle-limit': '100',
          'x-keap-product-throttle-time-unit': 'second',
          'x-keap-product-throttle-interval': '1',
          'x-keap-product-throttle-available': index === 0 ? '0' : '99',
        },
      );
    });
    await api.request('GET', '/contacts');
    expect(server.requests).toHaveLength(2);
    // A lower bound only: the repeat waited for the one-second window, not a short backoff.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it('lets a generous limit through at full concurrency', async () => {
    const generous = {
      'x-keap-product-throttle-limit': '1000000',
      'x-keap-product-throttle-time-unit': 'minute',
      'x-keap-product-throttle-interval': '1',
      'x-keap-product-throttle-available': '999999',
    };
    // Answers wait until eight requests are open at once (an explicit event, not a sleep): the
    // pacer let all eight callers through together. After that, everything is answered at once.
    const waiting: Array<() => void> = [];
    let full = false;
    server.handle(
      (_req, res) =>
        new Promise<void>((resolve) => {
          const answer = () => {
            json(res, 200, {}, generous);
            resolve();
          };
          if (full) return answer();
          waiting.push(answer);
          if (waiting.length === 8) {
            full = true;
            for (const held of waiting.splice(0)) held();
          }
        }),
    );
    await run(8, 200);
    expect(server.requests).toHaveLength(200);
    // Eight at once, and never a ninth: the client's concurrency limit.
    expect(server.maxInFlight).toBe(8);
  });
});

/** The sandbox's `--limits` presets, which enforce Keap's windows and report each window's peak. */
describe("pacing against the sandbox's Keap limits", () => {
  let sandbox: SandboxHandle;
  afterEach(async () => {
    await api?.close();
    await sandbox?.close();
  });

  it('holds a key under 5 a second from its first request, though the header says 10ps', async () => {
    sandbox = await startSandbox({ limits: 'pat' });
    api = createClient({ baseUrl: sandbox.apiUrl, credentials: apiKeySource(sandbox.token, 'test'), concurrency: 8 });
    await run(8, 24, api, '/tags?limit=1');
    const stats = await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json();
    expect(stats.requests['GET /tags']).toBe(24);
    expect(stats.throttled).toBe(0);
    expect(api.stats().throttled).toBe(0);
    // Every window saw at most its limit: the client kept to them by itself.
    for (const [name, window] of Object.entries(stats.windows as Record<string, { limit: number; peak: number; refused: number }>)) {
      expect(window.refused, name).toBe(0);
      expect(window.peak, name).toBeLessThanOrEqual(window.limit);
    }
    expect(stats.windows['product-spike'].limit).toBe(5);
  });

  it('paces an OAuth client to the oauth preset without 429s', async () => {
    sandbox = await startSandbox({ limits: 'oauth' });
    api = createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test'), concurrency: 8 });
    await run(8, 100, api, '/tags?limit=1');
    const stats = await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json();
    expect(stats.requests['GET /tags']).toBe(100);
    expect(stats.throttled).toBe(0);
    expect(stats.windows['product-spike']).toMatchObject({ limit: 25, refused: 0 });
    expect(stats.windows['product-spike'].peak).toBeLessThanOrEqual(25);
  });

  it('stops at a used-up daily quota instead of retrying for hours', async () => {
    sandbox = await startSandbox({ limits: 'pat,quota=3' });
    api = createClient({ baseUrl: sandbox.apiUrl, credentials: apiKeySource(sandbox.token, 'test'), concurrency: 1 });
    for (let i = 0; i < 3; i++) await api.request('GET', '/tags?limit=1');
    await expect(api.request('GET', '/tags?limit=1')).rejects.toMatchObject({
      message: expect.stringContaining('failed: 429 Rate limit quota violation'),
      hint: expect.stringMatching(/^Keap's product-quota quota is used up; it resets at \d{4}-\d\d-\d\dT00:00:00.000Z$/),
    });
    const stats = await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json();
    expect(stats.windows['product-quota'].refused).toBe(1);
  });
});
