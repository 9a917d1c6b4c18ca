/**
 * `sync --plan`: what the next sync of each resource would cost, after the export's own probes
 * (export/estimate.ts) and nothing else: the list's pages, what its gathered fields cost (read
 * from their inverse lists where they have them, as a sync always reads them; else per record),
 * and `--detect-deletes`'s sweep of every id. Where the destination's state says the run is
 * incremental, the list is probed with the bookmark's `since` filter, as the run reads it: only
 * the pages of the records changed since then count; the inverse lists and the sweep cost the
 * same every run.
 */
import { MAX_PAGE_SIZE } from '../../api/pager.js';
import type { KeapApi } from '../../api/types.js';
import { quotaFromHeaders } from '../../api/quota.js';
import { incrementalModeOf, plainReadAction } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import { estimateExport } from '../export/estimate.js';
import { countFromProbe, type Estimate } from '../export/gather-estimate.js';
import { canSweep } from '../export/id-sweep.js';
import { selectReadAction } from '../export/plan.js';
import { type StartingPoint, type StateRow, startingPoint } from './state.js';

/**
 * `first`: no bookmark committed yet, every record is read; `incremental`: the records changed
 * since the bookmark; `full`: every record (hash mode reads them all every run, and `--full-refresh`).
 */
export type ReadKind = 'first' | 'incremental' | 'full';

export interface ResourceCost {
  resource: string;
  /** How the resource is kept current: `since` (a bookmark on its update time) or `hash`. */
  mode: 'since' | 'hash';
  read: ReadKind;
  /** The bookmark an incremental read filters on. */
  since?: string;
  /** A stopped run's cursor: the read continues after its committed records, from the run's start. */
  resume?: { started: string; committed: number };
  /** Undefined when the records are not read from one list (a walk of every parent): no estimate. */
  records?: number;
  lowerBound: boolean;
  pages?: number;
  /** Requests for gathered fields and custom fields read alone, besides the pages. */
  gathered?: number;
  /** The field read from its inverse lists, when there is one: its groups and memberships. */
  inverse?: { field: string; groups: number; memberships: number };
  /** `--detect-deletes` on a resource read by update time: one read of every id. */
  sweep?: number;
  requests?: number;
}

export interface SyncCost {
  /** The database whose state was read (`--to`); without it each resource counts as a first sync. */
  destination?: string;
  resources: ResourceCost[];
  /** The sum of what is known (a lower bound when any resource has no estimate, or a count is one). */
  requests: number;
  lowerBound: boolean;
  ratePerMinute?: number;
  /** Requests left today, when Keap's headers said. */
  remaining?: number;
  /** Requests spent on probes. */
  probes: number;
}

export interface EstimateRequest {
  resources: ResourceDef[];
  include?: string[];
  detectDeletes?: boolean;
  fullRefresh?: boolean;
  pageSize?: number;
  /** The destination's committed state, by resource (none: every resource's first sync). */
  states?: Map<string, StateRow>;
  /** Called after each resource's probes (they name the account: `sync` refuses another's tables). */
  afterProbes?: () => void;
}

export async function estimateSync(api: KeapApi, request: EstimateRequest): Promise<SyncCost> {
  const before = api.stats().requests;
  const resources: ResourceCost[] = [];
  for (const resource of request.resources) resources.push(await estimateResource(api, resource, request));
  const quota = quotaFromHeaders(api.stats().rateHeaders);
  return {
    resources,
    requests: resources.reduce((sum, r) => sum + (r.requests ?? 0), 0),
    lowerBound: resources.some((r) => r.lowerBound),
    ...(quota.ratePerMinute !== undefined ? { ratePerMinute: quota.ratePerMinute } : {}),
    ...(quota.daily ? { remaining: quota.daily.available } : {}),
    probes: api.stats().requests - before,
  };
}

