/**
 * What a dry run would send (issue 13, item 7): for each valid unit (or the first N, with
 * `--dry-run=N`) the action, the request, the record it would write where that is known without
 * asking Keap, and the body. Entries are handed to a sink one by one, so a dry run of a million
 * rows never holds them all.
 */
import { bodyProperties } from '../../catalog/index.js';
import { fillPath, type Unit } from './apply.js';
import { valuesAt } from './lookup.js';
import { type MatchPlan, routeUnit } from './match.js';
import type { PreparedImport } from './prepare.js';
import type { ImportActionKind } from './types.js';

export interface PreviewEntry {
  /** The unit's first row. */
  row: number;
  action: ImportActionKind;
  method?: string;
  path?: string;
  /**
   * The record the write would change, where known before sending: its key (an update's id), or
   * how Keap will match it (an upsert: Keap's duplicate check on the email).
   */
  match?: Record<string, unknown>;
  /** The body as the file gives it; an update's merge with the record happens when it is sent. */
  body?: Record<string, unknown>;
  /** Why the unit would not be sent (--match found several records, or none for an update). */
  error?: string;
}

export interface PreviewRequest {
  /** How many units to show; all when undefined. */
  limit?: number;
  /** Receives each entry; a promise it returns is awaited (a slow stdout holds the dry run back). */
  onEntry(entry: PreviewEntry): void | Promise<void>;
}

/** The record an upsert would be matched with by Keap: its duplicate check on the natural key in the body. */
function upsertMatch(prepared: PreparedImport, body: Record<string, unknown>): Record<string, unknown> | undefined {
  const by = prepared.callOptions.duplicate_option;
  const key = prepared.resource.naturalKeys?.find((candidate) => candidate.bodyPath);
  const value = key?.bodyPath ? valuesAt(prepared.resource, body, key.bodyPath)[0] : undefined;
  if (!key || value === undefined) return by ? { by } : undefined;
  return { by: by ?? key.name, [key.name]: value };
}

/** One unit as it would be sent. */
export function previewOf(prepared: PreparedImport, unit: Unit): PreviewEntry {
  const { mapped } = unit.checked;
  const takesBody = prepared.action.kind !== 'delete' && bodyProperties(prepared.resource, prepared.action).length > 0;
  const body = takesBody ? { ...mapped.body, ...prepared.callOptions } : undefined;
  const match =
    prepared.kind === 'upsert'
      ? upsertMatch(prepared, mapped.body)
      : prepared.kind === 'create' || Object.keys(mapped.path).length === 0
        ? undefined
        : { ...mapped.path };
  return {
    row: unit.row,
    action: prepared.kind,
    method: prepared.action.method,
    path: fillPath(prepared.action.path, mapped.path),
    ...(match ? { match } : {}),
    ...(body ? { body } : {}),
  };
}

/** Hands the first `limit` units (all without one) to the sink; returns how many it showed. */
export async function previewUnits(prepared: PreparedImport, units: AsyncIterable<Unit>, request: PreviewRequest): Promise<number> {
  let shown = 0;
  for await (const unit of units) {
    if (request.limit !== undefined && shown >= request.limit) break;
    await request.onEntry(prepared.match ? await previewMatched(prepared.match, unit) : previewOf(prepared, unit));
    shown++;
  }
  return shown;
}

/** A --match unit: found by its value (a read), then shown as the update or create it becomes. */
async function previewMatched(match: MatchPlan, unit: Unit): Promise<PreviewEntry> {
  const route = await routeUnit(match, unit);
  if ('outcome' in route) return { row: unit.row, action: match.kind, ...(route.outcome.error ? { error: route.outcome.error } : {}) };
  return previewOf(route.prepared, route.unit);
}

/** An entry as two lines of text: what is sent where, then the body. */
export function previewText(entry: PreviewEntry): string {
  const match = entry.match
    ? ` (${Object.entries(entry.match)
        .map(([key, value]) => `${key} ${String(value)}`)
        .join(', ')})`
    : '';
  if (entry.error) return `row ${entry.row}: ${entry.action}: not sent: ${entry.error}\n`;
  const head = `row ${entry.row}: ${entry.action}${match}: ${entry.method} ${entry.path}`;
  return entry.body ? `${head}\n  ${JSON.stringify(entry.body)}\n` : `${head}\n`;
}
