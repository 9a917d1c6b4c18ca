/**
 * `--detect-deletes` (issue 15, item 3): a resource bookmarked by update time (contacts) never
 * hears of a record deleted in Keap, since a deleted record has no update to show. An id sweep
 * reads every page of the plain list (1,000 records a request) and compares the ids with the last
 * sweep's. The ids are kept beside the bookmark (`STATE.hashes/<key>.ids.tsv`, its header holding
 * the count, so a file cut short is caught). Written once here: the database sync uses it too.
 */
import { basename, dirname, join, relative } from 'node:path';
import type { KeapApi } from '../../api/types.js';
import { plainReadAction, readKeyOf } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import { counted, type Reporter } from '../../reporter.js';
import type { DeletedKey } from './types.js';
import type { Bookmark } from './state.js';
import { type CountedLinesFormat, readCountedLines, writeCountedLines } from './counted-lines.js';
import { applyRecordMap, pick } from '../project.js';

export interface IdSweep {
  ids: Set<string>;
  requests: number;
}

/** Whether a resource can be swept: a plain read and a single key to compare by. */
export function canSweep(resource: ResourceDef): boolean {
  return plainReadAction(resource) !== undefined && readKeyOf(resource).length === 1;
}

/** Reads every page of the resource's plain list and returns its ids. A sweep that fails throws: no partial result. */
export async function sweepIds(api: KeapApi, resource: ResourceDef, signal?: AbortSignal): Promise<IdSweep> {
  const action = plainReadAction(resource);
  const [key] = readKeyOf(resource);
  if (!action || key === undefined) throw new UsageError(`${resource.name} cannot be swept for deleted records`);
  const before = api.stats().requests;
  const ids = new Set<string>();
  const pages = api.paginate(action.path, action.shape ?? { kind: 'object' }, {
    ...(action.query ? { query: action.query } : {}),
    ...(action.stableOrder ? { order: action.stableOrder } : {}),
    keyFields: resource.keyFields,
    ...(signal ? { signal } : {}),
  });
  for await (const page of pages) {
    for (const raw of page.records) {
      const id = pick(applyRecordMap(raw, action.recordMap), key);
      if (typeof id === 'number' || typeof id === 'string') ids.add(String(id));
    }
  }
  return { ids, requests: api.stats().requests - before };
}

export function idFilePath(stateFile: string, key: string): string {
  const name = encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return join(dirname(stateFile), `${basename(stateFile)}.hashes`, `${name.slice(0, 120)}.ids.tsv`);
}

const ID_FILE: CountedLinesFormat = {
  header: '# infusionsoft ids',
  noun: 'ids',
  unit: 'ids',
  hint: 'these are the ids --detect-deletes keeps; delete the file and the next run sweeps afresh',
};

/** The ids the last sweep saved; undefined when there is none. A file cut short is refused. */
export async function readIdFile(file: string, key: string): Promise<Set<string> | undefined> {
  const ids = new Set<string>();
  const count = await readCountedLines(file, key, ID_FILE, (line) => ids.add(line));
  return count === undefined ? undefined : ids;
}

export async function writeIdFile(file: string, key: string, ids: Set<string>): Promise<void> {
  await writeCountedLines(file, key, ID_FILE, ids.size, ids);
}

/** What a since-mode export's deletion sweep needs: where its state lives and what the last run saved. */
export interface DeletionSweepSetup {
  api?: KeapApi;
  resource: ResourceDef;
  reporter: Reporter;
  stateFile: string;
  bookmarkKey: string;
  /** The job's bookmark entry as the last run saved it (undefined with --full-refresh). */
  saved: Bookmark | undefined;
  signal?: AbortSignal;
}

/**
 * `--detect-deletes` in since mode: the ids swept now against the last sweep's. The sweep runs
 * before the export, outside the state lock (it reads every page); a record deleted meanwhile is
 * reported by the next run.
 */
export async function startDeletionSweep(setup: DeletionSweepSetup) {
  const { resource, reporter, api } = setup;
  if (!api) throw new Error('a deletion sweep needs the client');
  if (!canSweep(resource)) {
    throw new UsageError(`--detect-deletes: ${resource.name} has no plain list read with one key to sweep`);
  }
  const key = setup.bookmarkKey;
  const file = idFilePath(setup.stateFile, key);
  const saved = setup.saved?.ids;
  const previous = saved ? await readIdFile(join(dirname(setup.stateFile), saved), key) : undefined;
  const current = await sweepIds(api, resource, setup.signal);
  const gone = previous ? [...previous].filter((id) => !current.ids.has(id)) : [];
  const keyField = readKeyOf(resource)[0] ?? 'id';
  const numeric = resource.fields.find((f) => f.name === keyField)?.type === 'integer';
  const deleted: DeletedKey[] = gone.map((id) => (numeric && /^-?\d+$/.test(id) ? Number(id) : id));
  reporter.info(
    `${resource.name}: swept ${counted(current.ids.size, 'id')} in ${counted(current.requests, 'request')} for deletions` +
      (previous
        ? `; ${deleted.length.toLocaleString('en-US')} deleted since the last sweep`
        : '; the first sweep: deletions are reported from the next run'),
  );
  return {
    deleted,
    compared: previous !== undefined,
    async save(): Promise<Bookmark> {
      await writeIdFile(file, key, current.ids);
      return { ids: relative(dirname(setup.stateFile), file) };
    },
  };
}
