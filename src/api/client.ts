/**
 * The Keap REST v1 client: the only code in the program that touches the network (DESIGN.md
 * section 4, API-FACTS.md sections 2-4 and 9). One undici agent with keep-alive, one pacer and
 * one concurrency limit per client, shared by every caller. It keeps the exchange: each attempt
 * is sent here, `retry-decision.ts` says what to do with its result and `failures.ts` which error
 * a failed request ends with; limit/offset paging is the pager's (`pager.ts`).
 */
import type { Dispatcher } from 'undici';
import type { ResponseShape } from '../catalog/types.js';
import { ApiError, AuthError, UsageError } from '../errors.js';
import { silentReporter, type Reporter } from '../reporter.js';
import { redactUrl } from './errors.js';
import { createDispatcher } from './dispatcher.js';
import { failureError } from './failures.js';
import { Pacer, limitsForScheme, type Observation } from './pacer.js';
import { type PageRequest, type PageSource, pagesOf } from './pager.js';
import { describeProxySettings, proxyNote, proxySettings } from './proxy.js';
import {
  type AttemptResult,
  type BackoffPolicy,
  backoffMs,
  decide,
  failedBeforeSending,
  SAFE_METHODS,
  THROTTLE_PATIENCE_MS,
  throttleWaitMs,
} from './retry-decision.js';
import { describeBody, parseBody, recordsOf } from './shapes.js';
import type { ApiResponse, CredentialSource, KeapApi, Page, PaginateOptions, RequestOptions } from './types.js';
import { ApiBase } from './url.js';
import { Slots, sleep } from './waits.js';

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
  /** Never through a proxy (the in-process sandbox); otherwise the run's proxy settings apply. */
  direct?: boolean;
}

type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string>; text: string; ticket: number }
  | { kind: 'failure'; error: unknown; code: string; sent: boolean; status?: number };

export function createClient(options: ClientOptions): KeapApi {
  return new KeapClient(options);
}

/**
 * The one place the client's undici dispatcher is made (through `dispatcher.ts`, which applies the
 * run's proxy settings). Keep-alive idle time stays at undici's short default (or the server's
 * hint): reusing a socket the server is closing would turn a POST into an unknown outcome.
 */
function createAgent(timeoutMs: number, direct: boolean): Dispatcher {
  return createDispatcher({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 30_000),
    direct,
  });
}

class KeapClient implements KeapApi {
  readonly baseUrl: string;
  private readonly base: ApiBase;
  private readonly credentials: CredentialSource | undefined;
  private readonly reporter: Reporter;
  private readonly maxRetries: number;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly throttlePatienceMs: number;
  private readonly agent: Dispatcher;
  private readonly direct: boolean;
  private readonly pacer: Pacer;
  private readonly slots: Slots;
  private readonly counters = { requests: 0, retries: 0, throttled: 0 };
  /** The `x-keap-*` headers of the last answer that carried any. */
  private rateHeaders: Record<string, string> | undefined;
  /** Pages for the pager: GETs with this client's retries, pacing and credential. */
  private readonly pageSource: PageSource = {
    fetchPage: (page, signal) => this.exchange<string>('GET', page.path, { query: pageQuery(page), signal }, false),
    refetchPage: (page, signal) => this.request('GET', page.path, { query: pageQuery(page), ...(signal ? { signal } : {}) }),
  };

