/**
 * CSV rows back into API records: the exact reverse of flattening (flatten.ts), by the same column
 * names (columns.ts).
 */
import type { BodyProperty, FieldDef, FieldType, ResourceDef } from '../catalog/types.js';
import { type Catalog, catalogOf, isDiscriminated, isObject, readerFor } from './columns.js';
import { CellError } from './errors.js';

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
  const into: RowRead = { result: {}, elements: new Map(), leftovers: new Map(), custom: {}, hasCustom: false };
  for (const column of Object.keys(row)) {
    const cell = row[column];
    if (cell === null || cell === undefined) continue;
    readCell(column, cell, catalog, gathered, options, into);
  }
  joinKeyedArrays(resource, into);
  if (into.hasCustom) into.result.custom = into.custom;
  return into.result;
}

/** What a row's cells have given so far; keyed arrays and custom fields are put in `result` last. */
interface RowRead {
  result: Record<string, unknown>;
  /** Per discriminated field, its elements by discriminator value. */
  elements: Map<string, Map<string, Record<string, unknown>>>;
  /** Per discriminated field, the elements of its `name` JSON column. */
  leftovers: Map<string, unknown[]>;
  custom: Record<string, unknown>;
  hasCustom: boolean;
}

/** One non-empty cell into `into`, by where its column reads. */
function readCell(
  column: string,
  cell: string,
  catalog: Catalog,
  gathered: ReadonlySet<string>,
  options: UnflattenOptions,
  into: RowRead,
): void {
  const reader = readerFor(column, catalog);
  switch (reader.kind) {
    case 'custom': {
      const type = options.customTypes?.get(reader.label);
      into.custom[reader.label] = type === 'number' && cell.trim() !== '' ? parseScalar(column, cell, 'number') : cell;
      into.hasCustom = true;
      break;
    }
    case 'value': {
      const field = catalog.fields.get(reader.name);
      if (reader.json || (!field && gathered.has(reader.name))) {
        if (cell === '') break;
        into.result[reader.name] = parseJsonCell(column, cell, field);
      } else if (field && field.type !== 'string' && cell.trim() === '') {
        break; // "" in a typed column: nothing to send
      } else {
        into.result[reader.name] = parseScalar(column, cell, field?.type);
      }
      break;
    }
    case 'gathered': {
      if (cell === '') break;
      // What flattening wrote as JSON text is a list or an object; anything else was a plain value.
      into.result[reader.name] = /^\s*[[{]/.test(cell) ? parseJsonCell(column, cell, undefined) : cell;
      break;
    }
    case 'component': {
      const parent = into.result[reader.name];
      const target: Record<string, unknown> = isObject(parent) ? parent : {};
      into.result[reader.name] = target;
      target[reader.component] = parseComponent(
        column,
        reader.component,
        cell,
        catalog.componentTypes.get(reader.name)?.get(reader.component),
      );
      break;
    }
    case 'element': {
      let byValue = into.elements.get(reader.name);
      if (!byValue) {
        byValue = new Map();
        into.elements.set(reader.name, byValue);
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
      into.leftovers.set(reader.name, parsed);
      break;
    }
    case 'path':
      setPath(into.result, reader.path, cell);
      break;
  }
}

/** Discriminated arrays in discriminator-value order, then the elements of their `name` JSON column. */
function joinKeyedArrays(resource: ResourceDef, into: RowRead): void {
  for (const field of resource.fields) {
    if (!isDiscriminated(field)) continue;
    const byValue = into.elements.get(field.name);
    const rest = into.leftovers.get(field.name);
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
    into.result[field.name] = list;
  }
}
