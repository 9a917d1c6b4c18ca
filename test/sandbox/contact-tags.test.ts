/** Contact tags: both directions of the API tell the same memberships, spread as in a real account. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, type Json } from './support.js';

/** `contactId:tagId@date` for every membership, read one contact at a time. */
async function byContact(sandbox: SandboxHandle): Promise<string[]> {
  const contacts = (await get(sandbox, '/contacts?limit=1000')).body.contacts as Json[];
  const out: string[] = [];
  for (const contact of contacts) {
    const tags = (await get(sandbox, `/contacts/${contact.id}/tags?limit=1000`)).body.tags as Json[];
    for (const applied of tags) out.push(`${contact.id}:${applied.tag.id}@${applied.date_applied}`);
  }
  return out.sort();
}

/** The same, read one tag at a time (`/tags/{id}/contacts`, paged by 7 to cross page boundaries). */
async function byTag(sandbox: SandboxHandle): Promise<string[]> {
  const tags = (await get(sandbox, '/tags?limit=1000')).body.tags as Json[];
  const out: string[] = [];
  for (const tag of tags) {
    for (let offset = 0; ; offset += 7) {
      const page = (await get(sandbox, `/tags/${tag.id}/contacts?limit=7&offset=${offset}`)).body.contacts as Json[];
      for (const member of page) out.push(`${member.contact.id}:${tag.id}@${member.date_applied}`);
      if (page.length < 7) break;
    }
  }
  return out.sort();
}

describe('contact tags in the sandbox', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, counts: { contacts: 120, tags: 25 } });
  });
  afterAll(() => sandbox?.close());

  it('are the same memberships from the contact side and the tag side, and in a contact’s tag_ids', async () => {
    const fromContacts = await byContact(sandbox);
    expect(fromContacts.length).toBeGreaterThan(120);
    expect(await byTag(sandbox)).toEqual(fromContacts);
    const tagIds = (await get(sandbox, '/contacts/3')).body.tag_ids as number[];
    expect(tagIds.map((id) => `3:${id}`)).toEqual(fromContacts.filter((m) => m.startsWith('3:')).map((m) => m.split('@')[0]));
  });

  it('stay the same both ways after tags are applied and removed through either side, and a contact is deleted', async () => {
    const tag = (await call(sandbox, 'POST', '/tags', { name: 'Both ways' })).body.id;
    expect((await call(sandbox, 'POST', `/tags/${tag}/contacts`, { ids: [4, 9] })).status).toBe(200);
    expect((await call(sandbox, 'POST', '/contacts/11/tags', { tagIds: [tag, 2] })).status).toBe(200);
    expect((await call(sandbox, 'DELETE', '/contacts/4/tags/1')).status).toBe(204);
    expect((await call(sandbox, 'DELETE', `/tags/1/contacts?ids=5,6`)).status).toBe(204);
    expect((await call(sandbox, 'DELETE', '/contacts/1')).status).toBe(204);
    const fromContacts = await byContact(sandbox);
    expect(await byTag(sandbox)).toEqual(fromContacts);
    const members = (await get(sandbox, `/tags/${tag}/contacts`)).body.contacts.map((m: Json) => m.contact.id);
    expect(members).toEqual([4, 9, 11]);
    expect(fromContacts.some((m) => /^(4|5|6):1@/.test(m) || m.startsWith('1:'))).toBe(false);
  });

  it('spread like a real account: most contacts carry a few tags, a few tags are on most contacts', async () => {
    const big = await startSandbox({ seed: 9, counts: { contacts: 20_000, tags: 300 } });
    try {
      const sizes: number[] = [];
      for (let tag = 1; tag <= 300; tag++) sizes.push((await get(big, `/tags/${tag}/contacts?limit=1`)).body.count);
      const memberships = sizes.reduce((a, b) => a + b, 0);
      // Three tags on more than half the contacts; the median tag on under 1%.
      expect(sizes.filter((n) => n > 10_000)).toHaveLength(3);
      expect([...sizes].sort((a, b) => a - b)[150]).toBeLessThan(200);
      // About 3 to 5 tags a contact on average; contacts read one by one agree.
      expect(memberships / 20_000).toBeGreaterThan(2.5);
      expect(memberships / 20_000).toBeLessThan(5);
      const perContact: number[] = [];
      for (let id = 1000; id < 1100; id++) perContact.push((await get(big, `/contacts/${id}/tags`)).body.count);
      expect(perContact.filter((n) => n >= 1 && n <= 6).length).toBeGreaterThan(75);
    } finally {
      await big.close();
    }
  });

  it('is the same for the same seed and differs for another', async () => {
    const [one, same, other] = await Promise.all([5, 5, 6].map((seed) => startSandbox({ seed, counts: { contacts: 120, tags: 25 } })));
    try {
      const members = async (s: SandboxHandle) => JSON.stringify((await get(s, '/tags/7/contacts')).body.contacts);
      expect(await members(same!)).toBe(await members(one!));
      expect(await members(other!)).not.toBe(await members(one!));
    } finally {
      await Promise.all([one, same, other].map((s) => s?.close()));
    }
  });
});
