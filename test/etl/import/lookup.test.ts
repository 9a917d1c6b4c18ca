/**
 * Natural keys to ids, against a real sandbox over loopback: one filtered request per distinct value
 * or one list read for many, exact matching after Keap's filter, the run's cache, recovery of a
 * create whose answer was lost, tags created once by name, and tag application statuses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/api/client.js';
import { bearerTokenSource } from '../../../src/api/credentials.js';
import type { KeapApi } from '../../../src/api/types.js';
import { findResource } from '../../../src/catalog/index.js';
import { UsageError } from '../../../src/errors.js';
import { applyTags, createLookups, parseLookup } from '../../../src/etl/import/lookup.js';
import { sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../../support/cli.js';

type Rec = Record<string, unknown>;

const clientFor = (sandbox: TestSandbox): KeapApi =>
  createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test'), retryBaseMs: 1, maxRetries: 0 });

const resetStats = (sandbox: TestSandbox) => fetch(`${sandbox.origin}/_sandbox/reset-stats`, { method: 'POST' });

async function newContact(sandbox: TestSandbox, email: string): Promise<number> {
  const created = (await sandboxSend(sandbox, 'POST', '/contacts', { email_addresses: [{ field: 'EMAIL1', email }] })) as Rec;
  return created['id'] as number;
}

describe('parseLookup', () => {
  it('reads FIELD=RESOURCE.KEY, with dotted fields and resource aliases', () => {
    expect(parseLookup('contact_id=contacts.email')).toEqual({ field: 'contact_id', resource: 'contacts', key: 'email' });
    expect(parseLookup('order_items.product_id=product.sku')).toEqual({
      field: 'order_items.product_id',
      resource: 'products',
      key: 'sku',
    });
    expect(parseLookup('tag_id=tags.name')).toEqual({ field: 'tag_id', resource: 'tags', key: 'name' });
  });

  it('refuses bad syntax, naming --lookup and the form it wants', () => {
    for (const text of ['contact_id', 'contact_id=contacts', '=contacts.email', 'contact_id=.email', 'contact_id=contacts.']) {
      expect(() => parseLookup(text)).toThrow(UsageError);
      expect(() => parseLookup(text)).toThrow(`--lookup "${text}" is not FIELD=RESOURCE.KEY`);
    }
  });

  it('refuses an unknown resource with a suggestion, and a key the resource has not, listing the ones it has', () => {
    const unknown = catchUsage(() => parseLookup('contact_id=contcts.email'));
    expect(unknown.message).toBe('--lookup "contact_id=contcts.email": unknown resource "contcts"');
    expect(unknown.hint).toMatch(/did you mean "contacts"/);
    const badKey = catchUsage(() => parseLookup('product_id=products.barcode'));
    expect(badKey.message).toBe('--lookup "product_id=products.barcode": products cannot be looked up by "barcode"');
    expect(badKey.hint).toBe('products can be looked up by sku, product_name, e.g. --lookup product_id=products.sku.');
    const noKeys = catchUsage(() => parseLookup('note_id=notes.title'));
    expect(noKeys.message).toBe('--lookup "note_id=notes.title": notes cannot be looked up by a value');
    expect(noKeys.hint).toMatch(/contacts \(email\).*tags \(name\)/);
  });
});

function catchUsage(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('lookups against the sandbox', () => {
  let sandbox: TestSandbox;
  let api: KeapApi;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ seed: 7, counts: { contacts: 30, products: 25, tags: 10 } });
    api = clientFor(sandbox);
  });
  afterAll(async () => {
    await api?.close();
    await sandbox?.stop();
  });
  beforeEach(() => resetStats(sandbox));

  it('resolves emails with one filtered request per distinct value, ignoring case, and caches them for the run', async () => {
    const ada = await newContact(sandbox, 'ada@example.org');
    const bob = await newContact(sandbox, 'bob@example.org');
    await resetStats(sandbox);
    const lookups = createLookups(api);
    const spec = parseLookup('contact_id=contacts.email');
    const results = await lookups.resolve(spec, ['ada@example.org', 'ADA@Example.org', 'bob@example.org', 'ada@example.org']);
    expect([...results]).toEqual([
      ['ada@example.org', { id: ada }],
      ['ADA@Example.org', { id: ada }],
      ['bob@example.org', { id: bob }],
    ]);
    expect((await sandbox.stats()).requests).toEqual({ 'GET /contacts': 2 });

    const again = await lookups.resolve(spec, ['bob@example.org', 'Ada@example.org']);
    expect(again.get('bob@example.org')).toEqual({ id: bob });
    expect(again.get('Ada@example.org')).toEqual({ id: ada });
    expect((await sandbox.stats()).requests).toEqual({ 'GET /contacts': 2 });
  });

  it('reads a list without a filter once and indexes it (products by sku)', async () => {
    const products = ((await sandboxGet(sandbox, '/products?limit=1000')) as { products: Rec[] }).products;
    const [first, second, third] = products;
    await resetStats(sandbox);
    const lookups = createLookups(api);
    const spec = parseLookup('product_id=products.sku');
    const skus = [first, second, third].map((product) => String(product?.['sku']));
    const results = await lookups.resolve(spec, [...skus, 'SKU-NONE']);
    expect(skus.map((sku) => results.get(sku))).toEqual([first, second, third].map((product) => ({ id: product?.['id'] })));
    expect(results.get('SKU-NONE')).toEqual({ error: 'no product with sku "SKU-NONE"' });
    // Case matters for SKUs, and a second call reads nothing more.
    const later = await lookups.resolve(spec, [skus[0]?.toLowerCase() as string, skus[1] as string]);
    expect(later.get(skus[0]?.toLowerCase() as string)).toEqual({ error: `no product with sku "${skus[0]?.toLowerCase()}"` });
    expect((await sandbox.stats()).requests).toEqual({ 'GET /products': 1 });
  });

  it('says which records share a value, and that none has it', async () => {
    const one = await newContact(sandbox, 'twin@example.org');
    const two = await newContact(sandbox, 'twin@example.org');
    const results = await createLookups(api).resolve(parseLookup('contact_id=contacts.email'), ['twin@example.org', 'nobody@example.org']);
    expect(results.get('twin@example.org')).toEqual({ error: `several contacts with email "twin@example.org" (ids ${one}, ${two})` });
    expect(results.get('nobody@example.org')).toEqual({ error: 'no contact with email "nobody@example.org"' });
  });

  it("compares exactly after Keap's filter: a tag name in another case is not a match", async () => {
    const tag = (await sandboxSend(sandbox, 'POST', '/tags', { name: 'Import VIP' })) as Rec;
    const results = await createLookups(api).resolve(parseLookup('tag_id=tags.name'), ['Import VIP', 'import vip']);
    expect(results.get('Import VIP')).toEqual({ id: tag['id'] });
    expect(results.get('import vip')).toEqual({ error: 'no tag with name "import vip"' });
    // The sandbox's filter, like Keap's, did answer the second value with the tag.
    expect(((await sandboxGet(sandbox, '/tags?name=import%20vip')) as { tags: Rec[] }).tags).toHaveLength(1);
  });

  it('recovers by the body key, asking Keap afresh: found, absent, or cannot', async () => {
    const contacts = findResource('contacts');
    const lookups = createLookups(api);
    const body = (email: string) => ({
      given_name: 'R',
      email_addresses: [
        { field: 'EMAIL2', email: 'x@example.org' },
        { field: 'EMAIL1', email },
      ],
    });
    const before = await lookups.resolve(parseLookup('contact_id=contacts.email'), ['late@example.org']);
    expect(before.get('late@example.org')).toEqual({ error: 'no contact with email "late@example.org"' });
    expect(await lookups.recover(contacts, body('late@example.org'))).toEqual({ kind: 'absent' });
    const id = await newContact(sandbox, 'late@example.org');
    // With its creation time (the catalog's createdField), to tell a record just made from an older one.
    expect(await lookups.recover(contacts, body('late@example.org'))).toEqual({ kind: 'found', id, createdAt: expect.any(Number) });
    expect(await lookups.recover(contacts, { given_name: 'No email' })).toEqual({
      kind: 'cannot',
      reason: 'the row has no email_addresses.EMAIL1.email to find the contact by',
    });
    expect(await lookups.recover(findResource('notes'), { title: 'x' })).toEqual({
      kind: 'cannot',
      reason: 'notes have no natural key to find a created record by',
    });
    await newContact(sandbox, 'late@example.org');
    expect(await lookups.recover(contacts, body('late@example.org'))).toMatchObject({
      kind: 'cannot',
      reason: expect.stringMatching(/^several contacts/),
    });
  });

  it('recovers by a listed key when the read has no filter (products by sku)', async () => {
    const products = findResource('products');
    const lookups = createLookups(api);
    expect(await lookups.recover(products, { product_name: 'Widget', sku: 'SKU-RECOVER' })).toEqual({ kind: 'absent' });
    const made = (await sandboxSend(sandbox, 'POST', '/products', { product_name: 'Widget', sku: 'SKU-RECOVER' })) as Rec;
    expect(await lookups.recover(products, { product_name: 'Widget', sku: 'SKU-RECOVER' })).toEqual({ kind: 'found', id: made['id'] });
  });

  it('creates a tag once per name when asked concurrently, and later lookups find it without a read', async () => {
    const lookups = createLookups(api);
    await resetStats(sandbox);
    const ids = await Promise.all([lookups.createTag?.('Spring sale'), lookups.createTag?.('Spring sale'), lookups.createTag?.('Autumn')]);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    const found = await lookups.resolve(parseLookup('tag_id=tags.name'), ['Spring sale']);
    expect(found.get('Spring sale')).toEqual({ id: ids[0] });
    expect((await sandbox.stats()).requests).toEqual({ 'POST /tags': 2 });
    expect(((await sandboxGet(sandbox, `/tags/${ids[0]}`)) as Rec)['name']).toBe('Spring sale');
  });

  it('applies tags: SUCCESS and DUPLICATE succeed, any other status fails that tag', async () => {
    const contactId = await newContact(sandbox, 'tagged@example.org');
    const first = (await sandboxSend(sandbox, 'POST', '/tags', { name: 'Applied before' })) as Rec;
    const second = (await sandboxSend(sandbox, 'POST', '/tags', { name: 'Applied now' })) as Rec;
    await sandboxSend(sandbox, 'POST', `/contacts/${contactId}/tags`, { tagIds: [first['id']] });
    const tagIds = [first['id'] as number, second['id'] as number, 987654];
    expect(await applyTags(api, contactId, tagIds)).toEqual({ failed: [{ tagId: 987654, status: 'TAG_ID_NOT_FOUND' }] });
    const applied = ((await sandboxGet(sandbox, `/contacts/${contactId}/tags`)) as { tags: Array<{ tag: Rec }> }).tags;
    expect(applied.map((entry) => entry.tag['id']).sort()).toEqual([first['id'], second['id']].sort());
    expect(await applyTags(api, 99999, [first['id'] as number])).toEqual({ failed: [{ tagId: first['id'], status: 'CONTACT_NOT_FOUND' }] });
    await resetStats(sandbox);
    expect(await applyTags(api, contactId, [])).toEqual({ failed: [] });
    expect((await sandbox.stats()).requests).toEqual({});
  });
});

describe('recovery after a write whose answer was lost', () => {
  it('finds the contact a create made though the connection dropped before the answer', async () => {
    const sandbox = await startTestSandbox({ seed: 9, counts: { contacts: 20 }, faults: 'drop-after-write:1' });
    const api = clientFor(sandbox);
    try {
      const body = { given_name: 'Lost', email_addresses: [{ field: 'EMAIL1', email: 'lost.answer@example.org' }] };
      await expect(api.request('POST', '/contacts', { body })).rejects.toThrow();
      const found = await createLookups(api).recover(findResource('contacts'), body);
      expect(found).toMatchObject({ kind: 'found' });
      const read = (await sandboxGet(sandbox, `/contacts/${(found as { id: number }).id}`)) as Rec;
      expect(read['given_name']).toBe('Lost');
      expect((await sandbox.stats()).requests['POST /contacts']).toBe(1);
    } finally {
      await api.close();
      await sandbox.stop();
    }
  });
});
