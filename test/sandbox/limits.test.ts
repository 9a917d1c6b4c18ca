/** Rate limits: `--throttle` (one per-second bucket) and the `--limits pat|oauth` presets (Keap's several windows). */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseLimits, startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle, SandboxOptions } from '../../src/sandbox/types.js';
import { get, stats, withSandbox } from './support.js';

describe('throttle', () => {
  it('sends Keap rate headers on every API response, unlimited by default', () =>
    withSandbox({ seed: 1 }, async (sandbox) => {
      const answer = await get(sandbox, '/tags?limit=1');
      expect(answer.headers.get('x-keap-product-throttle-limit')).toBe('1000000');
      expect(answer.headers.get('x-keap-product-throttle-time-unit')).toBe('minute');
      expect(answer.headers.get('x-keap-product-throttle-interval')).toBe('1');
      expect(answer.headers.get('x-keap-product-quota-time-unit')).toBe('day');
      expect(Number(answer.headers.get('x-keap-product-quota-used'))).toBe(1);
      expect(answer.headers.get('x-keap-tenant-id')).toBe('sandbox1.infusionsoft.com');
    }));

  it('answers 429 beyond N per second, without Retry-After, alternating Keap bodies, and refills at N a second', () =>
    withClock({ throttle: 3 }, async (sandbox, clock) => {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await get(sandbox, '/tags?limit=1'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
      expect(answers.map((a) => a.headers.get('x-keap-product-throttle-available')).slice(0, 3)).toEqual(['2', '1', '0']);
      const throttled = answers.slice(3);
      expect(throttled[0]?.headers.get('retry-after')).toBeNull();
      expect(throttled[0]?.headers.get('x-keap-product-throttle-time-unit')).toBe('second');
      expect(throttled[0]?.headers.get('x-keap-product-throttle-limit')).toBe('3');
      expect(throttled[0]?.body.fault.detail.errorcode).toBe('policies.ratelimit.QuotaViolation');
      expect(throttled[1]?.body).toEqual({ code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null });
      expect((await stats(sandbox)).throttled).toBe(3);
      // At 3 a second one request comes back every 333 ms: not yet at 300 ms, again at 340 ms.
      clock.now += 300;
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(429);
      clock.now += 40;
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(200);
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(429);
    }));
});

/** A sandbox whose clock only moves when the test says, so windows are exact. */
async function withClock(options: SandboxOptions, work: (sandbox: SandboxHandle, clock: { now: number }) => Promise<void>): Promise<void> {
  const clock = { now: Date.UTC(2026, 5, 1, 12, 0, 0) };
  await withSandbox({ seed: 1, ...options, now: () => clock.now }, (sandbox) => work(sandbox, clock));
}

/** `count` requests, `stepMs` apart on the sandbox's clock; returns the statuses. */
async function spaced(sandbox: SandboxHandle, clock: { now: number }, count: number, stepMs: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) clock.now += stepMs;
    statuses.push((await get(sandbox, '/tags?limit=1')).status);
  }
  return statuses;
}

const quotaFault = {
  fault: {
    faultstring: 'Rate limit quota violation. Quota limit exceeded. Identifier : sandbox',
    detail: { errorcode: 'policies.ratelimit.QuotaViolation' },
  },
};
const quotaApp = { code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null };
const midnightAfter = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate() + 1);

