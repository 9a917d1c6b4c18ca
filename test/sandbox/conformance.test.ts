/**
 * Every GET endpoint the sandbox serves answers with a body that validates against the 200
 * schema Keap's own spec gives that operation (../shared/keap/v1-openapi.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { buildRoutes } from '../../src/sandbox/routes.js';
import { Store } from '../../src/sandbox/store.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, makeValidator, specAvailable, specFile, type Json } from './support.js';

if (!specAvailable) console.warn(`conformance tests skipped: ${specFile} not found`);

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
      contacts: ids['contacts'], companies: ids['companies'], tags: ids['tags'], orders: ids['orders'], affiliates: ids['affiliates'],
      appointments: ids['appointments'], campaigns: ids['campaigns'], emails: ids['emails'], files: ids['files'], notes: ids['notes'],
      opportunities: ids['opportunities'], products: ids['products'], tasks: ids['tasks'], transactions: ids['transactions'], users: ids['users'],
      hooks: ids['hooks'], locales: 'USA',
    };
    const url = template
      .replace('{id}', idFor[resource] ?? 'MISSING')
      .replace('{subscriptionId}', ids['plans'] ?? 'MISSING');
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

  it('answers writes with bodies valid for their documented status', async () => {
    const product = (await get(sandbox, '/products?limit=1')).body.products[0];
    const writes: Array<[string, string, string, unknown, string]> = [
      ['POST', '/contacts', '/contacts', { given_name: 'Zoë', family_name: "O'Brien, Jr.", email_addresses: [{ field: 'EMAIL1', email: 'zoe@example.net' }] }, '201'],
      ['PATCH', '/contacts/1', '/contacts/{contactId}', { job_title: 'Chef 👩‍🍳' }, '200'],
      ['PUT', '/contacts', '/contacts', { duplicate_option: 'Email', email_addresses: [{ field: 'EMAIL1', email: 'zoe@example.net' }] }, '200'],
      ['POST', '/companies', '/companies', { company_name: 'Café, "Olé"' }, '201'],
      ['PATCH', '/companies/1', '/companies/{companyId}', { website: 'https://x.example.com' }, '200'],
      ['POST', '/notes', '/notes', { contact_id: 1, title: 'n', body: 'b' }, '201'],
      ['PATCH', '/notes/1', '/notes/{noteId}', { title: 'changed' }, '200'],
      ['POST', '/tasks', '/tasks', { title: 'Call' }, '200'],
      ['PATCH', '/tasks/1', '/tasks/{taskId}', { completed: true }, '200'],
      ['POST', '/appointments', '/appointments', { title: 'Meet', start_date: '2026-05-01T10:00:00.000Z', end_date: '2026-05-01T11:00:00.000Z' }, '201'],
      ['POST', '/opportunities', '/opportunities', { opportunity_title: 'Deal', contact: { id: 1 }, stage: { id: 1 } }, '200'],
      ['POST', '/products', '/products', { product_name: 'Thing', product_price: 5 }, '201'],
      ['PATCH', '/products/1', '/products/{productId}', { product_price: 7 }, '200'],
      ['POST', '/products/1/subscriptions', '/products/{productId}/subscriptions', { cycle_type: 'MONTH', plan_price: 3 }, '201'],
      ['POST', '/orders', '/orders', { contact_id: 1, order_date: '2026-05-01T10:00:00.000Z', order_title: 'O', order_type: 'Online', order_items: [{ product_id: product.id, quantity: 1 }] }, '201'],
      ['POST', '/orders/1/items', '/orders/{orderId}/items', { product_id: product.id, quantity: 1 }, '201'],
      ['POST', '/orders/1/payments', '/orders/{orderId}/payments', { payment_amount: 1 }, '201'],
      ['POST', '/tags', '/tags', { name: 'New tag' }, '200'],
      ['POST', '/tags/1/contacts', '/tags/{tagId}/contacts', { ids: [1] }, '200'],
      ['POST', '/hooks', '/hooks', { eventKey: 'contact.add', hookUrl: 'https://example.com/h' }, '200'],
      ['POST', '/files', '/files', { file_name: 'a.txt', file_data: 'aGk=', file_association: 'CONTACT', contact_id: 1, is_public: true }, '200'],
      ['POST', '/users', '/users', { email: 'new@example.com', given_name: 'New' }, '201'],
      ['POST', '/affiliates', '/affiliates', { code: 'NEW1', contact_id: 1, password: 'x' }, '201'],
      ['POST', '/subscriptions', '/subscriptions', { contact_id: 1, product_id: 1, subscription_plan_id: 1 }, '201'],
      ['POST', '/contacts/1/emails', '/contacts/{contactId}/emails', { sent_to_address: 'a@example.com', subject: 'Hi' }, '201'],
      ['PUT', '/account/profile', '/account/profile', { name: 'Renamed' }, '200'],
    ];
    const problems: string[] = [];
    for (const [method, url, template, body, status] of writes) {
      const answer = await call(sandbox, method, url, body);
      if (String(answer.status) !== status) {
        problems.push(`${method} ${url}: status ${answer.status}, spec says ${status}: ${answer.text.slice(0, 150)}`);
        continue;
      }
      for (const error of validate(template, method, status, answer.body)) problems.push(`${method} ${url}: ${error}`);
    }
    expect(problems).toEqual([]);
  });
});
