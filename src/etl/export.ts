/**
 * The export pipeline: one generic path for every readable resource.
 *
 *   plan (flags -> action, path, query; all usage errors, before anything is opened)
 *   -> pages (client paginates with a small prefetch window)
 *   -> records (record map, custom fields by label, gathered fields, concurrently under pacing)
 *   -> writer (csv / json / ndjson, streamed) -> temp file renamed on success
 *   -> state bookmark (only after the output is committed)
 */
import { PagingError } from '../api/errors.js';
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { KeapApi, Page, Query } from '../api/types.js';
import { incrementalDescription, incrementalModeOf } from '../catalog/index.js';
import type { ActionDef, GatheredDef, ResourceDef } from '../catalog/types.js';
import { ApiError, BrokenPipeError, CliError, InterruptedError, UsageError } from '../errors.js';
import { actionsOfKind, findAction, findResource, isReadAction, plainReadAction, readActions, singularName } from '../catalog/index.js';
import { counted, timeLeft, type Progress, type Reporter } from '../reporter.js';
import { addCustomFields, customFieldModel, type CustomFieldModel } from './custom-fields.js';
import { csvColumns, extendColumns, FlattenPlan } from './flatten.js';
import { activeTemps, Checkpointer, removeCheckpoint, removeLeftovers, type ResumePlan } from './checkpoint.js';
import { checkpointPage, keptSentence, resumePlanFor, worthResuming } from './export-resume.js';
import { gzipOutput, inspectOutput, openOutput, resumeOutput, type Output, type OutputTarget } from '../fs/index.js';
import { applyRecordMap, pick, projectRecord } from './project.js';
import {
  savedBookmark,
  startTracking,
  type ChangeTracker,
  type DeletedKey,
  type IncrementalMode,
  type IncrementalOutcome,
} from './incremental.js';
import { assertStateWritable, bookmark, checkStateLock, readState, withStateLock, type ExportState } from './state.js';
import { planWalk, walkNotice, walkPages, type WalkPlan } from './walk.js';
import { createRecordWriter, type ExportFormat } from './writers.js';
import { chooseGather, type GatherChoice, type GatherInput, type GatherMode, inverseValuesFor, reportGather } from './gather-plan.js';
import { type InverseValues, sortByPath } from './inverse-join.js';

export type { ExportFormat } from './writers.js';

/** `--include custom_fields` asks for custom fields where they cost a request per record. */
export const CUSTOM_FIELDS_INCLUDE = 'custom_fields';

/** Keap's largest page. */
const MAX_PAGE_SIZE = 1000;
/** Pages in flight ahead of the writer: enough to hide latency, few enough to keep memory flat. */
const DEFAULT_PREFETCH = 4;

export interface ExportRequest {
  resource: ResourceDef;
  format: ExportFormat;
  /** `-o FILE`; undefined or `-` means stdout. */
  output?: string;
  /** Compress the output with gzip (`-o FILE.gz`). */
  gzip?: boolean;
  /** `--force`: replace an `-o` file even when it is read-only. */
  force?: boolean;
  /** `--json`: the run's result goes to stdout, so the data must not (`-o /dev/stdout` is refused). */
  resultOnStdout?: boolean;
  /** `--state-key NAME`: the job's name in the state file, instead of one built from its flags. */
  stateKey?: string;
  /** How long to wait for another run holding the state file's lock (default 30 s). */
  lockWaitMs?: number;
  fields?: string[];
  include?: string[];
  /** ISO-8601 with milliseconds (already normalised by the command). */
  since?: string;
  until?: string;
  where?: Array<[string, string]>;
  params?: Array<[string, string]>;
  /** `--action ID`: the read action to use, instead of the one the `--param` names select. */
  action?: string;
  max?: number;
  pageSize?: number;
  stateFile?: string;
  fullRefresh?: boolean;
  /** `--deleted FILE`: the keys of records gone since the last --state run. */
  deletedFile?: string;
  /** `--detect-deletes`: sweep the ids (resources bookmarked by update time) to find deleted records. */
  detectDeletes?: boolean;
  /** Gathered-field requests in flight at once (the client still paces them). */
  concurrency?: number;
  /** `--gather`: read an invertible gathered field per record, from its inverse lists, or whichever costs fewer requests (default). */
  gather?: GatherMode;
  /** Pages fetched ahead of the writer. */
  prefetch?: number;
  signal?: AbortSignal;
  /** Where the data goes without -o (or with `-o -`): the CLI's stdout; process.stdout when not given. */
  stdout?: Writable;
  /** The wall clock (the CLI's `io.now`): when the run started, for the state file. */
  now?: () => number;
  /** `--resume`: continue the stopped run that left a checkpoint beside `-o FILE` (checkpoint.ts). */
  resume?: boolean;
  /** The command line that continues this run, said when it stops with a checkpoint kept. */
  resumeCommand?: string;
  /** Which account the run works on (the session's): a checkpoint is resumed only on the same one. */
  account?: string;
}

/** The run's result, as `export --json` prints it. */
export interface ExportResult {
  resource: string;
  action: string;
  records: number;
  requests: number;
  seconds: number;
  output: string;
  format: ExportFormat;
  /** `gzip` when the output was compressed (`-o FILE.gz`). */
  compression?: 'gzip';
  /** The bookmark written to the state file, if any. */
  bookmark?: string;
  /** Whether --max cut the export short. */
  truncated: boolean;
  /** With --state: a bookmark on an update time (`since`), or every record compared by content (`hash`). */
  incremental?: IncrementalMode;
  /** Hash mode: records read but not written, unchanged since the last run. */
  unchanged?: number;
  /** Since mode with `--include tags`: records written because their tags changed while their update time did not. */
  membershipChanges?: number;
  /** Hash mode: how many records the last run returned and this one did not, and their keys. */
  deleted?: number;
  deletedIds?: DeletedKey[];
}

