/**
 * CSV flattening (DESIGN.md section 3) and its exact reverse.
 *
 * Column names:
 *  - scalar fields: `name`;
 *  - objects with components: `name.component` (objects without components: `name`, JSON text);
 *  - arrays of objects with a discriminator: `name.VALUE.component` for every discriminator value and
 *    every component except the discriminator itself (`email_addresses.EMAIL1.email`); elements
 *    without a known value (or a second element with the same value) go, as JSON text, to a column
 *    `name`, which exists only when `extendColumns` saw such elements in the first page;
 *  - other arrays: `name`, JSON text;
 *  - custom fields: `custom.<label>` (labels may contain dots: everything after `custom.` is the label);
 *  - included gathered fields: `name`, JSON text for lists and objects, a plain value as itself;
 *  - fields the catalog does not know: their dot path (objects are walked, anything else is one cell).
 *
 * Cells: null/undefined -> empty unquoted cell, '' -> `""`, booleans -> true/false (see
 * csvStringifyOptions/csvParseOptions, which keep that distinction both ways).
 */
import type { Options as ParseOptions } from 'csv-parse';
import type { Options as StringifyOptions } from 'csv-stringify';
import type { BodyProperty, FieldDef, FieldType, GatheredDef, ResourceDef } from '../catalog/types.js';
import { UsageError } from '../errors.js';
import { CellError } from './errors.js';

export type Cell = string | number | boolean | null;

