import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerTokenSource } from '../../src/api/credentials.js';
import { createClient } from '../../src/api/client.js';
import type { CredentialSource, KeapApi, Page } from '../../src/api/types.js';
import type { ResponseShape } from '../../src/catalog/types.js';
import type { Reporter } from '../../src/reporter.js';
import { PagingError } from '../../src/api/errors.js';
import { ApiError } from '../../src/errors.js';
import { json, startServer, text, type SeenRequest, type TestServer } from './server.js';

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
    json(
      res,
      200,
      { contacts: records(offset, Math.min(total, offset + limit)), count: total, next: nextFor(req, offset, limit) },
      generous,
    );
  };
}

/** Keap sends its throttle headers on every answer; without them the client assumes OAuth's 25 a second. */
const generous = {
  'x-keap-product-throttle-limit': '1000000',
  'x-keap-product-throttle-time-unit': 'minute',
  'x-keap-product-throttle-interval': '1',
};

/** Keap's own next: absolute at Keap's host, and without optional_properties. */
function keapNext(req: SeenRequest, offset: number, limit: number): string {
  return `https://api.infusionsoft.com/crm/rest/v1${req.path.replace('/crm/rest/v1', '')}?limit=${limit}&offset=${offset}`;
}

/** A Keap-like list over the ids in `live` (tests delete from it between requests), in that order. */
function liveList(live: number[], nextFor = (req: SeenRequest, offset: number, limit: number) => keapNext(req, offset + limit, limit)) {
  return (req: SeenRequest, res: Parameters<typeof json>[0]) => {
    const limit = Number(req.query.get('limit'));
    const offset = Number(req.query.get('offset'));
    json(res, 200, {
      contacts: live.slice(offset, offset + limit).map((id) => ({ id })),
      count: live.length,
      next: nextFor(req, offset, limit),
    });
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const ids = (pages: Page[]) => pages.flatMap((p) => p.records.map((r) => (r as { id: number }).id));
const offsets = (server: TestServer) => server.requests.map((r) => Number(r.query.get('offset')));

describe('paging', () => {
  it('overlaps pages by a few records, yields each record once, stops on a short page, sending the caller query on every request', async () => {
    server.handle(keapList(25));
    const pages = await collect(
      api.paginate('/contacts', contacts, { pageSize: 10, query: { optional_properties: ['custom_fields'], email: 'a' } }),
    );
    expect(ids(pages)).toEqual(range(0, 25));
    expect(pages.map((p) => p.offset)).toEqual([0, 7, 14, 21]);
    expect(pages.map((p) => p.more)).toEqual([true, true, true, false]);
    expect(pages[0]?.count).toBe(25);
    for (const req of server.requests) {
      expect(req.path).toBe('/crm/rest/v1/contacts');
      expect(req.query.get('optional_properties')).toBe('custom_fields');
      expect(req.query.get('email')).toBe('a');
      expect(req.query.get('limit')).toBe('10');
    }
    expect(offsets(server)).toEqual([0, 7, 14, 21]);
  });

  it('asks again for a page whose JSON arrived broken, prefetched or not', async () => {
    const list = keapList(25);
    let broken = false;
    server.handle((req, res) => {
      // The page at offset 7 first comes back as a complete answer that is not valid JSON.
      if (req.query.get('offset') === '7' && !broken) {
        broken = true;
        text(res, 200, 'application/json', '{"contacts":[{"id":');
        return;
      }
      list(req, res);
    });
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 3 }));
    expect(ids(pages)).toEqual(range(0, 25));
    expect(offsets(server).filter((offset) => offset === 7)).toHaveLength(2);
  });

  it('asks for the stable order on every page, unless the caller names an order of its own', async () => {
    const order = { order: 'id', order_direction: 'ASCENDING' };
    server.handle(keapList(12));
    await collect(api.paginate('/contacts', contacts, { pageSize: 10, order }));
    expect(server.requests.map((r) => [r.query.get('order'), r.query.get('order_direction')])).toEqual([
      ['id', 'ASCENDING'],
      ['id', 'ASCENDING'],
    ]);
    server.requests.length = 0;
    await collect(api.paginate('/contacts?order=email', contacts, { pageSize: 10, order }));
    expect(server.requests.map((r) => [r.query.get('order'), r.query.get('order_direction')])).toEqual([
      ['email', null],
      ['email', null],
    ]);
  });

  it.each([
    ['is missing', () => undefined],
    ['is empty', () => ''],
  ])('stops when next %s', async (_name, nextFor) => {
    server.handle(keapList(100, nextFor));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10 }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.more).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('pages on by offset when next is not a link it can follow', async () => {
    server.handle(keapList(15, () => 'string'));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10 }));
    expect(ids(pages)).toEqual(range(0, 15));
    expect(server.requests.map((r) => r.path)).toEqual(Array(2).fill('/crm/rest/v1/contacts'));
  });

  it('ends on the short page that holds only the overlap when the list ends on a full page', async () => {
    server.handle(keapList(8));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 5 }));
    // Pages of 5 overlap by 2: offsets 0, 3 (full), 6 (two records, both already read).
    expect(ids(pages)).toEqual(range(0, 8));
    expect(pages.map((p) => p.records.length)).toEqual([5, 3, 0]);
    expect(offsets(server)).toEqual([0, 3, 6]);
  });

  it("follows next on the configured base and never contacts next's host", async () => {
    const other = await startServer();
    try {
      server.handle(
        keapList(
          5,
          (req, offset, limit) => `${other.base}${req.path.replace('/crm/rest/v1', '')}?limit=${limit}&offset=${offset + limit}&sync=1`,
        ),
      );
      const pages = await collect(api.paginate('/tags/7/contacts', contacts, { pageSize: 2, query: { optional_properties: 'x' } }));
      expect(pages.flatMap((p) => p.records)).toEqual(records(0, 5));
      expect(other.requests).toHaveLength(0);
      expect(new Set(server.requests.map((r) => r.path))).toEqual(new Set(['/crm/rest/v1/tags/7/contacts']));
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
    expect(pages.flatMap((p) => p.records)).toEqual(records(0, 3));
    for (const req of server.requests)
      expect([req.path, req.query.get('email'), req.query.get('limit')]).toEqual(['/crm/rest/v1/contacts', 'a@b.c', '2']);
  });

  it('stops with the abort reason when the caller aborts', async () => {
    server.handle(keapList(1000));
    const controller = new AbortController();
    const consume = async () => {
      for await (const page of api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 2, signal: controller.signal })) {
        if (page.offset === 21) controller.abort(new Error('stop now'));
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
    await expect(collect(api.paginate('/contacts', contacts))).rejects.toThrow(
      /expected an object with an array "contacts", got an object with "people"/,
    );
  });
});

