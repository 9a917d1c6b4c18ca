/**
 * Reading an answer's body: JSON or text, and the records a read endpoint's response shape
 * (the catalog's `ResponseShape`) holds. Pure functions; the client and the pager fetch.
 */
import type { ResponseShape } from '../catalog/types.js';

export function parseBody(contentType: string | undefined, text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  const type = (contentType ?? '').toLowerCase();
  if (type && !type.includes('json')) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The array at `key`; an explicit null is an empty page, a missing key is a wrong shape. */
export function listAt(body: Record<string, unknown>, key: string): unknown[] | undefined {
  const value = body[key];
  if (Array.isArray(value)) return value;
  if (value === null && key in body) return [];
  return undefined;
}

export function countOf(body: unknown): { count?: number } {
  return isRecord(body) && typeof body.count === 'number' ? { count: body.count } : {};
}

/** `an object with "people"`: what a body of the wrong shape held, for the error. */
export function describeBody(body: unknown): string {
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

/**
 * The records of a body of a shape that is not paged (array, object, list, map), or what was
 * expected when the body is not of that shape.
 */
export function recordsOf(
  shape: Exclude<ResponseShape, { kind: 'page' }>,
  body: unknown,
): { records: unknown[]; count?: number } | { expected: string } {
  switch (shape.kind) {
    case 'array':
      return Array.isArray(body) ? { records: body } : { expected: 'a JSON array' };
    case 'object':
      return isRecord(body) ? { records: [body] } : { expected: 'a JSON object' };
    case 'list': {
      const records = isRecord(body) ? listAt(body, shape.key) : undefined;
      if (!records || !isRecord(body)) return { expected: `an object with an array "${shape.key}"` };
      return { records: withCarried(records, body, shape.carry), ...countOf(body) };
    }
    case 'map': {
      const map = isRecord(body) ? body[shape.key] : undefined;
      if (!isRecord(map)) return { expected: `an object with a map "${shape.key}"` };
      return { records: Object.entries(map).map(([k, v]) => ({ [shape.keyName]: k, [shape.valueName]: v })) };
    }
  }
}

/** Records with the response's `carry` properties copied onto each (record values win). */
function withCarried(records: unknown[], body: Record<string, unknown>, carry: readonly string[] | undefined): unknown[] {
  if (!carry?.length) return records;
  const carried = Object.fromEntries(carry.filter((name) => name in body).map((name) => [name, body[name]]));
  return records.map((record) => (isRecord(record) ? { ...carried, ...record } : record));
}