export interface ColumnOptions {
  /** Custom field labels in `/model` order (CustomFieldModel.labels). */
  customLabels?: readonly string[];
  /** Gathered fields the user included (`--include`); their columns follow the custom ones. */
  gathered?: readonly GatheredDef[];
  /** `--fields`: selects and orders the columns exactly. */
  fields?: readonly string[];
  /**
   * The columns are for a CSV file: a path into an array without a discriminator (`order_items.name`)
   * is refused, since such an array is one JSON cell (NDJSON and JSON project it instead).
   */
  csv?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDiscriminated(field: FieldDef): boolean {
  return field.type === 'array' && !!field.discriminator && !!field.discriminatorValues?.length;
}

function discriminatedComponents(field: FieldDef): string[] {
  return (field.components ?? []).filter((c) => c !== field.discriminator);
}

/**
 * Every column the catalog defines for the resource, in order (no `--fields`), each name once.
 * Write-only fields are never in a read response, so they are no columns; write-only keys (an order
 * item's `order_id`, filled from `--param`) are, since import needs them.
 */
function catalogColumns(resource: ResourceDef, options: ColumnOptions): string[] {
  const columns: string[] = [];
  for (const field of resource.fields) {
    if (field.writeOnly && !field.key) continue;
    if (field.type === 'object' && field.components?.length) {
      for (const component of field.components) columns.push(`${field.name}.${component}`);
    } else if (isDiscriminated(field)) {
      const components = discriminatedComponents(field);
      for (const value of field.discriminatorValues ?? []) {
        for (const component of components) columns.push(`${field.name}.${value}.${component}`);
      }
    } else {
      columns.push(field.name);
    }
  }
  for (const label of options.customLabels ?? []) columns.push(`custom.${label}`);
  // A gathered field named like a field (files' `file_data`) fills that field: one column.
  for (const gathered of options.gathered ?? []) if (!columns.includes(gathered.name)) columns.push(gathered.name);
  return columns;
}

/**
 * The CSV header, settled before the first record from the catalog so it is the same on every run
 * whatever the data. With `fields`, exactly those columns in that order; a field naming an object,
 * a discriminated array or one of its values (`company`, `email_addresses`,
 * `email_addresses.EMAIL1`) stands for all its columns.
 */
export function csvColumns(resource: ResourceDef, options: ColumnOptions = {}): string[] {
  const all = catalogColumns(resource, options);
  if (!options.fields) return all;
  const known = new Set(all);
  const fieldNames = new Set(resource.fields.map((f) => f.name));
  const gatheredNames = new Set((resource.gathered ?? []).map((g) => g.name));
  const selected: string[] = [];
  const seen = new Set<string>();
  const add = (column: string) => {
    if (!seen.has(column)) {
      seen.add(column);
      selected.push(column);
    }
  };
  for (const wanted of options.fields) {
    if (known.has(wanted)) {
      add(wanted);
      continue;
    }
    const expanded = all.filter((c) => c.startsWith(`${wanted}.`) && !c.startsWith('custom.'));
    if (expanded.length > 0) {
      expanded.forEach(add);
      continue;
    }
    if (wanted === 'custom') {
      all.filter((c) => c.startsWith('custom.')).forEach(add);
      continue;
    }
    const head = wanted.split('.')[0] ?? wanted;
    if (head === 'custom' && wanted.length > 'custom.'.length) {
      if (options.customLabels && !options.customLabels.includes(wanted.slice('custom.'.length))) {
        throw new UsageError(`--fields: "${wanted}" is not a custom field of ${resource.name}`, {
          hint: options.customLabels.length
            ? `custom fields: ${options.customLabels.map((l) => `custom.${l}`).join(', ')}`
            : `${resource.name} has no custom fields in this account`,
        });
      }
      add(wanted);
      continue;
    }
    const field = resource.fields.find((f) => f.name === head);
    if (field && isDiscriminated(field)) {
      const value = wanted.split('.')[1] ?? '';
      if (!field.discriminatorValues?.includes(value)) {
        throw new UsageError(`--fields: "${wanted}": ${head} has no ${value}`, {
          hint: `use one of ${(field.discriminatorValues ?? []).map((v) => `${head}.${v}`).join(', ')}`,
        });
      }
    }
    if (field?.type === 'array' && !isDiscriminated(field) && options.csv) {
      throw new UsageError(`--fields: "${wanted}" cannot be a CSV column: ${head} is a list, written as one JSON cell`, {
        hint: `use --fields ${head} for the whole list in one cell, or --format ndjson, where ${wanted} selects that part of each element`,
      });
    }
    if (fieldNames.has(head)) {
      // A deeper path into a known field (a component the catalog does not list): read it as is.
      add(wanted);
      continue;
    }
    if (gatheredNames.has(head)) {
      throw new UsageError(`--fields: "${wanted}" is a gathered field; add --include ${head} to get it`);
    }
    throw new UsageError(`--fields: ${resource.name} has no field "${wanted}"`, {
      hint: `fields: ${resource.fields.map((f) => f.name).join(', ')} (run \`infusionsoft describe ${resource.name}\`)`,
    });
  }
  return selected;
}

// ---------------------------------------------------------------------------------------------
// Reading records into cells

type ColumnReader =
  | { kind: 'value'; name: string; json: boolean }
  /** Lists and objects as JSON text; a plain value (a file's base64 content, a signature) as itself. */
  | { kind: 'gathered'; name: string }
  | { kind: 'component'; name: string; component: string }
  | { kind: 'element'; name: string; value: string; component: string }
  | { kind: 'leftover'; name: string }
  | { kind: 'custom'; label: string }
  | { kind: 'path'; path: string[] };

interface Catalog {
  fields: Map<string, FieldDef>;
  gathered: Set<string>;
  /** Known components per object/discriminated field. */
  components: Map<string, Set<string>>;
  /** Known discriminator values per discriminated field. */
  values: Map<string, Set<string>>;
  /** Component types per field, from write body properties (import only). */
  componentTypes: Map<string, Map<string, FieldType>>;
}

/**
 * The resource's fields, and with `properties` (a write body's) those properties as fields too: a
 * property's type wins over its field's (a v1 order item's `price` is text), and properties that
 * are no field (`opt_in_reason`, `origin`) are read like fields.
 */
function catalogOf(resource: ResourceDef, properties?: readonly BodyProperty[]): Catalog {
  const fields = new Map<string, FieldDef>();
  const components = new Map<string, Set<string>>();
  const values = new Map<string, Set<string>>();
  const componentTypes = new Map<string, Map<string, FieldType>>();
  for (const field of resource.fields) fields.set(field.name, field);
  for (const property of properties ?? []) {
    const field = fields.get(property.name);
    const names = property.components?.map((c) => c.name);
    fields.set(property.name, {
      ...(field ?? {}),
      name: property.name,
      type: property.type,
      ...(property.items ? { items: property.items } : {}),
      ...(names ? { components: [...new Set([...(field?.components ?? []), ...names])] } : {}),
    });
    if (property.components) componentTypes.set(property.name, new Map(property.components.map((c) => [c.name, c.type])));
  }
  for (const field of fields.values()) {
    if (field.components) components.set(field.name, new Set(field.components));
    if (isDiscriminated(field)) values.set(field.name, new Set(field.discriminatorValues));
  }
  return { fields, gathered: new Set((resource.gathered ?? []).map((g) => g.name)), components, values, componentTypes };
}

function readerFor(column: string, catalog: Catalog): ColumnReader {
  if (column.startsWith('custom.')) return { kind: 'custom', label: column.slice('custom.'.length) };
  const parts = column.split('.');
  const name = parts[0] ?? column;
  const field = catalog.fields.get(name);
  if (parts.length === 1) {
    if (field && isDiscriminated(field)) return { kind: 'leftover', name };
    if (catalog.gathered.has(name) && !field) return { kind: 'gathered', name };
    const json = field ? field.type === 'object' || field.type === 'array' : false;
    return { kind: 'value', name, json };
  }
  if (field && field.type === 'object' && parts.length === 2) {
    return { kind: 'component', name, component: parts[1] ?? '' };
  }
  if (field && isDiscriminated(field) && parts.length === 3) {
    return { kind: 'element', name, value: parts[1] ?? '', component: parts[2] ?? '' };
  }
  return { kind: 'path', path: parts };
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    default:
      return JSON.stringify(value);
  }
}