describe('paging while records are deleted', () => {
  /** Deletes `which` from `live` just before the request with index `at` is answered. */
  function deleting(live: number[], at: number, which: number[]) {
    const list = liveList(live);
    return (req: SeenRequest, res: Parameters<typeof json>[0], index: number) => {
      if (index === at) for (const id of which) live.splice(live.indexOf(id), 1);
      list(req, res);
    };
  }

  it('loses no living record when a few earlier ones are deleted between pages (the overlap absorbs it)', async () => {
    const live = range(1, 41);
    server.handle(deleting(live, 1, [2, 3]));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10, keyFields: ['id'] }));
    expect(ids(pages)).toEqual(range(1, 41));
    expect(offsets(server)).toEqual([0, 7, 14, 21, 28, 35]);
  });

  it('re-reads the gap when more records are deleted than the overlap holds, and still loses nothing', async () => {
    const live = range(1, 41);
    server.handle(deleting(live, 1, [2, 3, 4, 5, 6]));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10, keyFields: ['id'] }));
    const got = ids(pages);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((id) => live.includes(id))).toEqual(live);
    // The page at 7 no longer holds any of 1..10: offset 0 is read again, then paging goes on from there.
    expect(offsets(server).slice(0, 3)).toEqual([0, 7, 0]);
  });

  it('the same with pages prefetched ahead: abandoned on the gap, computed again from the re-read', async () => {
    const live = range(1, 101);
    server.handle(deleting(live, 1, range(2, 16)));
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 3, keyFields: ['id'] }));
    const got = ids(pages);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((id) => live.includes(id))).toEqual(live);
  });

  it('fails with a PagingError when the place cannot be found again, rather than skip records', async () => {
    const live = range(1, 201);
    server.handle(deleting(live, 1, range(1, 61)));
    const seen: number[] = [];
    const consume = async () => {
      for await (const page of api.paginate('/contacts', contacts, { pageSize: 10, keyFields: ['id'] })) seen.push(...ids([page]));
    };
    const error = await consume().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as PagingError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(
      /^paging \/contacts lost its place: the page at offset 7 shares no record with the page before it .* re-read/,
    );
    expect(seen).toEqual(range(1, 11));
    // The first page read again, and nothing earlier exists: a bounded number of requests.
    expect(offsets(server)).toEqual([0, 7, 0]);
  });

  it('identifies records without a key by their content', async () => {
    const commissions = Array.from({ length: 12 }, (_, i) => ({ amount: i, date_earned: `2026-01-${10 + i}` }));
    server.handle((req, res) => {
      const limit = Number(req.query.get('limit'));
      const offset = Number(req.query.get('offset'));
      json(res, 200, { commissions: commissions.slice(offset, offset + limit), count: 12, next: keapNext(req, offset + limit, limit) });
    });
    const pages = await collect(
      api.paginate('/affiliates/commissions', { kind: 'page', key: 'commissions' }, { pageSize: 5, keyFields: ['id'] }),
    );
    expect(pages.flatMap((p) => p.records)).toEqual(commissions);
  });
});

