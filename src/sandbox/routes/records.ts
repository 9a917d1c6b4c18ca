/** What handlers do to stored records: find them, merge changes in, and strip what is not served. */
import { optionalPropertiesByResource, type Rec } from '../generate.js';
import type { Collection } from '../store.js';
import { HttpError } from './http.js';

/** Drops internal `__` properties. */
export function clean(record: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(record)) if (!key.startsWith('__')) out[key] = value;
  return out;
}

export function without(record: Rec, keys: string[]): Rec {
  const out = clean(record);
  for (const key of keys) delete out[key];
  return out;
}

/** Strips a resource's optional properties that were not asked for. */
export function withOptional(record: Rec, resource: string, asked: Set<string>): Rec {
  const optional = optionalPropertiesByResource[resource] ?? [];
  return without(
    record,
    optional.filter((name) => !asked.has(name)),
  );
}

export function notFound(what: string, id: string | number): HttpError {
  return new HttpError(404, `${what} with id ${id} not found`);
}

export function must(collection: Collection, id: number, what: string): Rec {
  const record = collection.get(id);
  if (!record) throw notFound(what, id);
  return record;
}

export function now(): string {
  return new Date().toISOString();
}

const readOnly = ['id', 'date_created', 'last_updated', 'creation_date', 'modification_date'];

export function merge(existing: Rec, changes: Rec, stamp: Rec): Rec {
  const out: Rec = { ...existing };
  for (const [key, value] of Object.entries(changes)) if (!readOnly.includes(key)) out[key] = value;
  return { ...out, ...stamp };
}
