/**
 * What an export with a gathered field costs, per record or read the other way round (issue 17):
 * pure arithmetic on what the probes saw, so `--plan`, `--gather auto` and the quota warning agree.
 *
 *   per-record = list pages + records x (1 + other per-record requests)
 *   inverse    = list pages + records x (other per-record requests)
 *              + group-list pages + sum over groups of max(1, ceil(members / 1000))
 *
 * The inverse part is at least the number of groups (an empty tag still costs its one page).
 */

/** Keap's largest page: members of a group are read 1,000 at a time. */
export const MEMBER_PAGE = 1000;

/** How many records a list holds, from one probe page. */
export interface Count {
  records: number;
  /** False when the probe only shows a lower bound. */
  exact: boolean;
}

/**
 * What a probe page says about the list's size. Whether Keap's `count` is the total or the page's
 * length is unconfirmed (API-FACTS.md section 4), so it is taken as a total only when it exceeds
 * the page length; a page shorter than asked is the whole list; anything else is a lower bound.
 */
export function countFromProbe(probe: { count?: number; received: number; limit: number }): Count {
  if (probe.received < probe.limit) return { records: probe.received, exact: true };
  if (probe.count !== undefined && probe.count > probe.limit) return { records: probe.count, exact: true };
  return { records: Math.max(probe.received, probe.count ?? 0), exact: false };
}

export interface EstimateInput {
  records: Count;
  /** Records per list page (at most 1,000). */
  pageSize: number;
  /** `--max`: no more records are read. */
  max?: number;
  /** Requests per record both plans make besides the gathered field (other `--include`s, custom fields read alone). */
  otherPerRecord: number;
  /** False when there is no invertible field to gather (`--plan` of a plain export): only the other requests count. */
  withField?: boolean;
  /** The inverse lists, when the field has them and they were probed. */
  inverse?: { groupPages: number; members: Count[] };
  /** Requests a minute at the current pace. */
  ratePerMinute: number;
  /** Requests left today (the smaller of the product and tenant quotas), when Keap's headers said. */
  remaining?: number;
}

export type GatherPlan = 'per-record' | 'inverse';

/** `--gather`: one of the plans, or whichever costs fewer requests. */
export const GATHER_MODES = ['auto', 'per-record', 'inverse'] as const;
export type GatherMode = (typeof GATHER_MODES)[number];

export interface Estimate {
  records: number;
  /** The records (and so every request count) are at least this many: Keap's `count` could not be taken as a total. */
  lowerBound: boolean;
  pages: number;
  perRecordRequests: number;
  /** Undefined when the field has no inverse lists (or they were not probed). */
  inverseRequests?: number;
  groups?: number;
  memberships?: number;
  /** The cheaper plan (per record on a tie: it starts writing at once). */
  cheaper: GatherPlan;
  /** Minutes the given plan takes at `ratePerMinute`. */
  minutes: Record<GatherPlan, number | undefined>;
  ratePerMinute: number;
  remaining?: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export function estimateGather(input: EstimateInput): Estimate {
  const capped = input.max !== undefined && input.max <= input.records.records;
  const records = capped ? (input.max as number) : input.records.records;
  const lowerBound = !capped && !input.records.exact;
  const pages = Math.max(1, ceilDiv(records, Math.max(1, input.pageSize)));
  const perRecordRequests = pages + records * ((input.withField === false ? 0 : 1) + input.otherPerRecord);
  let inverseRequests: number | undefined;
  let memberships: number | undefined;
  if (input.inverse) {
    const memberPages = input.inverse.members.reduce((sum, m) => sum + Math.max(1, ceilDiv(m.records, MEMBER_PAGE)), 0);
    memberships = input.inverse.members.reduce((sum, m) => sum + m.records, 0);
    inverseRequests = pages + records * input.otherPerRecord + input.inverse.groupPages + memberPages;
  }
  const cheaper: GatherPlan = inverseRequests !== undefined && inverseRequests < perRecordRequests ? 'inverse' : 'per-record';
  const minutes = (requests: number | undefined) => (requests === undefined ? undefined : requests / input.ratePerMinute);
  return {
    records,
    lowerBound: lowerBound || (input.inverse?.members.some((m) => !m.exact) ?? false),
    pages,
    perRecordRequests,
    ...(inverseRequests !== undefined ? { inverseRequests } : {}),
    ...(input.inverse ? { groups: input.inverse.members.length, memberships } : {}),
    cheaper,
    minutes: { 'per-record': minutes(perRecordRequests), inverse: minutes(inverseRequests) },
    ratePerMinute: input.ratePerMinute,
    ...(input.remaining !== undefined ? { remaining: input.remaining } : {}),
  };
}

/**
 * Whether the inverse plan could still be cheaper once its groups are known, before a request per
 * group is spent on their sizes: it costs at least the group-list pages plus one page per group.
 */
export function inverseMayWin(records: Count, max: number | undefined, groupPages: number, groups: number): boolean {
  const read = max !== undefined ? Math.min(max, records.records) : records.records;
  // Per record costs `read` requests for the field; the inverse at least its group pages and one per group.
  return read > groupPages + groups || (!records.exact && max === undefined);
}

/** The share of the remaining daily quota a plan's requests take (1 = all of it), when the remainder is known. */
export function quotaShare(requests: number, remaining: number | undefined): number | undefined {
  if (remaining === undefined) return undefined;
  return remaining <= 0 ? Number.POSITIVE_INFINITY : requests / remaining;
}
