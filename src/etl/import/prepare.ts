/**
 * Everything an import settles before reading its rows: the action, the account's custom fields,
 * the column plan, and the ids behind the natural keys the file uses (`--lookup`, tag names). All
 * of it is reads; nothing is written to Keap here.
 */
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import type { KeapApi } from '../../api/types.js';
import { UsageError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import { counted } from '../../reporter.js';
import { type CustomFieldModel, customFieldModel } from '../custom-fields.js';
import { decideAction, importAction } from './action.js';
import { type Lookups, createLookups } from './lookup.js';
import { CellError } from '../errors.js';
import type { DateFormats } from './dates.js';
import { parseTags } from './map-row.js';
import { type ColumnPlan, type MappingOptions, planColumns } from './mapping.js';
import type { MatchPlan } from './match.js';
import type { ImportActionKind, ImportInput, InputRow, LookupResult, LookupSpec } from './types.js';

/** The lookup behind `tags` cells: tag names are resolved to ids like any `--lookup`. */
const TAG_LOOKUP: LookupSpec = { field: 'tags', resource: 'tags', key: 'name' };

/** One `--lookup` bound to the column that holds its natural keys, with the answers. */
export interface BoundLookup {
  spec: LookupSpec;
  column: string;
  /** The distinct natural keys in the column, then their answers. */
  values: Set<string>;
  results: Map<string, LookupResult>;
}

export interface PreparedImport {
  resource: ResourceDef;
  action: ActionDef;
  kind: ImportActionKind;
  plan: ColumnPlan;
  customModel?: CustomFieldModel;
  lookups: BoundLookup[];
  /** Tag names (lower case) -> ids, for the tags column; names missing here are unknown tags. */
  tagIds: Map<string, number>;
  lookupClient: Lookups;
  /** Options of the call sent in every body (`duplicate_option` of an upsert). */
  callOptions: Record<string, string>;
  /** --date-format and --timezone. */
  formats?: DateFormats;
  /** `--match FIELD`: rows find their record by that field's value. */
  match?: MatchPlan;
}

export interface PrepareOptions {
  resource: ResourceDef;
  action?: ImportActionKind;
  mapping: MappingOptions;
  lookups: readonly LookupSpec[];
  /** `--duplicate-option`; the resource's first option (Email) otherwise. */
  duplicateOption?: string;
  signal?: AbortSignal;
}

/** The column plan; a problem with the columns names the file it is in. */
function planFor(input: ImportInput, resource: ResourceDef, action: ActionDef, mapping: MappingOptions): ColumnPlan {
  try {
    return planColumns(resource, action, input.columns, input.format, mapping);
  } catch (error) {
    if (error instanceof UsageError && !error.message.startsWith(input.name)) {
      throw new UsageError(`${input.name}: ${error.message}`, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
    }
    throw error;
  }
}

/** The fields the file's columns name after `--map`, for deciding the action. */
function namedFields(columns: readonly string[], map: ReadonlyMap<string, string> | undefined, onlyCreated: boolean): Set<string> {
  const names = new Set<string>();
  for (const column of columns) names.add(map?.get(column) ?? column);
  // A results file fed back with --only-created carries its ids in `_id`.
  if (onlyCreated && names.has('_id')) names.add('id');
  return names;
}

async function loadCustomModel(
  api: KeapApi,
  resource: ResourceDef,
  input: ImportInput,
  map: ReadonlyMap<string, string> | undefined,
  signal?: AbortSignal,
) {
  const source = resource.customFields;
  if (!source) return undefined;
  // A column names a custom field itself, or through --map COLUMN=custom.<label>.
  const names = [...input.columns, ...(map?.values() ?? [])];
  const wanted = names.some((name) => name === 'custom' || name.startsWith('custom.') || name === 'custom_fields');
  if (!wanted) return undefined;
  const response = await api.request('GET', source.modelPath, signal ? { signal } : {});
  return customFieldModel(response.body);
}

export async function prepareImport(
  api: KeapApi,
  input: ImportInput,
  options: PrepareOptions,
  reporter: Reporter,
): Promise<PreparedImport> {
  const { resource } = options;
  const action = options.action
    ? importAction(resource, options.action)
    : decideAction(resource, namedFields(input.columns, options.mapping.map, options.mapping.onlyCreated ?? false));
  const kind = action.kind as ImportActionKind;
  if (options.mapping.onlyCreated && kind !== 'delete') {
    throw new UsageError('--only-created undoes the creates of an earlier run: it needs --action delete');
  }
  const customModel = await loadCustomModel(api, resource, input, options.mapping.map, options.signal);
  const plan = planFor(input, resource, action, { ...options.mapping, ...(customModel ? { customModel } : {}) });
  for (const warning of plan.warnings) reporter.warn(warning);

  const lookupClient = createLookups(api);
  const bound: BoundLookup[] = [];
  for (const spec of options.lookups) {
    const column = plan.columnFor(spec.field);
    if (column === undefined) {
      throw new UsageError(`--lookup ${spec.field}=${spec.resource}.${spec.key}: the file has no column for ${spec.field}`, {
        hint: `name the column ${spec.field}, or map it with --map COLUMN=${spec.field}`,
      });
    }
    bound.push({ spec, column, values: new Set(), results: new Map() });
  }
  const tagNames = await collectLookupValues(input, bound, plan);
  for (const lookup of bound) lookup.results = await lookupClient.resolve(lookup.spec, lookup.values, options.signal);
  const tagIds = new Map<string, number>();
  if (tagNames.size) {
    const answers = await lookupClient.resolve(TAG_LOOKUP, tagNames, options.signal);
    for (const [name, answer] of answers) if ('id' in answer) tagIds.set(name.toLowerCase(), answer.id);
  }
  if (bound.length || tagNames.size) {
    reporter.debug(`looked up ${counted(bound.reduce((n, b) => n + b.values.size, 0) + tagNames.size, 'natural key')}`);
  }
  const callOptions: Record<string, string> = {};
  if (action.body?.options?.includes('duplicate_option')) {
    const option = options.duplicateOption ?? resource.duplicateOptions?.[0];
    if (option) callOptions.duplicate_option = option;
  } else if (options.duplicateOption) {
    throw new UsageError(`--duplicate-option is for upserts; this import is a ${kind}`);
  }
  const formats = options.mapping.formats;
  return {
    resource,
    action,
    kind,
    plan,
    callOptions,
    ...(customModel ? { customModel } : {}),
    ...(formats ? { formats } : {}),
    lookups: bound,
    tagIds,
    lookupClient,
  };
}

/**
 * One pass over the rows for the distinct values of each lookup column and the tag names of the
 * tags column (before validation, so lookups are answered once per value, not once per row).
 */
async function collectLookupValues(input: ImportInput, bound: BoundLookup[], plan: ColumnPlan): Promise<Set<string>> {
  const tagNames = new Set<string>();
  const tagsColumn = plan.tagsColumn;
  if (!bound.length && !tagsColumn) return tagNames;
  for await (const row of input.rows()) {
    for (const lookup of bound) {
      const value = cellText(row, lookup.column);
      if (value !== undefined) lookup.values.add(value);
    }
    if (tagsColumn) for (const tag of tagsIn(tagsColumn, row.values[tagsColumn])) if (typeof tag === 'string') tagNames.add(tag);
  }
  return tagNames;
}

/** A tags cell read as mapping reads it; a cell it cannot read is the validation pass's to report. */
function tagsIn(column: string, cell: unknown): Array<string | number> {
  try {
    return parseTags(column, cell) ?? [];
  } catch (error) {
    if (error instanceof CellError) return [];
    throw error;
  }
}

/** A lookup column's natural key in a row, or undefined when the cell is empty. */
export function cellText(row: InputRow, column: string): string | undefined {
  const value = row.values[column];
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}