export interface ExportPlan {
  action: ActionDef;
  /** The resource the records are of: the exported one, or the action's `recordsOf`. */
  records: ResourceDef;
  path: string;
  query: Query;
  gathered: GatheredDef[];
  /** How custom fields are obtained: not at all, from the list itself, or one request per record. */
  customFields: 'none' | 'list' | 'single';
  /**
   * Where this export's bookmark lives in the state file: the resource's name for a plain export,
   * a key naming the action, parameters and filters otherwise, so a filtered run never moves the
   * bookmark an unfiltered one continues from.
   */
  bookmarkKey: string;
  /** The key an older state file holds this job's bookmark (or hashes) under, read once. */
  legacyKey?: string;
  /** What the plan had to set aside (a bookmark in the future), shown as warnings. */
  warnings: string[];
  /** The date window applied (from flags or the bookmark), and where the bookmark lives. */
  incremental?: { field: string; since?: string; until?: string; fromBookmark: boolean };
  /** With --state: how new and changed records are found (see incremental.ts). */
  tracking?: IncrementalMode;
  /** Said once to the user: e.g. that --state reads every record of a resource without a date filter. */
  notices: string[];
  /**
   * Path parameters that are fields of the resource but absent from what Keap returns (an order
   * item's `order_id`): added to each record so the export can be imported back as it is.
   */
  parentValues: Record<string, string | number>;
  /** Without the parent's `--param`: every parent is read, then this read once per parent (walk.ts). */
  walk?: WalkPlan;
}

const describeParams = (action: ActionDef) =>
  (action.params ?? []).length ? (action.params ?? []).map((p) => `--param ${p.name}=...`).join(' ') : '(no --param)';

/** `--action ID` with its `--param`s and path, one line per read action. */
function readActionList(reads: ActionDef[]): string {
  return reads.map((a) => `  --action ${a.id} ${describeParams(a)}  ${a.method} ${a.path}`).join('\n');
}

const paramNames = (names: Iterable<string>) => [...new Set(names)].sort().join(',');
/** A child read's params without the parent's, which a walk fills (ActionDef.parent). */
const paramsBesideParent = (action: ActionDef) => (action.params ?? []).map((p) => p.name).filter((name) => name !== action.parent?.param);

/**
 * The read action to export with: the one `--action` names, whose `--param`s must then be exactly
 * the ones given; without `--action`, the first one whose path parameters are exactly the
 * `--param` names given.
 */
export function selectReadAction(resource: ResourceDef, params: Array<[string, string]>, actionId?: string): ActionDef {
  const reads = readActions(resource);
  if (reads.length === 0) {
    throw new UsageError(`${resource.name} cannot be exported: Keap's API has no read action for it`, {
      hint: `its actions: ${resource.actions.map((a) => a.id).join(', ')}`,
    });
  }
  const given = paramNames(params.map(([k]) => k));
  if (actionId !== undefined) return namedReadAction(resource, reads, actionId, given);
  const match = reads.find((a) => paramNames((a.params ?? []).map((p) => p.name)) === given);
  if (match) return match;
  // Without its parent's --param, a child read walks every parent (ActionDef.parent).
  const walked = reads.find((a) => a.parent && paramNames(paramsBesideParent(a)) === given);
  if (walked) return walked;
  const what = given ? `--param ${given.split(',').join(', --param ')}` : 'no --param';
  throw new UsageError(`export ${resource.name}: no read action takes ${what}`, {
    hint: `${resource.name} can be read with:\n${readActionList(reads)}`,
  });
}

function namedReadAction(resource: ResourceDef, reads: ActionDef[], actionId: string, given: string): ActionDef {
  const action = findAction(resource, actionId);
  if (!action || !isReadAction(action)) {
    const why = action
      ? `${action.method} ${action.path} writes to Keap; export only reads`
      : `${resource.name} has no action "${actionId}"`;
    throw new UsageError(`--action ${actionId}: ${why}`, {
      hint: `${resource.name} can be read with:\n${readActionList(reads)}`,
    });
  }
  const wanted = paramNames((action.params ?? []).map((p) => p.name));
  if (wanted !== given && !(action.parent && paramNames(paramsBesideParent(action)) === given)) {
    const missing = wanted.split(',').filter((name) => name && !given.split(',').includes(name));
    const extra = given.split(',').filter((name) => name && !wanted.split(',').includes(name));
    const problems = [
      ...(missing.length ? [`needs --param ${missing.map((n) => `${n}=...`).join(' --param ')}`] : []),
      ...(extra.length ? [`takes no --param ${extra.join(', ')}`] : []),
    ];
    throw new UsageError(`--action ${actionId} (${action.method} ${action.path}) ${problems.join(' and ')}`, {
      hint: `use: export ${resource.name} --action ${actionId} ${describeParams(action)}`,
    });
  }
  return action;
}

/**
 * A `--where` value checked against the spec's type or enum for that filter. Keap answers a value
 * of the wrong type with a 400 after the run has started, or, for a boolean, reads anything but
 * `true` as false: both are refused here, before any request.
 */
function filterValue(action: ActionDef, key: string, value: string): string {
  const type = action.filterTypes?.[key];
  if (!type) return value;
  const refuse = (what: string, hint: string) =>
    new UsageError(`--where ${key}=${value}: ${key} takes ${what} on ${action.method} ${action.path}`, { hint });
  if (type.enum && !type.enum.includes(value)) {
    const caseOnly = type.enum.find((allowed) => allowed.toLowerCase() === value.toLowerCase());
    throw refuse('one of a fixed list of values', caseOnly ? `did you mean ${key}=${caseOnly}?` : `use one of ${type.enum.join(', ')}`);
  }
  if (type.type === 'integer' && !/^-?\d+$/.test(value.trim())) {
    throw refuse('a whole number', `for example --where ${key}=12`);
  }
  if (type.type === 'boolean') {
    const lower = value.trim().toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw refuse('true or false', `use --where ${key}=true or --where ${key}=false`);
    return lower;
  }
  return type.type === 'integer' ? value.trim() : value;
}

