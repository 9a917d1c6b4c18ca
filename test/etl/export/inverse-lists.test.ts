/**
 * The inverse lists read with DESIGN section 3's paging guarantee on `/tags/{id}/contacts`, which
 * has no order parameter: pages overlap and are lined up by contact id, and a tag whose pages do
 * not line up (members removed meanwhile) is read again. Memberships change between the pages here
 * through the sandbox's API, as another user of the account would change them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/api/client.js';
import { bearerTokenSource } from '../../../src/api/credentials.js';
import type { KeapApi, RequestOptions } from '../../../src/api/types.js';
import { findResource } from '../../../src/catalog/index.js';
import { type Member, readInverseLists } from '../../../src/etl/export/inverse-lists.js';
import { sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../../support/cli.js';

let sandbox: TestSandbox;
let api: KeapApi;
const tags = findResource('contacts').gathered!.find((g) => g.name === 'tags')!;
const inverse = tags.inverse!;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 3, counts: { contacts: 200, tags: 6 } });
  api = createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test') });
});
afterAll(async () => {
  await api?.close();
  await sandbox?.stop();
});

/** The client, with something done to the account right after a given page of a tag's members is answered. */
function changingAfter(path: string, offset: number, change: () => Promise<void>): KeapApi {
  let done = false;
  return {
    baseUrl: api.baseUrl,
    async request<T>(method: string, requestPath: string, options?: RequestOptions) {
      const response = await api.request<T>(method, requestPath, options);
      if (!done && requestPath === path && options?.query?.['offset'] === offset) {
        done = true;
        await change();
      }
      return response;
    },
    paginate: (p, shape, options) => api.paginate(p, shape, options),
    stats: () => api.stats(),
    close: () => api.close(),
  };
}

async function membersNow(tagId: number): Promise<number[]> {
  const body = (await sandboxGet(sandbox, `/tags/${tagId}/contacts?limit=1000`)) as { contacts: Array<{ contact: { id: number } }> };
  return body.contacts.map((m) => m.contact.id);
}

async function readTag(client: KeapApi, tagIndex: number): Promise<{ ids: number[]; rereads: number }> {
  const byGroup = new Map<number, Member[]>();
  const read = await readInverseLists(client, inverse, {
    memberPaths: ['date_applied'],
    pageSize: 10,
    onMembers: (index, members) => byGroup.set(index, members),
  });
  return { ids: (byGroup.get(tagIndex) ?? []).map(([id]) => Number(id)), rereads: read.rereads };
}

describe('reading tag memberships inversely', () => {
  it('reads a tag again when members removed behind its page leave a gap, and ends with the tag as it is', async () => {
    const before = await membersNow(2);
    expect(before.length).toBeGreaterThan(40);
    // Five members of the first page go: the page at offset 7 then starts past the three it should repeat.
    const removed = before.slice(1, 6);
    const client = changingAfter('/tags/2/contacts', 0, async () => {
      await sandboxSend(sandbox, 'DELETE', `/tags/2/contacts?ids=${removed.join(',')}`);
    });
    const { ids, rereads } = await readTag(client, 1);
    expect(rereads).toBe(1);
    expect(ids).toEqual(await membersNow(2));
    expect(ids).toEqual(before.filter((id) => !removed.includes(id)));
  });

  it('keeps every member once when members are applied ahead of and behind the page being read', async () => {
    const before = await membersNow(3);
    const outsiders = (await membersNow(4)).filter((id) => !before.includes(id));
    // One contact behind the second page (a lower id than its members), one far ahead.
    const behind = outsiders.find((id) => id < (before[12] as number))!;
    const ahead = outsiders.find((id) => id > (before[before.length - 1] as number)) ?? 199;
    const client = changingAfter('/tags/3/contacts', 7, async () => {
      await sandboxSend(sandbox, 'POST', '/tags/3/contacts', { ids: [behind, ahead] });
    });
    const { ids, rereads } = await readTag(client, 2);
    expect(rereads).toBe(0);
    expect(new Set(ids).size).toBe(ids.length);
    // Every member that was a member throughout is there, and the one applied ahead of the read too.
    for (const id of [...before, ahead]) expect(ids).toContain(id);
  });

  it('gives up on a tag whose pages never line up, saying so', async () => {
    let removals = 0;
    const client: KeapApi = {
      ...changingAfter('', -1, async () => {}),
      async request<T>(method: string, path: string, options?: RequestOptions) {
        const response = await api.request<T>(method, path, options);
        // Every first page of tag 1 is followed by removals behind it: no read can line up.
        if (path === '/tags/1/contacts' && options?.query?.['offset'] === 0) {
          const ids = (await membersNow(1)).slice(1, 6);
          removals++;
          await sandboxSend(sandbox, 'DELETE', `/tags/1/contacts?ids=${ids.join(',')}`);
        }
        return response;
      },
    };
    await expect(readTag(client, 0)).rejects.toThrow(/paging \/tags\/1\/contacts lost its place 3 times/);
    expect(removals).toBe(3);
  });
});
