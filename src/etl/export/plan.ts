/**
 * Planning: flags -> the read action, path, query, date window, gathered fields and where the
 * bookmark lives. Every usage error of an export is thrown here, before anything is opened.
 */
import type { Query } from '../../api/types.js';
import {
  findAction,
  findResource,
  incrementalDescription,
  incrementalModeOf,
  isReadAction,
  plainReadAction,
  readActions,
} from '../../catalog/index.js';
import type { ActionDef, GatheredDef, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import { savedBookmark } from './incremental.js';
import { bookmark, type ExportState } from './state.js';
import { CUSTOM_FIELDS_INCLUDE, type ExportPlan, type ExportRequest } from './types.js';
import { planWalk, walkNotice } from './walk.js';

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

/** A path template with its `{placeholders}` filled from `values`, URL-encoded; a missing one is a usage error. */
export function fillPath(template: string, values: Map<string, string>, what: string): string {
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

  applyWhere(action, request.where ?? [], query);

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
  const tracking = request.stateFile ? incrementalModeOf(action) : undefined;
  checkStateFlags(request, action);
  const incremental = planDateWindow(request, action, state, tracking, legacyKey ?? bookmarkKey, query, warnings);
  if (tracking === 'hash') notices.push(`${resource.name}: ${incrementalDescription(action)}`);

  const { gathered, wantsSingleCustom } = planGathered(request, records);
  const customFields = planCustomFields(records, action, query, wantsSingleCustom);
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

/** `--where`: each filter checked against the action's and added to the query. */
function applyWhere(action: ActionDef, where: Array<[string, string]>, query: Query): void {
  const allowed = action.filters ?? [];
  for (const [key, value] of where) {
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
}

/** The flags that need `--state` or a date filter, refused without them. */
function checkStateFlags(request: ExportRequest, action: ActionDef): void {
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
  if ((request.since || request.until) && !action.dateFilter) {
    throw new UsageError(`--since/--until: ${action.method} ${action.path} has no date filter in Keap's API`, {
      hint: `export ${request.resource.name} without them to get every record`,
    });
  }
}

/**
 * The date window, from `--since`/`--until` or the bookmark saved under `key`, added to the query;
 * undefined when the action has no date filter, or when neither `--state` nor a window applies.
 */
function planDateWindow(
  request: ExportRequest,
  action: ActionDef,
  state: ExportState | undefined,
  tracking: ExportPlan['tracking'],
  key: string,
  query: Query,
  warnings: string[],
): ExportPlan['incremental'] {
  const df = action.dateFilter;
  if (!df) return undefined;
  // --since with --state is where the first run starts; after that the bookmark, being later,
  // takes over (a cron line keeps the same --since and still runs incrementally).
  const trusted = state && tracking === 'since' && !request.fullRefresh;
  let saved = trusted ? savedBookmark(state, key, df.field, request.stateFile) : undefined;
  // A bookmark later than now (a clock that was wrong) would hide every record updated before it.
  if (saved !== undefined && Date.parse(saved) > (request.now ?? Date.now)()) {
    warnings.push(
      `the bookmark "${key}" in ${request.stateFile} is in the future (${saved}): it is not used, and this run reads ${request.since ? `from --since ${request.since}` : 'every record'} and saves a new one`,
    );
    saved = undefined;
  }
  const useBookmark = saved !== undefined && (request.since === undefined || laterThan(saved, request.since));
  const since = useBookmark ? saved : request.since;
  if (since) query[df.since] = since;
  if (request.until) query[df.until] = request.until;
  if (!request.stateFile && !since && !request.until) return undefined;
  return {
    field: df.field,
    ...(since ? { since } : {}),
    ...(request.until ? { until: request.until } : {}),
    fromBookmark: useBookmark,
  };
}

/** `--include`: the gathered fields asked for, and whether custom fields are (also through `--fields custom.X`). */
function planGathered(request: ExportRequest, records: ResourceDef): { gathered: GatheredDef[]; wantsSingleCustom: boolean } {
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
  return { gathered, wantsSingleCustom };
}

/** How custom fields are obtained; from the list itself, the query asks for them. */
function planCustomFields(records: ResourceDef, action: ActionDef, query: Query, wantsSingleCustom: boolean): ExportPlan['customFields'] {
  // Custom fields belong to the resource's own records, not to wrapped ones (`/tags/{id}/contacts`).
  const cf = records.customFields;
  if (!cf || action.recordMap) return 'none';
  if (cf.via === 'list' || action.kind === 'read-single') {
    const asked = typeof query.optional_properties === 'string' ? query.optional_properties.split(',') : [];
    query.optional_properties = [...new Set([...asked, CUSTOM_FIELDS_INCLUDE])].join(',');
    return 'list';
  }
  return wantsSingleCustom ? 'single' : 'none';
}

function laterThan(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}