  constructor(options: ClientOptions) {
    const base = ApiBase.parse(options.baseUrl);
    this.base = base;
    this.baseUrl = base.href;
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
    this.backoff = { baseMs: options.retryBaseMs ?? 250, maxMs: options.retryMaxMs ?? 20_000 };
    this.throttlePatienceMs = options.throttlePatienceMs ?? THROTTLE_PATIENCE_MS;
    this.slots = new Slots(Math.max(1, options.concurrency ?? 8));
    this.direct = options.direct ?? false;
    this.agent = createAgent(options.timeoutMs ?? 120_000, this.direct);
    const proxy = options.direct ? undefined : describeProxySettings(proxySettings());
    if (proxy) this.reporter.debug(proxy);
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
    if (!credentials) throw new AuthError('not logged in to Keap', { problem: 'missing' });
    const url = this.base.resolve(path, options.query);
    const safe = options.retry ?? SAFE_METHODS.has(verb);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const fixedHeaders: Record<string, string> = { accept: 'application/json', 'user-agent': 'infusionsoft-cli' };
    if (payload !== undefined) fixedHeaders['content-type'] = 'application/json';
    // Only the API the credential was issued for can say it is stale: a 401 from anywhere else
    // must not rotate the refresh token (resolve() already keeps requests on the base's origin).
    const issuer = !credentials.origin || credentials.origin === url.origin;

    let throttled = 0;
    let firstThrottledAt = 0;
    let reauthorized = 0;
    for (let attempt = 0; ; attempt++) {
      // Asked on every attempt: a refreshing source may have a new token since the last one.
      const headers = { ...fixedHeaders, ...(await credentials.header(options.signal)) };
      const result = await this.send(verb, url, headers, payload, options.signal);
      let observed: Observation | undefined;
      let body: { ok: true; value: unknown } | { ok: false } = { ok: true, value: undefined };
      if (result.kind === 'response') {
        observed = this.pacer.observe(result.headers, result.status, result.ticket);
        this.keepRateHeaders(result.headers);
        const { status } = result;
        if (status >= 200 && status < 300)
          body = parse ? parseBody(result.headers['content-type'], result.text) : { ok: true, value: result.text };
        if (status === 429) {
          this.counters.throttled++;
          if (throttled === 0) firstThrottledAt = Date.now();
        }
      }
      const decision = decide(attemptResultOf(result, body.ok, observed), {
        safe,
        retriesLeft: attempt - throttled - reauthorized < this.maxRetries,
        mayRenew: reauthorized === 0 && issuer,
        throttled,
        throttledForMs: Date.now() - firstThrottledAt,
        throttlePatienceMs: this.throttlePatienceMs,
      });
      const outcome = outcomeText(result);

      if (decision.kind === 'accept' && result.kind === 'response' && body.ok) {
        this.log(verb, url, `${result.status}`, result);
        return { status: result.status, headers: result.headers, body: body.value as T };
      }
      if (decision.kind === 'renew') {
        if (await credentials.onUnauthorized(options.signal)) {
          reauthorized++;
          this.counters.retries++;
          this.log(verb, url, '401; credential renewed, sending again', result);
          continue;
        }
      } else if (decision.kind === 'retry') {
        await this.retry(verb, url, decision.outcome, attempt, backoffMs(attempt, this.random(), this.backoff), options.signal);
        continue;
      } else if (decision.kind === 'retry-throttled') {
        throttled++;
        // With throttle headers the pacer already holds everyone for the window; else back off.
        let wait = 0;
        if (!decision.pacerHolds) {
          wait = throttleWaitMs(throttled, this.random(), this.backoff);
          this.pacer.pause(wait);
        }
        await this.retry(verb, url, outcome, attempt, wait, options.signal);
        continue;
      }
      this.log(verb, url, outcome, result);
      throw failureError(decision.kind === 'fail' ? decision.error : 'auth', {
        method: verb,
        shown: redactUrl(url.href),
        shownPath: this.base.shown(url),
        baseUrl: this.baseUrl,
        attempt,
        credentials,
        result:
          result.kind === 'response'
            ? { kind: 'response', status: result.status, contentType: result.headers['content-type'], text: result.text }
            : { kind: 'failure', code: result.code, error: result.error },
        ...(observed?.quotaExhausted ? { quota: observed.quotaExhausted } : {}),
        throttledForMs: Date.now() - firstThrottledAt,
        ...(result.kind === 'failure' && !this.direct ? { proxy: proxyNote(url, result.error) } : {}),
      });
    }
  }

  paginate(path: string, shape: ResponseShape, options: PaginateOptions = {}): AsyncIterable<Page> {
    if (shape.kind === 'page') return pagesOf(this.pageSource, this.base, path, shape.key, options, this.reporter);
    return this.single(path, shape, options);
  }

  /** A read whose answer is not paged: one request, yielded as one page. */
  private async *single(path: string, shape: Exclude<ResponseShape, { kind: 'page' }>, options: PaginateOptions): AsyncGenerator<Page> {
    const response = await this.request('GET', path, {
      ...(options.query ? { query: options.query } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const read = recordsOf(shape, response.body);
    if ('expected' in read) {
      throw new ApiError({
        status: response.status,
        keapMessage: `expected ${read.expected}, got ${describeBody(response.body)}`,
        method: 'GET',
        url: redactUrl(this.base.resolve(path, options.query).href),
      });
    }
    yield { records: read.records, offset: 0, ...(read.count !== undefined ? { count: read.count } : {}) };
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
      this.reporter.debug(`${method} ${this.base.shown(url)} -> ${outcome}; retry ${attempt + 1} of ${this.maxRetries} in ${wait}`);
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
    if (this.reporter.verbose) this.reporter.debug(`${method} ${this.base.shown(url)} -> ${outcome} (${attempt.ms} ms)`);
  }
}

/** A page's query as sent: the caller's, with its limit and offset. */
function pageQuery(page: PageRequest) {
  return { ...page.query, limit: page.limit, offset: page.offset };
}

/** What the retry decision needs of an attempt. */
function attemptResultOf(result: Attempt, bodyOk: boolean, observed: Observation | undefined): AttemptResult {
  if (result.kind === 'failure') return { kind: 'failure', code: result.code, sent: result.sent };
  return {
    kind: 'response',
    status: result.status,
    bodyOk,
    quotaExhausted: observed?.quotaExhausted !== undefined,
    pausedMs: observed?.pausedMs ?? 0,
  };
}

/** How an attempt ended, for --verbose and the retry lines. */
function outcomeText(result: Attempt): string {
  if (result.kind === 'failure') return result.code;
  const { status } = result;
  return status >= 200 && status < 300 ? `${status} with a cut-off body` : `${status}`;
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
