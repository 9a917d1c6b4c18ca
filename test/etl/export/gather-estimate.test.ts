/** The cost of both plans of a gathered field, from what the probes saw (issue 17, items 2 and 3). */
import { describe, expect, it } from 'vitest';
import { countFromProbe, estimateGather, inverseMayWin, quotaShare } from '../../../src/etl/export/gather-estimate.js';

describe('countFromProbe', () => {
  it.each([
    { name: 'a short page is the whole list', probe: { received: 12, limit: 1000, count: 12 }, records: 12, exact: true },
    { name: 'a short page even when count says more', probe: { received: 3, limit: 1000, count: 9 }, records: 3, exact: true },
    { name: 'count above the page length is a total', probe: { received: 1, limit: 1, count: 100_000 }, records: 100_000, exact: true },
    {
      name: 'count equal to the page length may be the page: a lower bound',
      probe: { received: 1000, limit: 1000, count: 1000 },
      records: 1000,
      exact: false,
    },
    { name: 'no count and a full page: a lower bound', probe: { received: 1, limit: 1 }, records: 1, exact: false },
    { name: 'an empty list', probe: { received: 0, limit: 1, count: 0 }, records: 0, exact: true },
  ])('$name', ({ probe, records, exact }) => {
    expect(countFromProbe(probe)).toEqual({ records, exact });
  });
});

const exact = (records: number) => ({ records, exact: true });

describe('estimateGather', () => {
  it.each([
    {
      name: '100,000 contacts, 300 tags: the inverse lists cost a fraction',
      input: {
        records: exact(100_000),
        pageSize: 1000,
        otherPerRecord: 0,
        inverse: {
          groupPages: 1,
          members: [exact(90_000), exact(75_000), exact(60_000), ...Array.from({ length: 297 }, () => exact(500))],
        },
        ratePerMinute: 1500,
      },
      pages: 100,
      perRecord: 100_100,
      // 100 list pages + 1 tag page + 90 + 75 + 60 + 297 single pages
      inverse: 623,
      cheaper: 'inverse',
    },
    {
      name: 'one contact (--where email=...): per record',
      input: {
        records: exact(1),
        pageSize: 1000,
        otherPerRecord: 0,
        inverse: { groupPages: 1, members: [exact(5), exact(0)] },
        ratePerMinute: 1500,
      },
      pages: 1,
      perRecord: 2,
      inverse: 4,
      cheaper: 'per-record',
    },
    {
      name: 'tags with no contacts still cost a page each',
      input: {
        records: exact(50),
        pageSize: 1000,
        otherPerRecord: 0,
        inverse: { groupPages: 1, members: Array.from({ length: 60 }, () => exact(0)) },
        ratePerMinute: 1500,
      },
      pages: 1,
      perRecord: 51,
      inverse: 62,
      cheaper: 'per-record',
    },
    {
      name: '--max 10 of a million: per record',
      input: {
        records: exact(1_000_000),
        max: 10,
        pageSize: 10,
        otherPerRecord: 0,
        inverse: { groupPages: 1, members: [exact(1_000_000)] },
        ratePerMinute: 1500,
      },
      pages: 1,
      perRecord: 11,
      inverse: 1 + 1 + 1000,
      cheaper: 'per-record',
    },
    {
      name: 'another per-record field (emails) is paid by both plans',
      input: {
        records: exact(2000),
        pageSize: 1000,
        otherPerRecord: 1,
        inverse: { groupPages: 1, members: [exact(2000)] },
        ratePerMinute: 1500,
      },
      pages: 2,
      perRecord: 2 + 4000,
      inverse: 2 + 2000 + 1 + 2,
      cheaper: 'inverse',
    },
    {
      name: 'no inverse lists: per record',
      input: { records: exact(10), pageSize: 1000, otherPerRecord: 0, ratePerMinute: 240 },
      pages: 1,
      perRecord: 11,
      inverse: undefined,
      cheaper: 'per-record',
    },
  ])('$name', ({ input, pages, perRecord, inverse, cheaper }) => {
    const estimate = estimateGather(input as Parameters<typeof estimateGather>[0]);
    expect(estimate.pages).toBe(pages);
    expect(estimate.perRecordRequests).toBe(perRecord);
    expect(estimate.inverseRequests).toBe(inverse);
    expect(estimate.cheaper).toBe(cheaper);
    expect(estimate.minutes['per-record']).toBeCloseTo(perRecord / input.ratePerMinute);
  });

  it('is a lower bound when the list count could not be taken as a total, unless --max caps it', () => {
    const base = { pageSize: 1000, otherPerRecord: 0, ratePerMinute: 1500 };
    expect(estimateGather({ ...base, records: { records: 1000, exact: false } }).lowerBound).toBe(true);
    expect(estimateGather({ ...base, records: { records: 1000, exact: false }, max: 5 }).lowerBound).toBe(false);
    expect(
      estimateGather({ ...base, records: exact(10), inverse: { groupPages: 1, members: [{ records: 1, exact: false }] } }).lowerBound,
    ).toBe(true);
    expect(estimateGather({ ...base, records: exact(10) }).lowerBound).toBe(false);
  });

  it('says the time at the pace given: 100,100 requests at 1,500 a minute take about 67 minutes', () => {
    const estimate = estimateGather({ records: exact(100_000), pageSize: 1000, otherPerRecord: 0, ratePerMinute: 1500 });
    expect(estimate.minutes['per-record']).toBeCloseTo(66.73, 1);
  });
});

describe('inverseMayWin and quotaShare', () => {
  it.each([
    { records: exact(1), max: undefined, groups: 30, wins: false },
    { records: exact(31), max: undefined, groups: 30, wins: false },
    { records: exact(32), max: undefined, groups: 30, wins: true },
    { records: exact(100_000), max: 20, groups: 30, wins: false },
    { records: { records: 10, exact: false }, max: undefined, groups: 30, wins: true },
  ])('$records.records records, --max $max, $groups groups: worth probing the groups: $wins', ({ records, max, groups, wins }) => {
    expect(inverseMayWin(records, max, 1, groups)).toBe(wins);
  });

  it('is the share of what is left today', () => {
    expect(quotaShare(623, 150_000)).toBeCloseTo(0.00415, 4);
    expect(quotaShare(100_100, 30_000)).toBeGreaterThan(1);
    expect(quotaShare(1, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(quotaShare(1, undefined)).toBeUndefined();
  });
});
