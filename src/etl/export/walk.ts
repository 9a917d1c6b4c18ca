/**
 * Reading a child resource under every parent (`export order-items` without `--param order_id`):
 * the parent's plain read is paged, and the child read is made once per parent, with the parent's
 * id in its path and in each record, as `--param` puts it there. Which parent to walk is catalog
 * data (ActionDef.parent); nothing here knows a resource by name.
 */
import type { KeapApi, Page, Query } from '../../api/types.js';
import { findResource, plainReadAction, singularName } from '../../catalog/index.js';
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import { ApiError } from '../../errors.js';
import { pick } from '../project.js';

export interface WalkPlan {
  /** The exported (child) resource. */
  child: ResourceDef;
  /** The child read, its path a template with `{param}` left to fill (`/orders/{order_id}/payments`). */
  action: ActionDef;
  /** The path parameter each parent's id fills (`order_id`). */
  param: string;
  /** The parent resource and its plain read (`GET /orders`, paged). */
  parent: ResourceDef;
  parentRead: ActionDef;
  /** The parent record's field that holds its id (`id`). */
  field: string;
  /** How the parent id is written into each record: a number where the child's field is an integer. */
  numeric: boolean;
}

/**
 * The walk a read makes when its parent's `--param` is not given, or undefined when it is (or the
 * read has no parent to walk).
 */
export function planWalk(child: ResourceDef, action: ActionDef, params: Array<[string, string]>): WalkPlan | undefined {
  const parent = action.parent;
  if (!parent || params.some(([name]) => name === parent.param)) return undefined;
  const parentResource = findResource(parent.resource);
  const parentRead = plainReadAction(parentResource);
  if (!parentRead) return undefined;
  const numeric = child.fields.find((f) => f.name === parent.param)?.type === 'integer';
  return { child, action, param: parent.param, parent: parentResource, parentRead, field: parent.field, numeric };
}

/** Said before the first request: what the walk will cost. */
export function walkNotice(walk: WalkPlan): string {
  const one = singularName(walk.parent);
  const paged = walk.parentRead.shape?.kind === 'page' ? ', paged' : '';
  return (
    `${walk.child.name}: no --param ${walk.param}: every ${one} is read (GET ${walk.parentRead.path}${paged}), ` +
    `then GET ${walk.action.path} once per ${one}: one request per ${one}, plus the listing`
  );
}

export interface WalkOptions {
  /** The child read's query (fixed parameters, filters). */
  query: Query;
  /** Page size and pages ahead for the parents' listing. */
  pageSize: number;
  prefetch: number;
  /** Child reads in flight ahead of the writer. */
  concurrency: number;
  signal?: AbortSignal;
  /** Told once, when every parent has been read. */
  onDone: (text: string) => void;
}

/**
 * The child records of every parent, one page per parent, in the parents' order. A few child reads
 * run ahead of the consumer; a parent deleted between the listing and its read (Keap answers 404)
 * has no children left to write and is counted, not a failure.
 */
export async function* walkPages(api: KeapApi, walk: WalkPlan, options: WalkOptions): AsyncIterable<Page> {
  const before = api.stats().requests;
  let parents = 0;
  let gone = 0;
  const pending: Array<Promise<unknown[] | undefined>> = [];
  const readChildren = async (id: unknown): Promise<unknown[] | undefined> => {
    const path = walk.action.path.replace(`{${walk.param}}`, encodeURIComponent(String(id)));
    const records: unknown[] = [];
    try {
      for await (const page of api.paginate(path, walk.action.shape ?? { kind: 'object' }, {
        query: options.query,
        ...(options.signal ? { signal: options.signal } : {}),
      })) {
        records.push(...page.records);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
    const value = walk.numeric && /^-?\d+$/.test(String(id)) ? Number(id) : id;
    for (const record of records) {
      const fields = record as Record<string, unknown>;
      if (fields[walk.param] === undefined) fields[walk.param] = value;
    }
    return records;
  };
  const take = async (): Promise<Page | undefined> => {
    const records = await (pending.shift() as Promise<unknown[] | undefined>);
    if (records === undefined) {
      gone++;
      return undefined;
    }
    return { records, offset: 0, more: true };
  };

  const listing = api.paginate(walk.parentRead.path, walk.parentRead.shape ?? { kind: 'object' }, {
    query: { ...(walk.parentRead.query ?? {}) },
    pageSize: options.pageSize,
    prefetch: options.prefetch,
    ...(walk.parentRead.stableOrder ? { order: walk.parentRead.stableOrder } : {}),
    keyFields: walk.parent.keyFields,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const page of listing) {
    for (const parent of page.records) {
      const id = pick(parent, walk.field);
      if (id === undefined || id === null) continue;
      parents++;
      const read = readChildren(id);
      // Read ahead, but never leave a failure unhandled while an earlier parent is awaited.
      read.catch(() => {});
      pending.push(read);
      if (pending.length >= Math.max(1, options.concurrency)) {
        const next = await take();
        if (next) yield next;
      }
    }
  }
  while (pending.length) {
    const next = await take();
    if (next) yield next;
  }
  const requests = api.stats().requests - before;
  const reads = parents - gone;
  options.onDone(
    `${walk.child.name}: walked ${parents.toLocaleString('en-US')} ${parents === 1 ? singularName(walk.parent) : walk.parent.name} in ` +
      `${requests.toLocaleString('en-US')} requests (${(requests - parents).toLocaleString('en-US')} listing them, ` +
      `${parents.toLocaleString('en-US')} for their ${walk.child.name})` +
      (gone ? `; ${gone.toLocaleString('en-US')} deleted meanwhile, ${reads.toLocaleString('en-US')} read` : ''),
  );
}
