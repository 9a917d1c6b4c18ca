/**
 * CSV flattening (DESIGN.md section 3): a record -> one row of cells in the settled columns (see
 * columns.ts for the column names; unflatten.ts reads them back).
 */
import type { ResourceDef } from '../catalog/types.js';
import { type Catalog, type ColumnOptions, type ColumnReader, catalogOf, isDiscriminated, isObject, readerFor } from './columns.js';
import type { Cell } from './csv-cells.js';

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
