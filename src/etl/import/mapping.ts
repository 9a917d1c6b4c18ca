/**
 * Columns -> body properties, path fields and extras (tags, group, --only-created), planned once
 * per import from the header (planColumns); map-row.ts then makes each row a request body by the
 * plan. Pure: no network, no files.
 *
 * A column feeds a field by its name, export's dot paths (`email_addresses.EMAIL1.email`,
 * `company.id`), `custom.<label>`, or what `--map` names (column-targets.ts resolves them). CSV
 * cells are read by `unflattenRow` (export's exact reverse), typed by the action's body; JSON/NDJSON
 * values are taken as they are.
 */
import { editDistance } from '../../catalog/index.js';
import type { ActionDef, BodyProperty, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import type { CustomFieldModel } from '../custom-fields.js';
import { Resolver, type Target } from './column-targets.js';
import type { DateFormats } from './dates.js';
import type { InputFormat } from './types.js';

export interface MappingOptions {
  /** --map COLUMN=FIELD: column -> field name, dot path or `custom.<label>`. */
  map?: ReadonlyMap<string, string>;
  /** --ignore-unknown: unknown columns are warned about and skipped. */
  ignoreUnknown?: boolean;
  /** --clear-empty: empty cells are sent as cleared values ('' for text, null otherwise). */
  clearEmpty?: boolean;
  /** From `/model`, when the resource has custom fields. */
  customModel?: CustomFieldModel;
  /** The grouping column (never sent to Keap); default `order_ref` when the body has row items. */
  groupBy?: string;
  /** --opt-in-reason TEXT, for every row whose body takes opt_in_reason. */
  optInReason?: string;
  /** --only-created: `_id` fills the key, `_action` is read. */
  onlyCreated?: boolean;
  /** --date-format and --timezone (read by validation, coerce.ts). */
  formats?: DateFormats;
}

export interface ColumnPlan {
  resource: ResourceDef;
  action: ActionDef;
  format: InputFormat;
  /** One line per column left out (read-only fields, fields the action does not take), naming it and why. */
  warnings: string[];
  /** The column that feeds a field (`contact_id`, `order_items.product_id` or `product_id`, `id`), if any. */
  columnFor(field: string): string | undefined;
  /** The path placeholder fields the action needs (`id`, `order_id`). */
  pathFields: string[];
  groupBy?: string;
  /** The column holding tags to apply after the write. */
  tagsColumn?: string;
  /** The item array rows of a group fill (orders: `order_items`), when grouping applies. */
  itemArray?: string;
}

export interface MappedRow {
  row: number;
  /** The request body: no path fields, no read-only fields. */
  body: Record<string, unknown>;
  /** Placeholder values (id, order_id, sequence_id, contact_id ...). */
  path: Record<string, string | number>;
  /** From the tags column: names or ids. */
  tags?: Array<string | number>;
  /** The group column's value. */
  group?: string;
  /** With --only-created. */
  onlyCreated?: { action: string; id: string };
  /**
   * Keyed arrays sent without every element the record may hold (update and upsert only): the
   * engine reads the record and merges before the write. Empty with --clear-empty when the row
   * covers every discriminator value.
   */
  partialArrays: string[];
  /**
   * For each partial array, the discriminator values the row speaks for: the record's elements with
   * other values are kept when merging; those with these values are replaced (or, with
   * --clear-empty, dropped when the row's cells for them are empty).
   */
  coveredValues?: Record<string, string[]>;
  /** For bodies grouped from rows: the row each element of the item array came from. */
  itemRows?: number[];
}

/** What mapRow needs beyond the public plan. */
export interface Compiled {
  targets: Target[];
  properties: BodyProperty[];
  options: MappingOptions;
  /** The key path field `_id` fills with --only-created. */
  createdKey?: string;
}

const compiled = new WeakMap<ColumnPlan, Compiled>();

/** What planColumns compiled for `plan` beside it; undefined for a plan it did not make. */
export function compiledOf(plan: ColumnPlan): Compiled | undefined {
  return compiled.get(plan);
}

/** The group column used when the body has row items and none is named. */
export const DEFAULT_GROUP_COLUMN = 'order_ref';

/** The closest candidate to a mistyped name, or undefined when nothing is close. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.trim().toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = editDistance(wanted, candidate.toLowerCase());
    if (!best || score < best.score) best = { name: candidate, score };
  }
  return best && best.score <= Math.max(2, Math.floor(wanted.length / 3)) ? best.name : undefined;
}

function unknownColumnsError(unknown: readonly string[], resolver: Resolver): UsageError {
  const candidates = resolver.candidates();
  const listed = unknown.map((column) => {
    const suggestion = closest(column, candidates);
    return `"${column}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  });
  const { resource, action } = resolver;
  return new UsageError(`unknown column${unknown.length > 1 ? 's' : ''} for ${resource.name} ${action.id}: ${listed.join(', ')}`, {
    hint: `rename ${unknown.length > 1 ? 'them' : 'it'}, name the field with --map COLUMN=FIELD, or skip unknown columns with --ignore-unknown (run \`infusionsoft describe ${resource.name}\` for the fields)`,
  });
}

/** Checks --map against the file's columns and the resource's fields; returns column -> name to resolve. */
function mappedNames(columns: readonly string[], resolver: Resolver, map: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const names = new Map(columns.map((c) => [c, c]));
  for (const [column, field] of map ?? []) {
    if (!names.has(column)) {
      throw new UsageError(`--map ${column}=${field}: the file has no column "${column}"`, { hint: `its columns: ${columns.join(', ')}` });
    }
    if (resolver.resolve(field, column).kind === 'unknown') {
      const suggestion = closest(field, resolver.candidates());
      throw new UsageError(`--map ${column}=${field}: ${resolver.resource.name} ${resolver.action.id} has no field "${field}"`, {
        hint: `${suggestion ? `did you mean "${suggestion}"? ` : ''}Run \`infusionsoft describe ${resolver.resource.name}\` for the fields.`,
      });
    }
    names.set(column, field);
  }
  return names;
}

function groupColumn(columns: readonly string[], resolver: Resolver, groupBy: string | undefined): string | undefined {
  if (groupBy === undefined) return resolver.itemArray && columns.includes(DEFAULT_GROUP_COLUMN) ? DEFAULT_GROUP_COLUMN : undefined;
  if (!columns.includes(groupBy)) throw new UsageError(`--group-by ${groupBy}: the file has no column "${groupBy}"`);
  if (!resolver.itemArray) {
    throw new UsageError(`--group-by ${groupBy}: ${resolver.resource.name} ${resolver.action.id} has no item array that rows could fill`, {
      hint: 'leave --group-by out: each row is one record',
    });
  }
  return groupBy;
}

/** A name for what a target feeds, so that two columns feeding one field are caught. */
function targetKey(target: Target): string | undefined {
  switch (target.kind) {
    case 'body':
    case 'path':
      return target.name;
    case 'custom':
      return `custom.${target.label}`;
    case 'item':
      return `item:${target.index ?? ''}:${target.component}`;
    case 'only-created':
      return `_${target.which}`;
    default:
      return target.kind;
  }
}

/** The fields a target answers columnFor() for. */
function targetFields(target: Target, itemArray: string | undefined): string[] {
  switch (target.kind) {
    case 'body':
    case 'path':
      return [target.name];
    case 'custom':
      return [`custom.${target.label}`];
    case 'custom-object':
      return ['custom', 'custom_fields'];
    case 'item':
      return target.index === undefined
        ? [`${itemArray}.${target.component}`, target.component]
        : [`${itemArray}.${target.index}.${target.component}`, `${itemArray}.${target.component}`];
    case 'tags':
      return ['tags'];
    default:
      return [];
  }
}

/**
 * Plans how the file's columns feed the action: each column's target, warnings for columns left
 * out, and the extras (group, tags). Throws UsageError for unknown columns (unless ignoreUnknown),
 * a bad --map, --group-by or --only-created.
 */
export function planColumns(
  resource: ResourceDef,
  action: ActionDef,
  columns: readonly string[],
  format: InputFormat,
  options: MappingOptions = {},
): ColumnPlan {
  const resolver = new Resolver(resource, action, format, options.customModel);
  const names = mappedNames(columns, resolver, options.map);
  const groupBy = groupColumn(columns, resolver, options.groupBy);
  if (options.onlyCreated && !(columns.includes('_id') && columns.includes('_action'))) {
    throw new UsageError('--only-created reads the _action and _id columns of a results file, and this file lacks them', {
      hint: 'import the results file (<input>.results.<ext>) of the run that created the records',
    });
  }
  const warnings: string[] = [];
  const targets: Target[] = [];
  const unknown: string[] = [];
  const ignoredByDelete: string[] = [];
  const jsonCustom = format !== 'csv' && columns.includes('custom') && resolver.resolve('custom', 'custom').kind === 'custom-object';
  for (const column of columns) {
    if (column === groupBy) targets.push({ kind: 'group', column });
    else if (column.startsWith('_')) {
      if (options.onlyCreated && (column === '_id' || column === '_action')) {
        targets.push({ kind: 'only-created', column, which: column === '_id' ? 'id' : 'action' });
      }
    } else if (column === 'custom_fields' && jsonCustom) {
      warnings.push('column custom_fields: left out; the custom object beside it (values by label) is used');
    } else {
      const resolved = resolver.resolve(names.get(column) ?? column, column);
      if (resolved.kind === 'unknown') (action.body ? unknown : ignoredByDelete).push(column);
      else if (resolved.kind !== 'skip') targets.push(resolved);
      else if (action.body) warnings.push(`column ${column}: ${resolved.why}, left out`);
      else ignoredByDelete.push(column);
    }
  }
  if (ignoredByDelete.length > 0) {
    warnings.push(`${action.id} sends only ${resolver.pathNames.join(', ')}: ${ignoredByDelete.length} other column(s) ignored`);
  }
  if (unknown.length > 0) {
    if (!options.ignoreUnknown) throw unknownColumnsError(unknown, resolver);
    warnings.push(`unknown column${unknown.length > 1 ? 's' : ''} ignored: ${unknown.join(', ')}`);
  }
  const fed = new Map<string, string>();
  for (const target of targets) {
    const key = targetKey(target);
    if (key === undefined) continue;
    const other = fed.get(key);
    if (other !== undefined) {
      throw new UsageError(`columns ${other} and ${target.column} both feed ${key.replace(/^item:\d*:/, '')}`, {
        hint: 'remove one of them, or point one elsewhere with --map',
      });
    }
    fed.set(key, target.column);
  }
  if (options.optInReason !== undefined && !resolver.propertyByName.has('opt_in_reason')) {
    warnings.push(`--opt-in-reason: ${resource.name} ${action.id} does not take opt_in_reason; ignored`);
  }
  return makePlan(resolver, targets, warnings, groupBy, options);
}

function makePlan(
  resolver: Resolver,
  targets: Target[],
  warnings: string[],
  groupBy: string | undefined,
  options: MappingOptions,
): ColumnPlan {
  const { resource, action, format } = resolver;
  const itemArray = resolver.itemArray?.name;
  const columnByField = new Map<string, string>();
  for (const target of targets) for (const field of targetFields(target, itemArray)) columnByField.set(field, target.column);
  const createdKey = options.onlyCreated
    ? (resolver.pathNames.find((name) => resource.fields.find((f) => f.name === name)?.readOnly) ?? resolver.pathNames.at(-1))
    : undefined;
  if (createdKey && !columnByField.has(createdKey)) columnByField.set(createdKey, '_id');
  if (groupBy) columnByField.set(groupBy, groupBy);
  const tagsColumn = targets.find((t) => t.kind === 'tags')?.column;
  const hasItems = targets.some((t) => t.kind === 'item') || (itemArray !== undefined && columnByField.has(itemArray));
  const plan: ColumnPlan = {
    resource,
    action,
    format,
    warnings,
    columnFor: (field) => columnByField.get(field),
    pathFields: resolver.pathNames,
    ...(groupBy ? { groupBy } : {}),
    ...(tagsColumn ? { tagsColumn } : {}),
    ...(itemArray && (groupBy || hasItems) ? { itemArray } : {}),
  };
  compiled.set(plan, { targets, properties: resolver.properties, options, ...(createdKey ? { createdKey } : {}) });
  return plan;
}
