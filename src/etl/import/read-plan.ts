/**
 * How an import reads the records its rows change (issue 17, item 6): one request per row (find
 * the record, then read it), or one paged list read of the resource, kept as a snapshot indexed by
 * the file's keys (snapshot.ts). Whichever costs fewer requests, estimated from the rows and a
 * one-record probe of the list (its `count`); `--reads per-row|list` decides instead of `auto`.
 *
 * The list holds what the merge needs only when asked for the optional properties (custom fields),
 * and never what the catalog's `listLacks` names (contacts' origin, opt_in_reason, relationships,
 * tag_ids): a unit that needs one of those reads its record by itself.
 */
import type { NaturalKey } from '../../catalog/types.js';
import type { KeapApi } from '../../api/types.js';
import { counted } from '../../reporter.js';
import type { Unit } from './apply.js';
import type { CheckedRow } from './check.js';
import type { WriteGuard } from './guard.js';
import { valuesAt } from './lookup.js';
import type { PreparedImport } from './prepare.js';
import { consultedProperties, listLacks, normaliseKey, upsertKey } from './record-reads.js';
import { listPages, listSnapshotRead, RecordSnapshot, SNAPSHOT_BATCH } from './snapshot.js';

type Rec = Record<string, unknown>;

/** `--reads`: let the estimate choose, or force one plan. */
export type ReadsChoice = 'auto' | 'per-row' | 'list';
export const READS_CHOICES: readonly ReadsChoice[] = ['auto', 'per-row', 'list'];

/** The list read as the apply pass uses it. */
export interface ListReads {
  snapshot: RecordSnapshot;
  /** What a unit's key is: the upsert's natural key, the --match field's value, or the record id. */
  by: 'natural-key' | 'match' | 'id';
  lacks: ReadonlySet<string>;
}

export interface ReadPlan {
  chosen: 'per-row' | 'list';
  why: string;
  /** Units that find or read their record before the write. */
  reading: number;
  /** Of those, the units a list read could serve. */
  listable: number;
  /** Requests to read per row (an upsert's find and read count two). */
  perRowReads: number;
  /** Requests of the list read: its pages, the refreshes before each batch, and the probe. */
  listReads?: number;
  /** The probe's `count`, and whether it is known to be the account's total. */
  accountRecords?: number;
  countIsTotal?: boolean;
  /** Set when the list plan was chosen and its snapshot taken. */
  list?: ListReads;
}

export interface PlanReadsOptions {
  choice: ReadsChoice;
  now: () => number;
  /** false: estimate only (`--plan`), no list read. */
  take: boolean;
  signal?: AbortSignal;
  /** Test seam: false disables the snapshot's refreshes. */
  refresh?: boolean;
}

interface FileKeys {
  reading: number;
  listable: number;
  perRowReads: number;
  ids: Set<string>;
  keys: Set<string>;
  naturalKey?: NaturalKey;
}

/** One pass over the units: which read a record, which the list could serve, and the keys to keep. */
async function collectKeys(prepared: PreparedImport, guard: WriteGuard | undefined, units: AsyncIterable<Unit>): Promise<FileKeys> {
  const lacks = listLacks(prepared);
  const found: FileKeys = { reading: 0, listable: 0, perRowReads: 0, ids: new Set(), keys: new Set() };
  const idField = prepared.plan.pathFields[0] ?? 'id';
  for await (const unit of units) {
    const { checked } = unit;
    const { match } = prepared;
    const consulted = consultedProperties(match?.update ?? prepared, checked, guard);
    if (match) {
      const value = match.valueOf(checked.mapped);
      if (value === undefined) continue;
      found.reading++;
      found.perRowReads += consulted ? 2 : 1;
      // The list finds every row's record; one that needs what the list lacks is then read by itself.
      found.keys.add(value);
      if (consulted?.some((name) => lacks.has(name))) continue;
      found.listable++;
      continue;
    }
    if (!consulted) continue;
    found.reading++;
    found.perRowReads += prepared.kind === 'upsert' ? 2 : 1;
    if (consulted.some((name) => lacks.has(name))) continue;
    if (prepared.kind === 'upsert') {
      const key = upsertKey(prepared, checked.mapped.body);
      if (!key) continue;
      found.naturalKey ??= key.key;
      found.keys.add(key.value);
    } else {
      const id = checked.mapped.path[idField];
      if (id === undefined) continue;
      found.ids.add(String(id));
    }
    found.listable++;
  }
  return found;
}

/** The list read's query: the catalog's, plus custom fields when the file writes or matches some. */
function listQuery(prepared: PreparedImport, base: Record<string, string> | undefined): Record<string, string> {
  const query = { ...(base ?? {}) };
  const custom = prepared.customModel !== undefined || prepared.match?.field.startsWith('custom.');
  if (prepared.resource.customFields?.via === 'list' && custom) {
    const asked = (query.optional_properties ?? '').split(',').filter(Boolean);
    query.optional_properties = [...new Set([...asked, 'custom_fields'])].join(',');
  }
  return query;
}

