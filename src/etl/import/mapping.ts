/**
 * Columns -> body properties, path fields and extras (tags, group, --only-created), planned once
 * per import from the header; then each row -> a request body. Pure: no network, no files.
 *
 * A column feeds a field by its name, export's dot paths (`email_addresses.EMAIL1.email`,
 * `company.id`), `custom.<label>`, or what `--map` names. CSV cells are read by `unflattenRow`
 * (export's exact reverse), typed by the action's body; JSON/NDJSON values are taken as they are.
 */
import { bodyProperties, editDistance, pathFields } from '../../catalog/index.js';
import type { ActionDef, BodyProperty, FieldDef, FieldType, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import { type CustomFieldModel, customToFields } from '../custom-fields.js';
import { CellError } from '../errors.js';
import type { DateFormats } from './dates.js';
import { csvColumns } from '../columns.js';
import { parseCell, unflattenRow } from '../unflatten.js';
import type { InputFormat, InputRow } from './types.js';

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

/** Where one column goes. */
type Target =
  | { kind: 'body'; column: string; name: string }
  | { kind: 'custom'; column: string; label: string }
  | { kind: 'custom-object'; column: string }
  | { kind: 'path'; column: string; name: string }
  | { kind: 'item'; column: string; component: string; index?: number }
  | { kind: 'tags'; column: string }
  | { kind: 'group'; column: string }
  | { kind: 'only-created'; column: string; which: 'id' | 'action' };

type Resolution = Target | { kind: 'skip'; why: string } | { kind: 'unknown' };

/** What mapRow needs beyond the public plan. */
interface Compiled {
  targets: Target[];
  properties: BodyProperty[];
  options: MappingOptions;
  /** The key path field `_id` fills with --only-created. */
  createdKey?: string;
}

const compiled = new WeakMap<ColumnPlan, Compiled>();

/** The group column used when the body has row items and none is named. */
export const DEFAULT_GROUP_COLUMN = 'order_ref';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKeyed(field: FieldDef | undefined): boolean {
  return !!field && field.type === 'array' && !!field.discriminator && !!field.discriminatorValues?.length;
}

/** Resolves names (columns or --map targets) against one resource and action. */
class Resolver {
  readonly properties: BodyProperty[];
  readonly propertyByName: Map<string, BodyProperty>;
  readonly pathNames: string[];
  readonly itemArray: BodyProperty | undefined;
  private readonly fields: Map<string, FieldDef>;

  constructor(
    readonly resource: ResourceDef,
    readonly action: ActionDef,
    readonly format: InputFormat,
    readonly model: CustomFieldModel | undefined,
  ) {
    this.properties = action.body ? bodyProperties(resource, action) : [];
    this.propertyByName = new Map(this.properties.map((p) => [p.name, p]));
    this.pathNames = pathFields(resource, action).map((f) => f.name);
    this.fields = new Map(resource.fields.map((f) => [f.name, f]));
    const rowItems = action.body?.rowItems;
    this.itemArray = rowItems ? this.propertyByName.get(rowItems) : undefined;
  }

  private takes(name: string): boolean {
    return this.propertyByName.has(name);
  }

  private notTaken(name: string): { kind: 'skip'; why: string } {
    const field = this.fields.get(name);
    if (field?.key && field.readOnly) return { kind: 'skip', why: `the record's key, which Keap assigns on ${this.action.id}` };
    if (field?.readOnly) return { kind: 'skip', why: 'read-only' };
    return { kind: 'skip', why: `${this.resource.name} ${this.action.id} does not take it` };
  }

  resolve(name: string, column: string): Resolution {
    if (name.startsWith('custom.')) return this.resolveCustom(name.slice('custom.'.length), column);
    if (name === 'custom' && this.format !== 'csv' && this.model && this.resource.customFields) {
      return this.takes('custom_fields') ? { kind: 'custom-object', column } : this.noCustomFields();
    }
    const parts = name.split('.');
    const head = parts[0] ?? name;
    if (parts.length === 1) return this.resolveTopLevel(name, column);
    const field = this.fields.get(head);
    const property = this.propertyByName.get(head);
    if (this.itemArray && head === this.itemArray.name && parts.length === 3 && /^\d+$/.test(parts[1] ?? '')) {
      const component = parts[2] ?? '';
      return this.itemArray.components?.some((c) => c.name === component)
        ? { kind: 'item', column, component, index: Number(parts[1]) }
        : { kind: 'unknown' };
    }
    if (field && isKeyed(field)) {
      const known = parts.length === 3 && field.discriminatorValues?.includes(parts[1] ?? '') && field.components?.includes(parts[2] ?? '');
      if (!known || parts[2] === field.discriminator) return { kind: 'unknown' };
      return property ? { kind: 'body', column, name } : this.notTaken(head);
    }
    if (parts.length !== 2) return { kind: 'unknown' };
    const component = parts[1] ?? '';
    if (property?.type === 'object') {
      if (!property.components || property.components.some((c) => c.name === component)) return { kind: 'body', column, name };
      if (field?.components?.includes(component)) {
        const taken = property.components.map((c) => `${head}.${c.name}`).join(', ');
        return { kind: 'skip', why: `${this.resource.name} ${this.action.id} takes only ${taken}` };
      }
      return { kind: 'unknown' };
    }
    if (field?.type === 'object' && (!field.components || field.components.includes(component))) return this.notTaken(head);
    return { kind: 'unknown' };
  }

  private resolveTopLevel(name: string, column: string): Resolution {
    if (this.pathNames.includes(name)) return { kind: 'path', column, name };
    if (this.takes(name)) return { kind: 'body', column, name };
    if (name === 'tags' && this.resource.gathered?.some((g) => g.name === 'tags')) {
      return this.action.kind === 'delete' ? { kind: 'skip', why: 'tags are not applied on delete' } : { kind: 'tags', column };
    }
    if (this.itemArray?.components?.some((c) => c.name === name)) return { kind: 'item', column, component: name };
    if (this.fields.has(name)) return this.notTaken(name);
    if (this.resource.gathered?.some((g) => g.name === name)) {
      return { kind: 'skip', why: 'a gathered field (read by a separate request), which import does not write' };
    }
    return { kind: 'unknown' };
  }

  private resolveCustom(label: string, column: string): Resolution {
    if (!this.model?.labelToId.has(label)) return { kind: 'unknown' };
    return this.takes('custom_fields') ? { kind: 'custom', column, label } : this.noCustomFields();
  }

  private noCustomFields(): { kind: 'skip'; why: string } {
    return { kind: 'skip', why: `${this.resource.name} ${this.action.id} does not take custom fields` };
  }

  /** Every name a column could have, for "did you mean" hints. */
  candidates(): string[] {
    const names = new Set<string>(csvColumns(this.resource, { customLabels: this.model?.labels ?? [] }));
    for (const property of this.properties) {
      names.add(property.name);
      if (property.type === 'object') for (const c of property.components ?? []) names.add(`${property.name}.${c.name}`);
    }
    for (const name of this.pathNames) names.add(name);
    for (const c of this.itemArray?.components ?? []) names.add(c.name);
    return [...names];
  }
}

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

// ---------------------------------------------------------------------------------------------
// One row -> one body

/**
 * An empty cell: unquoted (null), quoted (`""`), a JSON `""` or `null`, or an absent key. All mean
 * the same, as HubSpot, Mailchimp and any QUOTE_ALL writer quote every empty cell: left as it is,
 * or cleared with --clear-empty.
 */
function isEmptyCell(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

/** A CSV cell as text: null for an empty cell (quoted or not) or a missing value. */
function cellText(value: unknown): string | null {
  if (isEmptyCell(value)) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** Path placeholders: a whole number is sent as one; anything else as given, for validation to judge. */
function pathValue(value: unknown): string | number {
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  return /^[-+]?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** What --clear-empty sends for a field of this type. */
function clearedValue(type: FieldType | undefined): unknown {
  if (type === undefined || type === 'string' || type === 'date' || type === 'datetime') return '';
  return type === 'array' ? [] : null;
}

/** Tags: ids or names, `;`-separated, or export's JSON (`[{"tag":{"id":3,"name":"VIP"}, ...}]`). */
export function parseTags(column: string, value: unknown): Array<string | number> | undefined {
  if (isBlank(value)) return undefined;
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string' && /^\s*\[/.test(value)) {
    try {
      const parsed: unknown = JSON.parse(value);
      list = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      throw new CellError(column, `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}" is not valid JSON`);
    }
  } else list = String(value).split(';');
  const tags: Array<string | number> = [];
  for (const item of list) {
    const tag = tagOf(column, item);
    if (tag !== undefined && !tags.includes(tag)) tags.push(tag);
  }
  return tags.length > 0 ? tags : undefined;
}

function tagOf(column: string, item: unknown): string | number | undefined {
  if (typeof item === 'number' && Number.isSafeInteger(item)) return item;
  if (typeof item === 'string') {
    const text = item.trim();
    if (text === '') return undefined;
    return /^\d+$/.test(text) ? Number(text) : text;
  }
  if (isObject(item)) {
    const inner = isObject(item.tag) ? item.tag : item;
    if (typeof inner.id === 'number') return inner.id;
    if (typeof inner.name === 'string' && inner.name.trim() !== '') return inner.name.trim();
  }
  throw new CellError(column, `${JSON.stringify(item)} is not a tag id or name`);
}

/**
 * One row -> the request body, path values and extras, by the plan. Empty cells are left out (with
 * clearEmpty, sent cleared). Throws CellError naming the column for a cell that cannot be read.
 */
export function mapRow(plan: ColumnPlan, row: InputRow): MappedRow {
  const internals = compiled.get(plan);
  if (!internals) throw new Error('mapRow: the plan was not made by planColumns');
  const { targets, options } = internals;
  const mapped: MappedRow = { row: row.row, body: {}, path: {}, partialArrays: [] };
  const csv = plan.format === 'csv';
  const cells: Record<string, string | null> = {};
  const jsonValues: Array<{ name: string; value: unknown }> = [];
  const custom: Record<string, unknown> = {};
  const items = new Map<number, Record<string, unknown>>();
  const plainItem: Record<string, unknown> = {};
  for (const target of targets) {
    const value = row.values[target.column];
    switch (target.kind) {
      case 'body':
        if (!csv && !target.name.includes('.')) jsonValues.push({ name: target.name, value });
        else cells[target.name] = cellText(value);
        break;
      case 'custom':
        cells[`custom.${target.label}`] = cellText(value);
        break;
      case 'custom-object':
        readCustomObject(target.column, value, internals, custom);
        break;
      case 'path':
        if (!isBlank(value)) mapped.path[target.name] = pathValue(value);
        break;
      case 'item': {
        const element = target.index === undefined ? plainItem : (items.get(target.index) ?? {});
        if (target.index !== undefined) items.set(target.index, element);
        readItemCell(plan, internals, target, value, element);
        break;
      }
      case 'tags': {
        const tags = parseTags(target.column, value);
        if (tags) mapped.tags = tags;
        break;
      }
      case 'group':
        if (!isBlank(value)) mapped.group = String(value).trim();
        break;
      case 'only-created':
        break;
    }
  }
  readOnlyCreated(internals, row, mapped);
  const body = unflattenRow(cells, plan.resource, {
    gathered: [],
    properties: internals.properties,
    ...(options.customModel ? { customTypes: options.customModel.labelTypes } : {}),
  });
  mapped.body = body;
  for (const { name, value } of jsonValues) {
    if (!isEmptyCell(value)) body[name] = withoutReadOnlyComponents(plan.resource, internals.properties, name, value);
  }
  if (options.clearEmpty) clearEmptyCells(internals, row, body, plan.resource);
  finishCustomFields(internals, body, custom);
  markPartialArrays(plan, internals, mapped);
  finishItems(plan, body, items, plainItem);
  if (
    options.optInReason !== undefined &&
    body.opt_in_reason === undefined &&
    internals.properties.some((p) => p.name === 'opt_in_reason')
  ) {
    body.opt_in_reason = options.optInReason;
  }
  return mapped;
}

/**
 * A JSON object (or list of objects) without the components its record field has but the body does
 * not take (an exported contact's `company.company_name`), as CSV leaves out those columns. A copy:
 * the input record stays as read.
 */
function withoutReadOnlyComponents(resource: ResourceDef, properties: readonly BodyProperty[], name: string, value: unknown): unknown {
  const taken = properties.find((p) => p.name === name)?.components?.map((c) => c.name);
  const known = resource.fields.find((f) => f.name === name)?.components;
  if (!taken || !known) return value;
  const prune = (element: unknown) =>
    isObject(element)
      ? Object.fromEntries(Object.entries(element).filter(([key]) => taken.includes(key) || !known.includes(key)))
      : element;
  return Array.isArray(value) ? value.map(prune) : prune(value);
}

function readCustomObject(column: string, value: unknown, plan: Compiled, custom: Record<string, unknown>): void {
  if (value === null || value === undefined) return;
  if (!isObject(value)) throw new CellError(column, 'expected an object of custom field values by label');
  const model = plan.options.customModel;
  for (const [label, content] of Object.entries(value)) {
    if (!model?.labelToId.has(label)) {
      if (plan.options.ignoreUnknown) continue;
      throw new CellError(`custom.${label}`, `"${label}" is not a custom field of this account (its fields: ${model?.labels.join(', ')})`);
    }
    if (!isEmptyCell(content)) custom[label] = content;
    else if (plan.options.clearEmpty) custom[label] = model.labelTypes.get(label) === 'number' ? null : '';
  }
}

function readItemCell(
  plan: ColumnPlan,
  compiledPlan: Compiled,
  target: Target & { kind: 'item' },
  value: unknown,
  element: Record<string, unknown>,
): void {
  if (isBlank(value)) return;
  if (plan.format !== 'csv' || typeof value !== 'string') {
    element[target.component] = value;
    return;
  }
  const items = compiledPlan.properties.find((p) => p.name === plan.itemArray);
  const type = items?.components?.find((c) => c.name === target.component)?.type;
  element[target.component] = parseCell(target.column, value, type);
}

function readOnlyCreated(plan: Compiled, row: InputRow, mapped: MappedRow): void {
  if (!plan.options.onlyCreated) return;
  const id = row.values._id;
  mapped.onlyCreated = { action: String(row.values._action ?? '').trim(), id: isBlank(id) ? '' : String(id).trim() };
  if (plan.createdKey && !isBlank(id)) mapped.path[plan.createdKey] = pathValue(id);
}

/** --clear-empty: what the row left empty is sent cleared; keyed arrays are sent whole. */
function clearEmptyCells(internals: Compiled, row: InputRow, body: Record<string, unknown>, resource: ResourceDef): void {
  for (const target of internals.targets) {
    if (!isEmptyCell(row.values[target.column])) continue;
    if (target.kind === 'custom') {
      const custom = isObject(body.custom) ? body.custom : {};
      body.custom = custom;
      custom[target.label] = internals.options.customModel?.labelTypes.get(target.label) === 'number' ? null : '';
    }
    if (target.kind !== 'body') continue;
    const [head = '', component, third] = target.name.split('.');
    const property = internals.properties.find((p) => p.name === head);
    if (component === undefined) {
      // A keyed array's elements may have come from its per-value columns: they stay.
      if (body[head] === undefined) body[head] = clearedValue(property?.type);
    } else if (third === undefined) {
      const object = isObject(body[head]) ? body[head] : {};
      body[head] = object;
      object[component] = clearedValue(property?.components?.find((c) => c.name === component)?.type);
    } else if (!Array.isArray(body[head])) {
      body[head] = []; // every element of this keyed array the row speaks for is empty
    } else {
      // An element the row gives keeps the record's other components when merged: this one is cleared.
      const discriminator = resource.fields.find((f) => f.name === head)?.discriminator ?? 'field';
      const element = (body[head] as unknown[]).find((e) => isObject(e) && e[discriminator] === component);
      if (isObject(element) && element[third] === undefined) element[third] = '';
    }
  }
}

/**
 * The discriminator values a row speaks for in a keyed array: with --clear-empty, every value it
 * has columns for (a JSON array: all of them, it is given whole); otherwise the values it gives.
 */
function coveredValues(field: FieldDef, elements: unknown[], plan: ColumnPlan, internals: Compiled): string[] {
  const all = field.discriminatorValues ?? [];
  if (internals.options.clearEmpty) {
    if (plan.format !== 'csv') return all;
    const columns = new Set(
      internals.targets.flatMap((t) => (t.kind === 'body' && t.name.startsWith(`${field.name}.`) ? [t.name.split('.')[1] ?? ''] : [])),
    );
    return all.filter((value) => columns.has(value));
  }
  const discriminator = field.discriminator ?? 'field';
  const given = new Set(elements.map((e) => (isObject(e) ? e[discriminator] : undefined)));
  return all.filter((value) => given.has(value));
}

/**
 * The arrays the catalog says a write may replace (ArrayWrite) that the row gives or clears
 * elements of: listed for the engine to merge with the record (update and upsert only).
 */
function markPartialArrays(plan: ColumnPlan, internals: Compiled, mapped: MappedRow): void {
  if (plan.action.kind !== 'update' && plan.action.kind !== 'upsert') return;
  for (const write of plan.resource.arrayWrites ?? []) {
    const elements = mapped.body[write.name];
    if (!Array.isArray(elements)) continue;
    mapped.partialArrays.push(write.name);
    const field = plan.resource.fields.find((candidate) => candidate.name === write.name);
    if (isKeyed(field) && field?.discriminator === write.key) {
      mapped.coveredValues = { ...mapped.coveredValues, [write.name]: coveredValues(field, elements, plan, internals) };
    }
  }
}

function finishCustomFields(plan: Compiled, body: Record<string, unknown>, fromObject: Record<string, unknown>): void {
  const custom = { ...(isObject(body.custom) ? body.custom : {}), ...fromObject };
  delete body.custom;
  const model = plan.options.customModel;
  if (!model || Object.keys(custom).length === 0) return;
  const values = customToFields(custom, model);
  const ids = new Set(values.map((v) => v.id));
  const raw = Array.isArray(body.custom_fields) ? body.custom_fields.filter((v) => !(isObject(v) && ids.has(v.id as number))) : [];
  body.custom_fields = [...raw, ...values];
}

function finishItems(
  plan: ColumnPlan,
  body: Record<string, unknown>,
  indexed: Map<number, Record<string, unknown>>,
  plain: Record<string, unknown>,
): void {
  if (!plan.itemArray) return;
  const elements = [...indexed.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, element]) => element)
    .filter((element) => Object.keys(element).length > 0);
  if (Object.keys(plain).length > 0) elements.push(plain);
  if (elements.length === 0) return;
  const given = body[plan.itemArray];
  body[plan.itemArray] = [...(Array.isArray(given) ? given : []), ...elements];
}