function jsonCell(value: unknown): Cell {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * Splits a discriminated array into the element for each known value and the rest (elements
 * without a known value, and repeats of a value already seen), so no element is lost.
 */
function indexElements(
  elements: unknown,
  discriminator: string,
  known: Set<string> | undefined,
): { byValue: Map<string, Record<string, unknown>>; rest: unknown[] } {
  const byValue = new Map<string, Record<string, unknown>>();
  const rest: unknown[] = [];
  if (!Array.isArray(elements)) return { byValue, rest };
  for (const element of elements) {
    const value = isObject(element) ? element[discriminator] : undefined;
    if (typeof value === 'string' && known?.has(value) && !byValue.has(value)) {
      byValue.set(value, element as Record<string, unknown>);
    } else {
      rest.push(element);
    }
  }
  return { byValue, rest };
}

/** Dot paths of a value the catalog does not describe: objects are walked, anything else is a leaf. */
function genericKeys(prefix: string, value: unknown, out: (key: string) => void): void {
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out(prefix);
    for (const key of keys) genericKeys(`${prefix}.${key}`, value[key], out);
  } else {
    out(prefix);
  }
}

/**
 * Calls `out` with every column a record has values for that the catalog does not define
 * (unknown fields, unknown components, leftover discriminated elements, unknown custom labels).
 */
