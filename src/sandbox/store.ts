/**
 * The sandbox's data: generated records (built on demand from seed and id) plus a small overlay of
 * records changed by writes. Lists walk ids in ascending order without materialising the
 * generated ones, so a million-record collection pages in milliseconds.
 */
import { renameSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import {
  defaultCounts,
  firstIdAtOrAfter,
  generatedCompanyTagApplied,
  generatedTagDate,
  generators,
  timeFields,
  type GenContext,
  type Rec,
} from './generate.js';
import { ContactTags } from './contact-tags.js';

export interface ListQuery {
  /** Inclusive bounds (epoch ms) on the collection's time field. */
  since?: number;
  until?: number;
  /** Field the bounds apply to, when it is not the collection's generated time field. */
  timeField?: string;
  /** Any other filter: tested on each candidate record (a linear scan). */
  where?: (record: Rec) => boolean;
  offset: number;
  limit: number;
}

export interface ListResult {
  records: Rec[];
  total: number;
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Collection {
  /** Records created or changed by writes, by id (full records). */
  readonly overlay = new Map<number, Rec>();
  readonly deleted = new Set<number>();
  nextId: number;

  constructor(
    readonly name: string,
    readonly count: number,
    private readonly ctx: GenContext,
  ) {
    this.nextId = count + 1;
  }

  private generate(id: number): Rec {
    const generator = generators[this.name];
    if (!generator) throw new Error(`no generator for ${this.name}`);
    return generator(this.ctx, id);
  }

  get(id: number): Rec | undefined {
    if (!Number.isSafeInteger(id) || id < 1 || this.deleted.has(id)) return undefined;
    const changed = this.overlay.get(id);
    if (changed) return changed;
    return id <= this.count ? this.generate(id) : undefined;
  }

  has(id: number): boolean {
    if (!Number.isSafeInteger(id) || id < 1 || this.deleted.has(id)) return false;
    return this.overlay.has(id) || id <= this.count;
  }

  put(record: Rec): void {
    const id = record['id'] as number;
    this.overlay.set(id, record);
    this.deleted.delete(id);
  }

  remove(id: number): boolean {
    if (!this.has(id)) return false;
    this.overlay.delete(id);
    if (id <= this.count) this.deleted.add(id);
    return true;
  }

  allocateId(): number {
    return this.nextId++;
  }

  /** Ids ascending, filtered, paged. */
  list(query: ListQuery): ListResult {
    const timeField = query.timeField ?? timeFields[this.name];
    const generatedTime = timeField !== undefined && timeField === timeFields[this.name];
    const dated = query.since !== undefined || query.until !== undefined;
    const inWindow = (record: Rec): boolean => {
      if (!dated || !timeField) return true;
      const value = record[timeField];
      if (typeof value !== 'string') return false;
      const ms = Date.parse(value);
      return (query.since === undefined || ms >= query.since) && (query.until === undefined || ms <= query.until);
    };

    // Generated ids in the window form one interval [lo, hi]; changed/deleted generated ids are
    // exceptions to it, and every overlay record is tested on its own.
    let lo = 1;
    let hi = this.count;
    if (dated && generatedTime) {
      if (query.since !== undefined) lo = firstIdAtOrAfter(query.since, this.count);
      if (query.until !== undefined) hi = firstIdAtOrAfter(query.until + 1, this.count) - 1;
    }
    const exceptions = [...this.deleted, ...[...this.overlay.keys()].filter((id) => id <= this.count)].sort((a, b) => a - b);
    const exceptionSet = new Set(exceptions);
    const extras = [...this.overlay.entries()]
      .filter(([, record]) => inWindow(record))
      .map(([id]) => id)
      .sort((a, b) => a - b);
    const extraSet = new Set(extras);
    // Dated filters on a field that is not the generated time field need a look at each record.
    const needsScan = query.where !== undefined || (dated && !generatedTime);
    const accept = (record: Rec): boolean => !needsScan || (inWindow(record) && (query.where ? query.where(record) : true));

    const intervalSize = Math.max(0, hi - lo + 1);
    const exceptionsInInterval = lowerBound(exceptions, hi + 1) - lowerBound(exceptions, lo);
    // Next candidate id >= from, or undefined when none is left.
    const nextCandidate = (from: number): number | undefined => {
      let id = Math.max(from, lo);
      while (id <= hi && exceptionSet.has(id)) id++;
      const fromInterval = id <= hi ? id : undefined;
      const extraIndex = lowerBound(extras, from);
      const fromExtras = extras[extraIndex];
      if (fromInterval === undefined) return fromExtras;
      if (fromExtras === undefined) return fromInterval;
      return Math.min(fromInterval, fromExtras);
    };
    const recordOf = (id: number): Rec => (extraSet.has(id) ? (this.overlay.get(id) as Rec) : this.generate(id));

    const records: Rec[] = [];
    if (!needsScan) {
      const total = intervalSize - exceptionsInInterval + extras.length;
      if (query.offset >= total || query.limit <= 0) return { records, total };
      // Binary search the first id whose rank (1-based position) is offset + 1.
      const rank = (x: number): number => {
        const top = Math.min(hi, x);
        const inInterval = top >= lo ? top - lo + 1 - (lowerBound(exceptions, top + 1) - lowerBound(exceptions, lo)) : 0;
        return inInterval + lowerBound(extras, x + 1);
      };
      let a = 1;
      let b = Math.max(hi, extras[extras.length - 1] ?? 0, 1);
      while (a < b) {
        const mid = Math.floor((a + b) / 2);
        if (rank(mid) >= query.offset + 1) b = mid;
        else a = mid + 1;
      }
      let id: number | undefined = nextCandidate(a);
      while (id !== undefined && records.length < query.limit) {
        records.push(recordOf(id));
        id = nextCandidate(id + 1);
      }
      return { records, total };
    }
    let total = 0;
    let id = nextCandidate(1);
    while (id !== undefined) {
      const record = recordOf(id);
      if (accept(record)) {
        if (total >= query.offset && records.length < query.limit) records.push(record);
        total++;
      }
      id = nextCandidate(id + 1);
    }
    return { records, total };
  }

  /** All live ids, ascending (for scans over small collections and tag joins). */
  *ids(): Generator<number> {
    const extras = [...this.overlay.keys()].filter((id) => id > this.count).sort((a, b) => a - b);
    for (let id = 1; id <= this.count; id++) if (!this.deleted.has(id)) yield id;
    yield* extras;
  }
}

interface PersistedCollection {
  overlay: Rec[];
  deleted: number[];
  nextId: number;
}

interface Persisted {
  version: 1;
  collections: Record<string, PersistedCollection>;
  contactTags: Array<[string, string | null]>;
  companyTags: Array<[string, string | null]>;
  singletons: Record<string, Rec>;
  sequenceMembers: string[];
}

export class Store implements GenContext {
  readonly collections = new Map<string, Collection>();
  /** Which contacts carry which tags (both directions of the API read it). */
  readonly contactTags: ContactTags;
  readonly companyTags = new Map<string, string | null>();
  /** Records that exist once: account profile. */
  readonly singletons = new Map<string, Rec>();
  /** `campaignId:sequenceId:contactId`. */
  readonly sequenceMembers = new Set<string>();

  constructor(
    readonly seed: number,
    private readonly counts: Record<string, number>,
  ) {
    for (const name of Object.keys(generators)) {
      this.collections.set(name, new Collection(name, this.count(name), this));
    }
    this.contactTags = new ContactTags(
      seed,
      () => this.count('contacts'),
      () => this.count('tags'),
    );
  }

  count(name: string): number {
    // Transactions mirror orders one to one.
    if (name === 'transactions') return this.count('orders');
    const value = this.counts[name] ?? defaultCounts[name] ?? 10;
    return Math.max(0, Math.floor(value));
  }

  collection(name: string): Collection {
    const found = this.collections.get(name);
    if (!found) throw new Error(`unknown collection ${name}`);
    return found;
  }

  contactHasTag(contactId: number, tagId: number): string | undefined {
    return this.contactTags.dateOf(contactId, tagId);
  }

  companyHasTag(companyId: number, tagId: number): string | undefined {
    const key = `${companyId}:${tagId}`;
    if (this.companyTags.has(key)) return this.companyTags.get(key) ?? undefined;
    if (companyId <= this.count('companies') && tagId <= this.count('tags') && generatedCompanyTagApplied(this.seed, companyId, tagId)) {
      return generatedTagDate(this.seed, companyId + 1e9, tagId);
    }
    return undefined;
  }

  toJSON(): Persisted {
    const collections: Record<string, PersistedCollection> = {};
    for (const [name, c] of this.collections) {
      if (c.overlay.size === 0 && c.deleted.size === 0 && c.nextId === c.count + 1) continue;
      collections[name] = { overlay: [...c.overlay.values()], deleted: [...c.deleted], nextId: c.nextId };
    }
    return {
      version: 1,
      collections,
      contactTags: [...this.contactTags.writes()],
      companyTags: [...this.companyTags],
      singletons: Object.fromEntries(this.singletons),
      sequenceMembers: [...this.sequenceMembers],
    };
  }

  load(data: Persisted): void {
    for (const [name, saved] of Object.entries(data.collections ?? {})) {
      const c = this.collections.get(name);
      if (!c) continue;
      for (const record of saved.overlay) c.overlay.set(record['id'] as number, record);
      for (const id of saved.deleted) c.deleted.add(id);
      c.nextId = Math.max(c.nextId, saved.nextId);
    }
    for (const [key, value] of data.contactTags ?? []) {
      const [contactId, tagId] = key.split(':').map(Number);
      if (contactId !== undefined && tagId !== undefined) this.contactTags.set(contactId, tagId, value);
    }
    for (const [key, value] of data.companyTags ?? []) this.companyTags.set(key, value);
    for (const [key, value] of Object.entries(data.singletons ?? {})) this.singletons.set(key, value);
    for (const key of data.sequenceMembers ?? []) this.sequenceMembers.add(key);
  }

  /** Loads saved writes; a file that does not exist yet is created by the first write. */
  loadFile(file: string): void {
    if (!existsSync(file)) {
      const folder = dirname(resolve(file));
      if (!existsSync(folder)) throw new UsageError(`--data ${file}: the folder ${folder} does not exist`);
      return;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--data ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    if (text.trim() === '') return;
    try {
      this.load(JSON.parse(text) as Persisted);
    } catch (error) {
      throw new UsageError(`--data ${file} is not a sandbox data file: ${(error as Error).message}`, {
        hint: 'it holds the writes of an earlier sandbox run; delete it to start from the generated data',
      });
    }
  }

  /** Write atomically: a temp file in the same folder, then rename over the target. */
  saveFile(file: string): void {
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, JSON.stringify(this.toJSON()));
    renameSync(temp, file);
  }
}
