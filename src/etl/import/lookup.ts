/**
 * Natural keys -> Keap ids (`import --lookup contact_id=contacts.email`), the record an interrupted
 * create may have made (`--resume`), tags created by name (`--create-tags`) and tags applied to a
 * contact. Which resources can be looked up, by what, and how is catalog data (`naturalKeys`).
 */
import type { KeapApi } from '../../api/types.js';
import { actionsOfKind, catalog, findResource, plainReadAction, singularName } from '../../catalog/index.js';
import type { ActionDef, NaturalKey, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import { listPages } from './snapshot.js';
import type { LookupResult, LookupSpec } from './types.js';

const SYNTAX_HINT = 'Write it as FIELD=RESOURCE.KEY, e.g. --lookup contact_id=contacts.email or --lookup product_id=products.sku.';

/** Reads `--lookup FIELD=RESOURCE.KEY`; a UsageError naming --lookup for bad syntax, an unknown resource or key. */
export function parseLookup(text: string): LookupSpec {
  const equals = text.indexOf('=');
  const field = text.slice(0, Math.max(equals, 0)).trim();
  const target = text.slice(equals + 1).trim();
  const dot = target.indexOf('.');
  if (equals < 0 || !/^[A-Za-z_][\w.]*$/.test(field) || dot <= 0 || dot === target.length - 1) {
    throw new UsageError(`--lookup "${text}" is not FIELD=RESOURCE.KEY`, { hint: SYNTAX_HINT });
  }
  let resource: ResourceDef;
  try {
    resource = findResource(target.slice(0, dot));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`--lookup "${text}": ${error.message}`, error.hint ? { hint: error.hint } : undefined);
  }
  const keyName = target.slice(dot + 1);
  const keys = resource.naturalKeys ?? [];
  if (keys.length === 0) {
    const others = catalog.filter((r) => r.naturalKeys?.length).map((r) => `${r.name} (${keyNames(r)})`);
    throw new UsageError(`--lookup "${text}": ${resource.name} cannot be looked up by a value`, {
      hint: `Resources that can, and their keys: ${others.join(', ')}.`,
    });
  }
  const key = keys.find((candidate) => candidate.name === keyName.toLowerCase());
  if (!key) {
    throw new UsageError(`--lookup "${text}": ${resource.name} cannot be looked up by "${keyName}"`, {
      hint: `${resource.name} can be looked up by ${keyNames(resource)}, e.g. --lookup ${field}=${resource.name}.${keys[0]?.name}.`,
    });
  }
  return { field, resource: resource.name, key: key.name };
}

const keyNames = (resource: ResourceDef): string => (resource.naturalKeys ?? []).map((key) => key.name).join(', ');

/**
 * What `recover` found: `createdAt` (ms) is the record's creation time where the catalog names a
 * `createdField` and the record holds it, so a caller can tell a record just created from an older one.
 */
export type RecoverResult = { kind: 'found'; id: number; createdAt?: number } | { kind: 'absent' } | { kind: 'cannot'; reason: string };

export interface Lookups {
  /**
   * Resolves distinct values (cached for the run): one filtered request per value where the
   * resource's read can filter on the key, otherwise the whole list read once and indexed.
   * No match -> {error: 'no product with sku "X"'}; several -> {error: 'several contacts with email "x" (ids 4, 9)'}.
   * Keyed by the values as given.
   */
  resolve(spec: LookupSpec, values: Iterable<string>, signal?: AbortSignal): Promise<Map<string, LookupResult>>;
  /**
   * For unknown rows and --resume: find the record a create may have made, by the resource's natural
   * key read from the body, always asking Keap afresh. 'absent': Keap has no such record (safe to
   * send); 'found': exactly one has it (with its creation time where known: the caller decides
   * whether this row made it); 'cannot': no natural key in the body to search by, or several records have it.
   */
  recover(resource: ResourceDef, body: Record<string, unknown>, signal?: AbortSignal): Promise<RecoverResult>;
  /** Creates missing tags by name (--create-tags), once per name even when asked concurrently; returns ids. */
  createTag?(name: string, signal?: AbortSignal): Promise<number>;
}

