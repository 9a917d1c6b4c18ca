/**
 * Child resources read only under a parent (`/orders/{order_id}/payments`) say which parent to walk
 * when no `--param` is given (issue 15, item 9): the catalog's `parent` property on the read, held
 * here against the catalog itself and against Keap's spec.
 */
import { describe, expect, it } from 'vitest';
import { catalog, findResource, plainReadAction, readActions } from '../../src/catalog/index.js';
import type { ActionDef, ResourceDef } from '../../src/catalog/types.js';
import { keapDataMissing } from '../support/keap-data.js';
import { findSpecPath, loadSpec, placeholders, type Spec, schemaAt, specPath, successSchema } from './spec.js';

const spec = loadSpec();
if (!spec) keapDataMissing('parent walks against the spec', specPath);

const walks = catalog.flatMap((resource) =>
  resource.actions.filter((action) => action.parent).map((action) => [`${resource.name} ${action.id}`, resource, action] as const),
);

describe('parent walks in the catalog', () => {
  it('every resource whose reads all need a --param can be walked', () => {
    const unreachable = catalog
      .filter((resource) => readActions(resource).length > 0 && !plainReadAction(resource))
      .filter((resource) => !readActions(resource).some((action) => action.parent))
      .map((resource) => resource.name);
    expect(unreachable).toEqual([]);
    expect(walks.map(([name]) => name).sort()).toEqual(['order-items read', 'order-payments read', 'product-subscriptions read']);
  });

  it.each(walks)('%s: the parent has a plain read, the param is the only one, and its field is the parent key', (_n, resource, action) => {
    const parent = action.parent!;
    expect(action.kind).toBe('read');
    expect((action.params ?? []).map((p) => p.name)).toEqual([parent.param]);
    const parentResource: ResourceDef = findResource(parent.resource);
    const list = plainReadAction(parentResource);
    expect(list, `${parent.resource} has no plain read`).toBeDefined();
    expect(parentResource.keyFields).toContain(parent.field);
    // The child lives under the parent's collection: /orders/{order_id}/payments under /orders.
    expect(action.path.startsWith(`${list!.path}/{${parent.param}}`)).toBe(true);
    // The parent id lands in a field of the child record (written as --param writes it).
    expect(resource.fields.find((f) => f.name === parent.param)?.type).toBe(
      parentResource.fields.find((f) => f.name === parent.field)?.type,
    );
  });
});

describe.skipIf(!spec)('parent walks against the spec', () => {
  const s = spec as Spec;
  it.each(walks)("%s: the parent's list gives the field, typed as the child's path parameter", (_n, _resource, action: ActionDef) => {
    const parent = action.parent!;
    const list = plainReadAction(findResource(parent.resource))!;
    const listOperation = findSpecPath(s, 'GET', list.path);
    expect(listOperation, `GET ${list.path} is not in the spec`).toBeDefined();
    const key = list.shape?.kind === 'page' || list.shape?.kind === 'list' ? list.shape.key : undefined;
    expect(key).toBeDefined();
    const body = successSchema(s, listOperation!.operation)!;
    const parentField = schemaAt(s, body, `${key}.${parent.field}`);
    expect(parentField?.type).toBe('integer');

    const child = findSpecPath(s, 'GET', action.path);
    expect(child, `GET ${action.path} is not in the spec`).toBeDefined();
    // The spec names the placeholder its own way (`orderId`); it is the one at the same position.
    const index = placeholders(action.path).indexOf(parent.param);
    const specName = placeholders(child!.path)[index];
    const parameter = (child!.operation.parameters ?? []).find((p) => p.in === 'path' && p.name === specName);
    expect(parameter?.schema?.type).toBe(parentField?.type);
    // And the child path begins with the list's path: the child is read from the parent's own collection.
    expect(child!.path.startsWith(`${listOperation!.path}/{${specName}}`)).toBe(true);
  });
});
