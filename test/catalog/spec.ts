/** Reading Keap's v1 OpenAPI document for the catalog conformance tests. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  enum?: unknown[];
  additionalProperties?: unknown;
};
export type Parameter = { name: string; in: string; schema?: Schema };
export type Operation = {
  operationId?: string;
  deprecated?: boolean;
  parameters?: (Parameter & { $ref?: string })[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
export type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const specPath = resolve(projectRoot, '..', 'shared', 'keap', 'v1-openapi.json');

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
    const merged: Schema = { type: 'object', properties: {} };
    for (const part of current.allOf) Object.assign(merged.properties!, deref(spec, part).properties ?? {});
    Object.assign(merged.properties!, current.properties ?? {});
    return merged;
  }
  return current;
}

const normalisePath = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');

/** The spec operation for a catalog method and path (relative to /v1), with placeholder names ignored. */
export function findOperation(spec: Spec, method: string, catalogPath: string): Operation | undefined {
  const wanted = normalisePath(`/v1${catalogPath}`);
  // Several spec paths can share a shape (`/contacts/{id}` for GET, `/contacts/{contactId}` for PATCH).
  for (const [path, operations] of Object.entries(spec.paths)) {
    const operation = operations[method.toLowerCase()];
    if (operation && normalisePath(path) === wanted) return operation;
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
