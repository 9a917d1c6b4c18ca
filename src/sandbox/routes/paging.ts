/**
 * Lists as Keap pages them: `limit`/`offset`, `since`/`until` windows, the spec's `order` values,
 * and the `{<key>, count, next, previous}` body with links that keep the filters.
 */
import type { Rec } from '../generate.js';
import type { Collection, ListQuery, ListResult } from '../store.js';
import { BAD_REQUEST, HttpError, type ApiRequest, type ApiResponse } from './http.js';
import { clean } from './records.js';
import { intParam, parseDate } from './request.js';

interface PageOptions {
  key: string;
  since?: string;
  until?: string;
  timeField?: string;
  where?: (record: Rec) => boolean;
  view?: (record: Rec) => Rec;
  extra?: Rec;
  /** The spec's `order` values for this list, each with its sort key; `order_direction` applies to all. */
  orders?: OrderKeys;
}

export type OrderKeys = Record<string, (record: Rec) => unknown>;

/** Sort keys for the spec's `order` values: a record field of that name unless `special` says otherwise. */
export function orderKeys(values: string[], special: OrderKeys = {}): OrderKeys {
  return Object.fromEntries(values.map((value) => [value, special[value] ?? ((record: Rec) => record[value])]));
}

/**
 * The `order` and `order_direction` asked for, as Keap takes them: values outside the spec's enums
 * are refused with its 400. Undefined for the default (ascending id) order.
 */
function requestedOrder(
  req: ApiRequest,
  orders: OrderKeys | undefined,
): { key: (record: Rec) => unknown; byId: boolean; descending: boolean } | undefined {
  if (!orders) return undefined;
  const value = req.query.get('order');
  const direction = req.query.get('order_direction');
  if (direction !== null && direction !== 'ASCENDING' && direction !== 'DESCENDING') throw new HttpError(400, BAD_REQUEST);
  if (value !== null && !(value in orders)) throw new HttpError(400, BAD_REQUEST);
  const descending = direction === 'DESCENDING';
  if ((value === null || value === 'id') && !descending) return undefined;
  const key = value === null ? (record: Rec) => record['id'] : (orders[value] as (record: Rec) => unknown);
  return { key, byId: value === null || value === 'id', descending };
}

function compareKeys(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** One page of `collection` in a requested order, ties broken by id so that paging is stable. */
function orderedList(collection: Collection, query: ListQuery, order: NonNullable<ReturnType<typeof requestedOrder>>): ListResult {
  const { offset, limit } = query;
  if (order.byId) {
    // Descending ids: the matching ascending window, reversed, without reading the whole list.
    const { total } = collection.list({ ...query, offset: 0, limit: 0 });
    const end = Math.max(0, total - offset);
    const window = collection.list({ ...query, offset: Math.max(0, end - limit), limit: Math.min(limit, end) });
    return { records: window.records.reverse(), total };
  }
  const all = collection.list({ ...query, offset: 0, limit: Number.MAX_SAFE_INTEGER });
  const sign = order.descending ? -1 : 1;
  const sorted = all.records
    .map((record) => ({ record, key: order.key(record) }))
    .sort((a, b) => sign * (compareKeys(a.key, b.key) || compareKeys(a.record['id'], b.record['id'])))
    .map((entry) => entry.record);
  return { records: sorted.slice(offset, offset + limit), total: all.total };
}

export function pageParams(req: ApiRequest): { limit: number; offset: number } {
  let limit = intParam(req.query.get('limit'), 1000);
  const offset = intParam(req.query.get('offset'), 0);
  if (limit < 0 || offset < 0) throw new HttpError(400, BAD_REQUEST);
  if (limit === 0 || limit > 1000) limit = 1000;
  return { limit, offset };
}

/** `{<key>, count, next, previous}` with absolute links that keep filters and drop optional_properties. */
export function pageBody(req: ApiRequest, key: string, records: Rec[], total: number, limit: number, offset: number, extra: Rec = {}): Rec {
  const link = (newOffset: number): string => {
    const params = new URLSearchParams();
    for (const [name, value] of req.query) {
      if (name === 'limit' || name === 'offset' || name === 'optional_properties') continue;
      params.append(name, value);
    }
    params.set('limit', String(limit));
    params.set('offset', String(newOffset));
    return `${req.apiUrl}${req.path}?${params.toString()}`;
  };
  return {
    [key]: records,
    count: total,
    next: link(offset + limit),
    previous: link(Math.max(0, offset - limit)),
    ...extra,
  };
}

export function page(req: ApiRequest, collection: Collection, options: PageOptions): ApiResponse {
  const { limit, offset } = pageParams(req);
  const query: ListQuery = { offset, limit };
  const since = parseDate(req.query.get(options.since ?? 'since'));
  const until = parseDate(req.query.get(options.until ?? 'until'));
  if (since !== undefined) query.since = since;
  if (until !== undefined) query.until = until;
  if (options.timeField) query.timeField = options.timeField;
  if (options.where) query.where = options.where;
  const order = requestedOrder(req, options.orders);
  const result = order ? orderedList(collection, query, order) : collection.list(query);
  const view = options.view ?? clean;
  return { status: 200, body: pageBody(req, options.key, result.records.map(view), result.total, limit, offset, options.extra) };
}

/** Pages an in-memory array (small per-parent lists). */
export function pageArray(req: ApiRequest, key: string, records: Rec[], extra: Rec = {}): ApiResponse {
  const { limit, offset } = pageParams(req);
  return { status: 200, body: pageBody(req, key, records.slice(offset, offset + limit), records.length, limit, offset, extra) };
}

export function inWindow(req: ApiRequest, field: string, records: Rec[]): Rec[] {
  const since = parseDate(req.query.get('since'));
  const until = parseDate(req.query.get('until'));
  return records.filter((record) => {
    const ms = Date.parse(String(record[field] ?? ''));
    return (since === undefined || ms >= since) && (until === undefined || ms <= until);
  });
}
