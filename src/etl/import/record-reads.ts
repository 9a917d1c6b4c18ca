/**
 * Which units read the record they change before writing it, what they take from it, and the key
 * a list read finds it by (issue 17, item 6). Shared by the apply pass (apply.ts) and the choice
 * between a read per row and one list read (read-plan.ts).
 */
import { bodyProperties, plainReadAction } from '../../catalog/index.js';
import type { NaturalKey } from '../../catalog/types.js';
import type { CheckedRow } from './check.js';
import type { WriteGuard } from './guard.js';
import { valuesAt } from './lookup.js';
import type { PreparedImport } from './prepare.js';

/** An update by PUT (hooks, files): Keap replaces the record with the body. */
export function replacesRecord(prepared: PreparedImport): boolean {
  return prepared.kind === 'update' && prepared.action.method === 'PUT';
}

/** The unit's write needs the record: arrays to merge, required fields to fill, or a whole record to keep. */
export function needsRecord(prepared: PreparedImport, checked: CheckedRow): boolean {
  return checked.mapped.partialArrays.length > 0 || checked.fillFromRecord.length > 0 || replacesRecord(prepared);
}

/** The record's properties a unit consults (merge, fill, comparison, --if-unchanged), or undefined when it reads none. */
export function consultedProperties(prepared: PreparedImport, checked: CheckedRow, guard: WriteGuard | undefined): string[] | undefined {
  const merges = needsRecord(prepared, checked);
  if (!merges && !guard?.readsRecord) return undefined;
  const names = new Set([...checked.mapped.partialArrays, ...checked.fillFromRecord]);
  if (replacesRecord(prepared)) for (const property of bodyProperties(prepared.resource, prepared.action)) names.add(property.name);
  if (guard?.compares) for (const name of Object.keys(checked.mapped.body)) names.add(name);
  if (guard?.ifUnchangedField) names.add(guard.ifUnchangedField);
  return [...names];
}

/** Properties the resource's list records lack (the catalog's listLacks). */
export function listLacks(prepared: PreparedImport): ReadonlySet<string> {
  return new Set(plainReadAction(prepared.resource)?.listLacks ?? []);
}

/** The natural key an upsert is matched by, with a bodyPath (the one `recover` would use), and the row's value. */
export function upsertKey(prepared: PreparedImport, body: Record<string, unknown>): { key: NaturalKey; value: string } | undefined {
  for (const key of prepared.resource.naturalKeys ?? []) {
    if (!key.bodyPath) continue;
    const value = valuesAt(prepared.resource, body, key.bodyPath).find((candidate) => candidate !== '');
    if (value !== undefined) return { key, value: normaliseKey(key, value) };
  }
  return undefined;
}

export function normaliseKey(key: NaturalKey, value: string): string {
  return key.ignoreCase ? value.toLowerCase() : value;
}
