/**
 * ActionDef.listLacks says which properties a resource's single read shows and its list read does
 * not (issue 17, item 6): an import takes a record from a list read only when the list holds what
 * the row needs. Held against Keap's spec: for every resource with a paged plain read and a single
 * read, the catalog's list is exactly the difference of the two response schemas.
 */
import { describe, expect, it } from 'vitest';
import { catalog, plainReadAction } from '../../src/catalog/index.js';
import { keapDataMissing } from '../support/keap-data.js';
import { deref, findOperation, loadSpec, specPath, successSchema } from './spec.js';

const spec = loadSpec();
if (!spec) keapDataMissing('listLacks conformance', specPath);

describe('listLacks', () => {
  it('is on plain reads only', () => {
    for (const resource of catalog) {
      for (const action of resource.actions) {
        if (action.listLacks) expect(action, `${resource.name} ${action.id}`).toBe(plainReadAction(resource));
      }
    }
    expect(plainReadAction(catalog.find((resource) => resource.name === 'contacts')!)?.listLacks?.sort()).toEqual([
      'opt_in_reason',
      'origin',
      'relationships',
      'tag_ids',
    ]);
  });

  it.skipIf(!spec)('is what the single read shows and the list read lacks, in the spec', () => {
    if (!spec) return;
    let compared = 0;
    for (const resource of catalog) {
      const list = plainReadAction(resource);
      const single = resource.actions.find((action) => action.kind === 'read-single' && action.shape?.kind === 'object');
      if (list?.shape?.kind !== 'page' || !single) continue;
      const listOperation = findOperation(spec, list.method, list.path);
      const singleOperation = findOperation(spec, single.method, single.path);
      if (!listOperation || !singleOperation) continue;
      const holder = successSchema(spec, listOperation)?.properties?.[list.shape.key];
      const listed = new Set(Object.keys(deref(spec, deref(spec, holder).items).properties ?? {}));
      const shown = Object.keys(successSchema(spec, singleOperation)?.properties ?? {});
      if (!listed.size || !shown.length) continue;
      compared++;
      const lacks = shown.filter((name) => !listed.has(name)).sort();
      expect([...(list.listLacks ?? [])].sort(), resource.name).toEqual(lacks);
    }
    expect(compared).toBeGreaterThan(1);
  });
});
