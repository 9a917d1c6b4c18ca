/**
 * A row is merged by its key, so a record that comes without it cannot be written: SQLite would
 * fill a NULL integer key with a rowid of its own (a made-up record, then "deleted" by the
 * hash-mode pass), PostgreSQL would refuse the whole page. Keap's spec declares the items of
 * `GET /tasks` and `GET /appointments` without `id`; the resource fails, naming the read.
 */
import type { ResourceDef } from '../../catalog/types.js';
import { CliError } from '../../errors.js';
import type { ResourceLayout } from './layout.js';

/** Throws when a record of the page lacks a key field the table is keyed by. */
export function requireKeys(layout: ResourceLayout, resource: ResourceDef, path: string, records: Array<Record<string, unknown>>): void {
  const keyFields = resource.keyFields.filter((field) => layout.fieldColumns.has(field));
  for (const record of records) {
    const missing = keyFields.filter((field) => record[field] === undefined || record[field] === null);
    if (missing.length === 0) continue;
    throw new CliError(
      `GET ${path} sent a record without its key (${missing.join(', ')}); a row cannot be merged without it, so nothing of this page was written`,
    );
  }
}
