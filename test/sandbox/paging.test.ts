/** Paging, date windows, optional properties and the on-demand million-contact sandbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, readAll, type Json } from './support.js';

describe('sandbox paging', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, counts: { contacts: 237 } });
  });
  afterAll(() => sandbox?.close());

  it('covers every record exactly once, in id order, with absolute next links', async () => {
    const records = await readAll(sandbox, '/contacts?limit=50', 'contacts');
    const ids = records.map((r) => r.id as number);
    expect(ids.length).toBe(237);
    expect(new Set(ids).size).toBe(237);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const first = await get(sandbox, '/contacts?limit=50&given_name=&optional_properties=custom_fields');
    expect(first.body.count).toBe(237);
    expect(first.body.next).toBe(`${sandbox.apiUrl}/contacts?given_name=&limit=50&offset=50`);
    const last = await get(sandbox, '/contacts?limit=50&offset=200');
    expect(last.body.contacts).toHaveLength(37);
    expect(last.body.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crm\/rest\/v1\/contacts\?limit=50&offset=250$/);
  });

  it('defaults to 1000 per page and caps limit at 1000', async () => {
    const big = await startSandbox({ seed: 3, counts: { contacts: 2500 } });
    try {
      const page = await get(big, '/contacts');
      expect(page.body.contacts).toHaveLength(1000);
      const capped = await get(big, '/contacts?limit=5000&offset=2000');
      expect(capped.body.contacts).toHaveLength(500);
      expect(new URL(capped.body.next).searchParams.get('limit')).toBe('1000');
    } finally {
      await big.close();
    }
  });

  it('keeps filters in next but drops optional_properties, like Keap', async () => {
    const page = await get(sandbox, '/contacts?limit=10&since=2021-01-01T00:00:00.000Z&optional_properties=custom_fields,job_title');
    const next = new URL(page.body.next);
    expect(next.searchParams.get('since')).toBe('2021-01-01T00:00:00.000Z');
    expect(next.searchParams.has('optional_properties')).toBe(false);
    expect(page.body.contacts[0].custom_fields).toBeDefined();
    const plain = await get(sandbox, '/contacts?limit=1');
    expect(plain.body.contacts[0].custom_fields).toBeUndefined();
    expect(plain.body.contacts[0].job_title).toBeUndefined();
  });

  it('filters since/until inclusively on last_updated', async () => {
    const all = await readAll(sandbox, '/contacts?limit=1000', 'contacts');
    const pick = all[100] as Json;
    const upTo = all[150] as Json;
    const window = await readAll(sandbox, `/contacts?since=${pick.last_updated}&until=${upTo.last_updated}&limit=20`, 'contacts');
    const expected = all.filter((r) => r.last_updated >= pick.last_updated && r.last_updated <= upTo.last_updated);
    expect(window.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(window[0].id).toBe(pick.id);
    expect(window[window.length - 1].id).toBe(upTo.id);
    const counted = await get(sandbox, `/contacts?since=${pick.last_updated}&limit=1`);
    expect(counted.body.count).toBe(all.filter((r) => r.last_updated >= pick.last_updated).length);
  });

  it('rejects dates without milliseconds the way Keap does', async () => {
    for (const bad of ['2026-01-01', '2026-01-01T00:00:00Z', 'yesterday']) {
      const answer = await get(sandbox, `/contacts?since=${bad}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ message: 'Input could not be converted to a valid request' });
    }
  });

  it('shows a changed record in a since window and as changed in later reads', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const patched = await call(sandbox, 'PATCH', '/contacts/3', { given_name: 'Chloé, "new"' });
    expect(patched.status).toBe(200);
    const recent = await get(sandbox, `/contacts?since=${before}`);
    expect(recent.body.contacts.map((r: Json) => r.id)).toEqual([3]);
    expect(recent.body.contacts[0].given_name).toBe('Chloé, "new"');
    const all = await readAll(sandbox, '/contacts?limit=100', 'contacts');
    expect(all).toHaveLength(237);
  });

  it('honours order and order_direction as the spec enumerates them, ties broken by id', async () => {
    const ascending = await readAll(sandbox, '/contacts?limit=40&order=id&order_direction=ASCENDING', 'contacts');
    const ids = ascending.map((r) => r.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const descending = await readAll(sandbox, '/contacts?limit=40&order=id&order_direction=DESCENDING', 'contacts');
    expect(descending.map((r) => r.id)).toEqual([...ids].reverse());
    const first = await get(sandbox, '/contacts?limit=3&order_direction=DESCENDING');
    expect(first.body.contacts.map((r: Json) => r.id)).toEqual(ids.slice(-3).reverse());
    expect(first.body.count).toBe(ids.length);

    const byEmail = await readAll(sandbox, '/contacts?limit=50&order=email', 'contacts');
    const email = (r: Json) => (r.email_addresses ?? []).find((e: Json) => e.field === 'EMAIL1')?.email ?? '';
    expect(byEmail).toHaveLength(ids.length);
    for (let i = 1; i < byEmail.length; i++) expect(email(byEmail[i - 1]) <= email(byEmail[i])).toBe(true);
    const companies = await get(sandbox, '/companies?order=name&order_direction=DESCENDING&limit=1000');
    const names = companies.body.companies.map((r: Json) => String(r.company_name));
    expect(names).toEqual([...names].sort().reverse());
  });

  it("refuses order values outside the spec's enum with Keap's 400", async () => {
    for (const query of ['order=given_name', 'order=id&order_direction=UP', 'order=priority']) {
      const answer = await get(sandbox, `/contacts?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body).toEqual({ message: 'Input could not be converted to a valid request' });
    }
  });

  it('pages child lists and bare arrays as the spec shapes them', async () => {
    const tags = await get(sandbox, '/contacts/1/tags');
    expect(Array.isArray(tags.body.tags)).toBe(true);
    expect(typeof tags.body.count).toBe('number');
    const hooks = await get(sandbox, '/hooks');
    expect(Array.isArray(hooks.body)).toBe(true);
    const countries = await get(sandbox, '/locales/countries');
    expect(countries.body.countries.USA).toBe('United States');
  });

  it('gives the first record of every parent list some children', async () => {
    const contactId = (await get(sandbox, '/contacts?limit=1')).body.contacts[0].id;
    const tagId = (await get(sandbox, '/tags?limit=1')).body.tags[0].id;
    const orderId = (await get(sandbox, '/orders?limit=1')).body.orders[0].id;
    const product = (await get(sandbox, '/products?limit=1')).body.products[0];
    const affiliateId = (await get(sandbox, '/affiliates?limit=1')).body.affiliates[0].id;
    expect((await get(sandbox, `/contacts/${contactId}/tags`)).body.count).toBeGreaterThan(0);
    expect((await get(sandbox, `/contacts/${contactId}/emails`)).body.count).toBeGreaterThan(0);
    expect((await get(sandbox, `/tags/${tagId}/contacts`)).body.count).toBeGreaterThan(0);
    expect((await get(sandbox, `/tags/${tagId}/companies`)).body.count).toBeGreaterThan(0);
    expect((await get(sandbox, `/orders/${orderId}`)).body.order_items.length).toBeGreaterThan(0);
    expect((await get(sandbox, `/orders/${orderId}/payments`)).body.length).toBeGreaterThan(0);
    expect((await get(sandbox, `/orders/${orderId}/transactions`)).body.count).toBeGreaterThan(0);
    expect(product.subscription_plans.length).toBeGreaterThan(0);
    expect((await get(sandbox, `/affiliates/${affiliateId}/clawbacks`)).body.count).toBeGreaterThan(0);
    expect((await get(sandbox, `/affiliates/${affiliateId}/payments`)).body.count).toBeGreaterThan(0);
  });

  it('is deterministic: same seed, same data; other seed, other data', async () => {
    const again = await startSandbox({ seed: 3, counts: { contacts: 237 } });
    const other = await startSandbox({ seed: 4, counts: { contacts: 237 } });
    try {
      const a = (await get(sandbox, '/contacts/10')).body;
      const b = (await get(again, '/contacts/10')).body;
      const c = (await get(other, '/contacts/10')).body;
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    } finally {
      await again.close();
      await other.close();
    }
  });
});

describe('a sandbox with 1,000,000 contacts', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 1, counts: { contacts: 1_000_000 } });
  });
  afterAll(() => sandbox?.close());

  it('serves a full page from the middle and counts them all', async () => {
    const page = await get(sandbox, '/contacts?limit=1000&offset=500000');
    expect(page.status).toBe(200);
    expect(page.body.count).toBe(1_000_000);
    expect(page.body.contacts).toHaveLength(1000);
    expect(page.body.contacts[0].id).toBe(500_001);
    expect(page.body.contacts[999].id).toBe(501_000);
  });

  it('answers a since window as an id range', async () => {
    const probe = await get(sandbox, '/contacts/750000');
    const page = await get(sandbox, `/contacts?since=${probe.body.last_updated}&limit=5`);
    expect(page.body.contacts[0].id).toBeLessThanOrEqual(750_000);
    expect(page.body.contacts[0].last_updated >= probe.body.last_updated).toBe(true);
    expect(page.body.count).toBeGreaterThanOrEqual(250_000);
    expect(page.body.count).toBeLessThan(250_010);
  });

  it('finds a contact by email without scanning a million records', async () => {
    const wanted = (await get(sandbox, '/contacts/750001')).body;
    const email = wanted.email_addresses.find((e: Json) => e.field === 'EMAIL1').email;
    const found = await get(sandbox, `/contacts?email=${encodeURIComponent(email)}`);
    expect(found.body.count).toBe(1);
    expect(found.body.contacts[0].id).toBe(750_001);
    expect((await get(sandbox, '/contacts?email=nobody%40example.com')).body.count).toBe(0);
  });

  it('still honours deletes and creates in the middle of the range', async () => {
    expect((await call(sandbox, 'DELETE', '/contacts/500002')).status).toBe(204);
    const created = await call(sandbox, 'POST', '/contacts', { phone_numbers: [{ field: 'PHONE1', number: '0123 456' }] });
    expect(created.body.id).toBe(1_000_001);
    const page = await get(sandbox, '/contacts?limit=3&offset=500000');
    expect(page.body.contacts.map((r: Json) => r.id)).toEqual([500_001, 500_003, 500_004]);
    expect(page.body.count).toBe(1_000_000);
    const tail = await get(sandbox, '/contacts?limit=10&offset=999998');
    expect(tail.body.contacts.map((r: Json) => r.id)).toEqual([1_000_000, 1_000_001]);
  });
});
