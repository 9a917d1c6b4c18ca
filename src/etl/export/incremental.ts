/**
 * `--state`: an export delivers exactly the records that are new or changed since the last run,
 * for every resource, in one of two modes (the catalog's date filter kind decides which):
 *
 *  - since: the date filter is a confirmed update time (contacts). Keap is asked only for records
 *    updated since the bookmark, which is the newest update time written (never later than a few
 *    minutes before the run started).
 *  - hash: event times, update times Keap does not confirm, and endpoints without a date filter.
 *    Every record is read; only those whose content hash differs from the last run's are written.
 *    The hashes (`STATE.hashes/<key>.tsv`, one `hash<TAB>key values` line per record) also show
 *    which records disappeared.
 *
 * Both are saved only after the output is committed, under the state file's lock, and never after
 * a read that --max cut short.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { readKeyOf, type IncrementalMode } from '../../catalog/index.js';
import type { KeapApi, Page } from '../../api/types.js';
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import { digestHex, HashLedger } from './hash-ledger.js';
import type { DeletedKey, ExportPlan, ExportRequest, IncrementalOutcome } from './types.js';
import { parseDateArg } from '../dates.js';
import { startDeletionSweep } from './id-sweep.js';
import { type MembershipSetup, startMembershipTracking } from './membership-tracking.js';
import type { MembershipRead } from './memberships.js';
import { writeFileAtomic, writeLinesAtomic } from '../../fs/index.js';
import { assertStateWritable, bookmark, updateState, type Bookmark, type ExportState } from './state.js';

export type { IncrementalMode } from '../../catalog/index.js';

/** How far before the start of a run its bookmark may reach at most (clock skew, in-flight updates). */
export const BOOKMARK_SAFETY_MS = 5 * 60 * 1000;

export interface ChangeTracker {
  readonly mode: IncrementalMode;
  /** Since mode with tracked memberships: reads them (or takes the inverse plan's read), before the first page. */
  loadMemberships?(shared?: MembershipRead): Promise<void>;
  /** Records to write after the last page (since mode: those whose memberships alone changed). */
  extraPages?(): AsyncIterable<Page>;
  /** Sees each record read; true when it is to be written. `written` is what goes to the output. */
  keep(record: Record<string, unknown>, written: Record<string, unknown>): boolean;
  /** After the output is committed: saves the bookmark or the hashes (and `--deleted FILE`). */
  finish(truncated: boolean): Promise<IncrementalOutcome>;
  /**
   * What an `export --resume` checkpoint keeps of the tracker (since mode: the newest update time
   * so far); absent where a stopped run cannot be continued (hash mode, tracked memberships).
   */
  progress?(): unknown;
  /** Continues from what `progress()` returned in the stopped run. */
  resume?(saved: unknown): void;
}

/** What the tracker needs from the export's plan and request. */
interface TrackingSetup {
  resource: ResourceDef;
  action: ActionDef;
  mode: IncrementalMode;
  stateFile: string;
  state: ExportState;
  /** Where the bookmark lives in the state file (action, parameters, filters, --include, --fields). */
  bookmarkKey: string;
  /** Where an older state file holds it, read once (see stateKeysFor). */
  legacyKey?: string;
  /** The date window of this run (from the bookmark, or --since/--until). */
  window?: { field: string; since?: string; until?: string; fromBookmark: boolean };
  fullRefresh: boolean;
  deletedFile?: string;
  startedAt: number;
  reporter: Reporter;
  /** `--detect-deletes`: since mode sweeps the ids to find deleted records. */
  detectDeletes?: boolean;
  api?: KeapApi;
  signal?: AbortSignal;
  /** Since mode with a gathered field that has inverse lists (`--include tags`): its memberships are tracked. */
  memberships?: Omit<MembershipSetup, 'stateFile' | 'bookmarkKey' | 'saved' | 'reporter'>;
}

