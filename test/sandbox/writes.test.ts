/** Writes change what later reads return; bad input gets Keap's 400; unknown ids 404; dataFile persists. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, type Json } from './support.js';

describe('sandbox writes', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 21, counts: { contacts: 50 } });
  });
  afterAll(() => sandbox?.close());

  it('creates, patches, replaces-by-upsert and deletes a contact', async () => {
    const created = await call(sandbox, 'POST', '/contacts', {
      given_name: '李',
      family_name: 'Nguyễn, "Jr."',
      email_addresses: [{ field: 'EMAIL1', email: 'li@example.net' }],
      phone_numbers: [{ field: 'PHONE1', number: '0044 20 7946 0958' }],
      custom_fields: [{ id: 7, content: 'Blue' }],
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe(51);
    expect((await get(sandbox, '/contacts')).body.count).toBe(51);

    const patched = await call(sandbox, 'PATCH', '/contacts/51', { family_name: 'Changed' });
    expect(patched.body).toMatchObject({ id: 51, given_name: '李', family_name: 'Changed' });
    const read = await get(sandbox, '/contacts/51?optional_properties=custom_fields');
    expect(read.body.family_name).toBe('Changed');
    expect(read.body.phone_numbers[0].number).toBe('0044 20 7946 0958');
    expect(read.body.custom_fields).toEqual([{ id: 7, content: 'Blue' }]);

    const upserted = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'Email',
      email_addresses: [{ field: 'EMAIL1', email: 'li@example.net' }],
      job_title: 'CTO',
    });
    expect(upserted.status).toBe(200);
    expect(upserted.body.id).toBe(51);
    expect(upserted.body.job_title).toBe('CTO');

    const other = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'EmailAndName',
      given_name: 'Someone',
      email_addresses: [{ field: 'EMAIL1', email: 'li@example.net' }],
    });
    expect(other.body.id).toBe(52);

    expect((await call(sandbox, 'DELETE', '/contacts/51')).status).toBe(204);
    expect((await get(sandbox, '/contacts/51')).status).toBe(404);
    expect((await call(sandbox, 'DELETE', '/contacts/51')).status).toBe(404);
  });

  it('upserts onto a generated contact found by its email', async () => {
    const existing = (await get(sandbox, '/contacts/10')).body;
    const email = existing.email_addresses.find((e: Json) => e.field === 'EMAIL1').email;
    const upserted = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'Email',
      email_addresses: [{ field: 'EMAIL1', email }],
      website: 'https://upserted.example.com',
    });
    expect(upserted.body.id).toBe(10);
    expect((await get(sandbox, '/contacts/10')).body.website).toBe('https://upserted.example.com');
  });

  it('rejects invalid contacts with 400 {message}', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ given_name: 'No way to reach me' }, /at least one email address or phone number/],
      [{ email_addresses: [{ field: 'EMAIL9', email: 'a@b.co' }] }, /EMAIL1, EMAIL2, EMAIL3/],
      [{ email_addresses: [{ field: 'EMAIL1', email: 'not an email' }] }, /Invalid email/],
      [
        { phone_numbers: [{ field: 'PHONE1', number: '1' }], addresses: [{ field: 'BILLING', region: 'US-MA' }] },
        /Country Code is required/,
      ],
      [{ phone_numbers: [{ field: 'PHONE1', number: '1' }], tag_ids: [1] }, /Tags can't be added/],
    ];
    for (const [body, message] of cases) {
      const answer = await call(sandbox, 'POST', '/contacts', body);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(message);
    }
    const badJson = await fetch(`${sandbox.apiUrl}/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
    const badOption = await call(sandbox, 'PUT', '/contacts', {
      duplicate_option: 'EmailAndNameAndCompany',
      email_addresses: [{ field: 'EMAIL1', email: 'x@example.org' }],
    });
    expect(badOption.status).toBe(400);
    expect((await get(sandbox, '/contacts')).body.count).toBe(51);
  });

  it('answers 404 for unknown ids', async () => {
    for (const p of ['/contacts/9999', '/companies/9999', '/orders/9999', '/tags/9999/contacts', '/products/9999', '/hooks/9999']) {
      const answer = await get(sandbox, p);
      expect(answer.status).toBe(404);
      expect(typeof answer.body.message).toBe('string');
    }
    expect((await call(sandbox, 'PATCH', '/notes/9999', { title: 'x' })).status).toBe(404);
  });

  it('creates tag categories and refuses unknown ones', async () => {
    const category = await call(sandbox, 'POST', '/tags/categories', { name: 'Sources, 2026' });
    expect(category.status).toBe(200);
    const tag = await call(sandbox, 'POST', '/tags', { name: 'In category', category: { id: category.body.id } });
    expect(tag.body.category).toEqual({ id: category.body.id, name: 'Sources, 2026', description: '' });
    expect((await get(sandbox, `/tags/${tag.body.id}`)).body.category.name).toBe('Sources, 2026');
    expect((await call(sandbox, 'POST', '/tags', { name: 'x', category: { id: 9999 } })).status).toBe(400);
  });

  it('applies and removes tags in both directions', async () => {
    const tagId = (await call(sandbox, 'POST', '/tags', { name: 'Imported, 2026 ✨' })).body.id;
    const applied = await call(sandbox, 'POST', `/tags/${tagId}/contacts`, { ids: [1, 2, 9999] });
    expect(applied.body).toEqual([{ '1': 'SUCCESS' }, { '2': 'SUCCESS' }, { '9999': 'CONTACT_NOT_FOUND' }]);
    const tagged = await get(sandbox, `/tags/${tagId}/contacts`);
    expect(tagged.body.contacts.map((c: Json) => c.contact.id)).toEqual([1, 2]);
    const onContact = await call(sandbox, 'POST', '/contacts/3/tags', { tagIds: [tagId] });
    expect(onContact.status).toBe(200);
    expect(onContact.body).toEqual([{ [String(tagId)]: 'SUCCESS' }]);
    expect((await get(sandbox, '/contacts/3')).body.tag_ids).toContain(tagId);
    expect((await call(sandbox, 'DELETE', `/contacts/1/tags/${tagId}`)).status).toBe(204);
    const after = await get(sandbox, `/tags/${tagId}/contacts`);
    expect(after.body.contacts.map((c: Json) => c.contact.id)).toEqual([2, 3]);
  });

  it('answers a status per tag when tagging a contact, as Keap does', async () => {
    const first = (await call(sandbox, 'POST', '/tags', { name: 'Per-tag, one' })).body.id;
    const second = (await call(sandbox, 'POST', '/tags', { name: 'Per-tag, two' })).body.id;
    expect((await call(sandbox, 'POST', '/contacts/8/tags', { tagIds: [first] })).body).toEqual([{ [String(first)]: 'SUCCESS' }]);
    const again = await call(sandbox, 'POST', '/contacts/8/tags', { tagIds: [first, second, 424242] });
    expect(again.status).toBe(200);
    expect(again.body).toEqual([{ [String(first)]: 'DUPLICATE' }, { [String(second)]: 'SUCCESS' }, { '424242': 'TAG_ID_NOT_FOUND' }]);
    expect((await get(sandbox, '/contacts/8')).body.tag_ids).toEqual(expect.arrayContaining([first, second]));
    const noContact = await call(sandbox, 'POST', '/contacts/9999/tags', { tagIds: [first] });
    expect(noContact.body).toEqual([{ [String(first)]: 'CONTACT_NOT_FOUND' }]);
    expect((await call(sandbox, 'POST', '/contacts/8/tags', { tagIds: ['one'] })).status).toBe(400);

    const unknownTag = await call(sandbox, 'POST', '/tags/424242/contacts', { ids: [8] });
    expect(unknownTag.body).toEqual([{ '8': 'TAG_ID_NOT_FOUND' }]);
    const noIds = await call(sandbox, 'DELETE', `/contacts/8/tags`);
    expect(noIds.status).toBe(400);
    expect(noIds.body.message).toMatch(/ids/);
    expect((await get(sandbox, '/contacts/8')).body.tag_ids).toEqual(expect.arrayContaining([first, second]));
  });

  it('creates a subscription from a plan, without product_id, and refuses an identical one', async () => {
    const product = (await get(sandbox, '/products/1')).body;
    const plan = product.subscription_plans[0];
    const created = await call(sandbox, 'POST', '/subscriptions', { contact_id: 9, subscription_plan_id: plan.id });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      contact_id: 9,
      product_id: 1,
      subscription_plan_id: plan.id,
      billing_amount: plan.plan_price,
      billing_cycle: plan.cycle_type,
      active: true,
      quantity: 1,
    });
    const listed = (await get(sandbox, '/subscriptions?contact_id=9')).body.subscriptions;
    expect(listed.map((s: Json) => s.id)).toContain(created.body.id);

    const identical = await call(sandbox, 'POST', '/subscriptions', { contact_id: 9, subscription_plan_id: plan.id });
    expect(identical.status).toBe(400);
    expect(identical.body.message).toMatch(/allow_duplicate/);
    expect(
      (await call(sandbox, 'POST', '/subscriptions', { contact_id: 9, subscription_plan_id: plan.id, allow_duplicate: true })).status,
    ).toBe(201);

    const refusals: Array<[Json, RegExp]> = [
      [{ contact_id: 9999, subscription_plan_id: plan.id }, /Contact with id 9999/],
      [{ contact_id: 9, subscription_plan_id: 424242 }, /plan with id 424242/],
      [{ contact_id: 10, subscription_plan_id: plan.id, first_bill_date: '2020-01-01' }, /first_bill_date must not be in the past/],
      [{ contact_id: 10, subscription_plan_id: plan.id, quantity: 0 }, /quantity/],
    ];
    for (const [body, message] of refusals) {
      const answer = await call(sandbox, 'POST', '/subscriptions', body);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(message);
    }
  });

  it('has no PUT /emails/{id}, which the spec lacks', async () => {
    const answer = await call(sandbox, 'PUT', '/emails/1', { sent_to_address: 'x@example.com' });
    expect(answer.status).toBe(404);
    expect(answer.body.message).toMatch(/No endpoint PUT/);
  });

  it('creates orders, adds and removes items, records payments', async () => {
    const product = (await get(sandbox, '/products?limit=1')).body.products[0];
    const order = await call(sandbox, 'POST', '/orders', {
      contact_id: 4,
      order_date: '2026-03-01T10:00:00.000Z',
      order_title: 'Order, "test"',
      order_type: 'Offline',
      order_items: [{ product_id: product.id, quantity: 2, price: 10 }],
    });
    expect(order.status).toBe(201);
    expect(order.body.total).toBe(20);
    const item = await call(sandbox, 'POST', `/orders/${order.body.id}/items`, { product_id: product.id, quantity: 1, price: 5.5 });
    expect(item.status).toBe(201);
    expect((await get(sandbox, `/orders/${order.body.id}`)).body.total).toBe(25.5);
    expect((await call(sandbox, 'DELETE', `/orders/${order.body.id}/items/${item.body.id}`)).status).toBe(204);
    expect((await get(sandbox, `/orders/${order.body.id}`)).body.order_items).toHaveLength(1);
    const payment = await call(sandbox, 'POST', `/orders/${order.body.id}/payments`, { payment_amount: 20, payment_method_type: 'CASH' });
    expect(payment.status).toBe(201);
    expect((await get(sandbox, `/orders/${order.body.id}`)).body.status).toBe('PAID');
    expect((await get(sandbox, `/orders/${order.body.id}/payments`)).body).toHaveLength(1);
    const bad = await call(sandbox, 'POST', '/orders', { contact_id: 4 });
    expect(bad.status).toBe(400);
  });

  it('adds and removes contacts from campaign sequences, and product subscription plans', async () => {
    const campaign = (await get(sandbox, '/campaigns/1?optional_properties=sequences')).body;
    const sequenceId = campaign.sequences[0].id;
    expect((await call(sandbox, 'POST', `/campaigns/1/sequences/${sequenceId}/contacts/5`)).status).toBe(204);
    expect((await call(sandbox, 'DELETE', `/campaigns/1/sequences/${sequenceId}/contacts/5`)).status).toBe(204);
    expect((await call(sandbox, 'POST', '/campaigns/1/sequences/424242/contacts/5')).status).toBe(404);
    const bulk = await call(sandbox, 'POST', `/campaigns/1/sequences/${sequenceId}/contacts`, { ids: [5, 6, 99999] });
    expect(bulk.body).toEqual({ '5': 'SUCCESS', '6': 'SUCCESS', '99999': 'CONTACT_NOT_FOUND' });

    const plan = await call(sandbox, 'POST', '/products/1/subscriptions', { cycle_type: 'MONTH', plan_price: 9.99, frequency: 1 });
    expect(plan.status).toBe(201);
    expect((await get(sandbox, `/products/1/subscriptions/${plan.body.id}`)).body.plan_price).toBe(9.99);
    expect((await get(sandbox, '/products/1')).body.subscription_plans.map((p: Json) => p.id)).toContain(plan.body.id);
    expect((await call(sandbox, 'DELETE', `/products/1/subscriptions/${plan.body.id}`)).status).toBe(204);
    expect((await get(sandbox, `/products/1/subscriptions/${plan.body.id}`)).status).toBe(404);
  });

  it('stores uploaded files byte for byte and serves generated file content', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 44, 34]);
    const created = await call(sandbox, 'POST', '/files', {
      file_name: 'raw, "bytes".bin',
      file_data: bytes.toString('base64'),
      file_association: 'CONTACT',
      contact_id: 2,
      is_public: false,
    });
    expect(created.status).toBe(200);
    const read = await get(sandbox, `/files/${created.body.file_descriptor.id}?optional_properties=file_data`);
    expect(Buffer.from(read.body.file_data, 'base64')).toEqual(bytes);
    expect(read.body.file_descriptor.file_size).toBe(bytes.length);
    expect((await get(sandbox, `/files/${created.body.file_descriptor.id}`)).body.file_data).toBeUndefined();
    const generated = await get(sandbox, '/files/3?optional_properties=file_data');
    expect(Buffer.from(generated.body.file_data, 'base64').length).toBe(generated.body.file_descriptor.file_size);
    expect((await call(sandbox, 'POST', '/files', { file_name: 'x' })).status).toBe(400);
  });

  it('updates a generated hook by key', async () => {
    const updated = await call(sandbox, 'PUT', '/hooks/2', { eventKey: 'order.add', hookUrl: 'https://example.com/moved' });
    expect(updated.body).toMatchObject({ key: '2', eventKey: 'order.add', hookUrl: 'https://example.com/moved' });
    const hooks = (await get(sandbox, '/hooks')).body;
    expect(hooks.find((h: Json) => h.key === '2').hookUrl).toBe('https://example.com/moved');
    expect(hooks.every((h: Json) => h.id === undefined)).toBe(true);
  });

  it('patches and replaces other resources', async () => {
    const note = await call(sandbox, 'POST', '/notes', { contact_id: 2, title: 'Hello', body: 'Line 1\nLine 2' });
    expect(note.status).toBe(201);
    const put = await call(sandbox, 'PUT', `/notes/${note.body.id}`, { contact_id: 2, title: 'Replaced' });
    expect(put.body.body).toBeUndefined();
    expect((await get(sandbox, `/notes/${note.body.id}`)).body.title).toBe('Replaced');
    const company = await call(sandbox, 'PATCH', '/companies/2', { company_name: 'Patched, Inc.', website: 'https://patched.example.com' });
    expect(company.body).toMatchObject({ id: 2, company_name: 'Patched, Inc.', website: 'https://patched.example.com' });
    // The spec's PATCH body (CreateOrPatchCompany) requires company_name.
    const withoutName = await call(sandbox, 'PATCH', '/companies/2', { website: 'https://other.example.com' });
    expect(withoutName.status).toBe(400);
    expect(withoutName.body.message).toMatch(/company_name/);
    expect((await get(sandbox, '/companies/2')).body.website).toBe('https://patched.example.com');
    const hook = await call(sandbox, 'POST', '/hooks', { eventKey: 'contact.add', hookUrl: 'https://example.com/h' });
    expect(hook.body.status).toBe('Unverified');
    expect((await get(sandbox, `/hooks/${hook.body.key}`)).body.hookUrl).toBe('https://example.com/h');
    const profile = await call(sandbox, 'PUT', '/account/profile', { name: 'Renamed Co.' });
    expect(profile.body.name).toBe('Renamed Co.');
    expect((await get(sandbox, '/account/profile')).body.name).toBe('Renamed Co.');
  });
});

describe('dataFile', () => {
  it('persists writes atomically and loads them at the next start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-data-'));
    const file = path.join(dir, 'sandbox.json');
    try {
      const first = await startSandbox({ seed: 2, dataFile: file });
      const created = await call(first, 'POST', '/companies', { company_name: 'Persisted, Inc. 🏢' });
      await call(first, 'DELETE', '/contacts/7');
      await first.close();
      expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
      expect(readdirSync(dir)).toEqual(['sandbox.json']);

      const second = await startSandbox({ seed: 2, dataFile: file });
      try {
        expect((await get(second, `/companies/${created.body.id}`)).body.company_name).toBe('Persisted, Inc. 🏢');
        expect((await get(second, '/contacts/7')).status).toBe(404);
        const next = await call(second, 'POST', '/companies', { company_name: 'Next' });
        expect(next.body.id).toBe(created.body.id + 1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
