/**
 * Choosing how an export reads a gathered field (`--gather auto|per-record|inverse`, `--plan`;
 * issue 17, items 2 and 3): a few cheap probes (the list's first page, the group list, one member
 * per group), the cost of each plan (gather-estimate.ts), the cheaper one under `auto`, and a
 * warning when the run would take more than what is left of the day's quota.
 */
import { MAX_PAGE_SIZE } from '../../api/pager.js';
import { quotaFromHeaders } from '../../api/quota.js';
import type { KeapApi, Query } from '../../api/types.js';
import type { GatheredDef, InverseList, ResourceDef, ResponseShape } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import {
  type Count,
  countFromProbe,
  type Estimate,
  estimateGather,
  type GatherMode,
  type GatherPlan,
  inverseMayWin,
  MEMBER_PAGE,
  quotaShare,
} from './gather-estimate.js';
import { invertible, type InverseValues, memberPathsOf, readInverseValues } from './inverse-join.js';
import { type InverseRead, type KnownGroups, type Member, memberOf } from './inverse-lists.js';
import type { ExportPlan, ExportRequest } from './types.js';

export type { GatherMode } from './gather-estimate.js';

/** Keap's OAuth pace (1,500 a minute), assumed when no answer advertised one. */
const ASSUMED_RATE = 1500;
/** Member probes in flight at once (the client paces them). */
const PROBES_IN_FLIGHT = 8;

/** What the planner needs of the export's plan. */
export interface GatherInput {
  /** The records' resource (whose key the members name). */
  records: ResourceDef;
  /** The list read: path, query (filters, date window), shape; a walk or a single read has no inverse plan. */
  path: string;
  query: Query;
  shape: ResponseShape | undefined;
  walk: boolean;
  gathered: GatheredDef[];
  /** Custom fields read one request per record. */
  customFieldsPerRecord: boolean;
  pageSize: number;
  max?: number;
  mode: GatherMode;
  signal?: AbortSignal;
}

export interface GatherChoice {
  plan: GatherPlan;
  /** Why, in words (`--verbose`, `--plan`). */
  reason: string;
  /** The invertible field, when there is one. */
  field?: string;
  estimate?: Estimate;
  /** Requests spent on probes. */
  probes: number;
  /** Whether the pace is an assumption (no answer advertised one). */
  assumedRate: boolean;
  /** The share of what is left of the day's quota the chosen plan takes, when Keap's headers said. */
  quotaShare?: number;
  /** For the inverse plan: what the probes read already (the groups, and the groups read whole). */
  known?: KnownGroups;
}

/** What the gather planner needs of an export's request and plan. */
export function gatherInput(request: ExportRequest, plan: ExportPlan): GatherInput {
  return {
    records: plan.records,
    path: plan.path,
    query: plan.query,
    shape: plan.action.shape,
    walk: plan.walk !== undefined,
    gathered: plan.gathered,
    customFieldsPerRecord: plan.customFields === 'single',
    pageSize: Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
    ...(request.max !== undefined ? { max: request.max } : {}),
    mode: request.gather ?? 'auto',
    ...(request.signal ? { signal: request.signal } : {}),
  };
}

type Invertible = GatheredDef & { inverse: InverseList & { element: Record<string, string> } };

/** The field `--gather` is about: the one included gathered field that can be read inversely. */
function invertibleField(input: GatherInput): Invertible | undefined {
  return input.gathered.find(invertible) as Invertible | undefined;
}

/**
 * Decides the plan. `probeAll` (`--plan`) probes both plans whatever the mode; otherwise probes are
 * spent only where they can change the choice or feed the quota warning.
 */
