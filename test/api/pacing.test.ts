import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeySource } from '../../src/api/credentials.js';
import { createClient } from '../../src/api/client.js';
import type { KeapApi } from '../../src/api/types.js';
import { json, sleep, startServer, type TestServer } from './server.js';

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
      json(res, 429, { fault: { faultstring: 'Rate limit quota violation', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } } }, headers);
    }
  });
  return counts;
}

let server: TestServer;
let api: KeapApi;
beforeEach(async () => {
  server = await startServer();
  api = createClient({ baseUrl: server.base, credentials: apiKeySource('k', 'test'), concurrency: 8, retryBaseMs: 5 });
});
afterEach(async () => {
  await api.close();
  await server.close();
});

/** `callers` loops sharing the client, `total` successful requests between them. */
async function run(callers: number, total: number) {
  let left = total;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (left > 0) {
        left--;
        await api.request('GET', '/contacts');
      }
    }),
  );
}

describe('pacing from the throttle headers', () => {
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
      json(res, index === 0 ? 429 : 200, {}, {
        'x-keap-product-throttle-limit': '100',
        'x-keap-product-throttle-time-unit': 'second',
        'x-keap-product-throttle-interval': '1',
        'x-keap-product-throttle-available': index === 0 ? '0' : '99',
      });
    });
    await api.request('GET', '/contacts');
    expect(server.requests).toHaveLength(2);
    // A lower bound only: the repeat waited for the one-second window, not a short backoff.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it('lets a generous limit through at full concurrency', async () => {
    server.handle(async (_req, res) => {
      await sleep(5);
      json(res, 200, {}, {
        'x-keap-product-throttle-limit': '1000000',
        'x-keap-product-throttle-time-unit': 'minute',
        'x-keap-product-throttle-interval': '1',
        'x-keap-product-throttle-available': '999999',
      });
    });
    await run(8, 200);
    expect(server.requests).toHaveLength(200);
    expect(server.maxInFlight).toBe(8);
  });
});
