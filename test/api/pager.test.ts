/**
 * The pager on its own, over a page source whose answers the test gives by hand: which pages it
 * asks for, how many run ahead, and what it yields, decided by explicit events, never by timing.
 * (test/api/paginate.test.ts runs the same paging through the client over real HTTP.)
 */
import { describe, expect, it } from 'vitest';
import { type PageRequest, type PageSource, pagesOf } from '../../src/api/pager.js';
import type { ApiResponse, Page, PaginateOptions } from '../../src/api/types.js';
import { ApiBase } from '../../src/api/url.js';

const base = ApiBase.parse('https://api.example.test/crm/rest/v1');

interface Asked {
  page: PageRequest;
  signal: AbortSignal;
  settled: boolean;
  answer(): void;
}

/** A list of `total` contacts whose pages are answered only when the test says so. */
class HandAnsweredPages implements PageSource {
  readonly asked: Asked[] = [];
  /** Most pages asked for and neither answered nor abandoned at once. */
  maxOpen = 0;

  constructor(private readonly total: number) {}

  fetchPage(page: PageRequest, signal: AbortSignal): Promise<ApiResponse<string>> {
    return new Promise((resolve, reject) => {
      const asked: Asked = {
        page,
        signal,
        settled: false,
        answer: () => {
          asked.settled = true;
          const records = Array.from({ length: Math.max(0, Math.min(this.total, page.offset + page.limit) - page.offset) }, (_, i) => ({
            id: page.offset + i,
          }));
          const next = `https://api.infusionsoft.com/crm/rest/v1${page.path}?limit=${page.limit}&offset=${page.offset + page.limit}`;
          resolve({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contacts: records, next }) });
        },
      };
      signal.addEventListener('abort', () => {
        asked.settled = true;
        reject(signal.reason);
      });
      this.asked.push(asked);
      this.maxOpen = Math.max(this.maxOpen, this.open().length);
    });
  }

  refetchPage(): Promise<ApiResponse> {
    throw new Error('no page arrives broken here');
  }

  /** Pages asked for, not yet answered nor abandoned, oldest first. */
  open(): Asked[] {
    return this.asked.filter((a) => !a.settled);
  }

  offsets(): number[] {
    return this.asked.map((a) => a.page.offset);
  }
}

/** Lets every promise that can settle settle: one turn of the event loop, no clock. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function pager(source: HandAnsweredPages, options: PaginateOptions) {
  return pagesOf(source, base, '/contacts', 'contacts', options)[Symbol.asyncIterator]();
}

const ids = (page: Page) => page.records.map((r) => (r as { id: number }).id);

describe('the prefetch window', () => {
  it('opens up to the prefetch depth while the consumer waits for every page', async () => {
    const source = new HandAnsweredPages(200);
    const pages = pager(source, { pageSize: 10, prefetch: 4 });
    const seen: number[] = [];
    const openWhileWaiting: number[] = [];
    for (;;) {
      // The consumer asks first; only then does the page it waits for come in.
      const next = pages.next();
      await settle();
      openWhileWaiting.push(source.open().length);
      source.open()[0]?.answer();
      const result = await next;
      if (result.done) break;
      seen.push(...ids(result.value));
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // One page to begin with, then three (two, and one more for the wait), then four for good.
    expect(openWhileWaiting.slice(0, 4)).toEqual([1, 3, 4, 4]);
    expect(source.maxOpen).toBe(4);
  });

  it('falls back to two pages ahead while the consumer is the slow side (every page is in before it is taken)', async () => {
    const source = new HandAnsweredPages(60);
    const pages = pager(source, { pageSize: 10, prefetch: 4 });
    /** Pages asked for beyond the one just taken, answered or not, after each page. */
    const ahead: number[] = [];
    for (;;) {
      const next = pages.next();
      // The consumer waits for the first page only; after that every page is in before it is taken.
      if (ahead.length === 0) {
        await settle();
        source.open()[0]?.answer();
      }
      const result = await next;
      if (result.done) break;
      const taken = result.value.offset;
      ahead.push(source.asked.filter((a) => !a.signal.aborted && a.page.offset > taken).length);
      while (source.open().length > 0) {
        for (const asked of source.open()) asked.answer();
        await settle();
      }
    }
    expect(ahead).toHaveLength(9);
    // The wait for the first page opened the window to three; pages found waiting close it to two.
    expect(ahead[0]).toBe(3);
    expect(ahead.slice(1, -1)).toEqual(Array(7).fill(2));
    // The last page is short: nothing more is asked for, and what ran ahead is abandoned.
    expect(ahead.at(-1)).toBe(0);
  });

  it('yields pages in order when later ones are answered first', async () => {
    const source = new HandAnsweredPages(23);
    const pages = pager(source, { pageSize: 5, prefetch: 3 });
    const offsets: number[] = [];
    const records: number[] = [];
    for (;;) {
      const next = pages.next();
      await settle();
      // Newest first: the page the consumer waits for comes in last.
      for (const asked of source.open().reverse()) {
        asked.answer();
        await settle();
      }
      const result = await next;
      if (result.done) break;
      offsets.push(result.value.offset);
      records.push(...ids(result.value));
    }
    // Pages of 5 overlap by 2: each starts 3 on.
    expect(offsets).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect(records).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(source.maxOpen).toBeGreaterThan(1);
    expect(source.maxOpen).toBeLessThanOrEqual(3);
  });

  it('asks for one page at a time without prefetch', async () => {
    const source = new HandAnsweredPages(25);
    const pages = pager(source, { pageSize: 10 });
    for (;;) {
      const next = pages.next();
      await settle();
      const open = source.open();
      if (open.length === 0) {
        expect((await next).done).toBe(true);
        break;
      }
      expect(open).toHaveLength(1);
      open[0]?.answer();
      await next;
    }
    expect(source.offsets()).toEqual([0, 7, 14, 21]);
    expect(source.maxOpen).toBe(1);
  });
});

