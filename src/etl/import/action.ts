/**
 * Which write action a file is imported with: `--action`, or decided once per file from its columns
 * (issue #9): update when the file has the update's key columns (an exported file comes back as an
 * update, even for contacts, where an upsert would match on an edited email and create a
 * duplicate), upsert when the resource has one, create otherwise.
 */
import { actionsOfKind, pathFields } from '../../catalog/index.js';
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import type { ImportActionKind } from './types.js';

/** The kinds `--action` takes; commander checks the flag against them (commands/import.ts). */
export const IMPORT_ACTIONS: readonly ImportActionKind[] = ['create', 'update', 'upsert', 'delete'];

function canDo(resource: ResourceDef): ImportActionKind[] {
  return IMPORT_ACTIONS.filter((kind) => actionsOfKind(resource, kind).length > 0);
}

/** The resource's action of this kind, or a UsageError saying what it can do instead. */
export function importAction(resource: ResourceDef, kind: ImportActionKind): ActionDef {
  const action = actionsOfKind(resource, kind)[0];
  if (action) return action;
  const possible = canDo(resource);
  throw new UsageError(`${resource.name} cannot be imported with --action ${kind}: Keap's API has no ${kind} for ${resource.name}`, {
    hint: possible.length ? `${resource.name} can be imported with --action ${possible.join(', ')}` : `${resource.name} cannot be written`,
  });
}

/**
 * The action for a file whose columns (after --map) are `fields`: see the module comment. A
 * resource that can only delete needs --action delete said out loud.
 */
export function decideAction(resource: ResourceDef, fields: ReadonlySet<string>): ActionDef {
  const update = actionsOfKind(resource, 'update')[0];
  if (update) {
    const keys = pathFields(resource, update).map((field) => field.name);
    if (keys.length > 0 && keys.every((key) => fields.has(key))) return update;
  }
  const upsert = actionsOfKind(resource, 'upsert')[0];
  if (upsert) return upsert;
  const create = actionsOfKind(resource, 'create')[0];
  if (create) return create;
  const possible = canDo(resource);
  if (possible.length === 0) throw new UsageError(`${resource.name} cannot be imported: Keap's API has no write for it`);
  throw new UsageError(`say what to do with the rows of ${resource.name}: add --action ${possible.join('|')}`);
}
