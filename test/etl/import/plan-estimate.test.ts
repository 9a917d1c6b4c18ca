/**
 * `import --plan`'s pace and quota share (issue 17, item 6) come from Keap's `x-keap-*` headers as
 * the pacer parses them: the tightest window of an hour or less sets the pace, and the smallest
 * remainder of the day windows (product quota, the tenant's `a|b` pair) the quota share.
 */
import { describe, expect, it } from 'vitest';
import { advertisedPerMinute, importPlan, planText, remainingQuota } from '../../../src/etl/import/plan-estimate.js';

const headers = {
  'x-keap-product-quota-limit': '150000',
  'x-keap-product-quota-time-unit': 'day',
  'x-keap-product-quota-available': '149000',
  'x-keap-product-throttle-limit': '1500',
  'x-keap-product-throttle-time-unit': 'minute',
  'x-keap-product-throttle-available': '1499',
  'x-keap-tenant-throttle-limit': '10000|250000',
  'x-keap-tenant-throttle-time-unit': 'minute|day',
  'x-keap-tenant-throttle-available': '9990|120000',
};

describe('import --plan estimate', () => {
  it('takes the pace from the tightest short window and the quota from the smallest day remainder', () => {
    expect(advertisedPerMinute(headers)).toBe(1500);
    expect(remainingQuota(headers)).toBe(120000);
    expect(remainingQuota({ ...headers, 'x-keap-tenant-throttle-available': '9990|200000' })).toBe(149000);
    expect(advertisedPerMinute({})).toBeUndefined();
    expect(remainingQuota(undefined)).toBeUndefined();
  });

  it('adds the reads of the chosen plan to the writes, and says the time and the share', () => {
    const reads = { chosen: 'list' as const, why: 'cheaper', reading: 5000, listable: 5000, perRowReads: 10000, listReads: 113 };
    const plan = importPlan(reads, 5000, 2, headers);
    expect(plan).toMatchObject({ requests: 5113, writes: 5000, perMinute: 1500, quota: { remaining: 120000 } });
    expect(plan.seconds).toBeCloseTo((5113 / 1500) * 60);
    expect(plan.quota?.share).toBeCloseTo(5113 / 120000);
    expect(planText(plan)).toContain('time: 3.4 min at 1500 requests a minute');
    expect(planText(plan)).toContain('daily quota: 4.3% of the 120000 requests left');
    const perRow = importPlan({ ...reads, chosen: 'per-row' }, 5000, 2, {});
    expect(perRow.requests).toBe(15000);
    expect(planText(perRow)).toContain('time: unknown');
    expect(planText(perRow)).toContain('daily quota: unknown');
  });
});
