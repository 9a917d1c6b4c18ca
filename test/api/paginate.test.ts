import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerTokenSource } from '../../src/api/credentials.js';
import { createClient } from '../../src/api/client.js';
import type { KeapApi, Page } from '../../src/api/types.js';
import type { ResponseShape } from '../../src/catalog/types.js';
import { ApiError } from '../../src/errors.js';
import { json, sleep, startServer, type SeenRequest, type TestServer } from './server.js';

let server: TestServer;
let api: KeapApi;
const contacts: ResponseShape = { kind: 'page', key: 'contacts' };

beforeEach(async () => {
  server = await startServer();
  api = createClient({
    baseUrl: server.base,
    credentials: bearerTokenSource('t', 'test'),
    random: () => 0,
    retryBaseMs: 1,
  });
});
afterEach(async () => {
  await api.close();
  await server.close();
});

async function collect(pages: AsyncIterable<Page>): Promise<Page[]> {
  const all: Page[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

const records = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => ({ id: from + i }));

/** A Keap-like list of `total` contacts whose `next` is built by `nextFor` (default: Keap's host). */
function keapList(total: number, nextFor = (req: SeenRequest, offset: number, limit: number) => keapNext(req, offset + limit, limit)) {
  return (req: SeenRequest, res: Parameters<typeof json>[0]) => {
    const limit = Number(req.query.get('limit'));
    const offset = Number(req.query.get('offset'));
    json(res, 200, { contacts: records(offset, Math.min(total, offset + limit)), count: total, next: nextFor(req, offset, limit) }, generous);
  };
}

/** Keap sends its throttle headers on every answer; without them the client assumes OAuth's 25 a second. */
const generous = { 'x-keap-product-throttle-limit': '1000000', 'x-keap-product-throttle-time-unit': 'minute', 'x-keap-product-throttle-interval': '1' };

/** Keap's own next: absolute at Keap's host, and without optional_properties. */
function keapNext(req: SeenRequest, offset: number, limit: number): string {
  return `https://api.infusionsoft.com/crm/rest/v1${req.path.replace('/crm/rest/v1', '')}?limit=${limit}&offset=${offset}`;
}

describe('paging', () => {
  it('stops on a short page, sending the caller query on every request', async () => {
    server.handle(keapList(5));
    const pages = await collect(
      api.paginate('/contacts', contacts, { pageSize: 2, query: { optional_properties: ['custom_fields'], order: 'id' } }),
    );
    expect(pages.map((p) => p.records.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.offset)).toEqual([0, 2, 4]);
    expect(pages[0]?.count).toBe(5);
    expect(server.requests).toHaveLength(3);
    for (const req of server.requests) {
      expect(req.path).toBe('/crm/rest/v1/contacts');
      expect(req.query.get('optional_properties')).toBe('custom_fields');
      expect(req.query.get('order')).toBe('id');
    }
    expect(server.requests.map((r) => r.query.get('offset'))).toEqual(['0', '2', '4']);
  });

  it.each([
    ['is missing', () => undefined],
    ['is empty', () => ''],
    ['does not advance', (req: SeenRequest, offset: number, limit: number) => keapNext(req, offset, limit)],
  ])('stops when next %s', async (_name, nextFor) => {
    server.handle(keapList(100, nextFor));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10 }));
    expect(pages).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  it('stops on an empty page', async () => {
    server.handle(keapList(4));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 2 }));
    expect(pages.map((p) => p.records.length)).toEqual([2, 2, 0]);
  });

  it("follows next on the configured base and never contacts next's host", async () => {
    const other = await startServer();
    try {
      server.handle(
        keapList(5, (req, offset, limit) => `${other.base}${req.path.replace('/crm/rest/v1', '')}?limit=${limit}&offset=${offset + limit}&sync=1`),
      );
      const pages = await collect(api.paginate('/tags/7/contacts', contacts, { pageSize: 2, query: { optional_properties: 'x' } }));
      expect(pages.flatMap((p) => p.records)).toEqual(records(0, 5));
      expect(other.requests).toHaveLength(0);
      expect(server.requests.map((r) => r.path)).toEqual(Array(3).fill('/crm/rest/v1/tags/7/contacts'));
      // Parameters next carries are kept; the ones it dropped are put back.
      expect(server.requests[2]?.query.get('sync')).toBe('1');
      expect(server.requests[2]?.query.get('optional_properties')).toBe('x');
    } finally {
      await other.close();
    }
  });

  it('treats a query written into the path as the caller query', async () => {
    server.handle(keapList(3));
    const pages = await collect(api.paginate('/contacts?email=a%40b.c&limit=2', contacts));
    expect(pages.map((p) => p.records.length)).toEqual([2, 1]);
    expect(server.requests.map((r) => [r.path, r.query.get('email'), r.query.get('limit')])).toEqual([
      ['/crm/rest/v1/contacts', 'a@b.c', '2'],
      ['/crm/rest/v1/contacts', 'a@b.c', '2'],
    ]);
  });

  it('stops with the abort reason when the caller aborts', async () => {
    server.handle(keapList(1000));
    const controller = new AbortController();
    const consume = async () => {
      for await (const page of api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 2, signal: controller.signal })) {
        if (page.offset === 20) controller.abort(new Error('stop now'));
      }
    };
    await expect(consume()).rejects.toThrow('stop now');
    expect(server.requests.length).toBeLessThan(10);
  });

  it('caps the page size at 1000', async () => {
    server.handle(keapList(3));
    await collect(api.paginate('/contacts', contacts, { pageSize: 5000 }));
    expect(server.requests[0]?.query.get('limit')).toBe('1000');
  });

  it('says what it expected when the body is not a page', async () => {
    server.handle((_req, res) => json(res, 200, { people: [] }));
    await expect(collect(api.paginate('/contacts', contacts))).rejects.toThrow(/expected an object with an array "contacts", got an object with "people"/);
  });
});