describe('paging always ends', () => {
  it.each([1, 10])('a server that ignores offset (pages of %i) ends with a PagingError after two requests', async (pageSize) => {
    server.handle((req, res) => {
      const limit = Number(req.query.get('limit'));
      json(res, 200, { contacts: records(0, limit), count: 100, next: 'string' });
    });
    const error = await collect(api.paginate('/contacts', contacts, { pageSize, prefetch: 4 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as Error).message).toMatch(/the page at offset \d+ holds only records already read, so the API seems to ignore offset/);
    expect(server.requests.length).toBeLessThanOrEqual(1 + 4);
  });

  it('a next link that does not advance ends paging with a PagingError', async () => {
    server.handle(keapList(100, (req, offset, limit) => keapNext(req, offset, limit)));
    const error = await collect(api.paginate('/contacts', contacts, { pageSize: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as Error).message).toBe(
      "paging /contacts stopped: after a full page at offset 0, the API's next link points at offset 0, so paging would never end",
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('prefetch', () => {
  // The server answers when the test says (explicit events), never after a sleep; pager.test.ts
  // holds the window's rules page by page over a source answered by hand.

  /** Holds every answer until the test gives it; `whenHeld(n)` resolves once n requests wait. */
  function holdingServer(list: ReturnType<typeof keapList>) {
    const held = new Map<number, () => void>();
    let wanted: { count: number; resolve: () => void } | undefined;
    const check = () => {
      if (wanted && held.size >= wanted.count) {
        wanted.resolve();
        wanted = undefined;
      }
    };
    server.handle(
      (req, res) =>
        new Promise<void>((resolve) => {
          const offset = Number(req.query.get('offset'));
          held.set(offset, () => {
            list(req, res);
            resolve();
          });
          res.on('close', () => held.delete(offset));
          check();
        }),
    );
    return {
      whenHeld(count: number): Promise<void> {
        return new Promise((resolve) => {
          wanted = { count, resolve };
          check();
        });
      },
      answer(offset: number): void {
        const answer = held.get(offset);
        held.delete(offset);
        answer?.();
      },
    };
  }

  it('keeps several pages in flight at overlapping offsets, yields them in order and stops at the end', async () => {
    const total = 23;
    const list = keapList(total);
    const held = new Map<number, () => void>();
    server.handle(
      (req, res) =>
        new Promise<void>((resolve) => {
          const offset = Number(req.query.get('offset'));
          const answer = () => {
            list(req, res);
            resolve();
          };
          // A page is answered once the request for the one after it has arrived, so several are
          // open at once; the first page, and short pages at the end, are answered at once.
          held.get(offset - 3)?.();
          held.delete(offset - 3);
          if (offset === 0 || offset + 5 > total) answer();
          else held.set(offset, answer);
        }),
    );
    const pages = await collect(api.paginate('/contacts', contacts, { pageSize: 5, prefetch: 3 }));
    // Pages of 5 overlap by 2: each starts 3 on.
    expect(pages.map((p) => p.offset)).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect(pages.flatMap((p) => p.records)).toEqual(records(0, total));
    expect(server.maxInFlight).toBeGreaterThan(1);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    // Speculative requests past the end are bounded by the prefetch depth.
    expect(server.requests.length).toBeLessThanOrEqual(8 + 2);
  });

  it('opens the window up to the prefetch depth while the consumer waits for pages', async () => {
    const held = holdingServer(keapList(200));
    const pages = api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 4 })[Symbol.asyncIterator]();
    const seen: unknown[] = [];
    // A slow link: the consumer always waits. Before each page is answered, the requests the
    // window has open reach the server: one page to begin with, then three, then four for good.
    const open = [1, 3];
    for (let round = 0, offset = 0; offset < 200; round++, offset += 7) {
      const next = pages.next();
      await held.whenHeld(open[round] ?? 4);
      held.answer(offset);
      const page = await next;
      expect(page.value?.offset).toBe(offset);
      seen.push(...(page.value?.records ?? []));
    }
    expect((await pages.next()).done).toBe(true);
    expect(seen).toEqual(records(0, 200));
    expect(server.maxInFlight).toBe(4);
  });

  it('falls back to two pages in flight while the consumer is the slow side', async () => {
    server.handle(keapList(60));
    const lines: string[] = [];
    const reporter: Reporter = {
      verbose: true,
      quiet: false,
      info() {},
      warn() {},
      debug: (message) => lines.push(message),
      progress: () => ({ update() {}, stop() {} }),
    };
    // The client asks its credential source for a header as it starts each request, before the
    // pacer, so `started` counts every page the pager has asked for.
    const token = bearerTokenSource('t', 'test');
    let started = 0;
    const credentials: CredentialSource = {
      scheme: token.scheme,
      describe: () => token.describe(),
      header: (signal) => {
        started++;
        return token.header(signal);
      },
      onUnauthorized: (signal) => token.onUnauthorized(signal),
    };
    const client = createClient({ baseUrl: server.base, credentials, reporter });
    /** Every request started has its answer in (each logs one line when it ends). */
    const quiet = async () => {
      do await new Promise<void>((resolve) => setImmediate(resolve));
      while (lines.length < started);
    };
    const asked: number[] = [];
    try {
      for await (const page of client.paginate('/contacts', contacts, { pageSize: 10, prefetch: 4 })) {
        expect(page.records.length).toBeGreaterThan(0);
        // Writing a page takes longer than fetching one: the next pages are in before it is taken.
        const before = server.requests.length;
        await quiet();
        asked.push(server.requests.length - before);
      }
    } finally {
      await client.close();
    }
    // New requests after each page: waiting for the first opened the window to three pages
    // (7, 14, 21); with pages found waiting it closes to two, one new request a page, and none
    // after the short last page.
    expect(asked).toEqual([3, 0, 1, 1, 1, 1, 1, 1, 0]);
    expect(offsets(server)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56, 63]);
  });

  it('abandons the pages in flight when the consumer stops early', async () => {
    server.handle(keapList(1000));
    let seen = 0;
    for await (const page of api.paginate('/contacts', contacts, { pageSize: 10, prefetch: 4 })) {
      seen += page.records.length;
      if (seen >= 17) break;
    }
    expect(seen).toBe(17);
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
    const pages = await collect(api.paginate('/locales/countries', { kind: 'map', key: 'countries', keyName: 'code', valueName: 'name' }));
    expect(pages[0]?.records).toEqual([
      { code: 'US', name: 'United States' },
      { code: 'FR', name: 'France' },
    ]);
  });

  it.each([
    [{ kind: 'array' } as ResponseShape, { hooks: [] }, /expected a JSON array, got an object with "hooks"/],
    [{ kind: 'object' } as ResponseShape, [1], /expected a JSON object, got an array/],
    [{ kind: 'list', key: 'summaries' } as ResponseShape, { summary: [] }, /expected an object with an array "summaries"/],
    [
      { kind: 'map', key: 'countries', keyName: 'k', valueName: 'v' } as ResponseShape,
      { countries: [] },
      /expected an object with a map "countries"/,
    ],
  ])('a body of the wrong shape is an ApiError (%o)', async (shape, body, message) => {
    server.handle((_req, res) => json(res, 200, body));
    const error = await collect(api.paginate('/x', shape)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(message);
  });
});
