/**
 * The list-read plan of an import's reads (issue 17, item 6): the records the file's rows will
 * change, read once through the resource's paged list instead of one GET per row, and kept only
 * when their id or key value occurs in the file (memory bounded by the file, not the account).
 *
 * A snapshot taken minutes before a write could undo an edit made in Keap meanwhile: a merge of an
 * array Keap replaces would send back the old elements and drop the new one. So before each batch
 * of writes, and whenever it is older than a minute, it is refreshed with a delta read
 * (`since=<last refresh's start - 5 min>`, the same optional properties; usually one page), and a
 * merge or an `--if-unchanged` check never takes a record older than that. Only resources whose list
 * read has a confirmed update-time filter can be refreshed this way (the catalog's dateFilter); the
 * others read per row.
 */
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import type { KeapApi } from '../../api/types.js';

type Rec = Record<string, unknown>;

/** How stale a snapshot may be before a merge uses it. */
export const SNAPSHOT_MAX_AGE_MS = 60_000;
/** Units served between refreshes: one refresh before each batch of writes. */
export const SNAPSHOT_BATCH = 500;
/** Keap's clock is not ours: a delta read starts this long before the last refresh began. */
export const SNAPSHOT_SLACK_MS = 5 * 60_000;

export interface SnapshotSpec {
  resource: ResourceDef;
  /** The plain list read, with a confirmed update-time date filter (see listSnapshotRead). */
  read: ActionDef;
  /** Its query, with the optional properties the merges and comparisons need. */
  query: Record<string, string>;
  /** Record ids the file names (updates): records with these are kept. */
  ids: ReadonlySet<string>;
  /** Key values the file holds (normalised): records whose `keysOf` meet them are kept. */
  keys: ReadonlySet<string>;
  /** A record's key values, normalised as `keys` are. */
  keysOf?: (record: Rec) => string[];
  now: () => number;
  /** Test seams; the defaults are the constants above. */
  maxAgeMs?: number;
  batch?: number;
  /** false: never refresh (only for the test that shows why it must). */
  refresh?: boolean;
}

/** Records per list page, and how many each page repeats from the one before (api/paging.ts overlaps pages). */
const PAGE = 1000;
const OVERLAP = 3;

/** Pages of a list of `records` records. */
export function listPages(records: number): number {
  return records <= PAGE ? 1 : 1 + Math.ceil((records - PAGE) / (PAGE - OVERLAP));
}

/** The list read whose records a snapshot can hold and refresh, or undefined (read per row). */
export function listSnapshotRead(resource: ResourceDef): ActionDef | undefined {
  const read = resource.actions.find((action) => action.kind === 'read' && !(action.params ?? []).length);
  if (read?.shape?.kind !== 'page' || read.dateFilter?.kind !== 'updated') return undefined;
  return read;
}

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class RecordSnapshot {
  private readonly byId = new Map<string, Rec>();
  private readonly idsByKey = new Map<string, Set<string>>();
  /** When the last full or delta read began (our clock, ms). */
  private asOf = 0;
  private served = 0;
  private refreshing: Promise<void> | undefined;
  /** Delta reads made so far. */
  refreshes = 0;

  private constructor(
    private readonly api: KeapApi,
    private readonly spec: SnapshotSpec,
  ) {}

  /** Reads the whole list once, keeping the records the file names. */
  static async take(api: KeapApi, spec: SnapshotSpec, signal?: AbortSignal): Promise<RecordSnapshot> {
    const snapshot = new RecordSnapshot(api, spec);
    snapshot.asOf = spec.now();
    await snapshot.readInto({}, signal);
    return snapshot;
  }

  /** Records kept. */
  get size(): number {
    return this.byId.size;
  }

  /** The record with this id, as fresh as the rules above ask (refreshed first when due). */
  async record(id: string | number, signal?: AbortSignal): Promise<Rec | undefined> {
    await this.fresh(signal);
    return this.byId.get(String(id));
  }

  /** The records holding this key value (normalised), refreshed first when due. */
  async withKey(value: string, signal?: AbortSignal): Promise<Rec[]> {
    await this.fresh(signal);
    const records: Rec[] = [];
    for (const id of this.idsByKey.get(value) ?? []) {
      const record = this.byId.get(id);
      if (record) records.push(record);
    }
    return records;
  }

  /** Refreshes when a batch of units has been served or the last read is a minute old; once at a time. */
  private async fresh(signal?: AbortSignal): Promise<void> {
    if (this.spec.refresh !== false) {
      const due =
        this.served >= (this.spec.batch ?? SNAPSHOT_BATCH) || this.spec.now() - this.asOf >= (this.spec.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS);
      if (due && !this.refreshing) {
        this.refreshing = this.refresh(signal).finally(() => {
          this.refreshing = undefined;
        });
      }
      if (this.refreshing) await this.refreshing;
    }
    this.served++;
  }

  /** Marks the start of a batch of writes: the next unit served refreshes first. */
  startBatch(): void {
    this.served = Number.POSITIVE_INFINITY;
  }

  private async refresh(signal?: AbortSignal): Promise<void> {
    const started = this.spec.now();
    const filter = this.spec.read.dateFilter;
    if (!filter) return;
    const since = new Date(this.asOf - SNAPSHOT_SLACK_MS).toISOString();
    await this.readInto({ [filter.since]: since }, signal);
    this.asOf = started;
    this.served = 0;
    this.refreshes++;
  }

  private async readInto(extra: Record<string, string>, signal?: AbortSignal): Promise<void> {
    const { read, resource } = this.spec;
    if (read.shape?.kind !== 'page') return;
    const pages = this.api.paginate(read.path, read.shape, {
      query: { ...this.spec.query, ...extra },
      pageSize: 1000,
      keyFields: resource.keyFields,
      ...(read.stableOrder ? { order: read.stableOrder } : {}),
      ...(signal ? { signal } : {}),
    });
    for await (const page of pages) for (const record of page.records) if (isRecord(record)) this.keep(record);
  }

  /** Keeps a record the file names (replacing an older copy); forgets one whose key left the file. */
  private keep(record: Rec): void {
    const id = String(record[this.spec.resource.keyFields[0] ?? 'id']);
    const keys = this.spec.keysOf?.(record) ?? [];
    const older = this.byId.get(id);
    if (older) for (const key of this.spec.keysOf?.(older) ?? []) this.idsByKey.get(key)?.delete(id);
    const wanted = this.spec.ids.has(id) || keys.some((key) => this.spec.keys.has(key));
    if (!wanted) {
      this.byId.delete(id);
      return;
    }
    this.byId.set(id, record);
    for (const key of keys) {
      if (!this.spec.keys.has(key)) continue;
      const ids = this.idsByKey.get(key) ?? new Set<string>();
      ids.add(id);
      this.idsByKey.set(key, ids);
    }
  }
}
