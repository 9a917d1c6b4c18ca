/**
 * The Keap REST v1 client: the only code in the program that touches the network (DESIGN.md
 * section 4, API-FACTS.md sections 2-4 and 9). One undici agent with keep-alive, one pacer and
 * one concurrency limit per client, shared by every caller.
 */
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import type { ResponseShape } from '../catalog/types.js';
import { ApiError, AuthError, NetworkError, UsageError } from '../errors.js';
import { silentReporter, type Reporter } from '../reporter.js';
import { keapError, OutcomeUnknownError, PagingError, redactUrl } from './errors.js';
import { MAX_REREADS, overlapFor, PageChain, recordIdentity } from './paging.js';
import { Pacer, limitsForScheme } from './pacer.js';
import type { ApiResponse, CredentialSource, KeapApi, Page, PaginateOptions, Query, QueryValue, RequestOptions } from './types.js';

export interface ClientOptions {
  /** REST v1 base, e.g. `https://api.infusionsoft.com/crm/rest/v1` (a trailing slash is ignored). */
  baseUrl: string;
  /** Asked for the header on every attempt; told once per request when Keap answers 401. */
  credentials?: CredentialSource;
  /** For one `--verbose` line per request. Tokens never appear in it. */
  reporter?: Reporter;
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** Connect, headers and body timeout in milliseconds (default 120 000). */
  timeoutMs?: number;
  /** Most requests in flight at once (default 8). */
  concurrency?: number;
  /** Source of jitter in [0, 1) (tests pass a fixed one). */
  random?: () => number;
  /** First backoff step in milliseconds (default 250); tests make it small. */
  retryBaseMs?: number;
  /** Longest single backoff in milliseconds (default 20 000). */
  retryMaxMs?: number;
  /** How long 429s are retried for one request, in milliseconds (default 120 000). */
  throttlePatienceMs?: number;
}

const URL_HINT = 'check --api-url or INFUSIONSOFT_API_URL';
const MAX_PAGE_SIZE = 1000;
/**
 * Methods repeated after a lost answer (5xx, reset, cut-off body). Only reads: a POST or PATCH
 * could act twice, PUT /contacts is an upsert that can create, and a DELETE that did go through
 * comes back as 404. Callers that know a write is idempotent pass `retry: true`.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * How long a run keeps retrying 429s that carry no throttle headers. Keap's windows are per minute,
 * so giving up after a few seconds of backoff would fail a cron job on any burst.
 */
const THROTTLE_PATIENCE_MS = 120_000;
/** At most this many 429 retries for one request, whatever the patience left. */
const MAX_THROTTLE_RETRIES = 30;
const RETRY_STATUSES = new Set([500, 502, 503, 504]);
/** Failures before anything reached the server: a repeat is harmless for any method. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Failures worth another attempt (transient). ENOTFOUND is not: a mistyped host fails at once. */
const TRANSIENT_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
]);

type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string>; text: string; ticket: number }
  | { kind: 'failure'; error: unknown; code: string; sent: boolean; status?: number };

export function createClient(options: ClientOptions): KeapApi {
  return new KeapClient(options);
}

class KeapClient implements KeapApi {
  readonly baseUrl: string;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly credentials: CredentialSource | undefined;
  private readonly reporter: Reporter;
  private readonly maxRetries: number;
  private readonly random: () => number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly throttlePatienceMs: number;
  private readonly agent: Agent;
  private readonly pacer: Pacer;
  private readonly slots: Slots;
  private readonly counters = { requests: 0, retries: 0, throttled: 0 };
  /** The `x-keap-*` headers of the last answer that carried any. */
  private rateHeaders: Record<string, string> | undefined;

