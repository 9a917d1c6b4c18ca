/**
 * What is decided about an update after the record is read and before anything is written (issue
 * 13, items 8 and 9):
 *
 *  - `--if-unchanged`: the row carries the record's update time as exported; a record Keap shows
 *    with another time was edited since, and is not overwritten (the row fails with both times).
 *    Keap has no conditional writes (no If-Match or ETag), so an edit between this read and the
 *    write is not seen.
 *  - change detection: a row whose values the record already holds is not sent (`unchanged`),
 *    unless `--send-unchanged`.
 *
 * Both need the record, which costs one GET per row where the update would not read it anyway.
 */
import { readActions } from '../../catalog/index.js';
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import { holdsValues } from './compare.js';
import type { ImportActionKind, RowOutcome } from './types.js';

export interface GuardOptions {
  /** Compare and skip rows the record already holds (default); false with --send-unchanged. */
  skipUnchanged: boolean;
  /** `--if-unchanged`. */
  ifUnchanged: boolean;
}

export interface WriteGuard {
  /** Whether every unit's record must be read before its write. */
  readsRecord: boolean;
  /** Change detection compares every field of the body with the record's. */
  compares: boolean;
  /** `--if-unchanged`: the record's update-time field it compares. */
  ifUnchangedField?: string;
  /**
   * The outcome of a unit that must not be sent (`unchanged`, or a conflict), or undefined to send
   * it. `body` is what would be sent, without the call's options.
   */
  before(
    unit: { row: number; cells?: Record<string, unknown>; tags?: readonly unknown[] },
    body: Record<string, unknown>,
    record: Record<string, unknown> | undefined,
  ): Omit<RowOutcome, 'id'> | undefined;
}

/**
 * The resource's update-time field: the field a read's date filter says is an update time
 * (confirmed or not; an event time such as an appointment's start is not one).
 */
export function updateTimeField(resource: ResourceDef): string | undefined {
  const reads: ActionDef[] = readActions(resource);
  const read = reads.find(
    (action) => action.dateFilter && action.dateFilter.kind !== 'event' && action.dateFilter.field === resource.updatedField,
  );
  return read?.dateFilter?.field;
}

/** The column holding a field: itself, or the column `--map` reads as it. */
function columnOf(field: string, columns: readonly string[], map: ReadonlyMap<string, string> | undefined): string | undefined {
  for (const [column, target] of map ?? []) if (target === field && columns.includes(column)) return column;
  return columns.includes(field) ? field : undefined;
}

function instant(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

/** The guard for one run; a UsageError (exit 2) for an --if-unchanged that cannot be honoured. */
export function writeGuard(
  resource: ResourceDef,
  action: ActionDef,
  kind: ImportActionKind,
  columns: readonly string[],
  map: ReadonlyMap<string, string> | undefined,
  options: GuardOptions,
): WriteGuard {
  let ifUnchanged: { field: string; column: string } | undefined;
  if (options.ifUnchanged) {
    const field = updateTimeField(resource);
    if (!field) {
      throw new UsageError(`--if-unchanged: ${resource.name} have no update time to compare, so an edit in Keap cannot be detected`, {
        hint: 'leave out --if-unchanged',
      });
    }
    const column = columnOf(field, columns, map);
    if (!column) {
      throw new UsageError(`--if-unchanged: the file has no ${field} column to compare with Keap's`, {
        hint: `export the records with their ${field} (it is in every export of ${resource.name}), edit that file and import it`,
      });
    }
    if (kind !== 'update') {
      throw new UsageError(`--if-unchanged guards updates of records the file was exported from; this import is a ${kind}`, {
        hint: 'import the exported file with its id column (or --action update)',
      });
    }
    ifUnchanged = { field, column };
  }
  const compares = options.skipUnchanged && kind === 'update';
  return {
    readsRecord: compares || ifUnchanged !== undefined,
    compares,
    ...(ifUnchanged ? { ifUnchangedField: ifUnchanged.field } : {}),
    before(unit, body, record) {
      if (!record) {
        // Nothing to compare with: --if-unchanged never writes blind.
        if (!ifUnchanged) return undefined;
        return {
          row: unit.row,
          status: 'failed',
          field: ifUnchanged.column,
          error: `--if-unchanged: the record could not be read to compare its ${ifUnchanged.field}`,
        };
      }
      if (ifUnchanged) {
        const { field, column } = ifUnchanged;
        const cell = unit.cells?.[column];
        const exported = instant(cell);
        if (exported === undefined) {
          return {
            row: unit.row,
            status: 'invalid',
            field: column,
            error: `--if-unchanged needs the ${field} the record was exported with`,
          };
        }
        const current = record[field];
        if (instant(current) !== exported) {
          return {
            row: unit.row,
            status: 'failed',
            field: column,
            error: `edited in Keap since the export (${field} ${String(cell).trim()} in the file, ${String(current ?? 'none')} in Keap): not overwritten`,
          };
        }
      }
      // Tags are applied by a request of their own, which the record read does not show.
      if (compares && !unit.tags?.length && holdsValues(resource, action, body, record)) {
        return { row: unit.row, status: 'unchanged' };
      }
      return undefined;
    },
  };
}
