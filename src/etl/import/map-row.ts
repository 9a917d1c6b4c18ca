/**
 * One row -> one request body, path values and extras, by the plan planColumns (mapping.ts) made
 * from the header. Pure: no network, no files.
 */
import type { BodyProperty, FieldDef, FieldType, ResourceDef } from '../../catalog/types.js';
import { customToFields } from '../custom-fields.js';
import { CellError } from '../errors.js';
import { parseCell, unflattenRow } from '../unflatten.js';
import { isKeyed, type Target } from './column-targets.js';
import { type ColumnPlan, type Compiled, compiledOf, type MappedRow } from './mapping.js';
import type { InputRow } from './types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
  const internals = compiledOf(plan);
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