/** What one natural key of one resource has resolved so far in this run. */
interface KeyCache {
  /** By normalised value. */
  results: Map<string, Promise<LookupResult>>;
  /** Unfiltered keys: the whole list, indexed by normalised value, read once. */
  index?: Promise<Map<string, number[]>>;
}

export function createLookups(api: KeapApi): Lookups {
  const caches = new Map<string, KeyCache>();
  const cacheFor = (resource: ResourceDef, key: NaturalKey): KeyCache => {
    const name = `${resource.name}.${key.name}`;
    const cache = caches.get(name) ?? { results: new Map() };
    caches.set(name, cache);
    return cache;
  };
  /** Caches a pending answer, and forgets it if it fails, so a later call may ask again. */
  const remember = <T>(map: Map<string, Promise<T>>, name: string, pending: Promise<T>): Promise<T> => {
    map.set(name, pending);
    pending.catch(() => {
      if (map.get(name) === pending) map.delete(name);
    });
    return pending;
  };
  /** The whole list read once per run; forgotten if the read fails. */
  const indexOf = (cache: KeyCache, resource: ResourceDef, key: NaturalKey, signal?: AbortSignal): Promise<Map<string, number[]>> => {
    if (!cache.index) {
      const index = readIndex(api, resource, key, signal);
      cache.index = index;
      index.catch(() => {
        if (cache.index === index) delete cache.index;
      });
    }
    return cache.index;
  };
  const tagsCreated = new Map<string, Promise<number>>();

  return {
    async resolve(spec, values, signal) {
      const resource = findResource(spec.resource);
      const key = naturalKey(resource, spec.key);
      const cache = cacheFor(resource, key);
      const pending = new Map<string, Promise<LookupResult>>();
      // Many values to filter on: one list read, indexed for just these values, may cost fewer requests.
      const listed = key.filter ? await listedIndex(api, resource, key, values, cache, signal) : undefined;
      for (const value of values) {
        if (pending.has(value)) continue;
        const wanted = normalise(key, value);
        let result = cache.results.get(wanted);
        if (!result) {
          const ids = listed
            ? Promise.resolve(listed.get(wanted) ?? [])
            : key.filter
              ? findByFilter(api, resource, key, value, signal)
              : indexOf(cache, resource, key, signal).then((index) => index.get(wanted) ?? []);
          result = remember(
            cache.results,
            wanted,
            ids.then((found) => resultOf(resource, key, value, found)),
          );
        }
        pending.set(value, result);
      }
      const answers = new Map<string, LookupResult>();
      for (const [value, result] of pending) answers.set(value, await result);
      return answers;
    },

    async recover(resource, body, signal) {
      const keys = (resource.naturalKeys ?? []).filter((key) => key.bodyPath);
      if (keys.length === 0) return { kind: 'cannot', reason: `${resource.name} have no natural key to find a created record by` };
      for (const key of keys) {
        const value = valuesAt(resource, body, key.bodyPath as string).find((candidate) => candidate !== '');
        if (value === undefined) continue;
        const records = await recordsWithKey(api, resource, key, value, signal);
        const [record, ...others] = records;
        if (!record) return { kind: 'absent' };
        if (others.length === 0) return { kind: 'found', id: idOf(resource, record), ...createdAtOf(resource, record) };
        const ids = records.map((found) => idOf(resource, found));
        return { kind: 'cannot', reason: `several ${resource.name} with ${key.name} "${value}" (ids ${ids.join(', ')})` };
      }
      const paths = keys.map((key) => key.bodyPath).join(' or ');
      return { kind: 'cannot', reason: `the row has no ${paths} to find the ${singularName(resource)} by` };
    },

    createTag(name, signal) {
      const existing = tagsCreated.get(name);
      if (existing) return existing;
      const tags = findResource('tags');
      const created = createTagRecord(api, tags, name, signal);
      // Later lookups of the name find the new tag without asking Keap.
      for (const key of (tags.naturalKeys ?? []).filter((k) => k.path === 'name')) {
        remember(
          cacheFor(tags, key).results,
          normalise(key, name),
          created.then((id) => ({ id })),
        );
      }
      return remember(tagsCreated, name, created);
    },
  };
}

