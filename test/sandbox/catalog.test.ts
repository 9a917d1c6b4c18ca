/**
 * The sandbox answers every read action and gathered field of the catalog (src/catalog) with a
 * body of the catalog's declared shape that validates against the spec's schema for the
 * catalog's operationId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ResourceDef, ResponseShape } from '../../src/catalog/types.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { keapDataMissing } from '../support/keap-data.js';
import { get, loadSpec, makeValidator, projectRoot, specAvailable, specFile, type Json } from './support.js';

const catalogAvailable = existsSync(path.join(projectRoot, 'src', 'catalog', 'index.ts'));
if (!specAvailable) keapDataMissing('catalog/sandbox tests', specFile);
if (!catalogAvailable) console.warn('catalog/sandbox tests skipped: src/catalog/index.ts not written yet');

function shapeProblem(shape: ResponseShape, body: Json, schemaType: string | undefined): string | undefined {
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  switch (shape.kind) {
    case 'page':
      return Array.isArray(body?.[shape.key]) && typeof body.count === 'number' && typeof body.next === 'string'
        ? undefined
        : `not a page of "${shape.key}"`;
    case 'list':
      return Array.isArray(body?.[shape.key]) ? undefined : `no "${shape.key}" array`;
    case 'array':
      return Array.isArray(body) ? undefined : 'not a bare array';
    case 'map':
      return isObject(body?.[shape.key]) ? undefined : `no "${shape.key}" map`;
    case 'object':
      // The spec types a few single-value endpoints as a bare string (`/users/{id}/signature`).
      return isObject(body) || (schemaType === 'string' && typeof body === 'string') ? undefined : 'not an object';
  }
}

describe.skipIf(!specAvailable || !catalogAvailable)('the sandbox serves the catalog', () => {
  let sandbox: SandboxHandle;
  let catalog: readonly ResourceDef[];
  let validate: ReturnType<typeof makeValidator>;
  const byOperation = new Map<string, { path: string; method: string; schemaType?: string }>();
  const values: Record<string, string> = {};

  beforeAll(async () => {
    catalog = (await import('../../src/catalog/index.js')).catalog;
    sandbox = await startSandbox({ seed: 9 });
    validate = makeValidator();
    for (const [p, item] of Object.entries(loadSpec().paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item as Record<string, Json>)) {
        if (op?.operationId)
          byOperation.set(op.operationId, {
            path: p,
            method,
            schemaType: op.responses?.['200']?.content?.['application/json']?.schema?.type,
          });
      }
    }
    const first = async (url: string, key: string | undefined, pick: (r: Json) => boolean): Promise<Json> => {
      const body = (await get(sandbox, url)).body;
      const found = (key ? body[key] : body).find(pick);
      if (!found) throw new Error(`nothing suitable in ${url}`);
      return found;
    };
    const tagId = (await first('/tags', 'tags', () => true)).id;
    values['tag_id'] = String(tagId);
    const order = await first('/orders', 'orders', (o) => o.status === 'PAID');
    values['order_id'] = String(order.id);
    const product = await first('/products', 'products', (p) => p.subscription_plans.length > 0);
    values['product_id'] = String(product.id);
    values['subscription_id'] = String(product.subscription_plans[0].id);
    values['contact_id'] = '1';
    values['code'] = 'USA';
    values['key'] = String((await first('/hooks', undefined, () => true)).key);
    values['affiliates'] = String((await first('/affiliates', 'affiliates', (a) => a.id % 3 !== 0)).id);
  });
  afterAll(() => sandbox?.close());

  /** `{id}` means the resource named by the path's first segment; other placeholders by name. */
  function fill(template: string): string {
    const resource = template.split('/')[1] ?? '';
    const idByResource: Record<string, string | undefined> = {
      tags: values['tag_id'],
      orders: values['order_id'],
      products: values['product_id'],
      affiliates: values['affiliates'],
      hooks: values['key'],
    };
    return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
      if (name === 'id')
        return (
          (template.includes('/subscriptions/{id}') && resource === 'products' ? values['subscription_id'] : idByResource[resource]) ?? '1'
        );
      return values[name] ?? '1';
    });
  }

  it('answers every GET action and gathered def with the declared shape and a spec-valid body', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const resource of catalog) {
      const reads = [
        ...resource.actions
          .filter((a) => a.method === 'GET')
          .map((a) => ({ what: `${resource.name} ${a.id}`, path: a.path, shape: a.shape, operationId: a.operationId })),
        ...(resource.gathered ?? []).map((g) => ({
          what: `${resource.name} gathered ${g.name}`,
          path: g.path,
          shape: g.shape,
          operationId: g.operationId,
        })),
      ];
      for (const read of reads) {
        const url = fill(read.path);
        const answer = await get(sandbox, url);
        checked++;
        if (answer.status !== 200) {
          problems.push(`${read.what}: GET ${url} -> ${answer.status} ${answer.text.slice(0, 120)}`);
          continue;
        }
        const operation = byOperation.get(read.operationId);
        if (!operation) {
          problems.push(`${read.what}: operationId ${read.operationId} is not in the spec`);
          continue;
        }
        for (const error of validate(operation.path, operation.method, '200', answer.body))
          problems.push(`${read.what}: GET ${url}: ${error}`);
        const shapeError = read.shape ? shapeProblem(read.shape, answer.body, operation.schemaType) : 'no shape in the catalog';
        if (shapeError) problems.push(`${read.what}: GET ${url}: ${shapeError}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('serves the /model endpoint of every resource with custom fields, with labels the records use', async () => {
    for (const resource of catalog.filter((r) => r.customFields)) {
      const model = await get(sandbox, resource.customFields!.modelPath);
      expect(model.status).toBe(200);
      expect(model.body.custom_fields.length).toBeGreaterThan(0);
      const ids = new Set(model.body.custom_fields.map((f: Json) => f.id));
      const list = resource.actions.find((a) => a.kind === 'read' && a.shape?.kind === 'page' && !a.path.includes('{'));
      if (list?.shape?.kind !== 'page') continue;
      const single = resource.customFields!.via === 'single';
      const firstId = (await get(sandbox, `${list.path}?limit=1`)).body[list.shape.key][0].id;
      const url = single
        ? `${list.path}/${firstId}?optional_properties=custom_fields`
        : `${list.path}?limit=1&optional_properties=custom_fields`;
      const body = (await get(sandbox, url)).body;
      const record = single ? body : body[list.shape.key][0];
      expect(record.custom_fields.length).toBeGreaterThan(0);
      for (const value of record.custom_fields) expect(ids.has(value.id)).toBe(true);
    }
  });
});