export async function chooseGather(api: KeapApi, input: GatherInput, options: { probeAll?: boolean } = {}): Promise<GatherChoice> {
  const before = api.stats().requests;
  const field = invertibleField(input);
  const perRecordFields = input.gathered.filter((g) => !g.join).length + (input.customFieldsPerRecord ? 1 : 0);
  const listRead = !input.walk && input.shape?.kind === 'page';
  if (input.mode === 'inverse' && (!field || !listRead)) {
    throw new UsageError(
      field
        ? `--gather inverse: ${input.records.name} is read with ${input.path}, not its list; the inverse plan joins onto a list`
        : `--gather inverse: none of the included fields of ${input.records.name} has inverse lists`,
      { hint: 'leave out --gather (auto), or use --gather per-record' },
    );
  }
  const base = { assumedRate: false, probes: 0, ...(field ? { field: field.name } : {}) };
  const why =
    perRecordFields === 0
      ? 'no included field costs a request per record'
      : !field
        ? 'no included field has inverse lists: one request per record'
        : !listRead
          ? `${input.path} is not a list read: one request per record`
          : undefined;
  // Nothing to choose: `--plan` still shows what the list costs; a run sends no probe.
  if (why !== undefined && !(options.probeAll && listRead)) return { ...base, plan: 'per-record', reason: why };

  const records = await probeRecords(api, input);
  // Told to read per record (or nothing to invert), only the list is probed (for the quota warning).
  const skipGroups = !field || why !== undefined || (input.mode === 'per-record' && !options.probeAll);
  const groups = skipGroups ? undefined : await probeGroups(api, field, input.signal);
  const worthMembers =
    groups && (options.probeAll || input.mode === 'inverse' || inverseMayWin(records, input.max, groups.pages, groups.ids.length));
  const probed = field && groups && worthMembers ? await probeMembers(api, field, groups.ids, input.signal) : undefined;
  const members = probed?.counts;
  const quota = quotaFromHeaders(api.stats().rateHeaders);
  const estimate = estimateGather({
    records,
    pageSize: input.pageSize,
    ...(input.max !== undefined ? { max: input.max } : {}),
    otherPerRecord: Math.max(0, perRecordFields - (field ? 1 : 0)),
    ...(field ? {} : { withField: false }),
    ...(groups && members ? { inverse: { groupPages: groups.pages, members } } : {}),
    ratePerMinute: quota.ratePerMinute ?? ASSUMED_RATE,
    ...(quota.daily ? { remaining: quota.daily.available } : {}),
  });
  const plan: GatherPlan = input.mode === 'auto' ? estimate.cheaper : input.mode;
  const requests = plan === 'inverse' ? (estimate.inverseRequests as number) : estimate.perRecordRequests;
  const share = quotaShare(requests, estimate.remaining);
  return {
    ...base,
    plan,
    reason: why ?? reasonFor(input, field as GatheredDef, estimate, plan, members !== undefined),
    estimate,
    probes: api.stats().requests - before,
    assumedRate: quota.ratePerMinute === undefined,
    ...(share !== undefined ? { quotaShare: share } : {}),
    ...(groups && probed && plan === 'inverse' ? { known: { groups: groups.records, members: probed.whole } } : {}),
  };
}

function reasonFor(input: GatherInput, field: GatheredDef, estimate: Estimate, plan: GatherPlan, probedMembers: boolean): string {
  if (input.mode !== 'auto') return `--gather ${input.mode}`;
  const atLeast = estimate.lowerBound ? 'at least ' : '';
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
  if (!probedMembers) {
    return `${n(estimate.records)} ${input.records.name} cost fewer requests one by one than reading every ${singular(field)} group (${n(estimate.perRecordRequests)} requests)`;
  }
  const perRecord = `${atLeast}${n(estimate.perRecordRequests)} requests per record`;
  const inverse = `${atLeast}${n(estimate.inverseRequests)} requests from the member lists of ${n(estimate.groups)} ${field.name} (${n(estimate.memberships)} memberships)`;
  return plan === 'inverse' ? `${inverse}, against ${perRecord}` : `${perRecord}, against ${inverse}`;
}

const singular = (field: GatheredDef) => field.name.replace(/s$/, '');