function naturalKey(resource: ResourceDef, name: string): NaturalKey {
  const key = resource.naturalKeys?.find((candidate) => candidate.name === name);
  if (!key)
    throw new UsageError(`${resource.name} cannot be looked up by "${name}"`, { hint: `Its keys: ${keyNames(resource) || 'none'}.` });
  return key;
}

function normalise(key: NaturalKey, value: string): string {
  return key.ignoreCase ? value.toLowerCase() : value;
}

function listRead(resource: ResourceDef): ActionDef & { shape: NonNullable<ActionDef['shape']> } {
  const read = plainReadAction(resource);
  if (!read?.shape) throw new Error(`catalog: ${resource.name} has natural keys but no plain read`);
  return read as ActionDef & { shape: NonNullable<ActionDef['shape']> };
}

/** Every record of the plain read (with `extra` query parameters), page by page. */
async function* readRecords(
  api: KeapApi,
  resource: ResourceDef,
  extra: Record<string, string>,
  signal?: AbortSignal,
): AsyncGenerator<Record<string, unknown>> {
  const read = listRead(resource);
  const pages = api.paginate(read.path, read.shape, {
    query: { ...(read.query ?? {}), ...extra },
    pageSize: 1000,
    keyFields: resource.keyFields,
    ...(read.stableOrder ? { order: read.stableOrder } : {}),
    ...(signal ? { signal } : {}),
  });
  for await (const page of pages) {
    for (const record of page.records) if (isRecord(record)) yield record;
  }
}

/** Ids of the records whose key is exactly `value`, read with the key's filter (which may match loosely). */
async function findByFilter(api: KeapApi, resource: ResourceDef, key: NaturalKey, value: string, signal?: AbortSignal): Promise<number[]> {
  const records = await recordsWithKey(api, resource, key, value, signal);
  return records.map((record) => idOf(resource, record));
}

/**
 * The records whose key is exactly `value`, one per id, asked afresh: through the key's filter
 * where it has one (which may match loosely), else by reading the whole list.
 */
async function recordsWithKey(
  api: KeapApi,
  resource: ResourceDef,
  key: NaturalKey,
  value: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const wanted = normalise(key, value);
  const byId = new Map<number, Record<string, unknown>>();
  const query = key.filter ? { [key.filter]: value } : {};
  for await (const record of readRecords(api, resource, query, signal)) {
    if (valuesAt(resource, record, key.path).some((candidate) => normalise(key, candidate) === wanted))
      byId.set(idOf(resource, record), record);
  }
  return [...byId.values()];
}

/** `{createdAt}` from the catalog's creation-time field, when the record holds a readable one. */
function createdAtOf(resource: ResourceDef, record: Record<string, unknown>): { createdAt?: number } {
  const stamp = resource.createdField === undefined ? undefined : record[resource.createdField];
  const createdAt = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
  return Number.isFinite(createdAt) ? { createdAt } : {};
}

/**
 * For a key Keap can filter on, the values not answered yet, read as one list indexed for just those
 * values (issue 17, item 6) when the list's pages cost fewer requests than a filtered read per value:
 * undefined otherwise. The list's size comes from a one-record probe's `count`, trusted only above one.
 */
async function listedIndex(
  api: KeapApi,
  resource: ResourceDef,
  key: NaturalKey,
  values: Iterable<string>,
  cache: KeyCache,
  signal?: AbortSignal,
): Promise<Map<string, number[]> | undefined> {
  const missing = new Set<string>();
  for (const value of values) if (!cache.results.has(normalise(key, value))) missing.add(normalise(key, value));
  // One or two values cost no more read one by one than a probe and a page.
  if (missing.size <= 2) return undefined;
  const read = listRead(resource);
  const probe = await api.request<unknown>('GET', read.path, { query: { ...(read.query ?? {}), limit: 1 }, ...(signal ? { signal } : {}) });
  const count = isRecord(probe.body) && typeof probe.body.count === 'number' ? probe.body.count : undefined;
  if (count === undefined || count <= 1 || listPages(count) >= missing.size) return undefined;
  return readIndex(api, resource, key, signal, missing);
}

