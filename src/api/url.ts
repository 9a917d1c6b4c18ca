/**
 * The API base URL and the URLs built under it. Credentials go only to URLs under the base, so
 * every request URL (a caller's path, a page's `next`) is resolved here.
 */
import { UsageError } from '../errors.js';
import { redactUrl } from './errors.js';
import type { Query, QueryValue } from './types.js';

export const URL_HINT = 'check --api-url or INFUSIONSOFT_API_URL';

export class ApiBase {
  /** `https://api.infusionsoft.com/crm/rest/v1`: origin and path, without a trailing slash. */
  readonly href: string;
  /** The base's path without a trailing slash (`/crm/rest/v1`). */
  readonly path: string;

  constructor(readonly url: URL) {
    this.path = url.pathname.replace(/\/+$/, '');
    this.href = `${url.origin}${this.path}`;
  }

  /** The base from a `--api-url` text; a UsageError when it is not an http(s) URL. */
  static parse(text: string): ApiBase {
    let base: URL;
    try {
      base = new URL(text);
    } catch {
      throw new UsageError(`not a URL: ${text}`, { hint: URL_HINT });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new UsageError(`the API URL must be http or https: ${text}`, { hint: URL_HINT });
    }
    return new ApiBase(base);
  }

  get origin(): string {
    return this.url.origin;
  }

  /**
   * The full URL for a path relative to the base (or an absolute URL under the base: anything
   * else is refused, so credentials never go to another host), with the query appended.
   */
  resolve(path: string, query?: Query): URL {
    let target: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      try {
        target = new URL(path);
      } catch {
        throw new UsageError(`not a URL: ${path}`);
      }
    } else {
      target = new URL(`${this.url.origin}${this.path}${path.startsWith('/') ? '' : '/'}${path}`);
    }
    const inside = target.origin === this.url.origin && (target.pathname === this.path || target.pathname.startsWith(`${this.path}/`));
    if (!inside) {
      throw new UsageError(`refusing to send credentials to ${redactUrl(target.href)}: it is not under ${this.href}`, {
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

  /** A `next` URL's path relative to the configured base (never its host). */
  relativePath(pathname: string, fallback: string): string {
    for (const prefix of [this.path, '/crm/rest/v1']) {
      if (prefix && pathname.startsWith(`${prefix}/`)) return pathname.slice(prefix.length);
    }
    // An unexpected path: keep asking the endpoint we were paging.
    return fallback.split('?')[0] ?? fallback;
  }

  /** `/contacts?limit=1000&offset=0`: relative to the base, without secrets. */
  shown(url: URL): string {
    const full = redactUrl(url.href);
    return full.startsWith(this.href) ? full.slice(this.href.length) || '/' : full;
  }
}

/** `/contacts?email=a` -> [`/contacts`, {email: 'a'}] */
export function splitQuery(path: string): [string, Query] {
  const mark = path.indexOf('?');
  if (mark < 0) return [path, {}];
  const query: Query = {};
  for (const [name, value] of new URLSearchParams(path.slice(mark + 1))) query[name] = value;
  return [path.slice(0, mark), query];
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

/** A query as text that does not depend on the order of its parameters. */
export function canonical(query: Query): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${name}=${queryText(query[name]) ?? ''}`)
    .join('&');
}
