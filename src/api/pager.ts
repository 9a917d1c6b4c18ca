/**
 * limit/offset paging (API-FACTS.md section 4) that loses nothing and always ends (DESIGN.md
 * section 3, "Paging"), over a narrow page source: the client supplies `fetchPage` (one page with
 * its retries) and the pager decides which pages to ask for and what to yield, as dlt's
 * paginators sit apart from its client.
 *
 * The caller's query (and a stable order) goes on every request, because Keap's `next` drops some
 * of it (optional_properties). Pages overlap by a few records and must line up (paging.ts); a page
 * that does not is re-read from earlier offsets, and when the place cannot be found again, or the
 * API repeats pages or points `next` backwards, paging stops with a PagingError. With `prefetch`
 * N > 1, up to N requests run ahead at computed offsets while pages come back full; pages are
 * yielded in order and speculative ones past the end are abandoned.
 */
import { ApiError } from '../errors.js';
import { silentReporter, type Reporter } from '../reporter.js';
import { PagingError, redactUrl } from './errors.js';
import { MAX_REREADS, overlapFor, PageChain, recordIdentity, type Verdict } from './paging.js';
import { countOf, describeBody, isRecord, listAt, parseBody } from './shapes.js';
import type { ApiResponse, Page, PaginateOptions, Query } from './types.js';
import { type ApiBase, canonical, splitQuery } from './url.js';

/** Keap's largest page of records: what every list read asks for unless told less. */
export const MAX_PAGE_SIZE = 1000;

/** One page to ask for: the endpoint, the query without limit and offset, and those two. */
export interface PageRequest {
  path: string;
  query: Query;
  offset: number;
  limit: number;
}

/** What the pager needs of the client. */
export interface PageSource {
  /**
   * One page's answer, with the client's retries, its 2xx body as text: pages fetched ahead are
   * parsed only when the consumer takes them, so their records are born when they are used and
   * die young.
   */
  fetchPage(page: PageRequest, signal: AbortSignal): Promise<ApiResponse<string>>;
  /** The page asked for again and parsed, after its text arrived broken (a cut-off body is retried as any read's). */
  refetchPage(page: PageRequest, signal: AbortSignal | undefined): Promise<ApiResponse>;
}

/** Every page of a `page`-shaped read endpoint, records under `key`. */
export function pagesOf(
  source: PageSource,
  base: ApiBase,
  path: string,
  key: string,
  options: PaginateOptions = {},
  reporter: Reporter = silentReporter,
): AsyncGenerator<Page> {
  return new Pager(source, base, path, key, options, reporter).pages();
}

interface Pending extends PageRequest {
  controller: AbortController;
  response: Promise<ApiResponse<string>>;
  /** Whether the answer is in (so taking this page costs no wait). */
  arrived: boolean;
}

class Pager {
  private readonly endpoint: string;
  private readonly callerQuery: Query;
  private readonly limit: number;
  private readonly step: number;
  /** Most pages in flight ahead of the consumer. */
  private readonly depth: number;
  /**
   * How many pages run ahead right now: two to begin with, one more each time the consumer had
   * to wait for a page, one fewer when a page was already there. On a fast link the consumer is
   * the bottleneck and pages parsed early only feed the garbage collector; on a slow one the
   * window opens up to `depth`.
   */
  private ahead: number;
  private readonly chain: PageChain;
  private readonly start: number;
  /** The earliest offset a re-read may go back to. */
  private readonly floor: number;
  private readonly queue: Pending[] = [];
  /** Offsets re-read since the last page that lined up. */
  private readonly reread: number[] = [];
  private gapAt: number;

