/**
 * `import --plan` (issue 17, item 6): what the import would cost, without writing anything: its
 * reads (per row, or one list read), its writes, the time at the pace Keap's `x-keap-*` throttle
 * headers advertise, and the share of the remaining daily quota its quota headers report.
 *
 * The pace and the remaining quota come from the last answer's headers through src/api/quota.ts,
 * the one reader of them `export --plan` uses too (the smallest `available` of the windows longer
 * than an hour; product and tenant quota, scalar and `a|b` forms).
 */
import { quotaFromHeaders } from '../../api/quota.js';
import type { ReadPlan } from './read-plan.js';

export interface ImportPlan {
  reads: {
    plan: 'per-row' | 'list';
    why: string;
    /** Units that find or read their record before the write. */
    rows: number;
    perRow: number;
    list?: number;
    accountRecords?: number;
    countIsTotal?: boolean;
    /** Requests the plan itself made (custom-field model, lookups, the probe): a run makes them too. */
    made: number;
  };
  /** Units that would be sent (one request each; tags add one per row with tags). */
  writes: number;
  /** Reads and writes together. */
  requests: number;
  /** Requests a minute Keap advertises (the tightest window of an hour or less), when it did. */
  perMinute?: number;
  /** The time at that pace. */
  seconds?: number;
  /** The remaining daily quota, and the share of it the run would use. */
  quota?: { remaining: number; share: number };
}

/** The pace Keap's headers advertise, in requests a minute, or undefined without headers. */
export function advertisedPerMinute(headers: Record<string, string> | undefined): number | undefined {
  return quotaFromHeaders(headers).ratePerMinute;
}

/** The smallest remainder of the quota windows (a day's allowance) the headers report, or undefined. */
export function remainingQuota(headers: Record<string, string> | undefined): number | undefined {
  return quotaFromHeaders(headers).daily?.available;
}

export function importPlan(reads: ReadPlan, writes: number, made: number, headers: Record<string, string> | undefined): ImportPlan {
  const readCost = reads.chosen === 'list' ? (reads.listReads ?? 0) : reads.perRowReads;
  const requests = readCost + writes;
  const quota = quotaFromHeaders(headers);
  const perMinute = quota.ratePerMinute;
  const remaining = quota.daily?.available;
  return {
    reads: {
      plan: reads.chosen,
      why: reads.why,
      rows: reads.reading,
      perRow: reads.perRowReads,
      ...(reads.listReads !== undefined ? { list: reads.listReads } : {}),
      ...(reads.accountRecords !== undefined ? { accountRecords: reads.accountRecords } : {}),
      ...(reads.countIsTotal !== undefined ? { countIsTotal: reads.countIsTotal } : {}),
      made,
    },
    writes,
    requests,
    ...(perMinute !== undefined ? { perMinute, seconds: (requests / perMinute) * 60 } : {}),
    ...(remaining !== undefined ? { quota: { remaining, share: remaining > 0 ? requests / remaining : Number.POSITIVE_INFINITY } } : {}),
  };
}

/** The plan in a few lines, for stdout. */
export function planText(plan: ImportPlan): string {
  const { reads } = plan;
  const minutes = plan.seconds === undefined ? undefined : plan.seconds / 60;
  const lines = [
    `reads: ${reads.plan === 'list' ? `one list read, about ${reads.list} requests` : `one per row, up to ${reads.perRow} requests`} for ${reads.rows} rows (${reads.why})`,
    `writes: ${plan.writes}`,
    `requests: ${plan.requests}${reads.countIsTotal === false ? ' (a lower bound: the account size is unknown)' : ''}`,
    minutes === undefined
      ? 'time: unknown (Keap advertised no rate)'
      : `time: ${minutes < 1 ? `${Math.ceil(plan.seconds ?? 0)} s` : `${minutes.toFixed(1)} min`} at ${Math.round(plan.perMinute ?? 0)} requests a minute`,
    plan.quota
      ? `daily quota: ${(plan.quota.share * 100).toFixed(1)}% of the ${plan.quota.remaining} requests left`
      : 'daily quota: unknown (Keap sent no quota headers)',
  ];
  return `${lines.join('\n')}\n`;
}
