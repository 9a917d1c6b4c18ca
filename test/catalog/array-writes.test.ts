/**
 * The catalog's arrayWrites (which arrays Keap may replace on write, and how their elements are
 * keyed) held against Keap's own documents: each element key is a property of the array's
 * elements in the v1 spec, in the write body and in the record read back; each quote is Keap's
 * words on that very property in the v2 spec; and every keyed array an update takes is listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bodyProperties, catalog } from '../../src/catalog/index.js';
import type { ActionDef, ResourceDef } from '../../src/catalog/types.js';
import { keapDataMissing, keapFile } from '../support/keap-data.js';
import { bodyStandIns } from './spec-exceptions.js';
import { bodySchema, deref, findOperation, loadSpec, type Schema, type Spec, specPath, successSchema } from './spec.js';

const spec = loadSpec();
const v2Path = keapFile('v2-openapi.yml');
const v2 = existsSync(v2Path) ? readFileSync(v2Path, 'utf8') : undefined;
if (!spec) keapDataMissing('arrayWrites against the spec', specPath);
if (!v2) keapDataMissing("arrayWrites quotes against Keap's v2 spec", v2Path);

const writes = (resource: ResourceDef): ActionDef[] =>
  resource.actions.filter((action) => (action.kind === 'update' || action.kind === 'upsert') && action.body);

/** The properties of one element of an array property of an object schema. */
function elementProperties(s: Spec, holder: Schema | undefined, name: string): string[] | undefined {
  const array = deref(s, deref(s, holder).properties?.[name]);
  if (array.type !== 'array') return undefined;
  return Object.keys(deref(s, array.items).properties ?? {});
}

/** Whether the v2 spec says `quote` in the description of a property called `name`. */
function v2Says(text: string, name: string, quote: string): boolean {
  const lines = text.split('\n');
  return lines.some(
    (line, i) => line.trim() === `${name}:` && lines.slice(i + 1, i + 6).some((next) => next.includes(`description: ${quote}`)),
  );
}

describe.skipIf(!spec)('arrayWrites against the spec', () => {
  const s = spec as Spec;
  for (const resource of catalog.filter((r) => r.arrayWrites?.length)) {
    it(`${resource.name}: each element key is in the spec's write body and record`, () => {
      const problems: string[] = [];
      const single = resource.actions.find((action) => action.kind === 'read-single');
      const read = single && findOperation(s, single.method, single.path);
      const record = read && successSchema(s, read);
      for (const write of resource.arrayWrites ?? []) {
        expect(write.source).toMatch(/UNCONFIRMED|documented/);
        const readKeys = elementProperties(s, record, write.name);
        if (!readKeys?.includes(write.key)) problems.push(`${write.name}: the record read has no ${write.key} in its elements`);
        for (const action of writes(resource)) {
          // An operation without a body schema that names another's as its own (spec-exceptions.ts).
          const standIn = bodyStandIns[`${resource.name}:${action.id}`];
          const operation = standIn ? findOperation(s, standIn.method, standIn.path) : findOperation(s, action.method, action.path);
          const bodyKeys = operation && elementProperties(s, bodySchema(s, operation), write.name);
          if (!bodyKeys?.includes(write.key)) problems.push(`${action.id}: the body's ${write.name} has no ${write.key} in its elements`);
        }
        const field = resource.fields.find((f) => f.name === write.name);
        if (field?.discriminator && field.discriminator !== write.key) {
          problems.push(`${write.name}: keyed by ${write.key}, but the field's discriminator is ${field.discriminator}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it.skipIf(!v2)("each quote is Keap's v2 description of that property", () => {
    const unquoted = catalog.flatMap((resource) =>
      (resource.arrayWrites ?? []).filter((w) => w.quote && !v2Says(v2 ?? '', w.name, w.quote)).map((w) => `${resource.name}.${w.name}`),
    );
    expect(unquoted).toEqual([]);
  });

  it('every keyed array and custom_fields an update or upsert takes is listed, so import merges it', () => {
    const missing: string[] = [];
    for (const resource of catalog) {
      const listed = new Set((resource.arrayWrites ?? []).map((w) => w.name));
      for (const action of writes(resource)) {
        for (const property of bodyProperties(resource, action)) {
          const field = resource.fields.find((f) => f.name === property.name);
          const keyed = property.type === 'array' && (property.name === 'custom_fields' || !!field?.discriminator);
          if (keyed && !listed.has(property.name)) missing.push(`${resource.name} ${action.id}: ${property.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