async function estimateResource(api: KeapApi, resource: ResourceDef, request: EstimateRequest): Promise<ResourceCost> {
  const mode = incrementalModeOf(selectReadAction(resource, []));
  const saved = request.states?.get(resource.name);
  const start = startingPoint(mode, saved, request.fullRefresh ?? false);
  const head = { resource: resource.name, mode, ...readOf(start, saved, request.fullRefresh ?? false) };
  const pageSize = Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  // The list as the run reads it: with the bookmark's filter (sync/pages.ts plans it the same way).
  const choice = await estimateExport(api, {
    resource,
    format: 'ndjson',
    ...(request.include?.length ? { include: request.include } : {}),
    ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    ...(start.bookmark ? { since: start.bookmark } : {}),
  });
  request.afterProbes?.();
  const e = choice.estimate;
  if (!e) return { ...head, lowerBound: true };
  const left = head.resume ? afterCursor(e, head.resume.committed, pageSize) : e;
  const read = left.inverseRequests ?? left.perRecordRequests;
  const sweeps = request.detectDeletes && mode === 'since' && canSweep(resource);
  // An incremental run sweeps every id all the same: the whole list's size takes a probe of its own.
  const swept = sweeps ? (start.bookmark ? await probeSweep(api, resource) : { records: e.records, exact: !e.lowerBound }) : undefined;
  const sweep = swept ? Math.max(1, Math.ceil(swept.records / MAX_PAGE_SIZE)) : undefined;
  return {
    ...head,
    records: left.records,
    lowerBound: e.lowerBound || swept?.exact === false,
    pages: left.pages,
    gathered: read - left.pages,
    ...(choice.field && e.inverseRequests !== undefined
      ? { inverse: { field: choice.field, groups: e.groups ?? 0, memberships: e.memberships ?? 0 } }
      : {}),
    ...(sweep !== undefined ? { sweep } : {}),
    requests: read + (sweep ?? 0),
  };
}

/** What kind of read the run makes, and where a stopped run's cursor has it continue. */
function readOf(start: StartingPoint, saved: StateRow | undefined, fullRefresh: boolean) {
  const read: ReadKind = fullRefresh ? 'full' : start.bookmark ? 'incremental' : start.mode === 'hash' && saved ? 'full' : 'first';
  const position = start.cursor?.position;
  return {
    read,
    ...(start.bookmark ? { since: start.bookmark } : {}),
    ...(start.cursor ? { resume: { started: start.cursor.started, committed: position ? position.offset + position.ids.length : 0 } } : {}),
  };
}

/**
 * The estimate of a read that continues after `committed` records: fewer pages, and fewer of the
 * requests made per record (gather-estimate.ts: per record = pages + records x (1 + other); the
 * inverse plan = pages + records x other + its lists, which do not shrink).
 */
function afterCursor(e: Estimate, committed: number, pageSize: number): Estimate {
  if (committed <= 0 || e.records === 0) return e;
  const records = Math.max(0, e.records - committed);
  const pages = Math.max(1, Math.ceil(records / pageSize));
  const perRecord = (e.perRecordRequests - e.pages) / e.records;
  const perRecordRequests = pages + Math.round(records * perRecord);
  if (e.inverseRequests === undefined) return { ...e, records, pages, perRecordRequests };
  const other = Math.max(0, perRecord - 1);
  const lists = e.inverseRequests - e.pages - e.records * other;
  return { ...e, records, pages, perRecordRequests, inverseRequests: Math.round(pages + records * other + lists) };
}

/** The plain list's first page, as the sweep reads it: how many ids it reads. */
async function probeSweep(api: KeapApi, resource: ResourceDef): Promise<{ records: number; exact: boolean }> {
  const action = plainReadAction(resource);
  const shape = action?.shape;
  if (!action || shape?.kind !== 'page') return { records: 0, exact: false };
  const response = await api.request('GET', action.path, { query: { ...(action.query ?? {}), limit: MAX_PAGE_SIZE, offset: 0 } });
  const body = (response.body ?? {}) as Record<string, unknown>;
  const list = body[shape.key];
  return countFromProbe({
    received: Array.isArray(list) ? list.length : 0,
    limit: MAX_PAGE_SIZE,
    ...(typeof body.count === 'number' ? { count: body.count } : {}),
  });
}
