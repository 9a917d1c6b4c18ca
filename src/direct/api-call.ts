/**
 * `infusionsoft api`: one raw call, like `gh api`, or every page of a list with --paginate.
 */
import type { Writable } from 'node:stream';
import type { KeapApi, PaginateOptions, Query } from '../api/types.js';
import { catalog, readActions } from '../catalog/index.js';
import type { ResponseShape } from '../catalog/types.js';
import { UsageError } from '../errors.js';

/** The methods `api` takes; commander checks its METHOD argument against them (commands/api.ts). */
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface ApiCallOptions {
  method: string;
  path: string;
  /** Already-parsed JSON body. */
  body?: unknown;
  paginate?: boolean;
}

export interface ApiCallResult {
  status: number;
  records?: number;
}

export function parseMethod(value: string): (typeof METHODS)[number] {
  const method = value.toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) {
    throw new UsageError(`unknown method "${value}"`, { hint: `use one of ${METHODS.join(', ')}` });
  }
  return method as (typeof METHODS)[number];
}

/** Splits `/contacts?email=a@b.c` into a path relative to the v1 base and a query. */
export function splitPath(raw: string, baseUrl: string): { path: string; query: Query } {
  let value = raw.trim();
  if (/^https?:\/\//i.test(value)) {
    if (!value.startsWith(baseUrl)) {
      throw new UsageError(`"${raw}" is not under the API base ${baseUrl}`, {
        hint: 'give a path such as /contacts; credentials are only sent to the configured API',
      });
    }
    value = value.slice(baseUrl.length);
  }
  if (!value.startsWith('/')) value = `/${value}`;
  value = value.replace(/^\/v1(?=\/)/, '');
  const url = new URL(value, 'http://placeholder');
  const query: Query = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  return { path: decodeURIComponent(url.pathname), query };
}

/**
 * How to page a path the catalog knows (`/contacts`): where the records are, so --paginate needs no
 * probe, and the stable order and key fields that let overlapping pages line up.
 */
function catalogPaging(path: string): { shape: ResponseShape; options: PaginateOptions } | undefined {
  for (const resource of catalog) {
    for (const action of readActions(resource)) {
      if (action.method !== 'GET' || action.shape?.kind !== 'page') continue;
      const pattern = new RegExp(`^${action.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (!pattern.test(path)) continue;
      const order = action.stableOrder ? { order: action.stableOrder } : {};
      return { shape: action.shape, options: { ...order, keyFields: action.recordMap ? [] : resource.keyFields } };
    }
  }
  return undefined;
}

function pageKey(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (!('next' in record) && !('count' in record)) return undefined;
  return Object.keys(record).find((k) => Array.isArray(record[k]));
}

export async function callApi(api: KeapApi, options: ApiCallOptions, out: Writable): Promise<ApiCallResult> {
  const method = parseMethod(options.method);
  const { path, query } = splitPath(options.path, api.baseUrl);
  if (options.paginate && method !== 'GET') {
    throw new UsageError('--paginate works with GET only');
  }
  if (!options.paginate) {
    const response = await api.request(method, path, { query, body: options.body });
    if (response.body !== undefined && response.body !== null && response.body !== '') {
      await write(out, `${JSON.stringify(response.body, null, 2)}\n`);
    }
    return { status: response.status };
  }
  const known = catalogPaging(path);
  let shape = known?.shape;
  if (!shape) {
    // Unknown to the catalog: look at the first page to learn where the records are.
    const first = await api.request('GET', path, { query });
    const key = pageKey(first.body);
    if (!key) {
      await write(out, `${JSON.stringify(first.body, null, 2)}\n`);
      return { status: first.status };
    }
    shape = { kind: 'page', key };
  }
  const key = shape.kind === 'page' ? shape.key : 'records';
  let count = 0;
  let opened = false;
  for await (const page of api.paginate(path, shape, { ...known?.options, query, prefetch: 4 })) {
    // Nothing is printed until the first page is in: a refused token or an unreachable API leaves
    // stdout empty rather than holding the start of a JSON document.
    let chunk = opened ? '' : `{\n  ${JSON.stringify(key)}: [`;
    opened = true;
    for (const record of page.records) {
      chunk += (count === 0 ? '\n    ' : ',\n    ') + JSON.stringify(record);
      count++;
    }
    if (chunk) await write(out, chunk);
  }
  await write(out, `${opened ? '' : `{\n  ${JSON.stringify(key)}: [`}${count ? '\n  ' : ''}],\n  "count": ${count}\n}\n`);
  return { status: 200, records: count };
}

function write(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}