/** A date or date-time as Keap and bookmarks write them, in the form sent to Keap; undefined otherwise. */
export function filterTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDateArg(value, 'time');
  } catch {
    return undefined;
  }
}

/**
 * The bookmark this run continues from. A value that is not a date is refused before any request
 * (sent as it is, Keap would answer 400, or worse, ignore it).
 */
export function savedBookmark(state: ExportState, key: string, field: string, stateFile: string | undefined): string | undefined {
  const value = bookmark(state, key)?.[field];
  if (value === undefined) return undefined;
  const time = filterTime(value);
  if (time === undefined) {
    throw new UsageError(`state file ${stateFile ?? ''}: the bookmark "${key}.${field}" is "${value}", which is not a date`, {
      hint: `put a date-time such as 2026-01-31T00:00:00.000Z there, or run once with --full-refresh to replace it`,
    });
  }
  return time;
}

/**
 * Checks what can be checked before any request (--deleted, the saved hashes) and starts tracking;
 * undefined without --state.
 */
export async function startTracking(
  request: ExportRequest,
  plan: ExportPlan,
  state: ExportState | undefined,
  run: { reporter: Reporter; startedAt: number; api: KeapApi },
): Promise<ChangeTracker | undefined> {
  if (!request.stateFile || !state || !plan.tracking) return undefined;
  const setup: TrackingSetup = {
    resource: request.resource,
    action: plan.action,
    mode: plan.tracking,
    stateFile: request.stateFile,
    state,
    bookmarkKey: plan.bookmarkKey,
    ...(plan.legacyKey ? { legacyKey: plan.legacyKey } : {}),
    ...(plan.incremental ? { window: plan.incremental } : {}),
    fullRefresh: request.fullRefresh ?? false,
    ...(request.deletedFile !== undefined ? { deletedFile: request.deletedFile } : {}),
    reporter: run.reporter,
    startedAt: run.startedAt,
    ...(request.detectDeletes ? { detectDeletes: true, api: run.api } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const tracked = plan.gathered.find((def) => def.inverse);
  if (tracked) {
    const optional = plan.query.optional_properties;
    setup.memberships = {
      api: run.api,
      resource: plan.records,
      gathered: tracked,
      ...(typeof optional === 'string' ? { optionalProperties: optional } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    };
  }
  const { resource, action, mode, deletedFile } = setup;
  if (deletedFile !== undefined) {
    if (mode === 'since' && !setup.detectDeletes) {
      throw new UsageError(
        `--deleted: ${resource.name} are exported by update time (${action.dateFilter?.field}), which cannot see deletions`,
        {
          hint: `add --detect-deletes (one read of every page of ${resource.name}, its cost printed) to find deleted records`,
        },
      );
    }
    if (readKeyOf(resource).length === 0) {
      throw new UsageError(`--deleted: ${resource.name} records have no key, so a deleted record cannot be told from a changed one`);
    }
    await assertStateWritable(deletedFile, '--deleted');
  }
  return mode === 'since' ? startSinceTracking(setup) : startHashTracking(setup);
}

async function startSinceTracking(setup: TrackingSetup): Promise<ChangeTracker> {
  const { reporter, window, resource } = setup;
  const members = setup.memberships
    ? await startMembershipTracking({
        ...setup.memberships,
        stateFile: setup.stateFile,
        bookmarkKey: setup.bookmarkKey,
        saved: setup.fullRefresh ? undefined : bookmark(setup.state, setup.bookmarkKey),
        reporter,
      })
    : undefined;
  const field = window?.field ?? '';
  if (window?.fromBookmark && window.since) {
    reporter.info(`${setup.bookmarkKey}: continuing from bookmark ${field} >= ${window.since}`);
  }
  let newest: number | undefined;
  let notDates = 0;
  let notDateExample: unknown;
  const sweep = setup.detectDeletes
    ? await startDeletionSweep({ ...setup, saved: setup.fullRefresh ? undefined : bookmark(setup.state, setup.bookmarkKey) })
    : undefined;
  const resumable = {
    progress: () => ({ newest: newest ?? null, notDates }),
    resume(saved: unknown) {
      const from = saved as { newest?: number | null; notDates?: number } | undefined;
      if (typeof from?.newest === 'number') newest = from.newest;
      if (typeof from?.notDates === 'number') notDates = from.notDates;
    },
  };
  return {
    mode: 'since',
    ...(members ? { extraPages: () => members.extraPages(), loadMemberships: (shared) => members.load(shared) } : resumable),
    keep(record) {
      members?.seen(record);
      const value = record[field];
      const time = filterTime(value);
      if (time === undefined) {
        // A mock's placeholder (`"string"`) or a missing value never becomes a bookmark.
        if (value !== undefined && value !== null) {
          notDates++;
          notDateExample ??= value;
        }
      } else {
        const ms = Date.parse(time);
        if (newest === undefined || ms > newest) newest = ms;
      }
      return true;
    },
    async finish(truncated) {
      if (notDates > 0) {
        reporter.warn(
          `${resource.name}: ${notDates} record(s) had a ${field} that is not a date (${JSON.stringify(notDateExample)}); they did not move the bookmark`,
        );
      }
      const changes = {
        ...(members ? { membershipChanges: members.written } : {}),
        ...(sweep && !truncated ? { deleted: sweep.deleted, compared: sweep.compared } : {}),
      };
      if (truncated) {
        reporter.warn(`${resource.name}: --max cut the export short, so the bookmark in ${setup.stateFile} was not moved`);
        return { mode: 'since', ...changes };
      }
      // Records changed while this export ran may sit on pages already passed; a bookmark no later
      // than a few minutes before the start sends them again next time rather than never.
      const ceiling = setup.startedAt - BOOKMARK_SAFETY_MS;
      const value = newest !== undefined ? new Date(Math.min(newest, ceiling)).toISOString() : window?.since;
      if (value === undefined && !members && !sweep) return { mode: 'since', ...changes };
      if (sweep && setup.deletedFile !== undefined) await writeFileAtomic(setup.deletedFile, deletedFileText(sweep.deleted));
      await updateState(setup.stateFile, async (current) => {
        const fields: Bookmark = {
          ...(value !== undefined ? { [field]: value } : {}),
          ...(members ? await members.save() : {}),
          ...(sweep ? await sweep.save() : {}),
        };
        return withBookmarkFields(current, setup.bookmarkKey, fields);
      });
      return { mode: 'since', ...(value !== undefined ? { bookmark: value } : {}), ...changes };
    },
  };
}

function withBookmarkFields(state: ExportState, key: string, fields: Bookmark, drop: string[] = []): ExportState {
  const entry: Bookmark = { ...bookmark(state, key), ...fields };
  for (const name of drop) delete entry[name];
  return { ...state, bookmarks: { ...state.bookmarks, [key]: entry } };
}

// ----- hash mode -----------------------------------------------------------------------------

const HASHES_HEADER = '# infusionsoft record hashes v1';
const HASH_LINE = /^([0-9a-f]{16})\t(.+)$/;
/**
 * Identity of a record without a key: `#<its content hash>`, and `#<hash>#2`, `#3`... for equal
 * twins in one run. In the file only the part after the hash is kept (`#`, `##2`).
 */
const BY_CONTENT = '#';

/** JSON with object keys sorted at every level, so key order never looks like a change. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** 64 bits of SHA-1, as two 32-bit halves: collisions are out of reach for any account. */
function recordDigest(record: unknown): { hi: number; lo: number } {
  const digest = createHash('sha1').update(canonicalJson(record)).digest();
  return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}

/** The record's 64-bit content hash in hex, as the hashes file keeps it. */
export function recordHash(record: unknown): string {
  const { hi, lo } = recordDigest(record);
  return digestHex(hi, lo);
}

/** The record's key values as JSON (`[12]`, `[12,3]`), or undefined when one is missing. */
export function recordIdentity(record: Record<string, unknown>, keyFields: string[]): string | undefined {
  if (keyFields.length === 0) return undefined;
  const values = keyFields.map((name) => record[name]);
  if (values.some((v) => v === undefined || v === null || v === '')) return undefined;
  return JSON.stringify(values);
}

/** The identity as the ledger holds it: a number when the key is one integer (`[12]`), else as recordIdentity. */
function compactIdentity(record: Record<string, unknown>, keyFields: string[]): number | string | undefined {
  if (keyFields.length === 1) {
    const value = record[keyFields[0] as string];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  }
  return recordIdentity(record, keyFields);
}

/** `STATE.hashes/<key>.tsv`; the key is percent-encoded, and shortened with a hash when long. */
export function hashFilePath(stateFile: string, key: string): string {
  let name = encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (name.length > 120) name = `${name.slice(0, 100)}-${createHash('sha1').update(key).digest('hex').slice(0, 16)}`;
  return join(dirname(stateFile), `${basename(stateFile)}.hashes`, `${name}.tsv`);
}

/** A run limited by --since/--until sees a different set of records: it keeps its own hashes. */
function hashKeyOf(setup: TrackingSetup, key = setup.bookmarkKey): string {
  const window = setup.window;
  const parts = [window?.since ? `since=${window.since}` : '', window?.until ? `until=${window.until}` : ''].filter(Boolean);
  return parts.length ? `${key}@${parts.join('&')}` : key;
}

async function readHashes(file: string, key: string, expected: number): Promise<HashLedger | undefined> {
  let hashes: HashLedger;
  const damaged = (line: number, why: string) =>
    new UsageError(`${file}, line ${line}: ${why}`, {
      hint: `these are the record hashes --state keeps; delete the file and the next run writes every record again`,
    });
  let lineNumber = 0;
  try {
    // Room for the saved count at once, but never more than the file can hold (a line takes 21 bytes at least).
    hashes = new HashLedger(Math.min(expected, (await stat(file)).size / 21));
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber === 1) {
        if (line !== `${HASHES_HEADER}\t${key}`) throw damaged(1, `not the record hashes of "${key}"`);
        continue;
      }
      if (line === '') continue;
      const match = HASH_LINE.exec(line);
      if (!match) throw damaged(lineNumber, 'not a "hash<TAB>key" line');
      const [, hash, identity] = match as unknown as [string, string, string];
      const hi = Number.parseInt(hash.slice(0, 8), 16);
      const lo = Number.parseInt(hash.slice(8), 16);
      hashes.load(identity.startsWith(BY_CONTENT) ? `${BY_CONTENT}${hash}${identity.slice(1)}` : identity, hi, lo);
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return hashes;
}

/** Writes the hashes atomically, in chunks: a million lines never become one string. */
async function writeHashes(file: string, key: string, hashes: HashLedger): Promise<void> {
  const lines = function* () {
    yield `${HASHES_HEADER}\t${key}\n`;
    for (const [identity, hash] of hashes.current()) {
      yield `${hash}\t${identity.startsWith(BY_CONTENT) ? BY_CONTENT + identity.slice(1 + hash.length) : identity}\n`;
    }
  };
  await writeLinesAtomic(file, lines());
}

export function deletedKeys(identities: Iterable<string>, keyFields: string[]): DeletedKey[] {
  const keys: DeletedKey[] = [];
  for (const identity of identities) {
    if (identity.startsWith(BY_CONTENT)) continue;
    const values = JSON.parse(identity) as Array<string | number>;
    keys.push(keyFields.length === 1 ? (values[0] as string | number) : Object.fromEntries(keyFields.map((k, i) => [k, values[i]])));
  }
  return keys;
}

/** One id a line; an object of key fields a line (NDJSON) for resources keyed by several fields. */
export function deletedFileText(keys: DeletedKey[]): string {
  return keys.map((key) => `${typeof key === 'object' ? JSON.stringify(key) : String(key)}\n`).join('');
}

async function startHashTracking(setup: TrackingSetup): Promise<ChangeTracker> {
  const { reporter, resource, stateFile } = setup;
  const key = hashKeyOf(setup);
  const file = hashFilePath(stateFile, key);
  const keyFields = readKeyOf(resource);
  // An older state file's hashes, under the key it shared between jobs, are read once.
  const olderKey = setup.legacyKey !== undefined ? hashKeyOf(setup, setup.legacyKey) : undefined;
  const readKey = olderKey !== undefined && bookmark(setup.state, key) === undefined ? olderKey : key;
  const readFile = hashFilePath(stateFile, readKey);
  const known = bookmark(setup.state, readKey)?.hashes !== undefined;
  const savedCount = Number(bookmark(setup.state, readKey)?.records);
  // A hash file without its entry in the state file belongs to a state that was deleted: start over.
  const loaded = known ? await readHashes(readFile, readKey, Number.isInteger(savedCount) ? savedCount : 0) : undefined;
  if (known && loaded === undefined) reporter.warn(`${readFile} is missing: every ${resource.name} record counts as new`);
  // A file cut at a line boundary reads cleanly: the count saved beside it tells.
  if (loaded && Number.isInteger(savedCount) && loaded.size !== savedCount) {
    throw new UsageError(`${readFile} holds ${loaded.size} record hashes where the last run saved ${savedCount}: it was cut short`, {
      hint: 'nothing was sent; restore it, or delete it and the next run writes every record again',
    });
  }
  const hadPrevious = loaded !== undefined;
  // The last run's hashes and this run's in one compact ledger (see hash-ledger.ts).
  const hashes = loaded ?? new HashLedger();
  const twins = new Map<string, number>();
  let unchanged = 0;
  return {
    mode: 'hash',
    keep(record, written) {
      const { hi, lo } = recordDigest(written);
      let identity = compactIdentity(record, keyFields);
      // Two identical records without a key may be two real ones (two equal commissions): each
      // twin gets an identity of its own, and both are kept.
      if (identity === undefined) {
        const hash = digestHex(hi, lo);
        const seen = (twins.get(hash) ?? 0) + 1;
        twins.set(hash, seen);
        identity = `${BY_CONTENT}${hash}${seen > 1 ? `#${seen}` : ''}`;
      }
      // The same record twice in one run (paging overlap) is written once.
      const sighting = hashes.see(identity, hi, lo);
      if (sighting === 'duplicate') return false;
      if (sighting !== 'unchanged' || setup.fullRefresh) return true;
      unchanged++;
      return false;
    },
    async finish(truncated) {
      if (truncated) {
        reporter.warn(
          `${resource.name}: --max cut the export short, so the record hashes in ${stateFile} were not saved and no deletions are reported`,
        );
        return { mode: 'hash', unchanged };
      }
      const deleted = keyFields.length ? (hadPrevious ? deletedKeys(hashes.unseen(), keyFields) : []) : undefined;
      if (setup.deletedFile !== undefined && deleted) await writeFileAtomic(setup.deletedFile, deletedFileText(deleted));
      const entry: Bookmark = {
        hashes: relative(dirname(stateFile), file),
        records: String(hashes.seen),
        saved: new Date(setup.startedAt).toISOString(),
      };
      await updateState(stateFile, async (state) => {
        await writeHashes(file, key, hashes);
        // A date bookmark left by a version that trusted an event time is of no use any more.
        return withBookmarkFields(state, key, entry, setup.window?.field ? [setup.window.field] : []);
      });
      return { mode: 'hash', unchanged, compared: hadPrevious, ...(deleted ? { deleted } : {}) };
    },
  };
}