/** The whole list, indexed by the key's normalised values (only those in `wanted`, when given). */
async function readIndex(
  api: KeapApi,
  resource: ResourceDef,
  key: NaturalKey,
  signal?: AbortSignal,
  wanted?: ReadonlySet<string>,
): Promise<Map<string, number[]>> {
  const index = new Map<string, number[]>();
  for await (const record of readRecords(api, resource, {}, signal)) {
    const id = idOf(resource, record);
    for (const value of new Set(valuesAt(resource, record, key.path).map((candidate) => normalise(key, candidate)))) {
      if (wanted && !wanted.has(value)) continue;
      const ids = index.get(value);
      if (ids) ids.push(id);
      else index.set(value, [id]);
    }
  }
  return index;
}

function resultOf(resource: ResourceDef, key: NaturalKey, value: string, ids: number[]): LookupResult {
  if (ids.length === 1) return { id: ids[0] as number };
  if (ids.length === 0) return { error: `no ${singularName(resource)} with ${key.name} "${value}"` };
  return { error: `several ${resource.name} with ${key.name} "${value}" (ids ${[...ids].sort((a, b) => a - b).join(', ')})` };
}

function idOf(resource: ResourceDef, record: Record<string, unknown>): number {
  return Number(record[resource.keyFields[0] ?? 'id']);
}

/**
 * The text values at a dot path, arrays searched element-wise. On a keyed array a segment that is
 * one of its discriminator values picks that element (`email_addresses.EMAIL1.email`).
 */
export function valuesAt(resource: ResourceDef, record: unknown, path: string): string[] {
  const [first = '', ...rest] = path.split('.');
  const field = resource.fields.find((candidate) => candidate.name === first);
  let current: unknown[] = isRecord(record) ? [record[first]] : [];
  rest.forEach((part, position) => {
    const elements = current.flatMap((value) => (Array.isArray(value) ? value : [value])).filter(isRecord);
    const discriminator = field?.discriminator;
    if (position === 0 && discriminator && field?.discriminatorValues?.includes(part)) {
      current = elements.filter((element) => element[discriminator] === part);
    } else {
      current = elements.map((element) => element[part]);
    }
  });
  return current
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string | number => typeof value === 'string' || typeof value === 'number')
    .map(String);
}

async function createTagRecord(api: KeapApi, tags: ResourceDef, name: string, signal?: AbortSignal): Promise<number> {
  const create = actionsOfKind(tags, 'create')[0];
  if (!create) throw new Error('catalog: tags have no create action');
  const response = await api.request<unknown>(create.method, create.path, { body: { name }, ...(signal ? { signal } : {}) });
  const id = isRecord(response.body) ? Number(response.body[tags.keyFields[0] ?? 'id']) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new Error(`Keap answered the creation of tag "${name}" without an id`);
  return id;
}

/** What Keap answers per tag when tags are applied to a contact: these two mean the contact has the tag. */
const TAG_APPLIED = new Set(['SUCCESS', 'DUPLICATE']);

/**
 * Applies tags to a contact (`POST /contacts/{id}/tags`). Keap answers 200 with a status per tag
 * (`[{"<tagId>": "SUCCESS"}, ...]`): DUPLICATE (already applied) and SUCCESS are success; anything
 * else, or no status at all, fails that tag. Applying is idempotent, so a lost answer is retried.
 */
export async function applyTags(
  api: KeapApi,
  contactId: number,
  tagIds: readonly number[],
  signal?: AbortSignal,
): Promise<{ failed: Array<{ tagId: number; status: string }> }> {
  if (tagIds.length === 0) return { failed: [] };
  const response = await api.request<unknown>('POST', `/contacts/${contactId}/tags`, {
    body: { tagIds: [...tagIds] },
    retry: true,
    ...(signal ? { signal } : {}),
  });
  const statuses = new Map<number, string>();
  for (const entry of Array.isArray(response.body) ? response.body : [response.body]) {
    if (!isRecord(entry)) continue;
    for (const [id, status] of Object.entries(entry)) if (/^\d+$/.test(id) && typeof status === 'string') statuses.set(Number(id), status);
  }
  const failed = tagIds
    .map((tagId) => ({ tagId, status: statuses.get(tagId) ?? 'NO_STATUS' }))
    .filter((entry) => !TAG_APPLIED.has(entry.status));
  return { failed };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