function walkUnknown(
  record: Record<string, unknown>,
  catalog: Catalog,
  customLabels: ReadonlySet<string> | undefined,
  out: (key: string) => void,
): void {
  for (const key in record) {
    const value = record[key];
    if (key === 'custom_fields') continue;
    if (key === 'custom') {
      if (isObject(value)) {
        if (customLabels) for (const label in value) if (!customLabels.has(label)) out(`custom.${label}`);
      } else if (value !== null && value !== undefined) out(key);
      continue;
    }
    const field = catalog.fields.get(key);
    if (!field) {
      if (!catalog.gathered.has(key)) genericKeys(key, value, out);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (field.type === 'object' && field.components?.length) {
      if (!isObject(value)) {
        out(key);
        continue;
      }
      const components = catalog.components.get(key);
      for (const component in value) if (!components?.has(component)) out(`${key}.${component}`);
    } else if (isDiscriminated(field)) {
      const discriminator = field.discriminator ?? 'field';
      const { byValue, rest } = indexElements(value, discriminator, catalog.values.get(key));
      if (rest.length > 0 || !Array.isArray(value)) out(key);
      const components = catalog.components.get(key);
      for (const [v, element] of byValue) {
        for (const component in element) {
          if (component !== discriminator && !components?.has(component)) out(`${key}.${v}.${component}`);
        }
      }
    }
  }
}

/**
 * Compiled once per export from the resource and the settled columns; `flatten` is the hot path.
 * `unknownKeys` collects columns records had values for that are neither in the header nor in the
 * catalog (first seen after the header was written), for one warning at the end. With `--fields`
 * the caller should not warn: everything not selected is left out on purpose.
 */
export class FlattenPlan {
  readonly columns: readonly string[];
  readonly unknownKeys = new Set<string>();
  private readonly readers: ColumnReader[];
  private readonly catalog: Catalog;
  private readonly discriminated: Array<{ name: string; discriminator: string; values: Set<string> }>;
  private readonly customLabels: ReadonlySet<string> | undefined;
  private readonly known: Set<string>;

  constructor(resource: ResourceDef, columns: readonly string[], options: Omit<ColumnOptions, 'fields'> = {}) {
    this.columns = columns;
    this.catalog = catalogOf(resource);
    this.readers = columns.map((c) => readerFor(c, this.catalog));
    const used = new Set(this.readers.flatMap((r) => (r.kind === 'element' || r.kind === 'leftover' ? [r.name] : [])));
    this.discriminated = resource.fields
      .filter((f) => isDiscriminated(f) && used.has(f.name))
      .map((f) => ({ name: f.name, discriminator: f.discriminator ?? 'field', values: new Set(f.discriminatorValues) }));
    this.customLabels = options.customLabels ? new Set(options.customLabels) : undefined;
    this.known = new Set(columns);
  }

  /** One row of cells in column order. */
  flatten(record: Record<string, unknown>): Cell[] {
    let indexed: Map<string, ReturnType<typeof indexElements>> | undefined;
    if (this.discriminated.length > 0) {
      indexed = new Map();
      for (const d of this.discriminated) indexed.set(d.name, indexElements(record[d.name], d.discriminator, d.values));
    }
    const row: Cell[] = new Array<Cell>(this.readers.length);
    for (let i = 0; i < this.readers.length; i++) {
      const reader = this.readers[i]!;
      switch (reader.kind) {
        case 'value': {
          const value = record[reader.name];
          row[i] = reader.json ? jsonCell(value) : toCell(value);
          break;
        }
        case 'gathered':
          row[i] = toCell(record[reader.name]);
          break;
        case 'component': {
          const parent = record[reader.name];
          row[i] = isObject(parent) ? toCell(parent[reader.component]) : null;
          break;
        }
        case 'element': {
          const element = indexed?.get(reader.name)?.byValue.get(reader.value);
          row[i] = element ? toCell(element[reader.component]) : null;
          break;
        }
        case 'leftover': {
          const rest = indexed?.get(reader.name)?.rest;
          row[i] = rest && rest.length > 0 ? JSON.stringify(rest) : null;
          break;
        }
        case 'custom': {
          const custom = record.custom;
          row[i] = isObject(custom) ? toCell(custom[reader.label]) : null;
          break;
        }
        case 'path': {
          let value: unknown = record;
          for (const part of reader.path) value = isObject(value) ? value[part] : undefined;
          row[i] = toCell(value);
          break;
        }
      }
    }
    walkUnknown(record, this.catalog, this.customLabels, (key) => {
      if (!this.known.has(key)) this.unknownKeys.add(key);
    });
    return row;
  }
}

export function createFlattenPlan(
  resource: ResourceDef,
  columns: readonly string[],
  options: Omit<ColumnOptions, 'fields'> = {},
): FlattenPlan {
  return new FlattenPlan(resource, columns, options);
}

/** One row of cells in `plan.columns` order; new unknown keys are added to `plan.unknownKeys`. */
export function flattenRecord(record: Record<string, unknown>, plan: FlattenPlan): Cell[] {
  return plan.flatten(record);
}

/**
 * Appends the columns for values the catalog does not know that appear in `records` (the first
 * page, buffered by the caller), in first-seen order. Call it without `--fields` only.
 */
export function extendColumns(
  columns: readonly string[],
  records: ReadonlyArray<Record<string, unknown>>,
  resource: ResourceDef,
  options: Omit<ColumnOptions, 'fields'> = {},
): string[] {
  const result = [...columns];
  const seen = new Set(columns);
  const catalog = catalogOf(resource);
  const customLabels = options.customLabels ? new Set(options.customLabels) : undefined;
  for (const record of records) {
    walkUnknown(record, catalog, customLabels, (key) => {
      if (!seen.has(key)) {
        seen.add(key);
        result.push(key);
      }
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// CSV rows back into API records

export interface UnflattenOptions {
  /** Gathered field names whose cells are JSON text (default: all of the resource's gathered fields). */
  gathered?: readonly string[];
  /** How to type `custom.<label>` cells (CustomFieldModel.labelTypes); default string. */
  customTypes?: ReadonlyMap<string, 'string' | 'number'>;
  /**
   * A write body's properties (import): they type the cells instead of the record's fields, body-only
   * properties are read like fields, and typed components (`shipping_address.is_invoice_to_company`)
   * are read as their type.
   */
  properties?: readonly BodyProperty[];
}

const INTEGER = /^[-+]?\d+$/;

/** A cell read as a scalar of `type` (strings and dates stay text); CellError naming the column when it does not fit. */
export function parseCell(column: string, cell: string, type: FieldType | undefined): unknown {
  return parseScalar(column, cell, type);
}

function parseScalar(column: string, cell: string, type: FieldType | undefined): unknown {
  switch (type) {
    case 'integer': {
      const text = cell.trim();
      if (!INTEGER.test(text)) throw new CellError(column, `"${cell}" is not a whole number`);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw new CellError(column, `"${cell}" is too large`);
      return n;
    }
    case 'number': {
      const text = cell.trim();
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw new CellError(column, `"${cell}" is not a number`);
      return n;
    }
    case 'boolean': {
      const text = cell.trim().toLowerCase();
      if (text === 'true' || text === '1' || text === 'yes') return true;
      if (text === 'false' || text === '0' || text === 'no') return false;
      throw new CellError(column, `"${cell}" is not true or false`);
    }
    default:
      return cell;
  }
}

/** JSON text cells; plain arrays also accept `1,2,3` as typed by hand in a spreadsheet. */
function parseJsonCell(column: string, cell: string, field: FieldDef | undefined): unknown {
  try {
    return JSON.parse(cell);
  } catch {
    if (field?.type === 'array' && field.items && field.items !== 'object' && field.items !== 'array') {
      return cell
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .map((part) => parseScalar(column, part, field.items));
    }
    throw new CellError(column, `"${cell.length > 60 ? `${cell.slice(0, 57)}...` : cell}" is not valid JSON`);
  }
}

/**
 * Components carry no type in the catalog; ids (`id`, `*_id`) are integers in every Keap schema,
 * so a whole number there is read as one. Everything else stays text (`02134` keeps its zero).
 */
function parseComponent(column: string, component: string, cell: string, type?: FieldType): unknown {
  // An object or list component was flattened as JSON text (an opportunity's `stage.details`).
  if ((type === 'object' || type === 'array') && /^\s*[[{]/.test(cell)) return parseJsonCell(column, cell, undefined);
  if (type === 'integer' || type === 'number' || type === 'boolean') return cell.trim() === '' ? cell : parseScalar(column, cell, type);
  if (type === undefined && (component === 'id' || component.endsWith('_id')) && INTEGER.test(cell.trim())) {
    return parseScalar(column, cell, 'integer');
  }
  return cell;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (isObject(next)) node = next;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]!] = value;
}

/**
 * The exact reverse of flattening: a CSV row (null = empty unquoted cell) -> the nested JSON the
 * API expects. Empty (null) cells are left out rather than sent as null, so an update does not
 * clear what the file left empty; an element or object whose cells are all empty is left out.
 * Discriminated arrays come back in discriminator-value order, followed by the elements of the
 * `name` JSON column. Throws CellError for a cell that does not fit its field's type.
 */
export function unflattenRow(
  row: Readonly<Record<string, string | null>>,
  resource: ResourceDef,
  options: UnflattenOptions = {},
): Record<string, unknown> {
  const catalog = catalogOf(resource, options.properties);
  const gathered = new Set(options.gathered ?? catalog.gathered);
  const result: Record<string, unknown> = {};
  const elements = new Map<string, Map<string, Record<string, unknown>>>();
  const leftovers = new Map<string, unknown[]>();
  const custom: Record<string, unknown> = {};
  let hasCustom = false;

  for (const column of Object.keys(row)) {
    const cell = row[column];
    if (cell === null || cell === undefined) continue;
    const reader = readerFor(column, catalog);
    switch (reader.kind) {
      case 'custom': {
        const type = options.customTypes?.get(reader.label);
        custom[reader.label] = type === 'number' && cell.trim() !== '' ? parseScalar(column, cell, 'number') : cell;
        hasCustom = true;
        break;
      }
      case 'value': {
        const field = catalog.fields.get(reader.name);
        if (reader.json || (!field && gathered.has(reader.name))) {
          if (cell === '') break;
          result[reader.name] = parseJsonCell(column, cell, field);
        } else if (field && field.type !== 'string' && cell.trim() === '') {
          break; // "" in a typed column: nothing to send
        } else {
          result[reader.name] = parseScalar(column, cell, field?.type);
        }
        break;
      }
      case 'gathered': {
        if (cell === '') break;
        // What flattening wrote as JSON text is a list or an object; anything else was a plain value.
        result[reader.name] = /^\s*[[{]/.test(cell) ? parseJsonCell(column, cell, undefined) : cell;
        break;
      }
      case 'component': {
        const parent = result[reader.name];
        const target: Record<string, unknown> = isObject(parent) ? parent : {};
        result[reader.name] = target;
        target[reader.component] = parseComponent(
          column,
          reader.component,
          cell,
          catalog.componentTypes.get(reader.name)?.get(reader.component),
        );
        break;
      }
      case 'element': {
        let byValue = elements.get(reader.name);
        if (!byValue) {
          byValue = new Map();
          elements.set(reader.name, byValue);
        }
        let element = byValue.get(reader.value);
        if (!element) {
          element = {};
          byValue.set(reader.value, element);
        }
        element[reader.component] = parseComponent(
          column,
          reader.component,
          cell,
          catalog.componentTypes.get(reader.name)?.get(reader.component),
        );
        break;
      }
      case 'leftover': {
        if (cell === '') break;
        const parsed = parseJsonCell(column, cell, undefined);
        if (!Array.isArray(parsed)) throw new CellError(column, 'expected a JSON array');
        leftovers.set(reader.name, parsed);
        break;
      }
      case 'path':
        setPath(result, reader.path, cell);
        break;
    }
  }

  for (const field of resource.fields) {
    if (!isDiscriminated(field)) continue;
    const byValue = elements.get(field.name);
    const rest = leftovers.get(field.name);
    if (!byValue && !rest) continue;
    const discriminator = field.discriminator ?? 'field';
    const list: unknown[] = [];
    const values = [
      ...(field.discriminatorValues ?? []),
      ...[...(byValue?.keys() ?? [])].filter((v) => !field.discriminatorValues?.includes(v)),
    ];
    for (const value of values) {
      const element = byValue?.get(value);
      if (element) list.push({ ...element, [discriminator]: value });
    }
    if (rest) list.push(...rest);
    result[field.name] = list;
  }
  if (hasCustom) result.custom = custom;
  return result;
}

// ---------------------------------------------------------------------------------------------
// csv-stringify / csv-parse settings shared by export, import and error reports

const NEEDS_QUOTES = /[",\n\r]/;

/**
 * One CSV line (with its LF) for a row of cells: the same text csv-stringify writes with
 * csvStringifyOptions (the tests hold them equal), about four times faster on the export hot path.
 */
export function csvLine(cells: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    const cell = cells[i];
    if (cell === null || cell === undefined) continue;
    if (typeof cell === 'string') {
      if (cell === '') line += '""';
      else if (NEEDS_QUOTES.test(cell)) line += `"${cell.replace(/"/g, '""')}"`;
      else line += cell;
    } else if (typeof cell === 'number') {
      line += String(cell);
    } else {
      line += cell ? 'true' : 'false';
    }
  }
  return `${line}\n`;
}

/**
 * Options for csv-stringify: LF line ends (what Unix tools expect; spreadsheets read both), quotes
 * only where needed plus around empty strings (so '' and null differ), booleans as true/false.
 * No formula escaping: it would change values and break the round trip.
 */
export function csvStringifyOptions(): StringifyOptions {
  return {
    record_delimiter: '\n',
    quote_record_delimiter: true,
    quoted_match: /^$/,
    eof: true,
    cast: {
      boolean: (value) => (value ? 'true' : 'false'),
    },
  };
}

/**
 * Options for csv-parse matching csvStringifyOptions: an empty unquoted cell reads as null, `""`
 * as ''. With `columns: true` (the default) records are objects keyed by the header.
 * A UTF-8 BOM (Excel) is skipped and blank lines are ignored.
 */
export function csvParseOptions(options: { columns?: boolean } = {}): ParseOptions {
  return {
    columns: options.columns ?? true,
    bom: true,
    skip_empty_lines: true,
    cast: (value, context) => (value === '' && !context.quoting && !context.header ? null : value),
  };
}