describe('--limits presets', () => {
  it('parses presets and overrides, and names a bad part', async () => {
    expect(parseLimits('pat')).toMatchObject({
      spike: 5,
      spikeAnnounced: 10,
      throttle: 240,
      tenantMinute: 10000,
      tenantDay: 250000,
      quota: 30000,
    });
    expect(parseLimits('oauth')).toMatchObject({ spike: 25, spikeAnnounced: 25, throttle: 1500, quota: 150000 });
    expect(parseLimits('pat, quota=7,spike=2')).toMatchObject({ spike: 2, spikeAnnounced: 2, quota: 7, throttle: 240 });
    expect(() => parseLimits('sak')).toThrow(UsageError);
    expect(() => parseLimits('sak')).toThrow('--limits: "sak" is not a preset; presets are pat, oauth');
    expect(() => parseLimits('pat,daily=3')).toThrow(
      /"daily=3" should be KEY=N with KEY one of spike, throttle, tenant, tenant-day, quota/,
    );
    expect(() => parseLimits('pat,quota=0')).toThrow(/"quota=0" needs a whole number of 1 or more/);
    expect(() => parseLimits('pat,quota=1.5')).toThrow(UsageError);
    await expect(startSandbox({ limits: 'pat', throttle: 5 })).rejects.toThrow('--throttle and --limits both set the rate limits: use one');
  });

  it('sends every pat window in Keap header form, the tenant as two windows', () =>
    withClock({ limits: 'pat' }, async (sandbox, clock) => {
      const answer = await get(sandbox, '/tags?limit=1');
      const headers = Object.fromEntries([...answer.headers].filter(([name]) => name.startsWith('x-keap-')));
      expect(headers).toEqual({
        'x-keap-product-spike-limit': '10ps',
        'x-keap-product-throttle-limit': '240',
        'x-keap-product-throttle-time-unit': 'minute',
        'x-keap-product-throttle-interval': '1',
        'x-keap-product-throttle-available': '239',
        'x-keap-product-throttle-used': '1',
        'x-keap-tenant-id': 'sandbox1.infusionsoft.com',
        'x-keap-tenant-throttle-limit': '10000|250000',
        'x-keap-tenant-throttle-time-unit': 'minute|day',
        'x-keap-tenant-throttle-interval': '1|1',
        'x-keap-tenant-throttle-available': '9999|249999',
        'x-keap-tenant-throttle-used': '1|1',
        'x-keap-product-quota-limit': '30000',
        'x-keap-product-quota-time-unit': 'day',
        'x-keap-product-quota-interval': '1',
        'x-keap-product-quota-available': '29999',
        'x-keap-product-quota-used': '1',
        'x-keap-product-quota-expiry-time': String(midnightAfter(clock.now)),
      });
      // A refused credential uses up nothing.
      expect((await fetch(`${sandbox.apiUrl}/tags`)).status).toBe(401);
      expect((await get(sandbox, '/tags?limit=1')).headers.get('x-keap-product-quota-used')).toBe('2');
    }));

  it('sends the oauth preset limits', () =>
    withClock({ limits: 'oauth' }, async (sandbox) => {
      const answer = await get(sandbox, '/tags?limit=1');
      expect(answer.headers.get('x-keap-product-spike-limit')).toBe('25ps');
      expect(answer.headers.get('x-keap-product-throttle-limit')).toBe('1500');
      expect(answer.headers.get('x-keap-product-quota-limit')).toBe('150000');
      expect(answer.headers.get('x-keap-tenant-throttle-limit')).toBe('10000|250000');
    }));

  it('holds keys to 5 requests a second although it announces 10ps, in both 429 bodies', () =>
    withClock({ limits: 'pat' }, async (sandbox, clock) => {
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await get(sandbox, '/tags?limit=1'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(answers[5]?.body).toEqual(quotaFault);
      expect(answers[6]?.body).toEqual(quotaApp);
      expect(answers[5]?.headers.get('retry-after')).toBeNull();
      // The spike arrest sends no metrics: the per-minute window still has room.
      expect(answers[5]?.headers.get('x-keap-product-throttle-available')).toBe('235');
      clock.now += 999;
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(429);
      clock.now += 1;
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(200);
      const windows = (await stats(sandbox)).windows;
      expect(windows['product-spike']).toEqual({ limit: 5, unit: 'second', refused: 3, peak: 8 });
      expect(windows['product-throttle']).toMatchObject({ limit: 240, unit: 'minute', refused: 0 });
      expect((await stats(sandbox)).throttled).toBe(3);
    }));

  it('holds OAuth to 25 a second', () =>
    withClock({ limits: 'oauth' }, async (sandbox) => {
      const statuses = await spaced(sandbox, { now: 0 }, 27, 0);
      expect(statuses.filter((s) => s === 200)).toHaveLength(25);
      expect(statuses.slice(25)).toEqual([429, 429]);
    }));

  it('enforces 240 a minute over a rolling minute', () =>
    withClock({ limits: 'pat' }, async (sandbox, clock) => {
      const start = clock.now;
      // 5 a second, within the spike arrest: the minute runs out after 240, 47.8 s in.
      const statuses = await spaced(sandbox, clock, 241, 200);
      expect(statuses.slice(0, 240).every((s) => s === 200)).toBe(true);
      expect(statuses[240]).toBe(429);
      const refused = await get(sandbox, '/tags?limit=1');
      expect(refused.headers.get('x-keap-product-throttle-available')).toBe('0');
      expect(refused.headers.get('x-keap-product-throttle-used')).toBe('240');
      clock.now = start + 60_000; // the first request leaves the window
      const after = await get(sandbox, '/tags?limit=1');
      expect(after.status).toBe(200);
      expect(after.headers.get('x-keap-product-throttle-available')).toBe('0');
      const windows = (await stats(sandbox)).windows;
      expect(windows['product-throttle']).toEqual({ limit: 240, unit: 'minute', refused: 2, peak: 242 });
      expect(windows['product-spike'].refused).toBe(0);
    }));

  it('enforces the tenant minute window', () =>
    withClock({ limits: 'pat,tenant=3' }, async (sandbox, clock) => {
      expect(await spaced(sandbox, clock, 4, 300)).toEqual([200, 200, 200, 429]);
      const refused = await get(sandbox, '/tags?limit=1');
      expect(refused.headers.get('x-keap-tenant-throttle-available')).toBe('0|249997');
      expect((await stats(sandbox)).windows['tenant-throttle-minute'].refused).toBe(2);
      clock.now += 60_000;
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(200);
    }));

  it('enforces the tenant day window until midnight UTC', () =>
    withClock({ limits: 'pat,tenant-day=3' }, async (sandbox, clock) => {
      expect(await spaced(sandbox, clock, 4, 300)).toEqual([200, 200, 200, 429]);
      clock.now += 3_600_000; // an hour later, still the same day
      const refused = await get(sandbox, '/tags?limit=1');
      expect(refused.status).toBe(429);
      // The minute window has emptied; the day's has not.
      expect(refused.headers.get('x-keap-tenant-throttle-available')).toBe('10000|0');
      clock.now = midnightAfter(clock.now);
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(200);
    }));

  it('enforces the daily quota and says when it resets', () =>
    withClock({ limits: 'pat,quota=3' }, async (sandbox, clock) => {
      expect(await spaced(sandbox, clock, 4, 300)).toEqual([200, 200, 200, 429]);
      const refused = await get(sandbox, '/tags?limit=1');
      expect(refused.headers.get('x-keap-product-quota-available')).toBe('0');
      expect(refused.headers.get('x-keap-product-quota-used')).toBe('3');
      const reset = Number(refused.headers.get('x-keap-product-quota-expiry-time'));
      expect(reset).toBe(midnightAfter(clock.now));
      clock.now = reset;
      const next = await get(sandbox, '/tags?limit=1');
      expect(next.status).toBe(200);
      expect(next.headers.get('x-keap-product-quota-available')).toBe('2');
      // The peak is the day's most: 3 admitted and 2 refused, more than the quota allows.
      expect((await stats(sandbox)).windows['product-quota']).toEqual({ limit: 3, unit: 'day', refused: 2, peak: 5 });
    }));
});