function fillPath(template: string, values: Map<string, string>, what: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values.get(name);
    if (value === undefined || value === '') throw new UsageError(`${what}: missing value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/**
 * Where a job keeps its bookmark in the state file: `contacts` for a plain export;
 * `contacts?email=a@b.c`, `transactions:read-by-order?order_id=1` for a filtered one; and, when
 * `--include` or `--fields` change which bytes it writes, those too (`contacts --include tags`), so
 * two jobs on one state file never move each other's bookmark. The format is left out: a CSV and an
 * NDJSON of the same records see the same changes.
 */
export function bookmarkKeyFor(
  resource: ResourceDef,
  action: ActionDef,
  params: Array<[string, string]>,
  where: Array<[string, string]>,
  view: { include?: string[]; fields?: string[] } = {},
): string {
  const base = legacyBookmarkKey(resource, action, params, where);
  const include = [...new Set(view.include ?? [])].sort();
  return [base, include.length ? `--include ${include.join(',')}` : '', view.fields?.length ? `--fields ${view.fields.join(',')}` : '']
    .filter(Boolean)
    .join(' ');
}

/** The key state files were written with before `--include` and `--fields` were part of it. */
function legacyBookmarkKey(
  resource: ResourceDef,
  action: ActionDef,
  params: Array<[string, string]>,
  where: Array<[string, string]>,
): string {
  if (action === plainReadAction(resource) && where.length === 0) return resource.name;
  const parts = [...params, ...where].map(([k, v]) => `${k}=${v}`).sort();
  return `${resource.name}${action.id === 'read' ? '' : `:${action.id}`}${parts.length ? `?${parts.join('&')}` : ''}`;
}

/**
 * The job's key, and the key an older state file may hold its bookmark under: a state file written
 * before keys named `--include`/`--fields` keeps working, read once under its old key (with a note).
 */
function stateKeysFor(request: ExportRequest, action: ActionDef, state: ExportState | undefined, params = request.params ?? []) {
  const where = request.where ?? [];
  if (request.stateKey !== undefined) return { bookmarkKey: request.stateKey };
  const view = { ...(request.include ? { include: request.include } : {}), ...(request.fields ? { fields: request.fields } : {}) };
  const bookmarkKey = bookmarkKeyFor(request.resource, action, params, where, view);
  const legacy = legacyBookmarkKey(request.resource, action, params, where);
  const fromOlder = legacy !== bookmarkKey && state !== undefined && !bookmark(state, bookmarkKey) && bookmark(state, legacy) !== undefined;
  return fromOlder ? { bookmarkKey, legacyKey: legacy } : { bookmarkKey };
}

/** Turns flags into the request plan. Every usage error is thrown here, before any output exists. */
export function planExport(request: ExportRequest, state?: ExportState): ExportPlan {
  const { resource } = request;
  const params = request.params ?? [];
  const action = selectReadAction(resource, params, request.action);
  const records = action.recordsOf ? findResource(action.recordsOf) : resource;
  const walk = planWalk(resource, action, params);
  // A walk fills the parent's placeholder once per parent (walk.ts).
  const path = walk ? action.path : fillPath(action.path, new Map(params), `export ${resource.name}`);
  const query: Query = { ...(action.query ?? {}) };
  const notices: string[] = [];
  const warnings: string[] = [];

  const allowed = action.filters ?? [];
  for (const [key, value] of request.where ?? []) {
    if (action.dateFilter && (key === action.dateFilter.since || key === action.dateFilter.until)) {
      throw new UsageError(`--where ${key}=...: use --since/--until for the date window`);
    }
    if (value === '') {
      throw new UsageError(`--where ${key}=: the value is empty`, {
        hint: 'Keap treats an empty filter as no filter and would return every record',
      });
    }
    if (!allowed.includes(key)) {
      throw new UsageError(`--where ${key}=...: ${action.method} ${action.path} has no "${key}" filter`, {
        hint: allowed.length
          ? `filters Keap accepts here: ${allowed.join(', ')} (unknown ones would be ignored and return everything)`
          : 'Keap accepts no filters on this endpoint (unknown ones would be ignored and return everything)',
      });
    }
    query[key] = filterValue(action, key, value);
  }

  if (request.since && request.until && Date.parse(request.since) > Date.parse(request.until)) {
    throw new UsageError(`--since ${request.since} is after --until ${request.until}`, {
      hint: 'the window would be empty: swap them',
    });
  }
  // A walk's bookmark is its own, apart from each parent's (`order-items?order_id=*`).
  const keyParams: Array<[string, string]> = walk ? [...params, [walk.param, '*']] : params;
  const { bookmarkKey, legacyKey } = stateKeysFor(request, action, state, keyParams);
  if (walk) notices.push(walkNotice(walk));
  if (legacyKey) {
    notices.push(
      `${request.stateFile}: no bookmark under "${bookmarkKey}" yet; this run continues from "${legacyKey}", written by an older version that shared it between jobs, and saves its own`,
    );
  }
  let incremental: ExportPlan['incremental'];
  const df = action.dateFilter;
  const tracking = request.stateFile ? incrementalModeOf(action) : undefined;
  if (request.detectDeletes && !request.stateFile) {
    throw new UsageError('--detect-deletes needs --state: deletions are found by comparing with the last run', {
      hint: 'for example --state state.json --detect-deletes --deleted deleted.txt',
    });
  }
  if (request.deletedFile !== undefined && !request.stateFile) {
    throw new UsageError('--deleted needs --state: deletions are found by comparing with the last run', {
      hint: `for example --state state.json --deleted ${request.deletedFile}`,
    });
  }
  if ((request.since || request.until) && !df) {
    throw new UsageError(`--since/--until: ${action.method} ${action.path} has no date filter in Keap's API`, {
      hint: `export ${resource.name} without them to get every record`,
    });
  }
  if (df) {
    // --since with --state is where the first run starts; after that the bookmark, being later,
    // takes over (a cron line keeps the same --since and still runs incrementally).
    const trusted = state && tracking === 'since' && !request.fullRefresh;
    let saved = trusted ? savedBookmark(state, legacyKey ?? bookmarkKey, df.field, request.stateFile) : undefined;
    // A bookmark later than now (a clock that was wrong) would hide every record updated before it.
    if (saved !== undefined && Date.parse(saved) > (request.now ?? Date.now)()) {
      warnings.push(
        `the bookmark "${legacyKey ?? bookmarkKey}" in ${request.stateFile} is in the future (${saved}): it is not used, and this run reads ${request.since ? `from --since ${request.since}` : 'every record'} and saves a new one`,
      );
      saved = undefined;
    }
    const useBookmark = saved !== undefined && (request.since === undefined || laterThan(saved, request.since));
    const since = useBookmark ? saved : request.since;
    if (since) query[df.since] = since;
    if (request.until) query[df.until] = request.until;
    if (request.stateFile || since || request.until) {
      incremental = {
        field: df.field,
        ...(since ? { since } : {}),
        ...(request.until ? { until: request.until } : {}),
        fromBookmark: useBookmark,
      };
    }
  }
  if (tracking === 'hash') notices.push(`${resource.name}: ${incrementalDescription(action)}`);

  const gatheredByName = new Map((records.gathered ?? []).map((g) => [g.name, g]));
  const gathered: GatheredDef[] = [];
  let wantsSingleCustom = false;
  for (const name of request.include ?? []) {
    if (name === CUSTOM_FIELDS_INCLUDE && records.customFields) {
      wantsSingleCustom = true;
      continue;
    }
    const def = gatheredByName.get(name);
    if (!def) {
      const names = [...gatheredByName.keys()];
      if (records.customFields?.via === 'single') names.push(CUSTOM_FIELDS_INCLUDE);
      throw new UsageError(`--include ${name}: ${records.name} has no gathered field "${name}"`, {
        hint: names.length ? `it can include: ${names.join(', ')}` : `${records.name} has no gathered fields`,
      });
    }
    if (!gathered.includes(def)) gathered.push(def);
  }
  if (request.fields?.some((f) => f.startsWith('custom.'))) wantsSingleCustom = true;

  // Custom fields belong to the resource's own records, not to wrapped ones (`/tags/{id}/contacts`).
  let customFields: ExportPlan['customFields'] = 'none';
  const cf = records.customFields;
  if (cf && !action.recordMap) {
    if (cf.via === 'list' || action.kind === 'read-single') {
      customFields = 'list';
      const asked = typeof query.optional_properties === 'string' ? query.optional_properties.split(',') : [];
      query.optional_properties = [...new Set([...asked, CUSTOM_FIELDS_INCLUDE])].join(',');
    } else if (wantsSingleCustom) {
      customFields = 'single';
    }
  }
  const parentValues: Record<string, string | number> = {};
  for (const [name, value] of params) {
    const field = records.fields.find((f) => f.name === name);
    if (!field || action.recordMap) continue;
    parentValues[name] = field.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return {
    action,
    records,
    path,
    query,
    gathered,
    customFields,
    bookmarkKey,
    ...(legacyKey ? { legacyKey } : {}),
    notices,
    warnings,
    parentValues,
    ...(incremental ? { incremental } : {}),
    ...(tracking ? { tracking } : {}),
    ...(walk ? { walk } : {}),
  };
}

