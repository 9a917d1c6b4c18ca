import { describe, expect, it } from 'vitest';
import {
  API_KEY_LIMITS,
  OAUTH_LIMITS,
  Pacer,
  limitsForScheme,
  paceFor,
  parseThrottleHeaders,
  type ThrottleWindow,
} from '../../src/api/pacer.js';

describe('parseThrottleHeaders', () => {
  it('reads the scalar product throttle and quota', () => {
    const windows = parseThrottleHeaders({
      'x-keap-product-throttle-limit': '240',
      'x-keap-product-throttle-time-unit': 'minute',
      'x-keap-product-throttle-interval': '1',
      'x-keap-product-throttle-available': '239',
      'x-keap-product-quota-limit': '150000',
      'x-keap-product-quota-time-unit': 'day',
      'x-keap-product-quota-interval': '1',
      'x-keap-product-quota-used': '150000',
      'x-keap-product-quota-expiry-time': '1723680000000',
    });
    expect(windows).toEqual([
      { family: 'product-throttle', limit: 240, windowMs: 60_000, available: 239 },
      { family: 'product-quota', limit: 150000, windowMs: 86_400_000, available: 0, resetAt: 1723680000000 },
    ]);
  });

  it('reads the pipe form of the tenant throttle as two windows', () => {
    const windows = parseThrottleHeaders({
      'x-keap-tenant-throttle-limit': '10000|250000',
      'x-keap-tenant-throttle-time-unit': 'minute|day',
      'x-keap-tenant-throttle-interval': '1|1',
      'x-keap-tenant-throttle-available': '9999|0',
    });
    expect(windows).toEqual([
      { family: 'tenant-throttle#0', limit: 10000, windowMs: 60_000, available: 9999 },
      { family: 'tenant-throttle#1', limit: 250000, windowMs: 86_400_000, available: 0 },
    ]);
  });

  it('reads the spike limit and ignores what it cannot parse', () => {
    expect(
      parseThrottleHeaders({
        'x-keap-product-spike-limit': '10ps',
        'x-keap-product-throttle-limit': 'lots',
        'x-keap-product-throttle-time-unit': 'minute',
      }),
    ).toEqual([{ family: 'product-spike', limit: 10, windowMs: 1_000 }]);
  });
});

/** What the sandbox's `--limits pat` (and Keap, for a key) sends. */
const patHeaders = {
  'x-keap-product-spike-limit': '10ps',
  'x-keap-product-throttle-limit': '240',
  'x-keap-product-throttle-time-unit': 'minute',
  'x-keap-product-throttle-interval': '1',
  'x-keap-tenant-throttle-limit': '10000|250000',
  'x-keap-tenant-throttle-time-unit': 'minute|day',
  'x-keap-tenant-throttle-interval': '1|1',
  'x-keap-product-quota-limit': '30000',
  'x-keap-product-quota-time-unit': 'day',
};
const generousHeaders = {
  'x-keap-product-throttle-limit': '1000000',
  'x-keap-product-throttle-time-unit': 'minute',
  'x-keap-product-throttle-interval': '1',
};

/** The most requests a token bucket lets into any one window: a full burst, then one per 1/rate. */
const mostIn = (pace: { ratePerMs: number; capacity: number }, window: ThrottleWindow) =>
  Math.floor(pace.capacity + pace.ratePerMs * window.windowMs + 1e-9);

describe('paceFor', () => {
  it('keeps every window for keys, OAuth and the two-window tenant form, at any backoff', () => {
    const sets: ThrottleWindow[][] = [
      [...API_KEY_LIMITS.assumed, ...API_KEY_LIMITS.kept],
      [...OAUTH_LIMITS.assumed],
      [...parseThrottleHeaders(patHeaders).filter((w) => w.windowMs <= 3_600_000), ...API_KEY_LIMITS.kept],
      [{ family: 'product-throttle', limit: 20, windowMs: 1_000 }],
    ];
    for (const windows of sets) {
      for (const factor of [0.95, 0.6, 0.25]) {
        const pace = paceFor(windows, factor);
        for (const window of windows) expect(mostIn(pace, window), `${window.family} at ${factor}`).toBeLessThanOrEqual(window.limit);
      }
    }
  });

  it('paces a key at 95% of 240 a minute with no burst', () => {
    const pace = paceFor([...API_KEY_LIMITS.assumed, ...API_KEY_LIMITS.kept], 0.95);
    expect(pace.ratePerMs * 60_000).toBeCloseTo(228);
    expect(pace.capacity).toBe(1);
    // 3.8 a second: one request to spare under the 5/s spike arrest, for arrival jitter.
    expect(mostIn(pace, { family: 'spike', limit: 5, windowMs: 1_000 })).toBe(4);
  });

  it("allows a second's worth of burst when the limit is generous", () => {
    const pace = paceFor(parseThrottleHeaders(generousHeaders), 0.95);
    expect(pace.capacity).toBeCloseTo(pace.ratePerMs * 1_000);
    expect(pace.capacity).toBeGreaterThan(10_000);
  });
});

describe('Pacer limits by credential', () => {
  it('starts a key at PAT limits and keeps 5 a second whatever the headers announce', () => {
    expect(limitsForScheme('api-key')).toBe(API_KEY_LIMITS);
    const pacer = new Pacer(API_KEY_LIMITS);
    const spike: ThrottleWindow = { family: 'spike', limit: 5, windowMs: 1_000 };
    const minute: ThrottleWindow = { family: 'minute', limit: 240, windowMs: 60_000 };
    expect(mostIn(pacer.current(), spike)).toBeLessThanOrEqual(5);
    expect(mostIn(pacer.current(), minute)).toBeLessThanOrEqual(240);
    pacer.observe(patHeaders, 200);
    expect(mostIn(pacer.current(), spike)).toBeLessThanOrEqual(5);
    expect(pacer.current().windows.map((w) => w.family)).toEqual([
      'product-throttle',
      'tenant-throttle#0',
      'product-spike',
      'key-spike-arrest',
    ]);
    pacer.observe(generousHeaders, 200);
    expect(mostIn(pacer.current(), spike)).toBeLessThanOrEqual(5);
    pacer.close();
  });

  it('starts OAuth (and no credential) at OAuth limits, then follows the headers', () => {
    expect(limitsForScheme('bearer')).toBe(OAUTH_LIMITS);
    expect(limitsForScheme(undefined)).toBe(OAUTH_LIMITS);
    const pacer = new Pacer(OAUTH_LIMITS);
    expect(pacer.current().ratePerMs * 1_000).toBeCloseTo(23.75);
    expect(mostIn(pacer.current(), { family: 'spike', limit: 25, windowMs: 1_000 })).toBeLessThanOrEqual(25);
    pacer.observe(generousHeaders, 200);
    expect(pacer.current().ratePerMs * 60_000).toBeCloseTo(950_000);
    pacer.close();
  });

  it('follows an announced spike limit lower than the key limit', () => {
    const pacer = new Pacer(API_KEY_LIMITS);
    pacer.observe({ ...patHeaders, 'x-keap-product-spike-limit': '2ps' }, 200);
    expect(mostIn(pacer.current(), { family: 'spike', limit: 2, windowMs: 1_000 })).toBeLessThanOrEqual(2);
    pacer.close();
  });
});