describe('pages asked for and abandoned', () => {
  it('abandons the pages running ahead past the end of the list', async () => {
    const source = new HandAnsweredPages(25);
    const pages = pager(source, { pageSize: 10, prefetch: 4 });
    const taken: number[] = [];
    for (;;) {
      const next = pages.next();
      await settle();
      source.open()[0]?.answer();
      const result = await next;
      if (result.done) break;
      taken.push(result.value.offset);
    }
    expect(taken).toEqual([0, 7, 14, 21]);
    // Pages beyond 21 were asked for ahead; each was answered or abandoned, none left open.
    const beyond = source.asked.filter((a) => a.page.offset > 21);
    expect(beyond.length).toBeGreaterThan(0);
    expect(beyond.every((a) => a.signal.aborted)).toBe(true);
    expect(source.open()).toHaveLength(0);
  });

  it('abandons every page in flight when the consumer stops early', async () => {
    const source = new HandAnsweredPages(1000);
    const pages = pager(source, { pageSize: 10, prefetch: 4 });
    for (let i = 0; i < 3; i++) {
      const next = pages.next();
      await settle();
      source.open()[0]?.answer();
      await next;
    }
    const running = source.open();
    expect(running.length).toBeGreaterThan(0);
    await pages.return?.(undefined);
    expect(running.every((a) => a.signal.aborted)).toBe(true);
    expect(source.open()).toHaveLength(0);
  });

  it("forwards the caller's abort to every page in flight", async () => {
    const source = new HandAnsweredPages(1000);
    const controller = new AbortController();
    const pages = pager(source, { pageSize: 10, prefetch: 4, signal: controller.signal });
    const first = pages.next();
    await settle();
    source.open()[0]?.answer();
    await first;
    const next = pages.next();
    await settle();
    const running = source.open();
    controller.abort(new Error('stop now'));
    await expect(next).rejects.toThrow('stop now');
    expect(running.every((a) => a.signal.aborted)).toBe(true);
  });
});

describe('resumeAfter', () => {
  it('starts at the saved page’s successor and lines the first page up against the saved one', async () => {
    const source = new HandAnsweredPages(30);
    // A first run read offsets 0 and 7 (pages of 10 overlap by 3) and stopped.
    const first = pager(source, { pageSize: 10, keyFields: ['id'] });
    let position: Page['position'];
    for (let i = 0; i < 2; i++) {
      const next = first.next();
      await settle();
      source.open()[0]?.answer();
      position = ((await next).value as Page).position;
    }
    await first.return?.(undefined);
    expect(position?.offset).toBe(7);

    const again = new HandAnsweredPages(30);
    const resumed = pager(again, { pageSize: 10, keyFields: ['id'], resumeAfter: position! });
    const records: number[] = [];
    for (;;) {
      const next = resumed.next();
      await settle();
      again.open()[0]?.answer();
      const result = await next;
      if (result.done) break;
      records.push(...ids(result.value));
    }
    expect(again.offsets()).toEqual([14, 21]);
    // Only records after the saved page: 17, 18, 19 were in it and are not yielded again.
    expect(records).toEqual(Array.from({ length: 13 }, (_, i) => 17 + i));
  });
});
