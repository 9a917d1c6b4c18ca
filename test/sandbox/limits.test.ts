/** Rate limits: `--throttle` (one per-second bucket) and the headers of every API answer. */
import { describe, expect, it } from 'vitest';
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

  it('answers 429 beyond N per second, without Retry-After, alternating Keap bodies', () =>
    withSandbox({ seed: 1, throttle: 3 }, async (sandbox) => {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await get(sandbox, '/tags?limit=1'));
      expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers.map((a) => a.headers.get('x-keap-product-throttle-available')).slice(0, 3)).toEqual(['2', '1', '0']);
      const throttled = answers.filter((a) => a.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(2);
      expect(throttled[0]?.headers.get('retry-after')).toBeNull();
      expect(throttled[0]?.headers.get('x-keap-product-throttle-time-unit')).toBe('second');
      expect(throttled[0]?.headers.get('x-keap-product-throttle-limit')).toBe('3');
      expect(throttled[0]?.body.fault.detail.errorcode).toBe('policies.ratelimit.QuotaViolation');
      expect(throttled[1]?.body).toEqual({ code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null });
      expect((await stats(sandbox)).throttled).toBe(throttled.length);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await get(sandbox, '/tags?limit=1')).status).toBe(200);
    }));
});


