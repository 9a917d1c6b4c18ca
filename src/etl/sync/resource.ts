/**
 * One resource into its tables: plan the read (since mode continues from the bookmark, or from
 * the cursor a killed run committed), make the tables, then one transaction per page, and a last
 * one that applies deletions and moves the bookmark. `--full-refresh` is one transaction for the
 * whole resource: its rows are deleted and inserted again, so a reader sees the old rows until it
 * commits, and no DROP or RENAME waits for an exclusive lock behind that reader.
 */
import type { KeapApi, PagePosition } from '../../api/types.js';
import { incrementalModeOf } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import type { CustomFieldModel } from '../custom-fields.js';
import { selectReadAction } from '../export/plan.js';
import { canSweep, sweepIds } from '../export/id-sweep.js';
import { counted, type Progress, type Reporter } from '../../reporter.js';
import { COLUMNS_TABLE, columnsTableSpec, createTableSql, type Destination, type Transaction } from './destination.js';
import { type CellValue, childTable, type Column, customFieldType, resourceLayout, type ResourceLayout } from './layout.js';
import {
  applySchema,
  clearTables,
  deletedKeys,
  emptyCounts,
  encodePage,
  keyString,
  liveKeys,
  markDeleted,
  markUndeleted,
  mergePage,
  type MergeCounts,
} from './merge.js';
import { type Rebuilt, rebuildInverseChildren, rebuiltNotices } from './inverse-children.js';
import { requireKeys } from './keys.js';
import { assignCustomColumns } from './naming.js';
import { readRecordPages, type RecordPage } from './pages.js';
import { inOrder, mapInSlices, readAhead } from './read-ahead.js';
import { RowBuilder, TableColumns } from './rows.js';
import { type Account, checkAccount, cursorState, saveState, startingPoint, type StateRow } from './state.js';

/** A bookmark never later than this before the run started: a record changed meanwhile comes again. */
const BOOKMARK_SLACK_MS = 5 * 60_000;

export interface ResourceRequest {
  resource: ResourceDef;
  include?: string[];
  fullRefresh?: boolean;
  hardDelete?: boolean;
  detectDeletes?: boolean;
  pageSize?: number;
  concurrency?: number;
  signal?: AbortSignal;
}

export interface SyncContext {
  api: KeapApi;
  destination: Destination;
  reporter: Reporter;
  states: Map<string, StateRow>;
  /** The account being read, once Keap has named its tenant. */
  account: () => Account;
  now: () => number;
  /** The progress line (drawn only on a terminal). */
  progress?: Progress;
}

export interface ResourceSummary extends MergeCounts {
  resource: string;
  table: string;
  status: 'synced' | 'failed';
  mode: 'since' | 'hash';
  requests: number;
  bookmark?: string;
  error?: string;
}

