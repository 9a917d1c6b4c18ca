/** Reading Keap's v1 OpenAPI document for the catalog conformance tests. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keapFile } from '../support/keap-data.js';

export type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  enum?: unknown[];
  additionalProperties?: unknown;
  format?: string;
  required?: string[];
};
export type Parameter = { name: string; in: string; schema?: Schema };
export type Operation = {
  operationId?: string;
  description?: string;
  deprecated?: boolean;
  parameters?: (Parameter & { $ref?: string })[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
export type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const specPath = keapFile('v1-openapi.json');

export function loadSpec(): Spec | undefined {
  if (!existsSync(specPath)) return undefined;
  return JSON.parse(readFileSync(specPath, 'utf8')) as Spec;
}

/** Follows $ref and merges allOf, so callers see plain properties. */
export function deref(spec: Spec, schema: Schema | undefined): Schema {
  let current: Schema = schema ?? {};
  for (let hops = 0; current.$ref && hops < 20; hops++) {
    const name = current.$ref.split('/').pop() ?? '';
    current = spec.components.schemas[name] ?? {};
  }
  if (current.allOf) {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const part of current.allOf) {
      const resolved = deref(spec, part);
      Object.assign(merged.properties!, resolved.properties ?? {});
      merged.required!.push(...(resolved.required ?? []));
    }
    Object.assign(merged.properties!, current.properties ?? {});
    merged.required!.push(...(current.required ?? []));
    return merged;
  }
  return current;
}

const normalisePath = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');

/** The spec operation for a catalog method and path (relative to /v1), with placeholder names ignored. */
export function findOperation(spec: Spec, method: string, catalogPath: string): Operation | undefined {
  return findSpecPath(spec, method, catalogPath)?.operation;
}

/** Like findOperation, with the spec's own path (whose placeholder names the parameters use). */
export function findSpecPath(spec: Spec, method: string, catalogPath: string): { path: string; operation: Operation } | undefined {
  const wanted = normalisePath(`/v1${catalogPath}`);
  // Several spec paths can share a shape (`/contacts/{id}` for GET, `/contacts/{contactId}` for PATCH).
  for (const [path, operations] of Object.entries(spec.paths)) {
    const operation = operations[method.toLowerCase()];
    if (operation && normalisePath(path) === wanted) return { path, operation };
  }
  return undefined;
}

export function queryParams(operation: Operation): Set<string> {
  return new Set((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
}

export function successSchema(spec: Spec, operation: Operation): Schema | undefined {
  for (const status of ['200', '201']) {
    const schema = operation.responses?.[status]?.content?.['application/json']?.schema;
    if (schema) return deref(spec, schema);
  }
  return undefined;
}

export function bodySchema(spec: Spec, operation: Operation): Schema | undefined {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  return schema ? deref(spec, schema) : undefined;
}

export function placeholders(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

/** The schema at a dot path inside a record schema (through arrays), or undefined. */
export function schemaAt(spec: Spec, record: Schema, dotPath: string): Schema | undefined {
  let current: Schema | undefined = record;
  for (const part of dotPath.split('.')) {
    current = deref(spec, current);
    if (current.type === 'array') current = deref(spec, current.items);
    current = current.properties?.[part];
    if (!current) return undefined;
  }
  return deref(spec, current);
}

/** A request-body property as the catalog would write it: type, items, enum, typed components. */
export type SpecProperty = { name: string; type: string; items?: string; enum?: string[]; components?: SpecProperty[] };

function scalarType(schema: Schema): string {
  if (schema.type === 'string' && schema.format === 'date-time') return 'datetime';
  if (schema.type === 'string' && schema.format === 'date') return 'date';
  return schema.type ?? 'object';
}

/** The spec's property schema in the catalog's terms (`string` + `date-time` is `datetime`). */
export function specProperty(spec: Spec, name: string, schema: Schema | undefined): SpecProperty {
  const resolved = deref(spec, schema);
  const property: SpecProperty = { name, type: scalarType(resolved) };
  if (resolved.enum) property.enum = resolved.enum.map(String);
  const members = resolved.type === 'array' ? deref(spec, resolved.items) : resolved;
  if (members.properties) {
    property.components = Object.entries(members.properties).map(([component, sub]) => specProperty(spec, component, sub));
  } else if (resolved.type === 'array') {
    property.items = scalarType(members);
  }
  return property;
}

/** Required names of a body schema as dot paths: `contact_id`, and `order_items.product_id` for components. */
export function specRequired(spec: Spec, schema: Schema, prefix = ''): string[] {
  const resolved = deref(spec, schema);
  const members = resolved.type === 'array' ? deref(spec, resolved.items) : resolved;
  const names = (members.required ?? []).map((name) => prefix + name);
  for (const [name, sub] of Object.entries(members.properties ?? {})) names.push(...specRequired(spec, sub, `${prefix}${name}.`));
  return names;
}
