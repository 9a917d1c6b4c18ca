/**
 * Every write the sandbox serves is one Keap's spec (../shared/keap/v1-openapi.json) describes: the
 * route exists with that method, a spec-valid body is accepted with the spec's success status and a
 * body valid for that status, and the sandbox requires exactly the spec's required properties and
 * parameters (plus the documented sandboxSpecExceptions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { buildRoutes } from '../../src/sandbox/routes.js';
import { Store } from '../../src/sandbox/store.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { sandboxSpecExceptions } from '../catalog/spec-exceptions.js';
import { keapDataMissing } from '../support/keap-data.js';
import {
  call,
  get,
  loadSpec,
  makeRequestValidator,
  makeValidator,
  specAvailable,
  specFile,
  specOperation,
  type Answer,
  type Json,
} from './support.js';

if (!specAvailable) keapDataMissing('sandbox write conformance', specFile);

/** One write as a client would send it; `url` is concrete, `template` is the sandbox route it hits. */
interface WriteCase {
  method: string;
  template: string;
  url: string;
  body?: Json;
  headers?: Record<string, string>;
}

interface Ids {
  tag: number;
  sequence: number;
  orderItem: number;
  hookKey: string;
}

const FUTURE_DAY = '2099-01-15';

/** A spec-valid write for every write route, in an order where each one's target still exists. */
function writeCases(ids: Ids): WriteCase[] {
  const email = [{ field: 'EMAIL1', email: 'zoe.obrien@example.net' }];
  const appointment = {
    title: 'Meet, "soon"',
    start_date: '2026-05-01T10:00:00.000Z',
    end_date: '2026-05-01T11:00:00.000Z',
    description: 'Agenda ☕',
  };
  const file = { file_name: 'notes, v2.txt', file_data: 'aGVsbG8=', file_association: 'CONTACT', contact_id: 2, is_public: false };
  const hook = { eventKey: 'contact.add', hookUrl: 'https://example.com/hook' };
  const w = (method: string, template: string, url: string, body?: Json, headers?: Record<string, string>): WriteCase => ({
    method,
    template,
    url,
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });
  return [
    w('PUT', '/account/profile', '/account/profile', { name: 'Renamed, "Co."', website: 'https://renamed.example.com' }),
    w('POST', '/contacts', '/contacts', { given_name: 'Zoë', family_name: "O'Brien, Jr.", email_addresses: email }),
    w('PUT', '/contacts', '/contacts', { duplicate_option: 'Email', email_addresses: email, job_title: 'Chef 👩‍🍳' }),
    w('PATCH', '/contacts/{id}', '/contacts/1', { job_title: 'CTO' }),
    w('POST', '/contacts/{id}/tags', '/contacts/3/tags', { tagIds: [ids.tag] }),
    w('DELETE', '/contacts/{id}/tags', `/contacts/3/tags?ids=${ids.tag}`),
    w('DELETE', '/contacts/{id}/tags/{tagId}', `/contacts/4/tags/${ids.tag}`),
    w('POST', '/contacts/{id}/emails', '/contacts/1/emails', { sent_to_address: 'a@example.com', subject: 'Hi, "you"' }),
    w('DELETE', '/contacts/{id}', '/contacts/40'),
    w('POST', '/companies', '/companies', { company_name: 'Café, "Olé"' }),
    w('PATCH', '/companies/{id}', '/companies/1', { company_name: 'Renamed Ltd.', website: 'https://x.example.com' }),
    w('POST', '/tags', '/tags', { name: 'New tag', description: 'from the test' }),
    w('POST', '/tags/categories', '/tags/categories', { name: 'Sources, 2026' }),
    w('POST', '/tags/{id}/contacts', `/tags/${ids.tag}/contacts`, { ids: [5, 6] }),
    w('DELETE', '/tags/{id}/contacts', `/tags/${ids.tag}/contacts?ids=5`),
    w('DELETE', '/tags/{id}/contacts/{contactId}', `/tags/${ids.tag}/contacts/6`),
    w('POST', '/users', '/users', { email: 'new.user@example.com', given_name: 'New' }),
    w('POST', '/affiliates', '/affiliates', { code: 'NEW1', contact_id: 1, password: 's3cret' }),
    w('POST', '/appointments', '/appointments', appointment),
    w('PATCH', '/appointments/{id}', '/appointments/1', { ...appointment, location: 'Room 2' }),
    w('PUT', '/appointments/{id}', '/appointments/1', appointment),
    w('DELETE', '/appointments/{id}', '/appointments/2'),
    w('POST', '/campaigns/{id}/sequences/{sequenceId}/contacts/{contactId}', `/campaigns/1/sequences/${ids.sequence}/contacts/5`),
    w('POST', '/campaigns/{id}/sequences/{sequenceId}/contacts', `/campaigns/1/sequences/${ids.sequence}/contacts`, { ids: [6, 7] }),
    w('DELETE', '/campaigns/{id}/sequences/{sequenceId}/contacts', `/campaigns/1/sequences/${ids.sequence}/contacts`, { ids: [6] }),
    w('DELETE', '/campaigns/{id}/sequences/{sequenceId}/contacts/{contactId}', `/campaigns/1/sequences/${ids.sequence}/contacts/5`),
    w('POST', '/orders', '/orders', {
      contact_id: 1,
      order_date: '2026-05-01T10:00:00.000Z',
      order_title: 'O',
      order_type: 'Online',
      order_items: [{ product_id: 1, quantity: 1 }],
    }),
    w('POST', '/orders/{id}/items', '/orders/1/items', { product_id: 1, quantity: 2 }),
    w('DELETE', '/orders/{id}/items/{itemId}', `/orders/1/items/${ids.orderItem}`),
    w('POST', '/orders/{id}/payments', '/orders/1/payments', { payment_amount: '1.50', payment_method_type: 'CASH', notes: 'part, "one"' }),
    w('DELETE', '/orders/{id}', '/orders/2'),
    w('POST', '/subscriptions', '/subscriptions', { contact_id: 1, subscription_plan_id: 11, quantity: 2, first_bill_date: FUTURE_DAY }),
    w('POST', '/emails', '/emails', { sent_to_address: 'b@example.com', contact_id: 1, subject: 'Logged' }),
    w('DELETE', '/emails/{id}', '/emails/1'),
    w('POST', '/files', '/files', file),
    w('PUT', '/files/{id}', '/files/1', { ...file, file_name: 'renamed.txt' }),
    w('DELETE', '/files/{id}', '/files/2'),
    w('POST', '/hooks', '/hooks', hook),
    w('PUT', '/hooks/{id}', `/hooks/${ids.hookKey}`, { ...hook, eventKey: 'order.add' }),
    w('POST', '/hooks/{id}/verify', `/hooks/${ids.hookKey}/verify`),
    w('POST', '/hooks/{id}/delayedVerify', `/hooks/${ids.hookKey}/delayedVerify`, undefined, { 'X-Hook-Secret': 'secret-from-keap' }),
    w('DELETE', '/hooks/{id}', `/hooks/${ids.hookKey}`),
    w('POST', '/notes', '/notes', { contact_id: 1, title: 'n', body: 'line 1\nline 2' }),
    w('PATCH', '/notes/{id}', '/notes/1', { title: 'changed' }),
    w('PUT', '/notes/{id}', '/notes/1', { contact_id: 1, title: 'replaced' }),
    w('DELETE', '/notes/{id}', '/notes/2'),
    w('POST', '/opportunities', '/opportunities', { opportunity_title: 'Deal', contact: { id: 1 }, stage: { id: 1 } }),
    w('PATCH', '/opportunities/{id}', '/opportunities/1', { opportunity_notes: 'patched' }),
    w('POST', '/products', '/products', { product_name: 'Thing', product_price: 5 }),
    w('PATCH', '/products/{id}', '/products/1', { product_name: 'Thing, renamed', product_price: 7 }),
    w('POST', '/products/{id}/subscriptions', '/products/1/subscriptions', { cycle_type: 'MONTH', plan_price: 3 }),
    w('DELETE', '/products/{id}/subscriptions/{subscriptionId}', '/products/1/subscriptions/12'),
    w('DELETE', '/products/{id}', '/products/2'),
    w('POST', '/tasks', '/tasks', { title: 'Call back', priority: 3 }),
    w('PATCH', '/tasks/{id}', '/tasks/1', { completed: true }),
    w('PUT', '/tasks/{id}', '/tasks/1', { title: 'Replaced' }),
    w('DELETE', '/tasks/{id}', '/tasks/2'),
  ];
}