describe('prefetch', () => {
  it('keeps several pages in flight, yields them in order and stops at the end', async () => {
    const total = 23;
    const list = keapList(total);
    server.handle(async (req, res, index) => {
      // Later requests answer sooner, so pages arrive out of order.
      await sleep(Math.max(0, 40 - index * 5));
      list(req, res);
    });
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 5, prefetch: 3 }));
    expect(pages.map((p) => p.offset)).toEqual([0, 5, 10, 15, 20]);
    expect(pages.flatMap((p) => p.records)).toEqual(records(0, total));
    expect(server.maxInFlight).toBeGreaterThan(1);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    // Speculative requests past the end are bounded by the prefetch depth.
    expect(server.requests.length).toBeLessThanOrEqual(5 + 2);
  });

  it('abandons the pages in flight when the consumer stops early', async () => {
    server.handle(keapList(1000));
    let seen = 0;
    for await (const page of api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 4 })) {
      seen += page.records.length;
      if (seen >= 20) break;
    }
    expect(seen).toBe(20);
    expect(server.requests.length).toBeLessThanOrEqual(2 + 4);
  });
});

describe('shapes that are not paged', () => {
  it('list: the array under the key', async () => {
    server.handle((_req, res) => json(res, 200, { count: 2, summaries: [{ id: 1 }, { id: 2 }] }));
    const pages = await collect(api.paginate('/affiliates/summaries', { kind: 'list', key: 'summaries' }, { query: { limit: 5 } }));
    expect(pages).toEqual([{ records: [{ id: 1 }, { id: 2 }], offset: 0, count: 2 }]);
    expect(server.requests[0]?.query.get('limit')).toBe('5');
  });

  it('array: the bare array', async () => {
    server.handle((_req, res) => json(res, 200, [{ key: 'a' }]));
    expect(await collect(api.paginate('/hooks', { kind: 'array' }))).toEqual([{ records: [{ key: 'a' }], offset: 0 }]);
  });

  it('object: the object as one record', async () => {
    server.handle((_req, res) => json(res, 200, { name: 'Acme' }));
    expect(await collect(api.paginate('/account/profile', { kind: 'object' }))).toEqual([{ records: [{ name: 'Acme' }], offset: 0 }]);
  });

  it('map: one record per entry', async () => {
    server.handle((_req, res) => json(res, 200, { countries: { US: 'United States', FR: 'France' } }));
    const pages = await collect(
      api.paginate('/locales/countries', { kind: 'map', key: 'countries', keyName: 'code', valueName: 'name' }),
    );
    expect(pages[0]?.records).toEqual([
      { code: 'US', name: 'United States' },
      { code: 'FR', name: 'France' },
    ]);
  });

  it.each([
    [{ kind: 'array' } as ResponseShape, { hooks: [] }, /expected a JSON array, got an object with "hooks"/],
    [{ kind: 'object' } as ResponseShape, [1], /expected a JSON object, got an array/],
    [{ kind: 'list', key: 'summaries' } as ResponseShape, { summary: [] }, /expected an object with an array "summaries"/],
    [{ kind: 'map', key: 'countries', keyName: 'k', valueName: 'v' } as ResponseShape, { countries: [] }, /expected an object with a map "countries"/],
  ])('a body of the wrong shape is an ApiError (%o)', async (shape, body, message) => {
    server.handle((_req, res) => json(res, 200, body));
    const error = await collect(api.paginate('/x', shape)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(message);
  });
});
