/**
 * Gathered child tables rebuilt every run from their inverse lists (issue 18, item 4). Applying a
 * tag does not always move a contact's `last_updated`, so an incremental run, which reads only the
 * records whose update time moved, would leave `contacts__tags` stale. Where the catalog gives a
 * gathered field inverse lists (contact tags: `GET /tags`, then `GET /tags/{id}/contacts`), a run
 * reads them once (the tag list's pages plus, per tag, one request per 1,000 members) and, in the
 * resource's last transaction, replaces the child rows of every live parent with what they say.
 */
import type { KeapApi } from '../../api/types.js';
import { counted } from '../../reporter.js';
import { type InverseValues, invertible, readInverseValues } from '../export/inverse-join.js';
import type { ExportPlan } from '../export/types.js';
import type { Destination, Transaction } from './destination.js';
import { childTable, type ResourceLayout } from './layout.js';
import { applySchema, liveKeys, type MergeCounts, replaceChildRows } from './merge.js';
import type { RowBuilder, TableColumns } from './rows.js';

/** Parents whose child rows are built and replaced at a time (bounds memory on a million contacts). */
const PARENT_BATCH = 1000;

export interface InverseField {
  field: string;
  values: InverseValues;
  /** The record's field the members name (`id`). */
  recordKey: string;
}

/** The plan's gathered fields that have inverse lists, read, when the records come from their list (not a walk). */
export async function readInverseFields(
  api: KeapApi,
  plan: ExportPlan,
  options: { signal?: AbortSignal; onNotice?: (text: string) => void },
): Promise<InverseField[]> {
  if (plan.walk || plan.action.shape?.kind !== 'page') return [];
  const fields: InverseField[] = [];
  for (const def of plan.gathered) {
    if (!invertible(def)) continue;
    const key = plan.records.keyFields[0] ?? 'id';
    const { values, read } = await readInverseValues(api, def, key, options.signal ? { signal: options.signal } : {});
    options.onNotice?.(
      `${plan.records.name}: read ${counted(read.memberships, `${def.name} membership`)} of ${counted(read.groups, 'group')} in ${counted(read.requests, 'request')}` +
        (read.rereads ? ` (${read.rereads} read again: their pages did not line up)` : ''),
    );
    fields.push({ field: def.name, values, recordKey: key });
  }
  return fields;
}

/** A child table rebuilt, and its rows. */
export interface Rebuilt {
  table: string;
  field: string;
  rows: number;
}

/**
 * Replaces the child rows of every live parent for each field read inversely, in the caller's
 * transaction (the resource's last, with its bookmark). Parents marked deleted keep theirs, as they
 * keep their other child rows. A full refresh needs none of it: it wrote them from the same lists.
 */
export async function rebuildInverseChildren(
  tx: Transaction,
  destination: Destination,
  parts: { layout: ResourceLayout; columns: TableColumns; builder: RowBuilder; counts: MergeCounts },
  fields: InverseField[],
): Promise<Rebuilt[]> {
  const { layout, columns, builder, counts } = parts;
  const rebuilt: Rebuilt[] = [];
  if (fields.length === 0) return rebuilt;
  const parents = await liveKeys(tx, destination, layout);
  for (const { field, values, recordKey } of fields) {
    const child = layout.children.find((c) => c.field === field);
    if (!child) continue;
    if (!columns.has(child.table)) columns.know(childTable(layout, child), undefined);
    const done = { table: child.table, field, rows: 0 };
    for (let i = 0; i < parents.length; i += PARENT_BATCH) {
      const keys = parents.slice(i, i + PARENT_BATCH);
      const rows = keys.flatMap((key) => builder.childRowsOf(child, key, values.valueOf({ [recordKey]: key[0] })));
      // A property no row had before (a new column) is added before the rows that carry it.
      await applySchema(tx, destination, columns, counts);
      columns.settled();
      await replaceChildRows(tx, destination, layout, columns, child, { keys, rows });
      done.rows += rows.length;
    }
    rebuilt.push(done);
  }
  return rebuilt;
}

/** What a run says once the rebuild committed: `contacts: contacts__tags rebuilt from the tags lists (1,234 rows)`. */
export const rebuiltNotices = (resource: string, rebuilt: Rebuilt[]) =>
  rebuilt.map(({ table, field, rows }) => `${resource}: ${table} rebuilt from the ${field} lists (${counted(rows, 'row')})`);