const servedWrites = (): Array<{ method: string; template: string }> =>
  buildRoutes(new Store(1, {}))
    .filter((route) => route.method !== 'GET')
    .map(({ method, template }) => ({ method, template }));

/** The one 2xx status the spec gives an operation. */
function successStatus(operation: Json): string | undefined {
  const statuses = Object.keys(operation?.responses ?? {}).filter((status) => status.startsWith('2'));
  return statuses.length === 1 ? statuses[0] : undefined;
}

async function send(
  sandbox: SandboxHandle,
  write: WriteCase,
  url = write.url,
  body: Json = write.body,
  headers = write.headers ?? {},
): Promise<Answer> {
  return call(sandbox, write.method, url, body, headers);
}

async function resolveIds(sandbox: SandboxHandle): Promise<Ids> {
  const campaign = (await get(sandbox, '/campaigns/1?optional_properties=sequences')).body;
  const order = (await get(sandbox, '/orders/1')).body;
  const hooks = (await get(sandbox, '/hooks')).body as Json[];
  return {
    tag: (await get(sandbox, '/tags?limit=1')).body.tags[0].id,
    sequence: campaign.sequences[0].id,
    orderItem: order.order_items[0].id,
    hookKey: hooks[0].key,
  };
}

describe.skipIf(!specAvailable)('sandbox writes against v1-openapi.json', () => {
  it('serves no method and path the spec lacks', () => {
    const all = buildRoutes(new Store(1, {}));
    const missing = all.filter((route) => !specOperation(route.template, route.method)).map((route) => `${route.method} ${route.template}`);
    expect(missing).toEqual([]);
  });

  describe('with spec-valid bodies', () => {
    let sandbox: SandboxHandle;
    let cases: WriteCase[];
    beforeAll(async () => {
      sandbox = await startSandbox({ seed: 7 });
      cases = writeCases(await resolveIds(sandbox));
    });
    afterAll(() => sandbox?.close());

    it('has a case for every write route the sandbox serves', () => {
      const covered = new Set(cases.map((write) => `${write.method} ${write.template}`));
      const uncovered = servedWrites()
        .map((route) => `${route.method} ${route.template}`)
        .filter((key) => !covered.has(key));
      expect(uncovered).toEqual([]);
    });

    it("answers each with the spec's success status and a body valid for it", async () => {
      const validateResponse = makeValidator();
      const validateRequest = makeRequestValidator();
      const problems: string[] = [];
      for (const write of cases) {
        const name = `${write.method} ${write.url}`;
        const operation = specOperation(write.template, write.method);
        const status = successStatus(operation);
        if (!status) {
          problems.push(`${name}: the spec gives no single success status`);
          continue;
        }
        const excepted = sandboxSpecExceptions[`${write.method} ${write.template}`]?.bodyWithoutSchema;
        if (write.body !== undefined && !excepted)
          for (const error of validateRequest(write.template, write.method, write.body)) problems.push(`${name}: test body: ${error}`);
        const answer = await send(sandbox, write);
        if (String(answer.status) !== status) {
          problems.push(`${name}: status ${answer.status}, spec says ${status}: ${answer.text.slice(0, 150)}`);
          continue;
        }
        if (status === '204') {
          if (answer.text !== '') problems.push(`${name}: 204 with a body`);
          continue;
        }
        for (const error of validateResponse(write.template, write.method, status, answer.body)) problems.push(`${name}: ${error}`);
      }
      expect(problems).toEqual([]);
    });
  });

  describe('required properties and parameters', () => {
    let sandbox: SandboxHandle;
    let cases: WriteCase[];
    beforeAll(async () => {
      sandbox = await startSandbox({ seed: 7 });
      cases = writeCases(await resolveIds(sandbox));
    });
    afterAll(() => sandbox?.close());

    it("accepts a body of only the spec's required properties and refuses one without any of them", async () => {
      const used = new Set<string>();
      const problems: string[] = [];
      for (const write of cases) {
        const key = `${write.method} ${write.template}`;
        const operation = specOperation(write.template, write.method);
        const schema = operation?.requestBody?.content?.['application/json']?.schema;
        if (!schema || write.body === undefined) continue;
        const specRequired = (resolve(schema).required ?? []) as string[];
        const extra = sandboxSpecExceptions[key]?.requires ?? [];
        if (extra.length) used.add(key);
        for (const name of extra)
          if (specRequired.includes(name)) problems.push(`${key}: exception requires ${name}, which the spec already requires`);
        const required = [...specRequired, ...extra];
        const minimal: Json = {};
        for (const name of required) {
          if (!(name in write.body)) problems.push(`${key}: the test body lacks required ${name}`);
          minimal[name] = write.body[name];
        }
        const status = successStatus(operation);
        const answer = await send(sandbox, write, write.url, minimal);
        if (String(answer.status) !== status)
          problems.push(`${key} with only ${JSON.stringify(required)}: status ${answer.status}: ${answer.text.slice(0, 150)}`);
        for (const name of required) {
          const { [name]: _dropped, ...rest } = minimal;
          const refused = await send(sandbox, write, write.url, rest);
          if (refused.status !== 400 || typeof refused.body?.message !== 'string')
            problems.push(`${key} without ${name}: status ${refused.status}, expected 400 {message}`);
        }
      }
      const stale = Object.entries(sandboxSpecExceptions)
        .filter(([key, value]) => value.requires && !used.has(key))
        .map(([key]) => key);
      expect(problems).toEqual([]);
      expect(stale).toEqual([]);
    });

    it('refuses a write without a query parameter or header the spec requires', async () => {
      const problems: string[] = [];
      let checked = 0;
      for (const write of cases) {
        const key = `${write.method} ${write.template}`;
        for (const parameter of (specOperation(write.template, write.method)?.parameters ?? []) as Json[]) {
          if (!parameter.required || (parameter.in !== 'query' && parameter.in !== 'header')) continue;
          checked++;
          const isParameter = (name: string): boolean => name.toLowerCase() === parameter.name.toLowerCase();
          const url = new URL(sandbox.apiUrl + write.url);
          const sent = parameter.in === 'query' ? url.searchParams.has(parameter.name) : Object.keys(write.headers ?? {}).some(isParameter);
          if (!sent) problems.push(`${key}: the test itself does not send ${parameter.in} ${parameter.name}`);
          url.searchParams.delete(parameter.name);
          const headers = Object.fromEntries(Object.entries(write.headers ?? {}).filter(([name]) => !isParameter(name)));
          const answer = await send(sandbox, write, url.toString(), write.body, headers);
          if (answer.status !== 400)
            problems.push(`${key} without ${parameter.in} ${parameter.name}: status ${answer.status}, expected 400`);
        }
      }
      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThanOrEqual(3);
    });

    it('documents every route that takes a body the spec does not describe', () => {
      const withoutSchema = cases
        .filter((write) => write.body !== undefined && !specOperation(write.template, write.method)?.requestBody)
        .map((write) => `${write.method} ${write.template}`);
      const documented = Object.entries(sandboxSpecExceptions)
        .filter(([, value]) => value.bodyWithoutSchema)
        .map(([key]) => key);
      expect(withoutSchema.sort()).toEqual(documented.sort());
    });
  });
});

/** Follows $ref to the schema that carries `required` (most request schemas are inlined already). */
function resolve(schema: Json): Json {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 20; hops++) current = loadSpec().components.schemas[current.$ref.split('/').pop()];
  return current ?? {};
}