  constructor(options: ClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new UsageError(`not a URL: ${options.baseUrl}`, { hint: URL_HINT });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new UsageError(`the API URL must be http or https: ${options.baseUrl}`, { hint: URL_HINT });
    }
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.base = base;
    this.baseUrl = `${base.origin}${this.basePath}`;
    this.credentials = options.credentials;
    const issuedFor = options.credentials?.origin;
    if (issuedFor && issuedFor !== base.origin) {
      throw new UsageError(
        `refusing to send the credential from ${options.credentials?.describe()} to ${base.origin}: it was issued for ${issuedFor}`,
        {
          hint: `use the API it was issued for (${issuedFor}), or log in to ${base.origin} with a profile of its own`,
        },
      );
    }
    // A key is held to PAT/SAK limits from its first request; OAuth (or no credential) to OAuth's.
    this.pacer = new Pacer(limitsForScheme(options.credentials?.scheme));
    this.reporter = options.reporter ?? silentReporter;
    this.maxRetries = Math.max(0, options.maxRetries ?? 6);
    this.random = options.random ?? Math.random;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 20_000;
    this.throttlePatienceMs = options.throttlePatienceMs ?? THROTTLE_PATIENCE_MS;
    const timeout = options.timeoutMs ?? 120_000;
    this.slots = new Slots(Math.max(1, options.concurrency ?? 8));
    // Keep-alive idle time stays at undici's short default (or the server's hint): reusing a
    // socket the server is closing would turn a POST into an unknown outcome.
    this.agent = new Agent({
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout: Math.min(timeout, 30_000) },
    });
  }

  stats() {
    return { ...this.counters, ...(this.rateHeaders ? { rateHeaders: { ...this.rateHeaders } } : {}) };
  }

  private keepRateHeaders(headers: Record<string, string>): void {
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) if (name.startsWith('x-keap-')) kept[name] = value;
    if (Object.keys(kept).length) this.rateHeaders = kept;
  }

  async close(): Promise<void> {
    this.pacer.close();
    await this.agent.destroy();
  }

  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.exchange<T>(method, path, options, true);
  }

  /**
   * One request with its retries. `parse` false hands back a 2xx body as text: pages fetched ahead
   * are parsed only when the consumer takes them, so their records are born when they are used
   * and die young (parsed early, they outlived collections and cost the garbage collector more
   * than parsing itself).
   */
  private async exchange<T>(method: string, path: string, options: RequestOptions, parse: boolean): Promise<ApiResponse<T>> {
    const verb = method.toUpperCase();
    const credentials = this.credentials;
    if (!credentials) throw new AuthError('no Keap credential', { problem: 'missing' });
    const url = this.resolve(path, options.query);
    const shown = redactUrl(url.href);
    const safe = options.retry ?? SAFE_METHODS.has(verb);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const fixedHeaders: Record<string, string> = { accept: 'application/json', 'user-agent': 'infusionsoft-cli' };
    if (payload !== undefined) fixedHeaders['content-type'] = 'application/json';

    let throttled = 0;
    let firstThrottledAt = 0;
    let reauthorized = 0;
    for (let attempt = 0; ; attempt++) {
      // Asked on every attempt: a refreshing source may have a new token since the last one.
      const headers = { ...fixedHeaders, ...(await credentials.header(options.signal)) };
      const result = await this.send(verb, url, headers, payload, options.signal);
      const more = attempt - throttled - reauthorized < this.maxRetries;
      const backoff = () => this.random() * Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** attempt);

      if (result.kind === 'response') {
        const { status, text } = result;
        const observed = this.pacer.observe(result.headers, status, result.ticket);
        this.keepRateHeaders(result.headers);
        if (status >= 200 && status < 300) {
          if (!parse) {
            this.log(verb, url, `${status}`, result);
            return { status, headers: result.headers, body: text as T };
          }
          const body = parseBody(result.headers['content-type'], text);
          if (body.ok) {
            this.log(verb, url, `${status}`, result);
            return { status, headers: result.headers, body: body.value as T };
          }
          // A 2xx whose body is cut off or is not JSON: the answer was lost in transit.
          if (safe && more) {
            await this.retry(verb, url, `${status} with a cut-off body`, attempt, backoff(), options.signal);
            continue;
          }
          this.log(verb, url, `${status} with a cut-off body`, result);
          if (!safe) {
            throw new OutcomeUnknownError(`${verb} ${shown}: Keap answered ${status} but the answer was cut off; the outcome is unknown`, {
              hint: 'check in Keap whether the change was made before sending it again',
            });
          }
          throw new ApiError({
            status,
            keapMessage: 'the response body was cut off or is not valid JSON',
            method: verb,
            url: shown,
          });
        }

        const detail = keapError(status, result.headers['content-type'], text);
        const apiError = (hint?: string) =>
          new ApiError(
            { status, keapMessage: detail.message, method: verb, url: shown, ...(detail.code ? { code: detail.code } : {}) },
            hint ? { hint } : undefined,
          );
        // A 401 was refused, not processed, so sending it again is safe for any method; once only,
        // so a source that keeps handing out refused credentials cannot loop.
        // Only the API the credential was issued for can say it is stale: a 401 from anywhere else
        // must not rotate the refresh token (resolve() already keeps requests on the base's origin).
        const issuer = !credentials.origin || credentials.origin === url.origin;
        if (status === 401 && reauthorized === 0 && issuer && (await credentials.onUnauthorized(options.signal))) {
          reauthorized++;
          this.counters.retries++;
          this.log(verb, url, '401; credential renewed, sending again', result);
          continue;
        }
        if (status === 401 || status === 403) {
          this.log(verb, url, `${status}`, result);
          throw this.authError(status, detail.message, detail.code, credentials, verb, url, apiError());
        }
        if (status === 429) {
          this.counters.throttled++;
          if (observed.quotaExhausted) {
            this.log(verb, url, `${status}`, result);
            // Waiting hours for a daily quota is not retrying: stop and say when it resets.
            const reset = observed.quotaExhausted.resetAt;
            const family = observed.quotaExhausted.family.replace(/#\d+$/, '');
            throw apiError(`Keap's ${family} quota is used up${reset ? `; it resets at ${new Date(reset).toISOString()}` : ''}`);
          }
          // A throttled request was refused, not processed: repeating it is safe for any method.
          // 429s have their own budget, in time: a per-minute window can take a minute to reopen.
          if (throttled === 0) firstThrottledAt = Date.now();
          const patient = throttled < MAX_THROTTLE_RETRIES && Date.now() - firstThrottledAt < this.throttlePatienceMs;
          if (patient) {
            throttled++;
            // With throttle headers the pacer already holds everyone for the window; else back off,
            // never less than half the step, so a burst is not met with instant repeats.
            let wait = 0;
            if (observed.pausedMs === 0) {
              const step = Math.min(this.retryMaxMs, this.retryBaseMs * 4 * 2 ** (throttled - 1));
              wait = step / 2 + (this.random() * step) / 2;
              this.pacer.pause(wait);
            }
            await this.retry(verb, url, `${status}`, attempt, wait, options.signal);
            continue;
          }
          this.log(verb, url, `${status}`, result);
          throw apiError(
            `Keap kept answering 429 (throttled) for ${Math.round((Date.now() - firstThrottledAt) / 1000)} s; other jobs may share this credential's limit: wait a few minutes, or run them one after another`,
          );
        }
        if (RETRY_STATUSES.has(status) && safe && more) {
          await this.retry(verb, url, `${status}`, attempt, backoff(), options.signal);
          continue;
        }
        this.log(verb, url, `${status}`, result);
        throw apiError();
      }

      // No usable answer: a connection, socket or timeout failure.
      const retryable = TRANSIENT_CODES.has(result.code) && (safe || !result.sent);
      if (retryable && more) {
        await this.retry(verb, url, result.code, attempt, backoff(), options.signal);
        continue;
      }
      this.log(verb, url, result.code, result);
      if (!result.sent) {
        throw new NetworkError(`could not reach ${this.baseUrl}: ${result.code}`, {
          hint: URL_HINT,
          cause: result.error,
        });
      }
      if (!safe) {
        throw new OutcomeUnknownError(`${verb} ${shown}: ${result.code} after the request was sent; the outcome is unknown`, {
          hint: 'check in Keap whether the change was made before sending it again',
          cause: result.error,
        });
      }
      throw new NetworkError(`${verb} ${shown} failed: ${result.code}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`, {
        hint: `check your network connection; ${URL_HINT}`,
        cause: result.error,
      });
    }
  }

  paginate(path: string, shape: ResponseShape, options: PaginateOptions = {}): AsyncIterable<Page> {
    if (shape.kind === 'page') return this.pages(path, shape.key, options);
    return this.single(path, shape, options);
  }

  private async *single(path: string, shape: ResponseShape, options: PaginateOptions): AsyncGenerator<Page> {
    const response = await this.request('GET', path, {
      ...(options.query ? { query: options.query } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const body = response.body;
    const fail = (expected: string) =>
      new ApiError({
        status: response.status,
        keapMessage: `expected ${expected}, got ${describe(body)}`,
        method: 'GET',
        url: redactUrl(this.resolve(path, options.query).href),
      });
    switch (shape.kind) {
      case 'array':
        if (!Array.isArray(body)) throw fail('a JSON array');
        yield { records: body, offset: 0 };
        return;
      case 'object':
        if (!isRecord(body)) throw fail('a JSON object');
        yield { records: [body], offset: 0 };
        return;
      case 'list': {
        const records = isRecord(body) ? listAt(body, shape.key) : undefined;
        if (!records) throw fail(`an object with an array "${shape.key}"`);
        yield { records: withCarried(records, body as Record<string, unknown>, shape.carry), offset: 0, ...countOf(body) };
        return;
      }
      case 'map': {
        const map = isRecord(body) ? body[shape.key] : undefined;
        if (!isRecord(map)) throw fail(`an object with a map "${shape.key}"`);
        const records = Object.entries(map).map(([k, v]) => ({ [shape.keyName]: k, [shape.valueName]: v }));
        yield { records, offset: 0 };
        return;
      }
      case 'page':
        throw new Error('unreachable: page shapes are paged');
    }
  }

  /**
   * limit/offset paging (API-FACTS.md section 4) that loses nothing and always ends. The caller's
   * query (and a stable order) goes on every request, because Keap's `next` drops some of it
   * (optional_properties). Pages overlap by a few records and must line up (paging.ts); a page that
   * does not is re-read from earlier offsets, and when the place cannot be found again, or the API
   * repeats pages or points `next` backwards, paging stops with a PagingError. With `prefetch`
   * N > 1, up to N requests run ahead at computed offsets while pages come back full; pages are
   * yielded in order and speculative ones past the end are abandoned.
   */
  private async *pages(path: string, key: string, options: PaginateOptions): AsyncGenerator<Page> {
    // A query written into the path (`/contacts?email=a@b.c`) is the caller's query too.
    const [endpoint, inline] = splitQuery(path);
    const { limit: limitText, offset: startText, ...given } = { ...inline, ...options.query };
    const order = options.order ?? {};
    const ownOrder = Object.keys(order).some((name) => given[name] !== undefined && given[name] !== null);
    const callerQuery: Query = Object.fromEntries(
      Object.entries({ ...(ownOrder ? {} : order), ...given }).filter(([, v]) => v !== undefined && v !== null),
    );
    const requested = options.pageSize ?? (Number(limitText) || MAX_PAGE_SIZE);
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(requested)));
    const overlap = overlapFor(limit);
    const step = limit - overlap;
    const depth = Math.max(1, Math.floor(options.prefetch ?? 1));
    // How many pages run ahead right now: two to begin with, one more each time the consumer had
    // to wait for a page, one fewer when a page was already there. On a fast link the consumer is
    // the bottleneck and pages parsed early only feed the garbage collector; on a slow one the
    // window opens up to `depth`.
    let ahead = Math.min(2, depth);
    const chain = new PageChain(recordIdentity(options.keyFields), limit, overlap);
    const resumed = options.resumeAfter;
    if (resumed) chain.resumeAt(resumed);
    // A resumed read starts where the saved page's successor would have; earlier pages may still
    // be re-read to find the place again (from offset 0 on, as in the run that read them).
    const start = resumed ? resumed.offset + step : Math.max(0, Math.floor(Number(startText ?? 0)) || 0);
    const floor = resumed ? 0 : start;

    interface Pending {
      path: string;
      query: Query;
      offset: number;
      limit: number;
      controller: AbortController;
      response: Promise<ApiResponse<string>>;
      /** Whether the answer is in (so taking this page costs no wait). */
      arrived: boolean;
    }
    const queue: Pending[] = [];
    const launch = (pagePath: string, query: Query, offset: number, pageLimit: number) => {
      const controller = new AbortController();
      const outer = options.signal;
      const forward = () => controller.abort(outer?.reason);
      if (outer?.aborted) forward();
      else outer?.addEventListener('abort', forward, { once: true });
      const response = this.exchange<string>(
        'GET',
        pagePath,
        { query: { ...query, limit: pageLimit, offset }, signal: controller.signal },
        false,
      );
      // Abandoned pages must not surface as unhandled rejections; awaited ones still throw.
      const pending: Pending = { path: pagePath, query, offset, limit: pageLimit, controller, response, arrived: false };
      response
        .catch(() => {})
        .finally(() => {
          pending.arrived = true;
          outer?.removeEventListener('abort', forward);
        });
      queue.push(pending);
    };
    const abandon = () => {
      for (const pending of queue.splice(0)) pending.controller.abort(new Error('page no longer needed'));
    };
    const topUp = () => {
      while (queue.length > 0 && queue.length < ahead) {
        const last = queue[queue.length - 1]!;
        launch(last.path, last.query, last.offset + step, last.limit);
      }
    };

    launch(endpoint, callerQuery, start, limit);
    // Offsets re-read since the last page that lined up.
    const reread: number[] = [];
    let gapAt = start;
    try {
      while (queue.length > 0) {
        const current = queue.shift()!;
        ahead = current.arrived ? Math.max(Math.min(2, depth), ahead - 1) : Math.min(depth, ahead + 1);
        const response = await this.parsedPage(await current.response, current, options.signal);
        const body = response.body;
        const records = isRecord(body) ? listAt(body, key) : undefined;
        if (!records || !isRecord(body)) {
          throw new ApiError({
            status: response.status,
            keapMessage: `expected an object with an array "${key}", got ${describe(body)}`,
            method: 'GET',
            url: redactUrl(this.resolve(current.path, { ...current.query, limit: current.limit, offset: current.offset }).href),
          });
        }
        const verdict = chain.check(current.offset, records);
        if (verdict.kind === 'repeat' && reread.length === 0) {
          throw new PagingError(
            `paging ${endpoint} stopped: the page at offset ${current.offset} holds only records already read, so the API seems to ignore offset and paging would never end`,
            { hint: `check --api-url (${this.baseUrl}): Keap answers each offset with the records from there on` },
          );
        }
        if (verdict.kind !== 'accept') {
          // Records were deleted faster than the overlap absorbs: look for the place again, earlier.
          abandon();
          if (reread.length === 0) gapAt = current.offset;
          const previous = chain.previousOffset ?? start;
          const offset = Math.max(floor, previous - reread.length * step);
          if (reread.length >= MAX_REREADS || reread.includes(offset)) throw this.lostPlace(endpoint, gapAt, reread.length);
          reread.push(offset);
          this.reporter.debug(
            `${endpoint}: the page at offset ${current.offset} does not line up with the one before; re-reading offset ${offset}`,
          );
          launch(current.path, current.query, offset, limit);
          continue;
        }
        reread.length = 0;
        const following = records.length < current.limit ? undefined : this.nextRequest(body, current, callerQuery, step);
        if (!following) abandon();
        else {
          const head = queue[0];
          const matches =
            head !== undefined &&
            head.path === following.path &&
            head.offset === following.offset &&
            head.limit === following.limit &&
            canonical(head.query) === canonical(following.query);
          if (!matches) {
            abandon();
            // Sequential paging sends the next request only when the consumer asks for it.
            if (depth > 1) launch(following.path, following.query, following.offset, following.limit);
          }
          if (depth > 1) topUp();
        }
        const position = chain.position();
        yield {
          records: verdict.records,
          offset: current.offset,
          more: following !== undefined,
          ...countOf(body),
          ...(position ? { position } : {}),
        };
        if (following && queue.length === 0) launch(following.path, following.query, following.offset, following.limit);
      }
    } finally {
      abandon();
    }
  }

  private lostPlace(endpoint: string, offset: number, rereads: number): PagingError {
    return new PagingError(
      `paging ${endpoint} lost its place: the page at offset ${offset} shares no record with the page before it ` +
        `(records were deleted meanwhile) and ${rereads} re-read${rereads === 1 ? '' : 's'} of earlier pages did not find it again, ` +
        'so records may have been skipped',
      { hint: 'run it again, at a time when fewer records are being deleted' },
    );
  }

  /** A page's text as JSON; one cut off in transit is asked for again, with the usual retries. */
  private async parsedPage(
    response: ApiResponse<string>,
    page: { path: string; query: Query; offset: number; limit: number },
    signal: AbortSignal | undefined,
  ): Promise<ApiResponse> {
    const parsed = parseBody(response.headers['content-type'], response.body);
    if (parsed.ok) return { ...response, body: parsed.value };
    return this.request('GET', page.path, {
      query: { ...page.query, limit: page.limit, offset: page.offset },
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * The request for the page after `current` (its offset `step` on, so pages overlap), when the
   * body's `next` says there is one; undefined when paging ends (no `next`, or an empty one). A
   * `next` pointing back at or before `current` is an error: following it would never end. `next`
   * is absolute at Keap's host: only its path and query are used, on the configured base.
   */
  private nextRequest(
    body: Record<string, unknown>,
    current: { path: string; query: Query; offset: number; limit: number },
    callerQuery: Query,
    step: number,
  ): { path: string; query: Query; offset: number; limit: number } | undefined {
    const next = body.next;
    if (typeof next !== 'string' || next.trim() === '') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(next.trim(), this.base);
    } catch {
      // Not a link at all: page on by offset, as Keap's own `next` would.
      return { path: current.path, query: current.query, offset: current.offset + step, limit: current.limit };
    }
    const query: Query = {};
    for (const [name, value] of parsed.searchParams) query[name] = value;
    const pointsAt = query.offset === undefined ? undefined : Number(query.offset);
    if (pointsAt !== undefined && Number.isFinite(pointsAt) && pointsAt <= current.offset) {
      throw new PagingError(
        `paging ${current.path} stopped: after a full page at offset ${current.offset}, the API's next link points at offset ${pointsAt}, so paging would never end`,
        { hint: `check --api-url (${this.baseUrl}): Keap's next link moves forward` },
      );
    }
    delete query.offset;
    delete query.limit;
    // Keap's next drops some parameters (optional_properties): put the caller's back.
    for (const [name, value] of Object.entries(callerQuery)) {
      if (!(name in query) && value !== undefined && value !== null) query[name] = value;
    }
    return { path: this.rebasePath(parsed.pathname, current.path), query, offset: current.offset + step, limit: current.limit };
  }

  /** A `next` URL's path relative to the configured base (never its host). */
  private rebasePath(pathname: string, fallback: string): string {
    for (const prefix of [this.basePath, '/crm/rest/v1']) {
      if (prefix && pathname.startsWith(`${prefix}/`)) return pathname.slice(prefix.length);
    }
    // An unexpected path: keep asking the endpoint we were paging.
    return fallback.split('?')[0] ?? fallback;
  }

  /**
   * The full URL for a path relative to the base (or an absolute URL under the base: anything
   * else is refused, so credentials never go to another host), with the query appended.
   */
  private resolve(path: string, query?: Query): URL {
    let target: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      try {
        target = new URL(path);
      } catch {
        throw new UsageError(`not a URL: ${path}`);
      }
    } else {
      target = new URL(`${this.base.origin}${this.basePath}${path.startsWith('/') ? '' : '/'}${path}`);
    }
    const inside =
      target.origin === this.base.origin && (target.pathname === this.basePath || target.pathname.startsWith(`${this.basePath}/`));
    if (!inside) {
      throw new UsageError(`refusing to send credentials to ${redactUrl(target.href)}: it is not under ${this.baseUrl}`, {
        hint: 'use a path relative to the API base, e.g. /contacts',
      });
    }
    const params = new Map<string, string>();
    for (const [name, value] of target.searchParams) params.set(name, value);
    for (const [name, value] of Object.entries(query ?? {})) {
      const text = queryText(value);
      if (text === undefined) params.delete(name);
      else params.set(name, text);
    }
    target.hash = '';
    const search = [...params].map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');
    target.search = search ? `?${search}` : '';
    return target;
  }

  private async send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Attempt & { ms: number }> {
    await this.slots.acquire(signal);
    try {
      const ticket = await this.pacer.acquire(signal);
      // A page abandoned while it waited for its turn is never sent, so it is neither counted nor listed.
      if (signal?.aborted) throw signal.reason;
      this.counters.requests++;
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let response: Dispatcher.ResponseData;
      try {
        response = await this.agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as Dispatcher.HttpMethod,
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw this.cancelled(method, url, elapsed(), error);
        const code = errorCode(error);
        return { kind: 'failure', error, code, sent: !failedBeforeSending(code), ms: elapsed() };
      }
      const responseHeaders = flattenHeaders(response.headers);
      try {
        const text = await response.body.text();
        return { kind: 'response', status: response.statusCode, headers: responseHeaders, text, ticket, ms: elapsed() };
      } catch (error) {
        if (signal?.aborted) throw this.cancelled(method, url, elapsed(), error);
        const status = response.statusCode;
        // An error status whose body was cut off is still that error; a cut-off 2xx lost its answer.
        if (status < 200 || status >= 300) {
          return { kind: 'response', status, headers: responseHeaders, text: '', ticket, ms: elapsed() };
        }
        return { kind: 'failure', error, code: errorCode(error), sent: true, status, ms: elapsed() };
      }
    } finally {
      this.slots.release();
    }
  }

  private async retry(
    method: string,
    url: URL,
    outcome: string,
    attempt: number,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.counters.retries++;
    if (this.reporter.verbose) {
      const wait = waitMs >= 1000 ? `${(waitMs / 1000).toFixed(1)} s` : `${Math.round(waitMs)} ms`;
      this.reporter.debug(`${method} ${this.shownPath(url)} -> ${outcome}; retry ${attempt + 1} of ${this.maxRetries} in ${wait}`);
    }
    await sleep(waitMs, signal);
  }

  /**
   * A request cancelled in flight (a prefetched page past the end, or Ctrl-C) was still sent and
   * counted: --verbose lists it too, so its lines add up to the summary and to what Keap saw.
   */
  private cancelled(method: string, url: URL, ms: number, error: unknown): unknown {
    this.log(method, url, 'cancelled', { ms });
    return error;
  }

  private log(method: string, url: URL, outcome: string, attempt: { ms: number }): void {
    if (this.reporter.verbose) this.reporter.debug(`${method} ${this.shownPath(url)} -> ${outcome} (${attempt.ms} ms)`);
  }

  /** `/contacts?limit=1000&offset=0`: relative to the base, without secrets. */
  private shownPath(url: URL): string {
    const full = redactUrl(url.href);
    return full.startsWith(this.baseUrl) ? full.slice(this.baseUrl.length) || '/' : full;
  }

  /** What Keap refused and from where; the hint (what to do) is the command layer's (hints.ts). */
  private authError(
    status: number,
    message: string,
    code: string | undefined,
    credentials: CredentialSource,
    method: string,
    url: URL,
    cause: ApiError,
  ): AuthError {
    const what = `${message}${code ? ` (${code})` : ''}`;
    const source = credentials.describe();
    const credential = { source, scheme: credentials.scheme };
    // Hints pick the way out from where it came from (hints.ts), never from `source`'s wording.
    const credentialFrom = credentials.from;
    if (status === 403) {
      return new AuthError(`Keap refused ${method} ${this.shownPath(url)}: 403 ${what}`, {
        problem: 'forbidden',
        credential,
        credentialFrom,
        cause,
      });
    }
    return new AuthError(`Keap refused the credential from ${source}: 401 ${what}`, {
      problem: 'refused',
      credential,
      credentialFrom,
      cause,
    });
  }
}

/** At most `max` holders at once; waiters are served first come, first served. */
class Slots {
  private free: number;
  private waiters: Array<() => void> = [];
  constructor(max: number) {
    this.free = max;
  }
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== grant);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

/** Whether the failure happened before the request could leave: lookup, connect or TLS handshake. */
function failedBeforeSending(code: string): boolean {
  return (
    NOT_SENT_CODES.has(code) ||
    code === 'ENOTFOUND' ||
    code === 'EPROTO' ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)
  );
}