/** The list's first page, as the export asks for it: how many records the export reads. */
async function probeRecords(api: KeapApi, input: GatherInput): Promise<Count> {
  const limit = Math.max(1, Math.min(input.pageSize, input.max ?? Number.POSITIVE_INFINITY));
  const response = await api.request('GET', input.path, {
    query: { ...input.query, limit, offset: 0 },
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return countOf(response.body, input.shape, limit);
}

function countOf(body: unknown, shape: ResponseShape | undefined, limit: number): Count {
  const key = shape?.kind === 'page' ? shape.key : '';
  const page = (body ?? {}) as Record<string, unknown>;
  const list = page[key];
  const count = typeof page['count'] === 'number' ? page['count'] : undefined;
  return countFromProbe({ received: Array.isArray(list) ? list.length : 0, limit, ...(count !== undefined ? { count } : {}) });
}

/** Every group (the tag list is short, and the inverse plan reads it anyway). */
async function probeGroups(
  api: KeapApi,
  field: Invertible,
  signal?: AbortSignal,
): Promise<{ ids: string[]; records: Record<string, unknown>[]; pages: number }> {
  const ids: string[] = [];
  const records: Record<string, unknown>[] = [];
  let pages = 0;
  for await (const page of api.paginate(field.inverse.groups.path, field.inverse.groups.shape, {
    keyFields: ['id'],
    ...(signal ? { signal } : {}),
  })) {
    pages++;
    for (const group of page.records) {
      const id = (group as Record<string, unknown>)?.['id'];
      if (typeof id !== 'number' && typeof id !== 'string') continue;
      ids.push(String(id));
      records.push(group as Record<string, unknown>);
    }
  }
  return { ids, records, pages: Math.max(1, pages) };
}

/**
 * The first page of each group's members: its `count` (or its length) says how many pages the group
 * costs, and a group whose first page holds all its members is kept, so the inverse plan reads it
 * no more (most tags: a tag of up to 999 members costs this one request).
 */
async function probeMembers(
  api: KeapApi,
  field: Invertible,
  ids: string[],
  signal?: AbortSignal,
): Promise<{ counts: Count[]; whole: Map<number, Member[]> }> {
  const counts: Count[] = new Array(ids.length);
  const whole = new Map<number, Member[]>();
  const memberPaths = memberPathsOf(field.inverse);
  const shape = field.inverse.members.shape;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const index = next++;
      const path = field.inverse.members.path.replace('{id}', encodeURIComponent(ids[index] as string));
      const response = await api.request('GET', path, { query: { limit: MEMBER_PAGE, offset: 0 }, ...(signal ? { signal } : {}) });
      counts[index] = countOf(response.body, shape, MEMBER_PAGE);
      const entries = shape.kind === 'page' ? (response.body as Record<string, unknown> | null)?.[shape.key] : undefined;
      if (Array.isArray(entries) && entries.length < MEMBER_PAGE) whole.set(index, wholeGroup(entries, field.inverse, memberPaths));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_IN_FLIGHT, ids.length) }, worker));
  return { counts, whole };
}

/** A group read in one short page: every member, once. */
function wholeGroup(entries: unknown[], inverse: InverseList, memberPaths: readonly string[]): Member[] {
  const seen = new Set<string>();
  const members: Member[] = [];
  for (const entry of entries) {
    const member = memberOf(entry, inverse, memberPaths);
    if (!member || seen.has(String(member[0]))) continue;
    seen.add(String(member[0]));
    members.push(member);
  }
  return members;
}

/** Says the choice (`--verbose`) and warns before a run whose estimate exceeds what is left of the day's quota. */
export function reportGather(choice: GatherChoice, resource: string, reporter: Reporter): void {
  if (choice.field)
    reporter.debug(
      `${resource}: --include ${choice.field} ${choice.plan === 'inverse' ? 'read from its inverse lists' : 'read per record'}: ${choice.reason}`,
    );
  const estimate = choice.estimate;
  if (estimate?.remaining !== undefined && choice.quotaShare !== undefined && choice.quotaShare > 1) {
    const requests = choice.plan === 'inverse' ? estimate.inverseRequests : estimate.perRecordRequests;
    reporter.warn(
      `${resource}: this run needs ${estimate.lowerBound ? 'at least ' : ''}${(requests ?? 0).toLocaleString('en-US')} requests and ` +
        `${estimate.remaining.toLocaleString('en-US')} are left of today's quota: it will stop when the quota runs out`,
    );
  }
}

/** Reads the inverse lists when the choice is the inverse plan, and says what they cost. */
export async function inverseValuesFor(
  api: KeapApi,
  input: GatherInput,
  choice: GatherChoice,
  reporter: Reporter,
): Promise<{ field: string; values: InverseValues; read: InverseRead } | undefined> {
  const field = invertibleField(input);
  if (choice.plan !== 'inverse' || !field) return undefined;
  const key = input.records.keyFields[0] ?? 'id';
  const { values, read } = await readInverseValues(api, field, key, {
    ...(input.signal ? { signal: input.signal } : {}),
    ...(choice.known ? { known: choice.known } : {}),
  });
  reporter.info(
    `${input.records.name}: read ${read.memberships.toLocaleString('en-US')} ${field.name} memberships of ${read.groups.toLocaleString('en-US')} groups in ${read.requests.toLocaleString('en-US')} requests` +
      (read.rereads ? ` (${read.rereads} read again: their pages did not line up)` : ''),
  );
  return { field: field.name, values, read };
}
