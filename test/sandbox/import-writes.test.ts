/**
 * What `import` relies on the sandbox to do as Keap does: filtered reads by natural key, upserts
 * that tell a new contact from an updated one, tags created by name, and keyed arrays (emails,
 * phones, addresses, fax numbers) replaced whole on PATCH and PUT rather than merged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, type Json } from './support.js';

describe('sandbox behaviour import relies on', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 31, counts: { contacts: 40 } });
  });
  afterAll(() => sandbox?.close());

  it('filters tags by their whole name', async () => {
    const made = await call(sandbox, 'POST', '/tags', { name: 'Import VIP', description: 'from a file', category: { id: 1 } });
    await call(sandbox, 'POST', '/tags', { name: 'Import VIP extra' });
    const found = await get(sandbox, `/tags?name=${encodeURIComponent('Import VIP')}`);
    expect(found.status).toBe(200);
    expect(found.body.tags.map((tag: Json) => tag.id)).toEqual([made.body.id]);
    expect((await get(sandbox, '/tags?name=Import')).body.tags).toEqual([]);
  });

  it('creates a tag from the spec body (name, description, category id) and refuses one without a name', async () => {
    const made = await call(sandbox, 'POST', '/tags', { name: 'Webinar 2026', description: 'signed up', category: { id: 1 } });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ name: 'Webinar 2026', description: 'signed up', category: { id: 1 } });
    expect((await get(sandbox, `/tags/${made.body.id}`)).body.name).toBe('Webinar 2026');
    const nameless = await call(sandbox, 'POST', '/tags', { description: 'no name' });
    expect(nameless.status).toBe(400);
    expect(nameless.body.message).toBe('name is required');
  });

  it('finds contacts by a whole email address, in any case, and not by part of one', async () => {
    const contact = await call(sandbox, 'POST', '/contacts', {
      given_name: 'Ada',
      email_addresses: [{ field: 'EMAIL1', email: 'ada.lookup@example.org' }],
    });
    const byEmail = await get(sandbox, '/contacts?email=ADA.Lookup@example.org');
    expect(byEmail.body.contacts.map((c: Json) => c.id)).toEqual([contact.body.id]);
    expect((await get(sandbox, '/contacts?email=ada.lookup')).body.contacts).toEqual([]);
  });

  it('lists products with their sku', async () => {
    const products = (await get(sandbox, '/products?limit=5')).body.products as Json[];
    expect(products.length).toBeGreaterThan(0);
    for (const product of products) expect(product.sku).toMatch(/^SKU-\d{5}$/);
  });

  it('answers an upsert 200 either way, with date_created telling a new contact from an updated one', async () => {
    const before = Date.now();
    const created = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'Email',
      email_addresses: [{ field: 'EMAIL1', email: 'new.upsert@example.org' }],
    });
    expect(created.status).toBe(200);
    expect(Date.parse(created.body.date_created)).toBeGreaterThanOrEqual(before - 1000);

    const generated = (await get(sandbox, '/contacts/12')).body;
    const email = generated.email_addresses.find((e: Json) => e.field === 'EMAIL1').email;
    const updated = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'Email',
      email_addresses: [{ field: 'EMAIL1', email }],
      job_title: 'Engineer',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(12);
    expect(updated.body.date_created).toBe(generated.date_created);
    expect(Date.parse(updated.body.date_created)).toBeLessThan(before);
    expect(Date.parse(updated.body.last_updated)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('upserts with EmailAndName onto the contact with that email and both names, else creates one', async () => {
    const first = await call(sandbox, 'POST', '/contacts', {
      given_name: 'Grace',
      family_name: 'Hopper',
      email_addresses: [{ field: 'EMAIL1', email: 'grace@example.org' }],
    });
    const same = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'EmailAndName',
      given_name: 'Grace',
      family_name: 'Hopper',
      email_addresses: [{ field: 'EMAIL1', email: 'grace@example.org' }],
      job_title: 'Rear Admiral',
    });
    expect(same.body.id).toBe(first.body.id);
    const namesake = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'EmailAndName',
      given_name: 'Grace',
      family_name: 'Other',
      email_addresses: [{ field: 'EMAIL1', email: 'grace@example.org' }],
    });
    expect(namesake.status).toBe(200);
    expect(namesake.body.id).not.toBe(first.body.id);
    expect(namesake.body.date_created).toBe(namesake.body.last_updated);
  });

  it('replaces keyed arrays on PATCH and PUT: naming only EMAIL2 drops EMAIL1', async () => {
    const contact = await call(sandbox, 'POST', '/contacts', {
      email_addresses: [
        { field: 'EMAIL1', email: 'keep.me@example.org' },
        { field: 'EMAIL3', email: 'third@example.org' },
      ],
      phone_numbers: [{ field: 'PHONE1', number: '555-0100' }],
      addresses: [{ field: 'BILLING', line1: '1 Main St', country_code: 'USA' }],
      fax_numbers: [{ field: 'FAX1', number: '555-0199' }],
    });
    const id = contact.body.id as number;
    await call(sandbox, 'PATCH', `/contacts/${id}`, {
      email_addresses: [{ field: 'EMAIL2', email: 'second@example.org' }],
      phone_numbers: [{ field: 'PHONE2', number: '555-0101' }],
      addresses: [{ field: 'SHIPPING', line1: '2 Side St', country_code: 'USA' }],
      fax_numbers: [{ field: 'FAX2', number: '555-0198' }],
    });
    const patched = (await get(sandbox, `/contacts/${id}`)).body;
    expect(patched.email_addresses).toEqual([{ field: 'EMAIL2', email: 'second@example.org' }]);
    expect(patched.phone_numbers.map((p: Json) => p.field)).toEqual(['PHONE2']);
    expect(patched.addresses.map((a: Json) => a.field)).toEqual(['SHIPPING']);
    expect(patched.fax_numbers.map((f: Json) => f.field)).toEqual(['FAX2']);

    // The upsert matches on EMAIL1 and then replaces what it names, as PATCH does.
    const other = await call(sandbox, 'POST', '/contacts', {
      email_addresses: [
        { field: 'EMAIL1', email: 'put.me@example.org' },
        { field: 'EMAIL2', email: 'put.two@example.org' },
      ],
      phone_numbers: [{ field: 'PHONE1', number: '555-0110' }],
      addresses: [{ field: 'OTHER', line1: '3 Far Rd', country_code: 'USA' }],
    });
    const upsert = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'Email',
      email_addresses: [{ field: 'EMAIL1', email: 'put.me@example.org' }],
      phone_numbers: [{ field: 'PHONE3', number: '555-0102' }],
    });
    expect(upsert.body.id).toBe(other.body.id);
    const upserted = (await get(sandbox, `/contacts/${other.body.id}`)).body;
    expect(upserted.email_addresses).toEqual([{ field: 'EMAIL1', email: 'put.me@example.org' }]);
    expect(upserted.phone_numbers.map((p: Json) => p.field)).toEqual(['PHONE3']);
    // Arrays the write did not name are left as they were.
    expect(upserted.addresses.map((a: Json) => a.field)).toEqual(['OTHER']);
  });
});
