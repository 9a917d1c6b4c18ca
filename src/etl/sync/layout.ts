/**
 * Tables from the catalog: one per resource, keyed like the resource, with typed columns from the
 * catalog's field types; keyed arrays (`email_addresses`, by their `field` discriminator) and lists
 * of objects (gathered `tags`, an order's items) become child tables; custom fields are columns by
 * label; what the catalog does not know goes to `_extra`. Values are checked against their column's
 * type here, and one that does not fit is reported so it can go to a text variant column instead.
 */
import type { FieldDef, GatheredDef, ResourceDef } from '../../catalog/types.js';
import { childTableName, identifier, tableName } from './naming.js';

/** Column types, named once for both databases (each driver spells them). */
export type SqlType = 'integer' | 'numeric' | 'boolean' | 'text' | 'timestamp' | 'date' | 'json';

export interface Column {
  name: string;
  type: SqlType;
}

export interface TableSpec {
  name: string;
  /** Primary-key columns. */
  key: string[];
  columns: Column[];
}

/** Where an array of a record goes: a child table keyed by the parent's key plus the discriminator or the position. */
export interface ChildSpec {
  /** The record's property (`email_addresses`, a gathered `tags`). */
  field: string;
  table: string;
  /** The item property that keys a row (`field`), or undefined: keyed by position. */
  discriminator?: string;
}

/** Bookkeeping columns every resource table has. */
export const HASH = '_hash';
export const SYNCED_AT = '_synced_at';
export const DELETED_AT = '_deleted_at';
export const EXTRA = '_extra';
export const POSITION = '_position';

/** A resource without a key of its own (commissions): its rows are keyed by their content hash, and its child rows by their parent's. */
export const keyedByHash = (layout: ResourceLayout) => layout.table.key.length === 1 && layout.table.key[0] === HASH;
export const parentColumn = (key: string) => `_parent_${identifier(key, 50)}`;

/** The parent table and the children of one resource (custom-field columns are added by the merge). */
export interface ResourceLayout {
  table: TableSpec;
  /** Record property -> column, for the catalog's scalar, object and plain-array fields. */
  fieldColumns: Map<string, Column>;
  children: ChildSpec[];
  /** Record properties the layout places (everything else goes to `_extra`). */
  placed: Set<string>;
}

const FIELD_TYPES: Record<FieldDef['type'], SqlType> = {
  string: 'text',
  integer: 'integer',
  // Keap's numbers are mostly money: kept exact (numeric in PostgreSQL, the JSON text in SQLite).
  number: 'numeric',
  boolean: 'boolean',
  datetime: 'timestamp',
  date: 'date',
  object: 'json',
  array: 'json',
  binary: 'text',
};

/** Fields Keap sends back: write-only ones never come, except keys the read fills in (a walk's parent id). */
const readable = (field: FieldDef, filled: readonly string[]) => !field.writeOnly || filled.includes(field.name);

/** Whether an array field holds objects worth a child table (a discriminator, or components). */
const isChildArray = (field: FieldDef) =>
  field.type === 'array' && (field.discriminator !== undefined || (field.components?.length ?? 0) > 0);

/**
 * `filled`: write-only fields the read puts on every record (the parent's id of a walked child
 * resource), which then belong to the table and its key; a write-only key nothing fills (a
 * campaign's `sequence_id`) is left out of both.
 */
export function resourceLayout(resource: ResourceDef, gathered: readonly GatheredDef[], filled: readonly string[] = []): ResourceLayout {
  const name = tableName(resource.name);
  const fieldColumns = new Map<string, Column>();
  const children: ChildSpec[] = [];
  const placed = new Set<string>(['custom_fields', 'custom']);
  for (const field of resource.fields) {
    if (!readable(field, filled)) continue;
    placed.add(field.name);
    if (isChildArray(field)) {
      children.push({
        field: field.name,
        table: childTableName(name, field.name),
        ...(field.discriminator ? { discriminator: field.discriminator } : {}),
      });
    } else {
      fieldColumns.set(field.name, { name: identifier(field.name), type: FIELD_TYPES[field.type] });
    }
  }
  for (const def of gathered) {
    placed.add(def.name);
    if (def.shape.kind === 'object') fieldColumns.set(def.name, { name: identifier(def.name), type: 'json' });
    else children.push({ field: def.name, table: childTableName(name, def.name) });
  }
  const keyFields = resource.keyFields.filter((k) => fieldColumns.has(k));
  const key = keyFields.length ? keyFields.map((k) => fieldColumns.get(k)?.name ?? identifier(k)) : [HASH];
  const columns: Column[] = [
    ...fieldColumns.values(),
    { name: EXTRA, type: 'json' },
    { name: HASH, type: 'text' },
    { name: SYNCED_AT, type: 'timestamp' },
    { name: DELETED_AT, type: 'timestamp' },
  ];
  return { table: { name, key, columns }, fieldColumns, children, placed };
}

/** A child table before any item is seen: the parent's key, then the item's own key. */
export function childTable(layout: ResourceLayout, child: ChildSpec): TableSpec {
  const parentKey = layout.table.key.map((k) => {
    const type = layout.table.columns.find((c) => c.name === k)?.type ?? 'text';
    return { name: parentColumn(k), type };
  });
  const own: Column = child.discriminator ? { name: identifier(child.discriminator), type: 'text' } : { name: POSITION, type: 'integer' };
  return { name: child.table, key: [...parentKey.map((c) => c.name), own.name], columns: [...parentKey, own] };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A value in the form the drivers write: null, a string, a number (integers) or a boolean. */
export type CellValue = string | number | boolean | null;

/**
 * The value as its column stores it, or undefined when it does not fit (it then goes to the text
 * variant column, never coerced). An empty string in a typed column is NULL (docs/sync.md). Money keeps the number's JSON text: JavaScript prints a number
 * read from JSON as the shortest text that reads back to it, which is the text Keap sent for any
 * amount of up to 15 significant digits.
 */
export function fitValue(type: SqlType, value: unknown): CellValue | undefined {
  if (value === null || value === undefined) return null;
  // Keap sends "" for a date, number or flag never set (every contact's unset `anniversary`): no
  // value, as in Keap's own screens. Kept as a variant, it would count every row of an account.
  if (value === '' && type !== 'text' && type !== 'json') return null;
  switch (type) {
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
      return undefined;
    case 'numeric':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'string' && DECIMAL.test(value)) return value;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'text':
      return typeof value === 'string' ? value : undefined;
    case 'timestamp':
      return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
    case 'json':
      return JSON.stringify(value);
  }
}

/** What a value not fitting its column is kept as in the variant column: text as it is, the rest as JSON. */
export const variantText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The type of a child table's column, from the first value seen in it (its items carry no catalog types). */
export function inferType(value: unknown): SqlType {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'numeric';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? 'timestamp' : 'text';
  return 'json';
}

/** Custom fields' column types from Keap's `field_type` (`/model`); any other type is text. */
const CUSTOM_FIELD_TYPES: Record<string, SqlType> = {
  WholeNumber: 'integer',
  // A user field holds the user's id.
  User: 'integer',
  DecimalNumber: 'numeric',
  Currency: 'numeric',
  Percent: 'numeric',
  YesNo: 'boolean',
  Date: 'date',
  DateTime: 'timestamp',
};

export const customFieldType = (fieldType: string | undefined): SqlType => CUSTOM_FIELD_TYPES[fieldType ?? ''] ?? 'text';
