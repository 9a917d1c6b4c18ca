/** `sync --plan`: the estimate of each resource's read, as text or (with `--json`) one object. */
import type { ResourceCost, SyncCost } from '../etl/sync/estimate.js';
import { counted } from '../reporter.js';

const n = (value: number) => value.toLocaleString('en-US');

/** Keap's OAuth pace (1,500 a minute), assumed when no answer advertised one. */
const ASSUMED_RATE = 1500;

function duration(minutes: number): string {
  if (minutes < 1) return `${Math.max(1, Math.round(minutes * 60))} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

/** Which read the run makes: `first sync, every record`, `changed since 2026-05-01T02:30:00.000Z`, ... */
function readText(r: ResourceCost): string {
  const what =
    r.read === 'incremental'
      ? `changed since ${r.since}`
      : r.read === 'first'
        ? 'first sync, every record'
        : r.mode === 'hash'
          ? 'every record (compared by content hash every run)'
          : 'every record (--full-refresh)';
  if (!r.resume) return what;
  return `${what}, continuing the stopped run of ${r.resume.started} after its ${n(r.resume.committed)} committed records`;
}

/** One line per resource, then the total, its time at the current pace and its share of the day's quota. */
export function renderSyncPlan(cost: SyncCost): string {
  const lines: string[] = [];
  for (const r of cost.resources) {
    if (r.records === undefined) {
      lines.push(`${r.resource}: ${readText(r)}: no estimate (read through its parents, not one list)`);
      continue;
    }
    const atLeast = r.lowerBound ? 'at least ' : '';
    const parts = [`${atLeast}${counted(r.records, 'record')} in ${counted(r.pages ?? 0, 'page')}`];
    if (r.inverse) {
      const groups = r.inverse.groups === 1 ? "1 group's member list" : `${n(r.inverse.groups)} groups' member lists`;
      parts.push(`${r.inverse.field} from ${groups} (${counted(r.inverse.memberships, 'membership')})`);
    }
    if (r.gathered) parts.push(`${counted(r.gathered, 'request')} for gathered fields`);
    if (r.sweep !== undefined) parts.push(`--detect-deletes sweep ${counted(r.sweep, 'request')}`);
    lines.push(`${r.resource}: ${readText(r)}: ${parts.join(', ')}: ${atLeast}${counted(r.requests ?? 0, 'request')}`);
  }
  const rate = cost.ratePerMinute ?? ASSUMED_RATE;
  const pace = `${n(Math.round(rate))} a minute${cost.ratePerMinute === undefined ? ' (assumed: no answer said)' : ''}`;
  const atLeast = cost.lowerBound ? 'at least ' : '';
  lines.push(`total: ${atLeast}${counted(cost.requests, 'request')}, ${duration(cost.requests / rate)} at ${pace}`);
  lines.push(
    cost.remaining !== undefined
      ? `daily quota: ${cost.remaining > 0 ? `${((cost.requests / cost.remaining) * 100).toFixed(1)}%` : 'more than all'} of the ${n(cost.remaining)} requests left`
      : 'daily quota: unknown (no answer gave x-keap-*-quota headers)',
  );
  lines.push(
    cost.destination !== undefined
      ? `probes: ${counted(cost.probes, 'request')}; the state read from ${cost.destination}, nothing written`
      : `probes: ${counted(cost.probes, 'request')}; no --to, so each resource as its first sync reads it`,
  );
  return `${lines.join('\n')}\n`;
}
