/**
 * Reading a request as Keap does: path ids, query parameters, dates, bodies and their required
 * fields. Anything malformed is refused with Keap's own 400 answer.
 */
import type { Rec } from '../generate.js';
import { BAD_REQUEST, HttpError, type ApiRequest } from './http.js';

const DATE_WITH_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:?\d{2})$/;

export function parseDate(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!DATE_WITH_MILLIS.test(value)) throw new HttpError(400, BAD_REQUEST);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HttpError(400, BAD_REQUEST);
  return ms;
}

export function intParam(value: string | null | undefined, fallback: number): number {
  if (value === null || value === undefined || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new HttpError(400, BAD_REQUEST);
  return Number(value);
}

export function idParam(req: ApiRequest, name = 'id'): number {
  const raw = req.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw new HttpError(400, BAD_REQUEST);
  return Number(raw);
}

export function optionalProperties(req: ApiRequest): Set<string> {
  const out = new Set<string>();
  for (const value of req.query.getAll('optional_properties')) {
    for (const part of value.split(',')) if (part.trim()) out.add(part.trim());
  }
  return out;
}

/** Builds a `where` from simple equality query filters (`contact_id=5`). */
export function equalityFilter(req: ApiRequest, fields: Record<string, (record: Rec) => unknown>): ((record: Rec) => boolean) | undefined {
  const tests: Array<(record: Rec) => boolean> = [];
  for (const [param, read] of Object.entries(fields)) {
    const wanted = req.query.get(param);
    if (wanted === null || wanted === '') continue;
    tests.push((record) => String(read(record) ?? '').toLowerCase() === wanted.toLowerCase());
  }
  return tests.length ? (record) => tests.every((test) => test(record)) : undefined;
}

export function bodyObject(req: ApiRequest): Rec {
  const body = req.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, BAD_REQUEST);
  return body as Rec;
}

export function requireFields(body: Rec, names: string[]): void {
  for (const name of names) {
    const value = body[name];
    if (value === undefined || value === null || value === '') throw new HttpError(400, `${name} is required`);
  }
}

/** A body's list of ids (`SetOfIds.ids`, `TagId.tagIds`): whole numbers, as the spec types them; optional there, so absent is none. */
export function idList(body: Rec, name: string): number[] {
  const ids = body[name] ?? [];
  if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id))) throw new HttpError(400, `${name} must be a list of ids`);
  return ids as number[];
}

/** The required `ids` query parameter of the bulk removals (`?ids=1,2`). */
export function idsQuery(req: ApiRequest): number[] {
  const parts = (req.query.get('ids') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0 || !parts.every((part) => /^\d+$/.test(part)))
    throw new HttpError(400, 'ids is required: a comma-separated list of ids');
  return parts.map(Number);
}