/**
 * The CSV header before the first page (and, for every format, the check of --fields): the
 * catalog's columns, or the record map's for wrapped records (`/tags/{id}/contacts`).
 */
function settleColumns(
  resource: ResourceDef,
  plan: ExportPlan,
  request: ExportRequest,
  columnOptions: { customLabels?: string[]; gathered: GatheredDef[] },
): string[] | undefined {
  const map = plan.action.recordMap;
  if (map) {
    const known = [...new Set([...Object.keys(map), ...plan.gathered.map((g) => g.name)])];
    for (const field of request.fields ?? []) {
      if (!known.includes(field.split('.')[0] ?? field)) {
        throw new UsageError(`--fields ${field}: records of ${plan.action.method} ${plan.action.path} have no such field`, {
          hint: `they have: ${known.join(', ')}`,
        });
      }
    }
    return request.fields ?? known;
  }
  if (!request.fields && request.format !== 'csv') return undefined;
  return csvColumns(resource, {
    ...columnOptions,
    ...(request.fields ? { fields: request.fields } : {}),
    csv: request.format === 'csv',
  });
}

/** Reads a dot path (`contact.id`) from a record. */
function recordValues(record: Record<string, unknown>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === 'string' || typeof v === 'number') values.set(k, String(v));
  }
  return values;
}

/** Runs `work` over items with at most `limit` in flight, keeping results in input order. */
async function mapConcurrent<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

class Gatherer {
  private joined = new Map<string, Map<string, unknown[]>>();
  /** Fields read from their inverse lists before the records (gather-plan.ts). */
  private inverse = new Map<string, InverseValues>();
  constructor(
    private readonly api: KeapApi,
    private readonly resource: ResourceDef,
    private readonly signal?: AbortSignal,
  ) {}

  /** Fetches the per-run (`join`) gathered fields once. */
  async prepare(defs: GatheredDef[]): Promise<void> {
    for (const def of defs) {
      if (!def.join) continue;
      const index = new Map<string, unknown[]>();
      const query = def.query ?? {};
      for await (const page of this.api.paginate(def.path, def.shape, { query, signal: this.signal })) {
        for (const raw of page.records) {
          const item = applyRecordMap(raw, def.recordMap);
          const key = String(pick(item, def.join.itemField));
          const list = index.get(key) ?? [];
          list.push(item);
          index.set(key, list);
        }
      }
      this.joined.set(def.name, index);
    }
  }

  useInverse(field: string, values: InverseValues): void {
    this.inverse.set(field, values);
  }

  /** Whether a field costs a request per record (not joined, not read inversely). */
  perRecord(def: GatheredDef): boolean {
    return !def.join && !this.inverse.has(def.name);
  }