/** Decides the plan; with `take`, reads the list when that is the plan. */
export async function planReads(
  api: KeapApi,
  prepared: PreparedImport,
  guard: WriteGuard | undefined,
  units: AsyncIterable<Unit>,
  options: PlanReadsOptions,
): Promise<ReadPlan> {
  const { resource } = prepared;
  const read = listSnapshotRead(resource);
  const none = { reading: 0, listable: 0, perRowReads: 0, chosen: 'per-row' as const };
  if (!prepared.match && prepared.kind !== 'update' && prepared.kind !== 'upsert')
    return { ...none, why: `a ${prepared.kind} reads no records` };
  // Nothing to decide, and a pass over the rows saved (only --plan counts the reads).
  if (!read && options.take) return { ...none, why: `${resource.name} have no confirmed update-time filter` };
  const keys = await collectKeys(prepared, guard, units);
  const base = { reading: keys.reading, listable: keys.listable, perRowReads: keys.perRowReads };
  const perRow = (why: string): ReadPlan => ({ ...base, chosen: 'per-row', why });
  if (!read) {
    return perRow(`${resource.name} have no confirmed update-time filter, so a list read could not be refreshed before each write`);
  }
  if (keys.listable === 0) return perRow('no row reads a record a list read could give');
  if (options.choice === 'per-row') return perRow('--reads per-row');
  const query = listQuery(prepared, read.query);
  const probe = await api.request<unknown>('GET', read.path, {
    query: { ...query, limit: 1 },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const count = typeof (probe.body as Rec | undefined)?.count === 'number' ? ((probe.body as Rec).count as number) : undefined;
  // With a page of one record, a count above one can only be a total (API-FACTS §4: unconfirmed which it is).
  const countIsTotal = count !== undefined && count > 1;
  // One before each batch of writes (the time-driven ones, a minute apart, depend on the pace).
  const refreshes = Math.max(1, Math.ceil(keys.listable / SNAPSHOT_BATCH));
  const listReads = 1 + listPages(count ?? 0) + refreshes;
  const listablePerRow = Math.round((keys.perRowReads * keys.listable) / Math.max(1, keys.reading));
  const estimate = { ...base, listReads, countIsTotal, ...(count !== undefined ? { accountRecords: count } : {}) };
  const listWhy = `${counted(count ?? 0, 'record')} in ${listPages(count ?? 0)} list pages and ${counted(refreshes, 'refresh', 'refreshes')}, against ${listablePerRow} reads one row at a time`;
  let chosen: 'per-row' | 'list';
  let why: string;
  if (options.choice === 'list') {
    chosen = 'list';
    why = `--reads list: ${listWhy}`;
  } else if (!countIsTotal) {
    chosen = 'per-row';
    why = `Keap's count (${count ?? 'none'}) is not known to be the number of ${resource.name}, so a list read's cost is unknown`;
  } else {
    chosen = listReads < listablePerRow ? 'list' : 'per-row';
    why = listWhy;
  }
  if (chosen === 'per-row' || !options.take) return { ...estimate, chosen, why };
  const snapshot = await RecordSnapshot.take(
    api,
    {
      resource,
      read,
      query,
      ids: keys.ids,
      keys: keys.keys,
      ...keysOf(prepared, keys.naturalKey),
      now: options.now,
      ...(options.refresh === false ? { refresh: false } : {}),
    },
    options.signal,
  );
  // The list took a while to read: the first batch of writes starts with a refresh.
  snapshot.startBatch();
  const by = prepared.match ? 'match' : prepared.kind === 'upsert' ? 'natural-key' : 'id';
  return { ...estimate, chosen, why, list: { snapshot, by, lacks: listLacks(prepared) } };
}

function keysOf(prepared: PreparedImport, naturalKey: NaturalKey | undefined): { keysOf?: (record: Rec) => string[] } {
  const { match, resource } = prepared;
  if (match) return { keysOf: (record) => match.recordValues(record) };
  if (naturalKey)
    return { keysOf: (record) => valuesAt(resource, record, naturalKey.path).map((value) => normaliseKey(naturalKey, value)) };
  return {};
}

/**
 * A unit's record from the list read: `{record}` (undefined when the list has none, or several
 * records share an upsert's key, as a per-row lookup would find), or undefined when the unit needs
 * what the list lacks and reads per row.
 */
export async function recordFromList(
  list: ListReads,
  prepared: PreparedImport,
  checked: CheckedRow,
  guard: WriteGuard | undefined,
): Promise<{ record: Rec | undefined } | undefined> {
  if (consultedProperties(prepared, checked, guard)?.some((name) => list.lacks.has(name))) return undefined;
  if (list.by === 'natural-key') {
    const key = upsertKey(prepared, checked.mapped.body);
    if (!key) return { record: undefined };
    const records = await list.snapshot.withKey(key.value);
    return { record: records.length === 1 ? records[0] : undefined };
  }
  const id = checked.mapped.path[prepared.plan.pathFields[0] ?? 'id'];
  return { record: id === undefined ? undefined : await list.snapshot.record(id) };
}
