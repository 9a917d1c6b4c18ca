import { describe, expect, it } from 'vitest';
import { parseThrottleHeaders } from '../../src/api/pacer.js';

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