  constructor(
    private readonly source: PageSource,
    private readonly base: ApiBase,
    path: string,
    private readonly key: string,
    private readonly options: PaginateOptions,
    private readonly reporter: Reporter,
  ) {
    // A query written into the path (`/contacts?email=a@b.c`) is the caller's query too.
    const [endpoint, inline] = splitQuery(path);
    this.endpoint = endpoint;
    const { limit: limitText, offset: startText, ...given } = { ...inline, ...options.query };
    const order = options.order ?? {};
    const ownOrder = Object.keys(order).some((name) => given[name] !== undefined && given[name] !== null);
    this.callerQuery = Object.fromEntries(
      Object.entries({ ...(ownOrder ? {} : order), ...given }).filter(([, v]) => v !== undefined && v !== null),
    );
    const requested = options.pageSize ?? (Number(limitText) || MAX_PAGE_SIZE);
    this.limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(requested)));
    const overlap = overlapFor(this.limit);
    this.step = this.limit - overlap;
    this.depth = Math.max(1, Math.floor(options.prefetch ?? 1));
    this.ahead = Math.min(2, this.depth);
    this.chain = new PageChain(recordIdentity(options.keyFields), this.limit, overlap);
    const resumed = options.resumeAfter;
    if (resumed) this.chain.resumeAt(resumed);
    // A resumed read starts where the saved page's successor would have; earlier pages may still
    // be re-read to find the place again (from offset 0 on, as in the run that read them).
    this.start = resumed ? resumed.offset + this.step : Math.max(0, Math.floor(Number(startText ?? 0)) || 0);
    this.floor = resumed ? 0 : this.start;
    this.gapAt = this.start;
  }

  async *pages(): AsyncGenerator<Page> {
    this.launch({ path: this.endpoint, query: this.callerQuery, offset: this.start, limit: this.limit });
    try {
      while (this.queue.length > 0) {
        const current = this.queue.shift()!;
        this.ahead = current.arrived ? Math.max(Math.min(2, this.depth), this.ahead - 1) : Math.min(this.depth, this.ahead + 1);
        const { body, records } = await this.take(current);
        const verdict = this.chain.check(current.offset, records);
        if (verdict.kind !== 'accept') {
          this.rereadBefore(current, verdict);
          continue;
        }
        this.reread.length = 0;
        const following = records.length < current.limit ? undefined : this.nextRequest(body, current);
        this.runAhead(following);
        const position = this.chain.position();
        yield {
          records: verdict.records,
          offset: current.offset,
          more: following !== undefined,
          ...countOf(body),
          ...(position ? { position } : {}),
        };
        if (following && this.queue.length === 0) this.launch(following);
      }
    } finally {
      this.abandon();
    }
  }

  /** The page's answer, parsed, and its records; a body that is not a page is an ApiError. */
  private async take(current: Pending): Promise<{ body: Record<string, unknown>; records: unknown[] }> {
    const response = await this.parsed(await current.response, current);
    const body = response.body;
    const records = isRecord(body) ? listAt(body, this.key) : undefined;
    if (!records || !isRecord(body)) {
      throw new ApiError({
        status: response.status,
        keapMessage: `expected an object with an array "${this.key}", got ${describeBody(body)}`,
        method: 'GET',
        url: redactUrl(this.base.resolve(current.path, { ...current.query, limit: current.limit, offset: current.offset }).href),
      });
    }
    return { body, records };
  }

  /** A page's text as JSON; one cut off in transit is asked for again, with the usual retries. */
  private async parsed(response: ApiResponse<string>, page: PageRequest): Promise<ApiResponse> {
    const parsed = parseBody(response.headers['content-type'], response.body);
    if (parsed.ok) return { ...response, body: parsed.value };
    return this.source.refetchPage({ path: page.path, query: page.query, offset: page.offset, limit: page.limit }, this.options.signal);
  }

  /**
   * Records were deleted faster than the overlap absorbs (a gap), or the API repeated a page:
   * look for the place again at earlier offsets, or stop with a PagingError.
   */
  private rereadBefore(current: Pending, verdict: Exclude<Verdict, { kind: 'accept' }>): void {
    if (verdict.kind === 'repeat' && this.reread.length === 0) {
      throw new PagingError(
        `paging ${this.endpoint} stopped: the page at offset ${current.offset} holds only records already read, so the API seems to ignore offset and paging would never end`,
        { hint: `check --api-url (${this.base.href}): Keap answers each offset with the records from there on` },
      );
    }
    this.abandon();
    if (this.reread.length === 0) this.gapAt = current.offset;
    const previous = this.chain.previousOffset ?? this.start;
    const offset = Math.max(this.floor, previous - this.reread.length * this.step);
    if (this.reread.length >= MAX_REREADS || this.reread.includes(offset)) throw this.lostPlace();
    this.reread.push(offset);
    this.reporter.debug(
      `${this.endpoint}: the page at offset ${current.offset} does not line up with the one before; re-reading offset ${offset}`,
    );
    this.launch({ path: current.path, query: current.query, offset, limit: this.limit });
  }

  /**
   * After an accepted page: abandon what runs ahead when paging ends or goes elsewhere than
   * computed, and keep the window full while it goes on.
   */
  private runAhead(following: PageRequest | undefined): void {
    if (!following) {
      this.abandon();
      return;
    }
    const head = this.queue[0];
    const matches =
      head !== undefined &&
      head.path === following.path &&
      head.offset === following.offset &&
      head.limit === following.limit &&
      canonical(head.query) === canonical(following.query);
    if (!matches) {
      this.abandon();
      // Sequential paging sends the next request only when the consumer asks for it.
      if (this.depth > 1) this.launch(following);
    }
    if (this.depth > 1) this.topUp();
  }

  private launch(page: PageRequest): void {
    const controller = new AbortController();
    const outer = this.options.signal;
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    const request: PageRequest = { path: page.path, query: page.query, offset: page.offset, limit: page.limit };
    const response = this.source.fetchPage(request, controller.signal);
    // Abandoned pages must not surface as unhandled rejections; awaited ones still throw.
    const pending: Pending = { ...request, controller, response, arrived: false };
    response
      .catch(() => {})
      .finally(() => {
        pending.arrived = true;
        outer?.removeEventListener('abort', forward);
      });
    this.queue.push(pending);
  }

  private topUp(): void {
    while (this.queue.length > 0 && this.queue.length < this.ahead) {
      const last = this.queue[this.queue.length - 1]!;
      this.launch({ path: last.path, query: last.query, offset: last.offset + this.step, limit: last.limit });
    }
  }

  private abandon(): void {
    for (const pending of this.queue.splice(0)) pending.controller.abort(new Error('page no longer needed'));
  }

  private lostPlace(): PagingError {
    const rereads = this.reread.length;
    return new PagingError(
      `paging ${this.endpoint} lost its place: the page at offset ${this.gapAt} shares no record with the page before it ` +
        `(records were deleted meanwhile) and ${rereads} re-read${rereads === 1 ? '' : 's'} of earlier pages did not find it again, ` +
        'so records may have been skipped',
      { hint: 'run it again, at a time when fewer records are being deleted' },
    );
  }

  /**
   * The request for the page after `current` (its offset `step` on, so pages overlap), when the
   * body's `next` says there is one; undefined when paging ends (no `next`, or an empty one). A
   * `next` pointing back at or before `current` is an error: following it would never end. `next`
   * is absolute at Keap's host: only its path and query are used, on the configured base.
   */
  private nextRequest(body: Record<string, unknown>, current: PageRequest): PageRequest | undefined {
    const next = body.next;
    if (typeof next !== 'string' || next.trim() === '') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(next.trim(), this.base.url);
    } catch {
      // Not a link at all: page on by offset, as Keap's own `next` would.
      return { path: current.path, query: current.query, offset: current.offset + this.step, limit: current.limit };
    }
    const query: Query = {};
    for (const [name, value] of parsed.searchParams) query[name] = value;
    const pointsAt = query.offset === undefined ? undefined : Number(query.offset);
    if (pointsAt !== undefined && Number.isFinite(pointsAt) && pointsAt <= current.offset) {
      throw new PagingError(
        `paging ${current.path} stopped: after a full page at offset ${current.offset}, the API's next link points at offset ${pointsAt}, so paging would never end`,
        { hint: `check --api-url (${this.base.href}): Keap's next link moves forward` },
      );
    }
    delete query.offset;
    delete query.limit;
    // Keap's next drops some parameters (optional_properties): put the caller's back.
    for (const [name, value] of Object.entries(this.callerQuery)) {
      if (!(name in query) && value !== undefined && value !== null) query[name] = value;
    }
    return {
      path: this.base.relativePath(parsed.pathname, current.path),
      query,
      offset: current.offset + this.step,
      limit: current.limit,
    };
  }
}
