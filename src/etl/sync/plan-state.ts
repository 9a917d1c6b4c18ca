/**
 * `sync --plan` with `--to`: the estimate of the run that would actually happen. The destination's
 * `_infusionsoft_state` is read without writing or locking anything (state-readonly.ts), so each
 * resource is estimated as its next run reads it: a first sync, the records changed since its
 * bookmark, or everything (hash mode, `--full-refresh`). Tables of another Keap account are refused
 * (exit 2) as the run refuses them, before any estimate is shown.
 */
import type { KeapApi } from '../../api/types.js';
import { type EstimateRequest, estimateSync, type SyncCost } from './estimate.js';
import { type Account, checkAccount, type StateRow } from './state.js';
import { readStatesReadOnly } from './state-readonly.js';
import type { SyncTarget } from './target.js';

export interface SyncPlanRequest extends Omit<EstimateRequest, 'states' | 'afterProbes'> {
  /** `--to`; without it every resource counts as a first sync. */
  target?: SyncTarget;
  /** PostgreSQL schema (default `public`). */
  schema?: string;
}

export async function planSync(api: KeapApi, request: SyncPlanRequest): Promise<SyncCost> {
  const { target, schema, ...estimate } = request;
  const states = target ? await readStatesReadOnly(target, schema) : new Map<string, StateRow>();
  const destination = { label: target?.label ?? '' };
  // The host is known now; Keap names the tenant with the first answer, so the check runs again after the probes.
  const check = () => checkAccount(destination, states, accountOf(api));
  check();
  const cost = await estimateSync(api, { ...estimate, states, afterProbes: check });
  return { ...(target ? { destination: target.label } : {}), ...cost };
}

/** The account the client reads, as `sync` records it: the API's host, and the tenant Keap names. */
function accountOf(api: KeapApi): Account {
  const tenant = api.stats().rateHeaders?.['x-keap-tenant-id'];
  return { app: new URL(api.baseUrl).hostname, ...(tenant ? { tenant } : {}) };
}
