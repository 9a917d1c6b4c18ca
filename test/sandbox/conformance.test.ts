/**
 * Every GET endpoint the sandbox serves answers with a body that validates against the 200
 * schema Keap's own spec gives that operation (../shared/keap/v1-openapi.json). Writes are
 * checked in write-conformance.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { buildRoutes } from '../../src/sandbox/routes.js';
import { Store } from '../../src/sandbox/store.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { keapDataMissing } from '../support/keap-data.js';
import { get, makeValidator, specAvailable, specFile, type Json } from './support.js';

if (!specAvailable) keapDataMissing('sandbox conformance', specFile);

describe.skipIf(!specAvailable)('sandbox conformance with v1-openapi.json', () => {
  let sandbox: SandboxHandle;
  let validate: ReturnType<typeof makeValidator>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7 });
    validate = makeValidator();
    const first = async (path: string, key: string, pick: (r: Json) => boolean = () => true): Promise<Json> => {
      const answer = await get(sandbox, path);
      const found = (answer.body[key] as Json[]).find(pick);
      if (!found) throw new Error(`no record in ${path}`);
      return found;
    };
    ids['contacts'] = String((await first('/contacts', 'contacts')).id);
    ids['tagged-contact'] = String((await first('/contacts?limit=100', 'contacts', () => true)).id);
    ids['companies'] = String((await first('/companies', 'companies')).id);
    ids['tags'] = String((await first('/tags', 'tags')).id);
    ids['orders'] = String((await first('/orders', 'orders', (o) => o.status === 'PAID')).id);
    ids['affiliates'] = String((await first('/affiliates', 'affiliates', (a) => a.id % 3 !== 0)).id);
    ids['appointments'] = String((await first('/appointments', 'appointments')).id);
    ids['campaigns'] = String((await first('/campaigns', 'campaigns')).id);
    ids['emails'] = String((await first('/emails', 'emails')).id);
    ids['files'] = String((await first('/files', 'files')).id);
    ids['notes'] = String((await first('/notes', 'notes')).id);
    ids['opportunities'] = String((await first('/opportunities', 'opportunities')).id);
    const product = await first('/products', 'products', (p) => p.subscription_plans.length > 0);
    ids['products'] = String(product.id);
    ids['plans'] = String(product.subscription_plans[0].id);
    ids['tasks'] = String((await first('/tasks', 'tasks')).id);
    ids['transactions'] = String((await first('/transactions', 'transactions')).id);
    ids['users'] = String((await first('/users', 'users')).id);
    ids['hooks'] = String(((await get(sandbox, '/hooks')).body as Json[])[0].key);
  });
  afterAll(() => sandbox?.close());

  /** Concrete URLs for a template: the resource named by the first segment gives `{id}`. */
  function urlsFor(template: string): string[] {
    const resource = template.split('/')[1] ?? '';
    const idFor: Record<string, string | undefined> = {
      contacts: ids['contacts'],
      companies: ids['companies'],
      tags: ids['tags'],
      orders: ids['orders'],
      affiliates: ids['affiliates'],
      appointments: ids['appointments'],
      campaigns: ids['campaigns'],
      emails: ids['emails'],
      files: ids['files'],
      notes: ids['notes'],
      opportunities: ids['opportunities'],
      products: ids['products'],
      tasks: ids['tasks'],
      transactions: ids['transactions'],
      users: ids['users'],
      hooks: ids['hooks'],
      locales: 'USA',
    };
    const url = template.replace('{id}', idFor[resource] ?? 'MISSING').replace('{subscriptionId}', ids['plans'] ?? 'MISSING');
    const variants = [url];
    const optional: Record<string, string> = {
      '/contacts': 'custom_fields,job_title,lead_source_id',
      '/contacts/{id}': 'custom_fields,job_title,lead_source_id',
      '/companies': 'custom_fields,fax_number,notes',
      '/companies/{id}': 'custom_fields,fax_number,notes',
      '/campaigns/{id}': 'goals,sequences',
      '/files/{id}': 'file_data',
      '/opportunities/{id}': 'custom_fields',
    };
    if (optional[template]) variants.push(`${url}?optional_properties=${optional[template]}`);
    return variants;
  }

  const templates = buildRoutes(new Store(1, {}))
    .filter((route) => route.method === 'GET')
    .map((route) => route.template);

  it('serves a spec-valid 200 body on every GET endpoint', async () => {
    const problems: string[] = [];
    for (const template of templates) {
      for (const url of urlsFor(template)) {
        const answer = await get(sandbox, url);
        if (answer.status !== 200) {
          problems.push(`GET ${url}: status ${answer.status} ${answer.text.slice(0, 200)}`);
          continue;
        }
        for (const error of validate(template, 'GET', '200', answer.body)) problems.push(`GET ${url}: ${error}`);
      }
    }
    expect(problems).toEqual([]);
    expect(templates.length).toBeGreaterThan(60);
  });
});
