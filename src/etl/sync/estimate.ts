/**
 * `sync --plan`: what a full sync of each resource would cost, after the export's own probes
 * (export/estimate.ts) and nothing else: the list's pages, what its gathered fields cost (read
 * from their inverse lists where they have them, as a sync always reads them; else per record),
 * and `--detect-deletes`'s sweep of every id. An incremental run reads fewer pages (only records
 * changed since the bookmark); the inverse lists and the sweep cost the same every run.
 */
import type { KeapApi } from '../../api/types.js';
import { quotaFromHeaders } from '../../api/quota.js';
import { incrementalModeOf } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import { estimateExport } from '../export/estimate.js';
import { canSweep } from '../export/id-sweep.js';
import { selectReadAction } from '../export/plan.js';

/** Ids a sweep reads a request (the plain list's largest page). */
const SWEEP_PAGE = 1000;

export interface ResourceCost {
  resource: string;
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

export async function estimateSync(
  api: KeapApi,
  request: { resources: ResourceDef[]; include?: string[]; detectDeletes?: boolean; pageSize?: number },
): Promise<SyncCost> {
  const before = api.stats().requests;
  const resources: ResourceCost[] = [];
  for (const resource of request.resources) {
    const choice = await estimateExport(api, {
      resource,
      format: 'ndjson',
      ...(request.include?.length ? { include: request.include } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    });
    const e = choice.estimate;
    if (!e) {
      resources.push({ resource: resource.name, lowerBound: true });
      continue;
    }
    const requests = e.inverseRequests ?? e.perRecordRequests;
    const sweeps = request.detectDeletes && incrementalModeOf(selectReadAction(resource, [])) === 'since' && canSweep(resource);
    const sweep = sweeps ? Math.max(1, Math.ceil(e.records / SWEEP_PAGE)) : undefined;
    resources.push({
      resource: resource.name,
      records: e.records,
      lowerBound: e.lowerBound,
      pages: e.pages,
      gathered: requests - e.pages,
      ...(choice.field && e.inverseRequests !== undefined
        ? { inverse: { field: choice.field, groups: e.groups ?? 0, memberships: e.memberships ?? 0 } }
        : {}),
      ...(sweep !== undefined ? { sweep } : {}),
      requests: requests + (sweep ?? 0),
    });
  }
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