/** `/contacts?email=a` -> [`/contacts`, {email: 'a'}] */
function splitQuery(path: string): [string, Query] {
  const mark = path.indexOf('?');
  if (mark < 0) return [path, {}];
  const query: Query = {};
  for (const [name, value] of new URLSearchParams(path.slice(mark + 1))) query[name] = value;
  return [path.slice(0, mark), query];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function parseBody(contentType: string | undefined, text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  const type = (contentType ?? '').toLowerCase();
  if (type && !type.includes('json')) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The error's code (`ECONNREFUSED`, `UND_ERR_SOCKET`), looking through wrappers. */
function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current !== 'object') break;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'network error';
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function queryText(value: QueryValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/** Percent-encoding that keeps commas literal, as Keap writes comma-delimited lists. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/%2C/gi, ',');
}

function canonical(query: Query): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${name}=${queryText(query[name]) ?? ''}`)
    .join('&');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The array at `key`; an explicit null is an empty page, a missing key is a wrong shape. */
function listAt(body: Record<string, unknown>, key: string): unknown[] | undefined {
  const value = body[key];
  if (Array.isArray(value)) return value;
  if (value === null && key in body) return [];
  return undefined;
}

/** Records with the response's `carry` properties copied onto each (record values win). */
function withCarried(records: unknown[], body: Record<string, unknown>, carry: readonly string[] | undefined): unknown[] {
  if (!carry?.length) return records;
  const carried = Object.fromEntries(carry.filter((name) => name in body).map((name) => [name, body[name]]));
  return records.map((record) => (isRecord(record) ? { ...carried, ...record } : record));
}

function countOf(body: unknown): { count?: number } {
  return isRecord(body) && typeof body.count === 'number' ? { count: body.count } : {};
}

function describe(body: unknown): string {
  if (body === undefined) return 'an empty body';
  if (Array.isArray(body)) return 'an array';
  if (isRecord(body)) {
    const keys = Object.keys(body);
    return keys.length
      ? `an object with ${keys
          .slice(0, 6)
          .map((k) => `"${k}"`)
          .join(', ')}`
      : 'an empty object';
  }
  return typeof body === 'string' ? 'text' : `a ${typeof body}`;
}
