/**
 * Write bodies: builders for the catalog's resource files, and the one resolver every consumer
 * (import validation, describe, docs, conformance) uses to see a body's full list of properties.
 */
import type { ActionDef, ArrayWrite, BodyProperty, BodyRule, FieldDef, FieldType, ResourceDef, WriteBody } from './types.js';

/** A component's type: a FieldType, an enum of strings, a plain array's items, or nested typed components. */
type ComponentSpec = FieldType | readonly string[] | { items: FieldType } | { object: Components } | { array: Components };
type Components = Record<string, ComponentSpec>;

function component(name: string, spec: ComponentSpec): BodyProperty {
  if (typeof spec === 'string') return { name, type: spec };
  if (Array.isArray(spec)) return { name, type: 'string', enum: [...spec] };
  if ('items' in spec) return { name, type: 'array', items: spec.items };
  if ('object' in spec) return { name, type: 'object', components: typed(spec.object) };
  return { name, type: 'array', components: typed((spec as { array: Components }).array) };
}

/** Typed components, in the order given: `{ id: 'integer', field: ['EMAIL1', ...] }`. */
export function typed(components: Components): BodyProperty[] {
  return Object.entries(components).map(([name, spec]) => component(name, spec));
}

export const prop = (name: string, type: FieldType): BodyProperty => ({ name, type });
export const oneOf = (name: string, values: readonly string[]): BodyProperty => ({ name, type: 'string', enum: [...values] });
export const listOf = (name: string, items: FieldType): BodyProperty => ({ name, type: 'array', items });
export const objectOf = (name: string, components: Components): BodyProperty => ({ name, type: 'object', components: typed(components) });
export const arrayOf = (name: string, components: Components): BodyProperty => ({ name, type: 'array', components: typed(components) });

/** Custom field values on write: `[{id, content}]` (import fills them from `custom.<label>` columns). */
export const CUSTOM_FIELDS = arrayOf('custom_fields', { content: 'object', id: 'integer' });

/** Keap's words on its v2 contact write (CreateUpdateContactRequest), for every array property. */
export const V2_ARRAY_QUOTE = 'Any item not listed here will be removed if it already exists.';

/** A contact array: replaced, as Keap documents for v2; UNCONFIRMED for v1, so import merges first. */
export const contactArray = (name: string, key: string): ArrayWrite => ({
  name,
  key,
  keap: 'replaces',
  source: 'UNCONFIRMED for v1; documented for v2 contacts (CreateUpdateContactRequest)',
  quote: V2_ARRAY_QUOTE,
});

/** Custom field values of another resource: assumed replaced as for contacts (UNCONFIRMED: Keap documents neither). */
export const CUSTOM_FIELDS_WRITE: ArrayWrite = {
  name: 'custom_fields',
  key: 'id',
  keap: 'replaces',
  source: 'UNCONFIRMED: assumed as Keap documents for v2 contacts, since a merged list is right either way',
};

/** A record field as a body property: components are strings, a discriminator takes its values. */
export function fieldAsProperty(field: FieldDef): BodyProperty {
  const property: BodyProperty = { name: field.name, type: field.type };
  if (field.items) property.items = field.items;
  if (field.components) {
    property.components = field.components.map((name) =>
      name === field.discriminator && field.discriminatorValues
        ? { name, type: 'string', enum: [...field.discriminatorValues] }
        : { name, type: 'string' },
    );
  }
  return property;
}

/**
 * Every property the action's body takes, in order: the record's fields first, then body-only
 * properties. `writable` leaves out the fields that fill the path (`order_id` of `/orders/{order_id}/items`).
 */
export function bodyProperties(resource: ResourceDef, action: ActionDef): BodyProperty[] {
  const body: WriteBody = action.body ?? { fields: [] };
  const inPath = new Set(placeholders(action.path));
  const overrides = new Map((body.properties ?? []).map((p) => [p.name, p]));
  const taken =
    body.fields === 'writable'
      ? resource.fields.filter((f) => !f.readOnly && !inPath.has(f.name))
      : body.fields.map((name) => {
          const field = resource.fields.find((f) => f.name === name);
          if (!field) throw new Error(`catalog: ${resource.name} body names ${name}, which is not a field`);
          return field;
        });
  const result = taken.map((field) => overrides.get(field.name) ?? fieldAsProperty(field));
  const names = new Set(result.map((p) => p.name));
  for (const property of body.properties ?? []) if (!names.has(property.name)) result.push(property);
  return result;
}

/** The record fields that fill a write path's `{placeholders}`, in path order (`order_id`, `id`). */
export function pathFields(resource: ResourceDef, action: ActionDef): FieldDef[] {
  return placeholders(action.path).map((name) => {
    const field = resource.fields.find((f) => f.name === name);
    if (!field) throw new Error(`catalog: ${resource.name} ${action.id} path needs {${name}}, which is not a field`);
    return field;
  });
}

function placeholders(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

/** One line of a body, for tables: `order_items[].quantity`, its type, and what it must be. */
export interface BodyRow {
  /** Dot path, as `required` and rules name it (`order_items.quantity`). */
  path: string;
  /** The path as shown, `[]` marking each element of an array (`order_items[].quantity`). */
  label: string;
  /** `integer`, `array of string`, `array of objects`, ... */
  type: string;
  required: boolean;
  enum?: string[];
}

/** A body's properties and their components, depth first, as table rows. */
export function bodyRows(properties: readonly BodyProperty[], required: readonly string[] = [], prefix = '', labelPrefix = ''): BodyRow[] {
  const rows: BodyRow[] = [];
  for (const property of properties) {
    const path = prefix + property.name;
    const isArray = property.type === 'array';
    const type = isArray ? `array of ${property.items ?? (property.components ? 'objects' : 'values')}` : property.type;
    const label = labelPrefix + property.name;
    rows.push({ path, label, type, required: required.includes(path), ...(property.enum ? { enum: property.enum } : {}) });
    if (property.components) {
      rows.push(...bodyRows(property.components, required, `${path}.`, `${label}${isArray ? '[]' : ''}.`));
    }
  }
  return rows;
}

/** A prose rule in one line: `at least one of email_addresses, phone_numbers`. */
export function ruleText(rule: BodyRule): string {
  switch (rule.kind) {
    case 'one-of':
      return `at least one of ${rule.fields.join(', ')}`;
    case 'all-of':
      return `all of ${rule.fields.join(', ')}`;
    case 'requires':
      return `${rule.field} when ${rule.when} ${rule.equals === undefined ? 'is given' : `is ${rule.equals}`}`;
  }
}