  async value(def: GatheredDef, record: Record<string, unknown>): Promise<unknown> {
    const inverse = this.inverse.get(def.name);
    if (inverse) return inverse.valueOf(record);
    if (def.join) {
      return this.joined.get(def.name)?.get(String(record[def.join.recordField])) ?? [];
    }
    const path = fillPath(def.path, recordValues(record), `--include ${def.name} on ${this.resource.name}`);
    const query = def.query ?? {};
    if (def.shape.kind === 'object') {
      const response = await this.api.request('GET', path, { query, signal: this.signal });
      const body = response.body as Record<string, unknown> | null;
      return def.pick ? (body?.[def.pick] ?? null) : body;
    }
    const items: unknown[] = [];
    for await (const page of this.api.paginate(path, def.shape, { query, signal: this.signal })) {
      for (const raw of page.records) items.push(def.recordMap ? applyRecordMap(raw, def.recordMap) : raw);
    }
    return sortByPath(items, def.orderBy);
  }

  async customFieldsOf(record: Record<string, unknown>): Promise<unknown> {
    const single = actionsOfKind(this.resource, 'read-single')[0];
    if (!single) return undefined;
    const path = fillPath(single.path, recordValues(record), `custom fields of ${this.resource.name}`);
    const response = await this.api.request('GET', path, {
      query: { optional_properties: CUSTOM_FIELDS_INCLUDE },
      signal: this.signal,
    });
    return (response.body as Record<string, unknown> | null)?.custom_fields ?? [];
  }
}

interface Missed {
  fields: string[];
  request?: string;
}

/** Warning lines for records deleted meanwhile before the rest are only counted in the summary. */
const VANISHED_WARNINGS = 20;

/**
 * Records deleted between the read of their page and a read of their gathered fields (Keap answers
 * 404; an `--include` run can take hours). The record is still written, with null for each gathered
 * field that could not be read, and each one is named in a warning, not a failed run.
 */
class VanishedRecords {
  count = 0;
  constructor(
    private readonly resource: ResourceDef,
    private readonly reporter: Reporter,
  ) {}

  /** The value `read` gives, or null (and the field and the refused request noted) when the record is gone. */
  async read(field: string, missed: Missed, read: () => Promise<unknown>): Promise<unknown> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      missed.fields.push(field);
      missed.request ??= `${error.method} ${new URL(error.url, 'http://host').pathname}`;
      return null;
    }
  }

  report(record: Record<string, unknown>, missed: Missed): void {
    if (missed.fields.length === 0) return;
    this.count++;
    if (this.count > VANISHED_WARNINGS) return;
    const keys = this.resource.keyFields.length ? this.resource.keyFields : ['id'];
    const name = `${singularName(this.resource)} ${keys.map((k) => `${k}=${String(record[k])}`).join(' ')}`;
    this.reporter.warn(
      `${this.resource.name}: ${name} was deleted during the export (${missed.request} answered 404); ` +
        `written with null for ${missed.fields.join(', ')}`,
    );
    if (this.count === VANISHED_WARNINGS)
      this.reporter.warn(`${this.resource.name}: further records deleted meanwhile are only counted in the summary`);
  }
}

