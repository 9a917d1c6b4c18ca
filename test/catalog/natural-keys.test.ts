/**
 * Holds the natural keys `import --lookup` resolves through (ResourceDef.naturalKeys) against Keap's
 * v1 spec: the filter parameter is one the plain read takes, the value is where read records have
 * it, and the body path is where a create or upsert carries it.
 */
import { describe, expect, it } from 'vitest';
import { catalog, plainReadAction } from '../../src/catalog/index.js';
import type { ResourceDef } from '../../src/catalog/types.js';
import { keapDataMissing } from '../support/keap-data.js';
import { bodySchema, deref, findOperation, loadSpec, queryParams, schemaAt, specPath, successSchema, type Spec } from './spec.js';

const spec = loadSpec();
if (!spec) keapDataMissing('natural key conformance', specPath);

const keyed = catalog.filter((resource) => resource.naturalKeys?.length);

/** A body path with the keyed-array element names left out (`email_addresses.EMAIL1.email` -> `email_addresses.email`). */
function schemaPathOf(resource: ResourceDef, bodyPath: string): string {
  const [first, ...rest] = bodyPath.split('.');
  const values = resource.fields.find((field) => field.name === first)?.discriminatorValues ?? [];
  return [first, ...rest.filter((part) => !values.includes(part))].join('.');
}

function problemsOf(s: Spec, resource: ResourceDef): string[] {
  const problems: string[] = [];
  const read = plainReadAction(resource);
  const operation = read && findOperation(s, read.method, read.path);
  if (!read || !operation) return [`${resource.name}: natural keys but no plain read in the spec`];
  const shape = read.shape;
  const response = successSchema(s, operation);
  const holder = shape && 'key' in shape ? response?.properties?.[shape.key] : undefined;
  const record = holder ? deref(s, deref(s, holder).items) : undefined;
  const query = queryParams(operation);
  const writes = resource.actions.filter((action) => action.kind === 'create' || action.kind === 'upsert');
  for (const key of resource.naturalKeys ?? []) {
    const where = `${resource.name}.${key.name}`;
    if (key.filter && !query.has(key.filter)) problems.push(`${where}: ${read.path} has no query parameter ${key.filter}`);
    if (!record || !schemaAt(s, record, key.path)) problems.push(`${where}: read records have no ${key.path}`);
    if (key.bodyPath) {
      const path = schemaPathOf(resource, key.bodyPath);
      const carried = writes.some((action) => {
        const body = findOperation(s, action.method, action.path);
        const schema = body && bodySchema(s, body);
        return schema !== undefined && schemaAt(s, schema, path) !== undefined;
      });
      if (!carried) problems.push(`${where}: no create or upsert body has ${key.bodyPath}`);
    }
  }
  return problems;
}

describe.skipIf(!spec)('natural keys against the spec', () => {
  it('declares keys for the resources people name by value', () => {
    const names = Object.fromEntries(keyed.map((resource) => [resource.name, resource.naturalKeys?.map((key) => key.name)]));
    expect(names).toMatchObject({ contacts: ['email'], tags: ['name'], products: ['sku', 'product_name'], companies: ['company_name'] });
  });

  it.each(keyed.map((resource) => [resource.name, resource] as const))(
    '%s: filters the plain read takes, paths its records and bodies have',
    (_name, resource) => {
      expect(problemsOf(spec as Spec, resource)).toEqual([]);
    },
  );

  it('notices a filter, a record path or a body path the spec does not have', () => {
    const tags = catalog.find((resource) => resource.name === 'tags') as ResourceDef;
    const wrong: ResourceDef = { ...tags, naturalKeys: [{ name: 'name', path: 'title', filter: 'tag_name', bodyPath: 'label' }] };
    expect(problemsOf(spec as Spec, wrong)).toEqual([
      'tags.name: /tags has no query parameter tag_name',
      'tags.name: read records have no title',
      'tags.name: no create or upsert body has label',
    ]);
  });
});
