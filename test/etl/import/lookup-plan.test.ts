/**
 * `--lookup` plans its reads (issue 17, item 6): on a key Keap can filter on, a few values are read
 * one filtered request each; many values, where the list's pages cost fewer requests, are read as one
 * list indexed for just those values, with the same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/api/client.js';
import { bearerTokenSource } from '../../../src/api/credentials.js';
import type { KeapApi } from '../../../src/api/types.js';
import { createLookups, parseLookup } from '../../../src/etl/import/lookup.js';
import { sandboxGet, startTestSandbox, type TestSandbox } from '../../support/cli.js';

type Rec = Record<string, unknown>;

let sandbox: TestSandbox;
let api: KeapApi;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 1_500 } });
  api = createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test'), retryBaseMs: 1, maxRetries: 0 });
});
afterAll(async () => {
  await api.close();
  await sandbox.stop();
});

const resetStats = () => fetch(`${sandbox.origin}/_sandbox/reset-stats`, { method: 'POST' });

async function emailsAndIds(count: number): Promise<Array<[string, number]>> {
  const page = (await sandboxGet(sandbox, '/contacts?limit=200&order=id&order_direction=ASCENDING')) as { contacts: Rec[] };
  const pairs: Array<[string, number]> = [];
  for (const contact of page.contacts) {
    const email = (contact.email_addresses as Rec[]).find((entry) => entry.field === 'EMAIL1')?.email;
    if (typeof email === 'string' && !pairs.some(([known]) => known === email)) pairs.push([email, contact.id as number]);
  }
  return pairs.slice(0, count);
}

describe('lookups: a filtered read per value, or one list read', () => {
  it('reads two values with a filtered request each', async () => {
    const pairs = await emailsAndIds(2);
    await resetStats();
    const results = await createLookups(api).resolve(
      parseLookup('contact_id=contacts.email'),
      pairs.map(([email]) => email),
    );
    expect(pairs.map(([email]) => results.get(email))).toEqual(pairs.map(([, id]) => ({ id })));
    expect((await sandbox.stats()).requests).toEqual({ 'GET /contacts': 2 });
  });

  it('reads 40 values of 1,500 contacts as a probe and two list pages, with the same answers', async () => {
    const pairs = await emailsAndIds(40);
    expect(pairs).toHaveLength(40);
    await resetStats();
    const values = [...pairs.map(([email]) => email.toUpperCase()), 'nobody@example.org'];
    const results = await createLookups(api).resolve(parseLookup('contact_id=contacts.email'), values);
    expect(pairs.map(([email]) => results.get(email.toUpperCase()))).toEqual(pairs.map(([, id]) => ({ id })));
    expect(results.get('nobody@example.org')).toEqual({ error: 'no contact with email "nobody@example.org"' });
    expect((await sandbox.stats()).requests).toEqual({ 'GET /contacts': 3 });
  });
});