function laterThan(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

/** What `runExport` returns: the result (`--json` prints it) and what the summary line says besides. */
export interface ExportOutcome {
  result: ExportResult;
  /** The exported records' resource, for "1 contact" and "2 contacts". */
  recordNoun: { one: string; many: string };
  /** `--max`, when given. */
  max?: number;
  /** Records deleted meanwhile, written with null for the gathered fields that could not be read. */
  vanished: number;
  /** With --state: what the change tracker saved and found. */
  incremental?: IncrementalOutcome;
}

/** Everything settled before the output is opened: every usage error has been thrown by now. */
interface PreparedExport {
  plan: ExportPlan;
  target: OutputTarget;
  tracker: ChangeTracker | undefined;
  gatherer: Gatherer;
  vanished: VanishedRecords;
  model: CustomFieldModel | undefined;
  /** The CSV header (or the checked --fields) before the first page; undefined when not needed. */
  baseColumns: string[] | undefined;
  columnOptions: { customLabels?: string[]; gathered: GatheredDef[] };
  /** A walk of every parent says what it cost when it ends. */
  onWalked: (text: string) => void;
  /** Checkpoints (`--resume`): whether this run keeps them, leftovers found, the stopped run continued. */
  resume: ResumePlan;
}

/** What the record loop did. */
interface StreamedRecords {
  written: number;
  read: number;
  truncated: boolean;
  /** Keap's `count`, when it was taken for the total. */
  expectedTotal?: number;
  /** CSV: fields first seen after the header was written. */
  unknownLater: string[];
}

/**
 * Exports one resource: prepare (plan, checks, model, columns), stream the records into the output,
 * commit it, then move the bookmark. The command renders the summary from the returned outcome.
 */
export async function runExport(api: KeapApi, request: ExportRequest, reporter: Reporter): Promise<ExportOutcome> {
  const started = performance.now();
  const requestsBefore = api.stats().requests;
  const prepared = await prepareExport(api, request, reporter, (request.now ?? Date.now)());
  const from = prepared.resume.from;
  const opened = from
    ? await resumeOutput(prepared.target, from.tempPath, from.checkpoint.position.bytes)
    : await openOutput(prepared.target, {
        ...(request.stdout ? { stdout: request.stdout } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        onWaitForReader: () => reporter.info(`waiting for a reader on ${request.output} (Ctrl-C to stop)`),
      });
  const output = request.gzip ? gzipOutput(opened) : opened;
  const temp = opened.temp;
  if (temp) activeTemps.add(temp.path);
  const checkpoints =
    temp && prepared.resume.checkpoints ? new Checkpointer(temp, prepared.resume.identity, from?.checkpoint.position) : undefined;
  const progress = reporter.progress(`${request.resource.name}: starting`);
  const failed = new WeakSet<object>();
  let committing = false;
  const fail = async (error: unknown): Promise<never> => {
    if (typeof error === 'object' && error !== null && failed.has(error)) throw error; // already said what became of the output
    progress.stop();
    // A checkpointed temporary file is kept for --resume (unless the commit already lost it).
    const kept =
      temp && checkpoints?.savedWritten !== undefined && !committing && worthResuming(error, request.signal)
        ? keptSentence(request, prepared.plan, temp.path, checkpoints.savedWritten)
        : undefined;
    if (kept && temp) await temp.keep();
    else {
      await output.abort();
      if (temp) await removeCheckpoint(temp.path);
    }
    if (temp) activeTemps.delete(temp.path);
    let failure = failureOf(error, request, output);
    // Exit 2 promises that nothing was sent; by now requests were, so a late usage-shaped error
    // (a permission denied at the rename) is a failure (exit 1), with its words kept.
    if (failure instanceof UsageError) {
      failure = new CliError(failure.message, { cause: failure, ...(failure.hint ? { hint: failure.hint } : {}) });
    }
    if (kept && failure instanceof CliError) failure.withHint([failure.hint, kept].filter(Boolean).join('; '));
    if (typeof failure === 'object' && failure !== null) failed.add(failure);
    throw failure;
  };
  const streamed = await streamRecords(api, request, prepared, output, progress, started, checkpoints).catch(async (error) => {
    // Stopped between pages (a used-up quota, an interrupt): the last page's end becomes the checkpoint.
    await checkpoints?.saveLast();
    return fail(error);
  });
  const commitAndTrack = async () => {
    committing = true;
    await output.commit().catch(fail);
    if (temp) {
      activeTemps.delete(temp.path);
      await removeCheckpoint(temp.path);
    }
    // The stopped runs this one resumed or replaced are done with.
    await removeLeftovers(prepared.resume.leftovers);
    progress.stop();
    warnAfterRun(request.resource, streamed, reporter);
    // The bookmark and hashes move only after the output is complete, and never past records we did not write.
    return prepared.tracker ? await prepared.tracker.finish(streamed.truncated) : undefined;
  };
  // With --state, the output replaces the older one only under the state file's lock: a run that
  // cannot take it (another run holds it too long) leaves the older output as it was.
  const outcome = request.stateFile
    ? await withStateLock(request.stateFile, commitAndTrack, (text) => reporter.info(text), request.lockWaitMs).catch(fail)
    : await commitAndTrack();
  const records = prepared.plan.records;
  return {
    result: {
      resource: request.resource.name,
      action: prepared.plan.action.id,
      records: streamed.written,
      requests: api.stats().requests - requestsBefore,
      // Milliseconds are what a clock here can tell; more digits are noise in --json.
      seconds: Math.round(performance.now() - started) / 1000,
      output: output.path ?? 'stdout',
      format: request.format,
      ...(request.gzip ? { compression: 'gzip' as const } : {}),
      truncated: streamed.truncated,
      ...(outcome?.bookmark ? { bookmark: outcome.bookmark } : {}),
      ...(outcome ? { incremental: outcome.mode } : {}),
      ...(outcome?.unchanged !== undefined ? { unchanged: outcome.unchanged } : {}),
      ...(outcome?.membershipChanges !== undefined ? { membershipChanges: outcome.membershipChanges } : {}),
      ...(outcome?.deleted ? { deleted: outcome.deleted.length, deletedIds: outcome.deleted } : {}),
    },
    recordNoun: { one: singularName(records), many: records.name },
    ...(request.max !== undefined ? { max: request.max } : {}),
    vanished: prepared.vanished.count,
    ...(outcome ? { incremental: outcome } : {}),
  };
}

/** Reads the state, plans, checks the output target, starts change tracking and settles the columns. */
async function prepareExport(api: KeapApi, request: ExportRequest, reporter: Reporter, startedAt: number): Promise<PreparedExport> {
  if (request.stateFile) {
    await assertStateWritable(request.stateFile, '--state');
    await checkStateLock(request.stateFile, (text) => reporter.info(text), request.lockWaitMs);
  }
  const state = request.stateFile ? await readState(request.stateFile) : undefined;
  if (request.stateFile && (await isEmptyFile(request.stateFile))) {
    reporter.warn(
      `state file ${request.stateFile} is empty: every job in it starts again from the beginning; if it was emptied by mistake, restore it before the next run`,
    );
  }
  const plan = planExport(request, state);
  // A bad -o (missing folder, a folder, a closed descriptor) is refused before any request.
  const target = await inspectOutput(request.output, { force: request.force ?? false });
  if (request.resultOnStdout && writesStdout(target)) {
    throw new UsageError(`--json prints the result on stdout, and -o ${request.output} is stdout too`, {
      hint: 'write the data to a file with -o FILE, or leave out --json',
    });
  }
  // Before the tracker's first request (a deletion sweep): a refused --resume is exit 2.
  const resume = await resumePlanFor(api, request, plan, target, reporter);
  const tracker = await startTracking(request, plan, state, { reporter, startedAt, api });
  if (resume.from) tracker?.resume?.(resume.from.checkpoint.position.tracker);
  for (const notice of plan.notices) reporter.info(notice);
  for (const warning of plan.warnings) reporter.warn(warning);

  const recordResource = plan.records;
  const gatherer = new Gatherer(api, recordResource, request.signal);
  const vanished = new VanishedRecords(recordResource, reporter);
  let model: CustomFieldModel | undefined;
  if (plan.customFields !== 'none' && recordResource.customFields) {
    const response = await api.request('GET', recordResource.customFields.modelPath, { signal: request.signal });
    model = customFieldModel(response.body);
  }
  // The header (and --fields) is settled now, so a bad field name fails before any record is fetched.
  const columnOptions = { ...(model ? { customLabels: model.labels } : {}), gathered: plan.gathered };
  const baseColumns = settleColumns(recordResource, plan, request, columnOptions);
  await gatherer.prepare(plan.gathered);
  const gatherIn = gatherInput(request, plan);
  const gather = await chooseGather(api, gatherIn);
  reportGather(gather, recordResource.name, reporter);
  const inverse = await inverseValuesFor(api, gatherIn, gather, reporter);
  if (inverse) gatherer.useInverse(inverse.field, inverse.values);
  return {
    plan,
    target,
    tracker,
    gatherer,
    vanished,
    model,
    baseColumns,
    columnOptions,
    onWalked: (text) => reporter.info(text),
    resume,
  };
}

/** What the gather planner needs of a plan. */
function gatherInput(request: ExportRequest, plan: ExportPlan): GatherInput {
  return {
    records: plan.records,
    path: plan.path,
    query: plan.query,
    shape: plan.action.shape,
    walk: plan.walk !== undefined,
    gathered: plan.gathered,
    customFieldsPerRecord: plan.customFields === 'single',
    pageSize: Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
    ...(request.max !== undefined ? { max: request.max } : {}),
    mode: request.gather ?? 'auto',
    ...(request.signal ? { signal: request.signal } : {}),
  };
}

/** `export --plan`: the plan (no request) and the gather estimate (only the probes' requests). */
export async function estimateExport(api: KeapApi, request: ExportRequest): Promise<GatherChoice> {
  const state = request.stateFile ? await readState(request.stateFile) : undefined;
  return chooseGather(api, gatherInput(request, planExport(request, state)), { probeAll: true });
}

/** A file that exists and holds nothing but whitespace (a state file a full disk or an editor emptied). */
async function isEmptyFile(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text !== undefined && text.trim() === '';
}

/** Whether a target is this process's stdout (`-o /dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`). */
function writesStdout(target: OutputTarget): boolean {
  return target.kind === 'stdout' || (target.kind === 'descriptor' && target.pid === undefined && target.fd === 1);
}

/** The interrupt that stops a run: a temporary file is discarded; stdout, a pipe or a descriptor keeps what it got. */
function interruptedError(output: Output, signal: AbortSignal | undefined, cause?: unknown): InterruptedError {
  return new InterruptedError(
    output.inPlace
      ? `export interrupted; what was written to ${output.path ?? 'stdout'} so far is incomplete`
      : 'export interrupted; no output file was written',
    {
      ...(typeof signal?.reason === 'string' ? { signal: signal.reason } : {}),
      ...(cause !== undefined ? { cause } : {}),
    },
  );
}

/** Pages -> records (mapped, custom fields, gathered fields) -> the writer, up to --max. */
async function streamRecords(
  api: KeapApi,
  request: ExportRequest,
  prepared: PreparedExport,
  output: Output,
  progress: Progress,
  started: number,
  checkpoints?: Checkpointer,
): Promise<StreamedRecords> {
  const { resource, signal } = request;
  const { plan, tracker, gatherer, vanished, model, baseColumns, columnOptions } = prepared;
  const recordResource = plan.records;
  const throwIfAborted = () => {
    if (signal?.aborted) throw interruptedError(output, signal);
  };
  // A resumed run starts where its checkpoint left the file, the counts and the paging.
  const resumed = prepared.resume.from?.checkpoint.position;
  let written = resumed?.written ?? 0;
  let read = resumed?.read ?? 0;
  let truncated = false;
  const concurrency = Math.max(1, request.concurrency ?? 8);
  const max = request.max ?? Number.POSITIVE_INFINITY;
  const parentEntries = Object.entries(plan.parentValues);
  const needsRequests = plan.gathered.some((g) => gatherer.perRecord(g)) || plan.customFields === 'single';
  let total: number | undefined = resumed?.total;
  let enriched = 0;
  const showProgress = (done: number) => {
    // The rate is this run's own: records a resumed run found already written took no time now.
    const rate = (done - (resumed?.read ?? 0)) / Math.max(0.001, (performance.now() - started) / 1000);
    const known = total !== undefined && total >= done ? Math.min(total, max) : undefined;
    const of = known !== undefined ? ` of ${known.toLocaleString('en-US')}` : '';
    const eta = known !== undefined && rate > 0 ? ` · ${timeLeft((known - done) / rate)}` : '';
    progress.update(`${resource.name}: ${done.toLocaleString('en-US')}${of} · ${Math.round(rate).toLocaleString('en-US')}/s${eta}`);
  };
  /** The record as written, before any per-record request: reshaped, parent ids, custom fields by label. */
  const shape = (raw: unknown): Record<string, unknown> => {
    const record = applyRecordMap(raw, plan.action.recordMap);
    for (const [name, value] of parentEntries) if (record[name] === undefined) record[name] = value;
    if (model && plan.customFields !== 'single') addCustomFields(record, model);
    return record;
  };
  const enrich = async (raw: unknown): Promise<Record<string, unknown>> => {
    const record = shape(raw);
    const missed: Missed = { fields: [] };
    if (plan.customFields === 'single') {
      record.custom_fields = await vanished.read(CUSTOM_FIELDS_INCLUDE, missed, () => gatherer.customFieldsOf(record));
      if (model) addCustomFields(record, model);
    }
    for (const def of plan.gathered) record[def.name] = await vanished.read(def.name, missed, () => gatherer.value(def, record));
    vanished.report(record, missed);
    // With per-record requests a page takes a while: move the progress line record by record.
    if (needsRequests) showProgress(read + ++enriched);
    return record;
  };

  let writer: ReturnType<typeof createRecordWriter> | undefined;
  let flattenPlan: FlattenPlan | undefined;
  let header: string[] | undefined;
  const openWriter = (firstPage: Record<string, unknown>[]) => {
    const continueAfter = resumed ? { continueAfter: resumed.written } : {};
    if (request.format === 'csv' && baseColumns) {
      const columns =
        resumed?.columns ??
        (request.fields || plan.action.recordMap ? baseColumns : extendColumns(baseColumns, firstPage, recordResource, columnOptions));
      header = columns;
      flattenPlan = new FlattenPlan(recordResource, columns, columnOptions);
      return createRecordWriter('csv', output.stream, { columns, plan: flattenPlan, ...continueAfter });
    }
    return createRecordWriter(request.format, output.stream, continueAfter);
  };
  if (resumed) writer = openWriter([]);

  // With --max, ask for no more than is needed: smaller pages, no speculative pages past it.
  const pageSize = Math.min(request.pageSize ?? MAX_PAGE_SIZE, max);
  const prefetch = Math.max(1, Math.min(request.prefetch ?? DEFAULT_PREFETCH, Math.ceil(max / pageSize)));
  const pages = api.paginate(plan.path, plan.action.shape ?? { kind: 'object' }, {
    query: plan.query,
    pageSize,
    prefetch,
    ...(plan.action.stableOrder ? { order: plan.action.stableOrder } : {}),
    keyFields: resource.keyFields,
    ...(resumed ? { resumeAfter: resumed.paging } : {}),
    ...(signal ? { signal } : {}),
  });
  // Without the parent's --param, every parent's children instead (paging is lazy: `pages` then sends nothing).
  const source = plan.walk
    ? walkPages(api, plan.walk, {
        query: plan.query,
        pageSize,
        prefetch,
        concurrency: prefetch,
        ...(signal ? { signal } : {}),
        onDone: prepared.onWalked,
      })
    : pages;
  for await (const page of withExtraPages(source, tracker)) {
    throwIfAborted();
    // Whether Keap's `count` is the total or the page's size is unconfirmed: it is shown as the
    // total only while it is not contradicted by what has arrived.
    if (total === undefined && page.count !== undefined && plan.action.shape?.kind === 'page') total = page.count;
    let raws = page.records;
    if (read + raws.length > max) {
      raws = raws.slice(0, Math.max(0, max - read));
      truncated = true;
    }
    const records = needsRequests
      ? await mapConcurrent(raws, concurrency, enrich)
      : plan.gathered.length
        ? await Promise.all(raws.map(enrich))
        : raws.map(shape);
    throwIfAborted();
    writer ??= openWriter(records);
    if (checkpoints) checkpoints.writing = true;
    for (const record of records) {
      const out = request.fields && request.format !== 'csv' ? projectRecord(record, request.fields) : record;
      if (tracker && !tracker.keep(record, out)) continue;
      const pending = writer.write(out);
      if (pending) await pending;
      written++;
    }
    read += records.length;
    enriched = 0;
    showProgress(read);
    if (checkpoints) await checkpointPage(checkpoints, page, writer, tracker, { written, read, header, total });
    if (truncated || read >= max) {
      // Exactly --max records and a short last page: nothing was left out.
      const couldHaveMore = page.more === true;
      truncated = truncated || couldHaveMore;
      break;
    }
  }
  writer ??= openWriter([]);
  await writer.end();
  // With --fields, everything not named is left out on purpose: nothing to warn about.
  const unknownLater = flattenPlan && !request.fields ? [...flattenPlan.unknownKeys] : [];
  throwIfAborted();
  return { written, read, truncated, ...(total !== undefined ? { expectedTotal: total } : {}), unknownLater };
}

/** The pages of the read, then the records the tracker adds (memberships changed without an update time). */
async function* withExtraPages(pages: AsyncIterable<Page>, tracker: ChangeTracker | undefined): AsyncIterable<Page> {
  yield* pages;
  if (tracker?.extraPages) yield* tracker.extraPages();
}

/**
 * The error a failed run ends with, saying what became of the output: an interrupt, a write error
 * naming the file, or the API's error with a hint about the output (the error itself is kept).
 */
function failureOf(error: unknown, request: ExportRequest, output: Output): unknown {
  const signal = request.signal;
  if (signal?.aborted && !(error instanceof InterruptedError)) return interruptedError(output, signal, error);
  const outputName = output.path ?? 'stdout';
  const io = error as NodeJS.ErrnoException;
  if (io.code === 'EPIPE') {
    const kept = request.stateFile ? `; the bookmark in ${request.stateFile} was kept` : '';
    return new BrokenPipeError(`${outputName} was closed by its reader before the export was complete${kept}`, { cause: error });
  }
  if (io.syscall === 'write') {
    return new CliError(`cannot write ${outputName}: ${(error as Error).message}`, { cause: error });
  }
  if (error instanceof PagingError) {
    const kept = request.stateFile ? `; the bookmark in ${request.stateFile} was kept` : '';
    const written = output.inPlace ? `the output on ${outputName} is incomplete` : `nothing was written to ${request.output}`;
    return error.withHint(`${written}${kept}; ${error.hint ?? 'run it again'}`);
  }
  if (error instanceof ApiError) {
    // What Keap's answer says to do (when a used-up quota resets) stays; what became of the output is added.
    const kept = request.stateFile ? `; the bookmark in ${request.stateFile} was kept` : '';
    const became = output.inPlace ? `the output on ${outputName} is incomplete` : `nothing was written to ${request.output}`;
    return error.withHint([error.hint, `${became}${kept}`].filter(Boolean).join('; '));
  }
  return error;
}

/** Warnings about what the finished run may lack: fewer records than Keap counted, CSV columns seen too late. */
function warnAfterRun(resource: ResourceDef, streamed: StreamedRecords, reporter: Reporter): void {
  const { truncated, expectedTotal, read, unknownLater } = streamed;
  if (!truncated && expectedTotal !== undefined && expectedTotal > read) {
    reporter.warn(
      `${resource.name}: Keap counted ${counted(expectedTotal, 'matching record')} but ${read.toLocaleString('en-US')} arrived; ` +
        'paging stops at the first short page, so the API may have returned fewer than asked for (or records were deleted meanwhile)',
    );
  }
  if (unknownLater.length) {
    reporter.warn(
      `${resource.name}: fields first seen after the CSV header was written are not in the file: ${unknownLater.join(', ')}; ` +
        'use --format ndjson to get every field',
    );
  }
}
