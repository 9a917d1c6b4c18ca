/** How an upsert's outcome is told created from updated: Keap's answer, else the record's own stamps. */
import type { ResourceDef } from '../../catalog/types.js';

/**
 * `created` when Keap answered 201, or when the record it returns was created since this import
 * began (`startedAt`: its journal's first run), or was never updated since it was created;
 * `updated` otherwise, and whenever the record or its creation time cannot be read.
 */
export function upsertStatus(
  resource: Pick<ResourceDef, 'createdField' | 'updatedField'>,
  startedAt: number,
  status: number,
  body: unknown,
): 'created' | 'updated' {
  if (status === 201) return 'created';
  const { createdField, updatedField } = resource;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || createdField === undefined) return 'updated';
  const record = body as Record<string, unknown>;
  const created = Date.parse(String(record[createdField] ?? ''));
  const updated = Date.parse(String(record[updatedField ?? ''] ?? ''));
  if (!Number.isFinite(created)) return 'updated';
  // Created since this import began, or, whatever the two clocks say, never updated since it was
  // created: Keap's own stamps agree.
  if (created >= startedAt) return 'created';
  return Number.isFinite(updated) && updated <= created ? 'created' : 'updated';
}
