/**
 * What the rest of the program sees of the HTTP client. `api/client.ts` implements it; nothing
 * else in the program touches the network.
 */
import type { ResponseShape } from '../catalog/types.js';
import type { CredentialOrigin } from '../errors.js';

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number>;
export type Query = Record<string, QueryValue>;

/**
 * Where the client gets its credential. It is asked for the header on every attempt, so a source
 * that refreshes (OAuth with a refresh token) can hand out a new token without the client knowing.
 */
export interface CredentialSource {
  /** How the credential is sent: an OAuth access token as Bearer, a PAT or SAK as X-Keap-API-Key. */
  readonly scheme: 'bearer' | 'api-key';
  /**
   * The API origin (`https://api.infusionsoft.com`) a stored credential was issued for: the client
   * sends it nowhere else. Undefined for a credential the user handed this run (the environment).
   */
  readonly origin?: string;
  /** Where it comes from, as data: a stored profile (name, storage), a variable, or handed over. */
  readonly from: CredentialOrigin;
  /** Where it comes from, for messages (`INFUSIONSOFT_API_KEY`, `sandbox`); never the secret. */
  describe(): string;
  /** The headers that authenticate this attempt. */
  header(signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * Keap answered 401 to a request sent with this source's header. Called at most once per
   * request; resolves true when a new credential is ready and the request should be sent once
   * more. Requests in flight together may call it at once: a refreshing source refreshes once.
   */
  onUnauthorized(signal?: AbortSignal): Promise<boolean>;
}

export interface RequestOptions {
  query?: Query;
  /** JSON body (serialised by the client). */
  body?: unknown;
  /**
   * Whether the request may be repeated after a 5xx, a reset or a cut-off answer. Defaults to true
   * for GET only: a repeated write could act twice. (A 429 was never processed, so it is always
   * retried.)
   */
  retry?: boolean;
  signal?: AbortSignal;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface Page {
  /** The page's records not already yielded (overlapping pages repeat a few). */
  records: unknown[];
  /** Offset of the first record of this page. */
  offset: number;
  /** The response's `count`, when it had one. */
  count?: number;
  /** Whether paging goes on after this page (a full page with a `next`). */
  more?: boolean;
  /** Limit/offset paging: where the chain of pages stands after this one, to resume from (`resumeAfter`). */
  position?: PagePosition;
}

/** The last accepted page's offset and the identities a following page is lined up against (paging.ts). */
export interface PagePosition {
  offset: number;
  /** Identities of the records of the page at `offset`, and of the page before it. */
  ids: string[];
  olderIds: string[];
}

export interface PaginateOptions {
  query?: Query;
  /** Records per request (capped at 1000, Keap's maximum). */
  pageSize?: number;
  /** How many pages may be in flight ahead of the consumer (1 = sequential). */
  prefetch?: number;
  /**
   * Query parameters asking for a stable order (the catalog's `stableOrder`), sent on every page
   * unless the caller's query names an order of its own.
   */
  order?: Record<string, string>;
  /**
   * Fields identifying a record (the catalog's `keyFields`), used to line up overlapping pages and
   * drop duplicates. A record that has none of them is identified by a hash of the whole record.
   */
  keyFields?: readonly string[];
  /**
   * Continue a read stopped after the page at this position (a resumed export): paging starts at
   * the next offset, and the first page must line up with the saved one as any page must.
   */
  resumeAfter?: PagePosition;
  signal?: AbortSignal;
}

export interface KeapApi {
  /** The REST v1 base URL, without a trailing slash. */
  readonly baseUrl: string;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /**
   * Read every record of a read endpoint of the given shape. `page` shapes are paged with
   * limit/offset; other shapes are one request, yielded as one page.
   */
  paginate(path: string, shape: ResponseShape, options?: PaginateOptions): AsyncIterable<Page>;
  /**
   * Counters for summaries and benches, and the `x-keap-*` headers of the last answer that had any
   * (quota and throttle state, kept with a stored login for `auth status`).
   */
  stats(): { requests: number; retries: number; throttled: number; rateHeaders?: Record<string, string> };
  close(): Promise<void>;
}
