/**
 * `sync`: resources into a database, one after another, under the destination's lock. A resource
 * that fails does not stop the others (its committed pages stay; the run exits 1); what every
 * later resource would meet too (a refused credential, a used-up quota, an interrupt, another
 * account's tables) stops the run.
 */
import type { KeapApi } from '../../api/types.js';
import type { ResourceDef } from '../../catalog/types.js';
import { ApiError, AuthError, InterruptedError, UsageError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import type { Destination, OpenOptions } from './destination.js';
import { planExport } from '../export/plan.js';
import { emptyCounts } from './merge.js';
import { type ResourceRequest, type ResourceSummary, syncResource } from './resource.js';
import { tableName } from './naming.js';
import { readStates } from './state.js';
import { redactText, type SyncTarget } from './target.js';

export interface SyncRequest extends Omit<ResourceRequest, 'resource'> {
  resources: ResourceDef[];
  target: SyncTarget;
  /** PostgreSQL schema (default `public`). */
  schema?: string;
  /** How long to wait for another run's lock (default 30 s). */
  lockWaitMs?: number;
  lockPollMs?: number;
  now?: () => number;
}

/** What `sync --json` prints. */
export interface SyncResult {
  destination: string;
  seconds: number;
  requests: number;
  resources: ResourceSummary[];
}

const LOCK_WAIT_MS = 30_000;

/** The destination, under this run's lock. */
export async function openDestination(request: SyncRequest): Promise<Destination> {
  const options: OpenOptions = {
    lockWaitMs: request.lockWaitMs ?? LOCK_WAIT_MS,
    ...(request.lockPollMs !== undefined ? { lockPollMs: request.lockPollMs } : {}),
  };
  if (request.target.kind === 'sqlite') {
    const { openSqlite } = await import('./sqlite.js');
    return openSqlite(request.target, options);
  }
  const { openPostgres } = await import('./postgres.js');
  return openPostgres(request.target, request.schema ?? 'public', options);
}

export async function runSync(api: KeapApi, request: SyncRequest, reporter: Reporter): Promise<SyncResult> {
  const started = performance.now();
  const requestsBefore = api.stats().requests;
  const now = request.now ?? Date.now;
  // Every resource's read is planned first: a flag one of them refuses (`--include`) is exit 2 before anything is opened.
  for (const resource of request.resources)
    planExport({ resource, format: 'ndjson', ...(request.include ? { include: request.include } : {}) });
  const destination = await openDestination(request);
  const results: ResourceSummary[] = [];
  try {
    const states = await readStates(destination);
    const app = new URL(api.baseUrl).hostname;
    const account = () => {
      const tenant = api.stats().rateHeaders?.['x-keap-tenant-id'];
      return { app, ...(tenant ? { tenant } : {}) };
    };
    const context = { api, destination, reporter, states, account, now };
    for (const resource of request.resources) {
      const summary = await syncOne(context, { ...request, resource }, reporter, request.target);
      results.push(summary);
    }
  } finally {
    await destination.close();
  }
  return {
    destination: destination.label,
    seconds: Math.round(performance.now() - started) / 1000,
    requests: api.stats().requests - requestsBefore,
    resources: results,
  };
}

/** One resource; a failure of its own becomes its summary's `failed`, one every resource would meet is thrown. */
async function syncOne(
  context: Parameters<typeof syncResource>[0],
  request: ResourceRequest,
  reporter: Reporter,
  target: SyncTarget,
): Promise<ResourceSummary> {
  const progress = reporter.progress(`${request.resource.name}: starting`);
  try {
    return await syncResource({ ...context, progress }, request);
  } catch (error) {
    if (stopsEveryResource(error, request.signal)) throw error;
    const message = redactText(error instanceof Error ? error.message : String(error), target);
    reporter.warn(`${request.resource.name}: ${message}; what was committed stays, the other resources go on`);
    return {
      resource: request.resource.name,
      table: tableName(request.resource.name),
      status: 'failed',
      mode: 'hash',
      requests: 0,
      ...emptyCounts(),
      error: message,
    };
  } finally {
    progress.stop();
  }
}

function stopsEveryResource(error: unknown, signal: AbortSignal | undefined): boolean {
  return (
    signal?.aborted === true ||
    error instanceof InterruptedError ||
    error instanceof AuthError ||
    error instanceof UsageError ||
    (error instanceof ApiError && error.status === 429)
  );
}
