/** `export --plan`: the estimate as text or one JSON object. */
import type { GatherChoice } from '../etl/export/gather-plan.js';

/** What `--plan --json` prints: one object. */
export function gatherPlanJson(resource: string, choice: GatherChoice): Record<string, unknown> {
  const e = choice.estimate;
  const requests = e && (choice.plan === 'inverse' ? e.inverseRequests : e.perRecordRequests);
  return {
    resource,
    ...(choice.field ? { field: choice.field } : {}),
    plan: choice.plan,
    reason: choice.reason,
    ...(e
      ? {
          records: e.records,
          lowerBound: e.lowerBound,
          pages: e.pages,
          perRecordRequests: e.perRecordRequests,
          ...(e.inverseRequests !== undefined ? { inverseRequests: e.inverseRequests, groups: e.groups, memberships: e.memberships } : {}),
          requests,
          ratePerMinute: e.ratePerMinute,
          assumedRate: choice.assumedRate,
          minutes: round((requests ?? 0) / e.ratePerMinute),
          ...(e.remaining !== undefined ? { quotaRemaining: e.remaining } : {}),
          ...(choice.quotaShare !== undefined ? { quotaShare: round(choice.quotaShare) } : {}),
        }
      : {}),
    probes: choice.probes,
  };
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10_000) / 10_000 : n);
const n = (value: number) => value.toLocaleString('en-US');

function duration(minutes: number): string {
  if (minutes < 1) return `${Math.max(1, Math.round(minutes * 60))} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

/** What `--plan` prints: one line per fact. */
export function renderGatherPlan(resource: string, choice: GatherChoice): string {
  const e = choice.estimate;
  const lines = [`${resource}${choice.field ? ` --include ${choice.field}` : ''}`];
  if (!e) {
    lines.push(`  plan          ${choice.plan}: ${choice.reason}`, `  probes        ${n(choice.probes)} requests`);
    return `${lines.join('\n')}\n`;
  }
  const atLeast = e.lowerBound ? 'at least ' : '';
  const pace = `${n(Math.round(e.ratePerMinute))} a minute${choice.assumedRate ? ' (assumed: no answer said)' : ''}`;
  const time = (requests: number) => `${duration(requests / e.ratePerMinute)} at ${pace}`;
  lines.push(`  records       ${atLeast}${n(e.records)}`, `  pages         ${atLeast}${n(e.pages)}`);
  lines.push(`  per record    ${atLeast}${n(e.perRecordRequests)} requests, ${time(e.perRecordRequests)}`);
  if (e.inverseRequests !== undefined) {
    lines.push(
      `  inverse       ${atLeast}${n(e.inverseRequests)} requests, ${time(e.inverseRequests)} (${n(e.groups ?? 0)} groups, ${n(e.memberships ?? 0)} memberships)`,
    );
  }
  lines.push(`  plan          ${choice.plan}: ${choice.reason}`);
  if (e.remaining !== undefined && choice.quotaShare !== undefined) {
    const share = Number.isFinite(choice.quotaShare) ? `${(choice.quotaShare * 100).toFixed(1)}%` : 'more than all';
    lines.push(
      `  quota         ${share} of the ${n(e.remaining)} requests left today${choice.quotaShare > 1 ? ': the run would stop when it runs out' : ''}`,
    );
  } else lines.push('  quota         unknown (no answer gave x-keap-*-quota headers)');
  lines.push(`  probes        ${n(choice.probes)} requests`);
  if (e.lowerBound) lines.push("  (Keap's count could not be taken as a total: every number is a lower bound)");
  return `${lines.join('\n')}\n`;
}