/** Syncs one resource; throws on failure (what was committed stays). */
/** The resource's pages from where this run starts (the bookmark, a killed run's cursor). */
function readPages(context: SyncContext, request: ResourceRequest, bookmark: string | undefined, resumeAfter: PagePosition | undefined) {
  return readRecordPages(context.api, {
    resource: request.resource,
    ...(request.include ? { include: request.include } : {}),
    ...(bookmark ? { since: bookmark } : {}),
    ...(resumeAfter ? { resumeAfter } : {}),
    ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    ...(request.concurrency ? { concurrency: request.concurrency } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    onNotice: (text) => context.reporter.info(text),
  });
}

export async function syncResource(context: SyncContext, request: ResourceRequest): Promise<ResourceSummary> {
  const { api, destination, states, now } = context;
  const requestsBefore = api.stats().requests;
  const { resource } = request;
  const { mode, bookmark, cursor, started } = whereToStart(context, request);
  const read = await readPages(context, request, bookmark, cursor?.position);
  const filled = [...Object.keys(read.plan.parentValues), ...(read.plan.walk ? [read.plan.walk.param] : [])];
  const layout = resourceLayout(read.plan.records, read.plan.gathered, filled);
  const counts = emptyCounts();
  const columns = await knownColumns(destination, layout);
  const custom = await customColumns(destination, layout, columns, read.model);
  const builder = new RowBuilder(layout, columns, custom.columns, counts, destination.encodeLines !== undefined);
  const updatedField = read.plan.records.updatedField;
  let newest = cursor?.newest;
  // Every key read, for a hash-mode resource's deletions; a bookmark resource keeps a count (a million contacts are 60 MB of keys).
  const seen = mode === 'hash' ? new Set<string>() : undefined;
  let records = 0;
  const base = (): StateRow => ({
    resource: resource.name,
    ...context.account(),
    tenant: context.account().tenant ?? null,
    mode,
    bookmark: bookmark ?? null,
    run_since: null,
    run_started: null,
    run_position: null,
    updated_at: new Date(now()).toISOString(),
  });
  // PostgreSQL: built ahead of its transaction (readAhead), while the page before it is written.
  const build = async (page: RecordPage) => {
    requireKeys(layout, resource, read.plan.path, page.records);
    const syncedAt = new Date(now()).toISOString();
    builder.lines?.clear(); // pages are built one at a time, each encoded (its lines copied out) before the next
    const built = await mapInSlices(page.records, (record) => builder.build(record, syncedAt));
    // Neither the records nor the row arrays are kept past here: a page built ahead holds only its encoded rows.
    const rows = encodePage(destination, layout, columns, built, builder.lines);
    let pageNewest: string | undefined;
    if (updatedField) for (const record of page.records) pageNewest = later(pageNewest, record[updatedField]);
    return { position: page.position, newest: pageNewest, rows };
  };
  // Building ahead pays where the database works in a process of its own (PostgreSQL); SQLite writes in this one.
  const prepared = () => (destination.kind === 'postgres' ? readAhead : inOrder)(read.pages, build);
  const applyPage = async (tx: Transaction, { position, newest: pageNewest, rows }: Awaited<ReturnType<typeof build>>) => {
    checkAccount(destination, states, context.account());
    await applySchema(tx, destination, columns, counts);
    await custom.record(tx);
    await mergePage(tx, destination, layout, columns, rows, counts);
    records += rows.read;
    if (seen) for (const key of rows.keys) seen.add(keyString(key));
    context.progress?.update(
      `${resource.name}: ${counted(seen?.size ?? records, 'record')} read · ${counts.inserted + counts.updated} written`,
    );
    newest = later(newest, pageNewest);
    if (mode === 'since') {
      const next = { since: bookmark ?? '', started, ...(position ? { position } : {}), ...(newest ? { newest } : {}) };
      await saveState(tx, destination, cursorState(base(), next));
    }
    columns.settled();
  };
  const finish = async (tx: Transaction, sweep: Set<string> | undefined) => {
    checkAccount(destination, states, context.account());
    await applySchema(tx, destination, columns, counts);
    await custom.record(tx);
    columns.settled();
    const gone = await goneKeys(tx, destination, layout, seen, sweep);
    if (sweep) await undeleteSwept(tx, destination, layout, sweep);
    await markDeleted(tx, destination, layout, columns, gone, { hard: request.hardDelete ?? false, at: new Date(now()).toISOString() });
    counts.deleted += gone.length;
    if (!request.fullRefresh) rebuilt = await rebuildInverseChildren(tx, destination, { layout, columns, builder, counts }, read.inverse);
    const moved = mode === 'since' ? nextBookmark(newest, started, bookmark) : undefined;
    await saveState(tx, destination, { ...base(), bookmark: moved ?? null });
    return moved;
  };
  let moved: string | undefined;
  let rebuilt: Rebuilt[] = [];
  if (request.fullRefresh) {
    moved = await destination.transaction(async (tx) => {
      await applySchema(tx, destination, columns, counts);
      columns.settled();
      await clearTables(tx, destination, layout, columns);
      for await (const page of prepared()) await applyPage(tx, page);
      return finish(tx, await sweepFor(context, request, mode));
    });
  } else {
    for await (const page of prepared()) await destination.transaction((tx) => applyPage(tx, page));
    const sweep = await sweepFor(context, request, mode);
    moved = await destination.transaction((tx) => finish(tx, sweep));
  }
  states.set(resource.name, { ...base(), bookmark: moved ?? null });
  for (const line of rebuiltNotices(resource.name, rebuilt)) context.reporter.info(line);
  return {
    resource: resource.name,
    table: layout.table.name,
    status: 'synced',
    mode,
    requests: api.stats().requests - requestsBefore,
    ...counts,
    ...(moved ? { bookmark: moved } : {}),
  };
}

/**
 * A record read again is un-deleted by its upsert; one only the id sweep sees again (its update
 * time did not move) is un-deleted here.
 */
async function undeleteSwept(tx: Transaction, destination: Destination, layout: ResourceLayout, sweep: Set<string>): Promise<void> {
  const back = (await deletedKeys(tx, destination, layout)).filter((key) => sweep.has(String(key[0])));
  await markUndeleted(tx, destination, layout, back);
}

/**
 * The mode, and where the read starts: since mode continues from the bookmark, or after the last
 * page a stopped run committed with the same `since` (and keeps that run's start for the bookmark).
 */
function whereToStart(context: SyncContext, request: ResourceRequest) {
  const { resource } = request;
  const mode = incrementalModeOf(selectReadAction(resource, []));
  const { bookmark, cursor } = startingPoint(mode, context.states.get(resource.name), request.fullRefresh ?? false);
  const started = cursor?.started ?? new Date(context.now()).toISOString();
  if (cursor) context.reporter.info(`${resource.name}: continuing the run stopped after a committed page (started ${started})`);
  return { mode, bookmark, cursor, started };
}

function later(a: string | undefined, b: unknown): string | undefined {
  if (typeof b !== 'string' || Number.isNaN(Date.parse(b))) return a;
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}

/** The newest update time committed, but never later than five minutes before the (first) run started. */
function nextBookmark(newest: string | undefined, started: string, old: string | undefined): string | undefined {
  if (newest === undefined) return old;
  const cap = Date.parse(started) - BOOKMARK_SLACK_MS;
  return Date.parse(newest) > cap ? new Date(cap).toISOString() : new Date(Date.parse(newest)).toISOString();
}

/** `--detect-deletes` on a since-mode resource: every id, or a failure (then nothing is deleted). */
async function sweepFor(context: SyncContext, request: ResourceRequest, mode: 'since' | 'hash'): Promise<Set<string> | undefined> {
  if (!request.detectDeletes || mode !== 'since' || !canSweep(request.resource)) return undefined;
  const sweep = await sweepIds(context.api, request.resource, request.signal);
  context.reporter.info(
    `${request.resource.name}: swept ${counted(sweep.ids.size, 'id')} in ${counted(sweep.requests, 'request')} for deletions`,
  );
  return sweep.ids;
}

/** Rows not marked deleted whose key the read (hash mode) or the sweep did not return. */
async function goneKeys(
  tx: Transaction,
  destination: Destination,
  layout: ResourceLayout,
  seen: Set<string> | undefined,
  sweep: Set<string> | undefined,
): Promise<CellValue[][]> {
  if (!seen && !sweep) return [];
  const live = await liveKeys(tx, destination, layout);
  if (seen) return live.filter((key) => !seen.has(keyString(key)));
  return live.filter((key) => !sweep?.has(String(key[0])));
}

/** The tables that exist (their columns as they are), and those to create. */
async function knownColumns(destination: Destination, layout: ResourceLayout): Promise<TableColumns> {
  const columns = new TableColumns();
  columns.know(layout.table, await destination.columnsOf(layout.table.name));
  // Columns the catalog gained since the table was made are added.
  for (const column of layout.table.columns) columns.ensure(layout.table.name, column.name, column.type);
  for (const child of layout.children) {
    const existing = await destination.columnsOf(child.table);
    if (existing) columns.know(childTable(layout, child), existing);
  }
  return columns;
}

/**
 * Custom fields' columns: those `_infusionsoft_columns` recorded keep their names (a renamed
 * label keeps its column), new fields get one. `record` writes the new ones in a page's transaction.
 */
async function customColumns(destination: Destination, layout: ResourceLayout, columns: TableColumns, model: CustomFieldModel | undefined) {
  const table = layout.table.name;
  await destination.transaction((tx) => tx.run(createTableSql(destination, columnsTableSpec)));
  const recordedRows = await destination.transaction((tx) =>
    tx.query<{ field_id: number | string; column_name: string; label: string }>(
      `SELECT field_id, column_name, label FROM ${destination.table(COLUMNS_TABLE)} WHERE table_name = ?`,
      [table],
    ),
  );
  const recorded = new Map(recordedRows.map((r) => [Number(r.field_id), r.column_name]));
  const labels = new Map(recordedRows.map((r) => [Number(r.field_id), r.label]));
  const fields = (model?.fields ?? []).map((f) => ({ id: f.id, label: f.keapLabel, fieldType: f.fieldType }));
  const assigned = assignCustomColumns(fields, recorded, columns.ordered(table));
  const byId = new Map<number, Column>();
  const pending: Array<[number, string, string]> = [];
  for (const entry of assigned) {
    const fieldType = fields.find((f) => f.id === entry.fieldId)?.fieldType;
    const type = columns.ensure(table, entry.column, customFieldType(fieldType));
    byId.set(entry.fieldId, { name: entry.column, type });
    if (labels.get(entry.fieldId) !== entry.label) pending.push([entry.fieldId, entry.column, entry.label]);
  }
  return {
    columns: byId,
    async record(tx: Transaction) {
      for (const [id, column, label] of pending.splice(0)) {
        await tx.run(`DELETE FROM ${destination.table(COLUMNS_TABLE)} WHERE table_name = ? AND field_id = ?`, [table, id]);
        await tx.run(`INSERT INTO ${destination.table(COLUMNS_TABLE)} (table_name, field_id, column_name, label) VALUES (?, ?, ?, ?)`, [
          table,
          id,
          column,
          label,
        ]);
      }
    },
  };
}
