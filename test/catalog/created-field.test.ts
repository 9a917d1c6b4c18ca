/**
 * ResourceDef.createdField tells a record an import's create made from one that existed before
 * (import's unknown rows, issue 13 item 3). It must be a read-only date-time field of the resource
 * that the plain read's records carry in Keap's spec, and docs/import.md's table of the creates that
 * can be looked up must say what the catalog says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, plainReadAction } from '../../src/catalog/index.js';
import { keapDataMissing } from '../support/keap-data.js';
import { deref, findOperation, loadSpec, schemaAt, specPath, successSchema } from './spec.js';

const spec = loadSpec();
if (!spec) keapDataMissing('createdField conformance', specPath);

const dated = catalog.filter((resource) => resource.createdField !== undefined);

describe('createdField', () => {
  it('names a read-only date-time field of its resource', () => {
    expect(dated.map((resource) => resource.name).sort()).toEqual(['contacts', 'users']);
    for (const resource of dated) {
      const field = resource.fields.find((candidate) => candidate.name === resource.createdField);
      expect(field, resource.name).toMatchObject({ readOnly: true, type: 'datetime' });
    }
  });

  it.skipIf(!spec)('is in the records of the plain read, in the spec', () => {
    if (!spec) return;
    for (const resource of dated) {
      const read = plainReadAction(resource);
      const operation = read && findOperation(spec, read.method, read.path);
      const shape = read?.shape;
      const holder = operation && shape && 'key' in shape ? successSchema(spec, operation)?.properties?.[shape.key] : undefined;
      const record = holder ? deref(spec, deref(spec, holder).items) : undefined;
      expect(record && schemaAt(spec, record, resource.createdField as string), resource.name).toBeDefined();
    }
  });

  it('docs/import.md lists the creates that can be looked up, and which show a creation time', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'import.md'), 'utf8');
    const start = docs.indexOf('## Unknown rows');
    const section = docs.slice(start, docs.indexOf('\n## ', start + 1));
    const listed = [...section.matchAll(/^\| (\S+) \| .* \| (.*) \|$/gm)]
      .filter(([, name]) => name !== 'resource' && !name?.startsWith('-'))
      .map(([, name, created]) => [name, created?.startsWith('`') ? created.replaceAll('`', '') : undefined]);
    const expected = catalog
      .filter((resource) => resource.naturalKeys?.some((key) => key.bodyPath))
      .map((resource) => [resource.name, resource.createdField]);
    expect(listed).toEqual(expected);
  });
});
