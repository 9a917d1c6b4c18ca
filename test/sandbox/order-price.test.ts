/**
 * An order item's `price` is an overridable price (issue 13, item 15): the spec's CreateOrderItem
 * sends it as a string >= 0, the OrderItem read back holds a double, and the product's price is
 * used when it is absent. The order embeds its contact's stored fields as they are when read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, type Json } from './support.js';

describe('sandbox order item price', () => {
  let sandbox: SandboxHandle;
  let product: Json;
  let other: Json;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, counts: { contacts: 20 } });
    const products = (await get(sandbox, '/products?limit=5')).body.products as Json[];
    product = products.find((p) => Number(p.product_price) !== 9.5 && Number(p.product_price) !== 0) ?? products[0];
    other = products.find((p) => p.id !== product.id) ?? products[1];
  });
  afterAll(() => sandbox?.close());

  const newOrder = (items: Json[], contactId = 4) =>
    call(sandbox, 'POST', '/orders', {
      contact_id: contactId,
      order_date: '2026-11-01T10:00:00.000Z',
      order_title: 'Fair order',
      order_type: 'Offline',
      order_items: items,
    });

  it('keeps a price sent as a string, and reads it back as a number', async () => {
    const created = await newOrder([
      { product_id: product.id, quantity: 2, price: '9.50' },
      { product_id: other.id, quantity: 1 },
    ]);
    expect(created.status).toBe(201);
    const order = (await get(sandbox, `/orders/${created.body.id}`)).body;
    expect(order.order_items[0].price).toBe(9.5);
    expect(order.order_items[1].price).toBe(Number(other.product_price));
    expect(order.total).toBe(Math.round((19 + Number(other.product_price)) * 100) / 100);
  });

  it('keeps a price of 0 and a price on an added item', async () => {
    const created = await newOrder([{ product_id: product.id, quantity: 1, price: '0' }]);
    expect(created.status).toBe(201);
    const added = await call(sandbox, 'POST', `/orders/${created.body.id}/items`, { product_id: other.id, quantity: 3, price: '1.25' });
    expect(added.status).toBe(201);
    expect(added.body.price).toBe(1.25);
    const order = (await get(sandbox, `/orders/${created.body.id}`)).body;
    expect(order.order_items.map((item: Json) => item.price)).toEqual([0, 1.25]);
    expect(order.total).toBe(3.75);
  });

  it('refuses a negative price or one that is not a number with a 400', async () => {
    for (const price of ['-1', 'abc', '', -2]) {
      const answer = await newOrder([{ product_id: product.id, quantity: 1, price }]);
      expect(answer.status, `price ${JSON.stringify(price)}`).toBe(400);
      expect(answer.body.message).toMatch(/price/);
    }
  });

  it("embeds the contact's stored fields when the order is read", async () => {
    const contact = await call(sandbox, 'POST', '/contacts', {
      given_name: 'Renée',
      family_name: 'Okafor',
      email_addresses: [{ field: 'EMAIL1', email: 'renee@example.com' }],
    });
    expect(contact.status).toBe(201);
    const created = await newOrder([{ product_id: product.id, quantity: 1 }], contact.body.id);
    expect(created.status).toBe(201);
    expect((await get(sandbox, `/orders/${created.body.id}`)).body.contact).toMatchObject({
      id: contact.body.id,
      first_name: 'Renée',
      last_name: 'Okafor',
      email: 'renee@example.com',
    });
    await call(sandbox, 'PATCH', `/contacts/${contact.body.id}`, {
      given_name: 'Ren',
      email_addresses: [{ field: 'EMAIL1', email: 'ren@example.com' }],
    });
    const listed = (await get(sandbox, `/orders?contact_id=${contact.body.id}`)).body.orders as Json[];
    expect(listed.map((order) => order.contact)).toEqual([
      expect.objectContaining({ first_name: 'Ren', last_name: 'Okafor', email: 'ren@example.com' }),
    ]);
    expect((await get(sandbox, `/orders/${created.body.id}`)).body.contact.email).toBe('ren@example.com');
  });
});
