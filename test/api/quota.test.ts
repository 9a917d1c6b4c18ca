/** The day's remainder and the pace from Keap's x-keap-* headers: scalar and `a|b` forms, smaller remainder wins. */
import { describe, expect, it } from 'vitest';
import { quotaFromHeaders } from '../../src/api/quota.js';

/** The header dump in API-FACTS.md section 3 (a key: 240 a minute, a quota of 150,000 a day). */
const REAL = {
  'x-keap-product-quota-limit': '150000',
  'x-keap-product-quota-time-unit': 'day',
  'x-keap-product-quota-interval': '1',
  'x-keap-product-quota-available': '149712',
  'x-keap-product-quota-used': '288',
  'x-keap-product-quota-expiry-time': '1723680000000',
  'x-keap-product-throttle-limit': '240',
  'x-keap-product-throttle-time-unit': 'minute',
  'x-keap-product-throttle-interval': '1',
  'x-keap-product-throttle-available': '239',
  'x-keap-product-spike-limit': '10ps',
  'x-keap-tenant-throttle-limit': '5000',
  'x-keap-tenant-throttle-time-unit': 'minute',
  'x-keap-tenant-throttle-available': '4990',
};

const cases: Array<{
  name: string;
  headers: Record<string, string> | undefined;
  remaining?: number;
  family?: string;
  families?: string[];
  ratePerMinute?: number;
  resetAt?: number;
}> = [
  { name: 'no headers at all', headers: undefined },
  { name: 'headers without any x-keap window', headers: { 'content-type': 'application/json' } },
  {
    name: 'the real dump: the product quota is the only daily window; the key throttle sets the pace',
    headers: REAL,
    remaining: 149_712,
    family: 'product-quota',
    families: ['product-quota'],
    ratePerMinute: 240,
    resetAt: 1_723_680_000_000,
  },
  {
    name: 'the tenant in the pipe form: its day half is a quota, its minute half a rate',
    headers: {
      ...REAL,
      'x-keap-tenant-throttle-limit': '10000|250000',
      'x-keap-tenant-throttle-time-unit': 'minute|day',
      'x-keap-tenant-throttle-available': '9990|1200',
    },
    remaining: 1_200,
    family: 'tenant-throttle#1',
    families: ['tenant-throttle#1', 'product-quota'],
    ratePerMinute: 240,
  },
  {
    name: 'the product quota smaller than the tenant day: the product quota wins',
    headers: {
      'x-keap-product-quota-limit': '30000',
      'x-keap-product-quota-time-unit': 'day',
      'x-keap-product-quota-available': '50',
      'x-keap-tenant-throttle-limit': '10000|250000',
      'x-keap-tenant-throttle-time-unit': 'minute|day',
      'x-keap-tenant-throttle-available': '9999|240000',
    },
    remaining: 50,
    family: 'product-quota',
    families: ['product-quota', 'tenant-throttle#1'],
    ratePerMinute: 10_000,
  },
  {
    name: 'a tenant quota in the scalar form, with only `used` given',
    headers: {
      'x-keap-tenant-quota-limit': '250000',
      'x-keap-tenant-quota-time-unit': 'day',
      'x-keap-tenant-quota-used': '249000',
    },
    remaining: 1_000,
    family: 'tenant-quota',
    families: ['tenant-quota'],
  },
  {
    name: 'a product quota in the pipe form (two daily windows): the smaller remainder',
    headers: {
      'x-keap-product-quota-limit': '150000|30000',
      'x-keap-product-quota-time-unit': 'day',
      'x-keap-product-quota-available': '100000|7',
    },
    remaining: 7,
    family: 'product-quota#1',
    families: ['product-quota#1', 'product-quota#0'],
  },
  {
    name: 'a daily window that does not say what is left is no remainder',
    headers: { 'x-keap-product-quota-limit': '150000', 'x-keap-product-quota-time-unit': 'day' },
    families: [],
  },
  {
    name: 'an OAuth pace: 1,500 a minute and a spike of 25 a second',
    headers: {
      'x-keap-product-throttle-limit': '1500',
      'x-keap-product-throttle-time-unit': 'minute',
      'x-keap-product-spike-limit': '25ps',
    },
    families: [],
    ratePerMinute: 1_500,
  },
];

describe('quotaFromHeaders', () => {
  it.each(cases)('$name', ({ headers, remaining, family, families, ratePerMinute, resetAt }) => {
    const quota = quotaFromHeaders(headers);
    expect(quota.daily?.available).toBe(remaining);
    expect(quota.daily?.family).toBe(family);
    expect(quota.windows.map((w) => w.family)).toEqual(families ?? []);
    expect(quota.ratePerMinute).toBe(ratePerMinute);
    if (resetAt !== undefined) expect(quota.daily?.resetAt).toBe(resetAt);
  });
});
