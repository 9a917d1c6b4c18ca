/**
 * Column names for a resource's records (DESIGN.md section 3), shared by flattening (export) and its
 * exact reverse (import): which columns a resource has, and where in a record each column reads.
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
 */
import type { BodyProperty, FieldDef, FieldType, GatheredDef, ResourceDef } from '../catalog/types.js';
import { UsageError } from '../errors.js';

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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isDiscriminated(field: FieldDef): boolean {
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

/** Where one column's value sits in a record. */
export type ColumnReader =
  | { kind: 'value'; name: string; json: boolean }
  /** Lists and objects as JSON text; a plain value (a file's base64 content, a signature) as itself. */
  | { kind: 'gathered'; name: string }
  | { kind: 'component'; name: string; component: string }
  | { kind: 'element'; name: string; value: string; component: string }
  | { kind: 'leftover'; name: string }
  | { kind: 'custom'; label: string }
  | { kind: 'path'; path: string[] };

/** The catalog's fields indexed for reading columns (catalogOf). */
export interface Catalog {
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
export function catalogOf(resource: ResourceDef, properties?: readonly BodyProperty[]): Catalog {
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

export function readerFor(column: string, catalog: Catalog): ColumnReader {
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
