/**
 * The record hashes of hash mode in compact form: a 64-bit digest per record identity, held in
 * typed arrays rather than a Map of strings (about 450 bytes a record), so that millions of records
 * fit in a few dozen megabytes.
 *
 * One ledger holds both runs: the last run's hashes are loaded into it, and each record this run
 * reads replaces its entry's digest and marks it seen. The entries never seen are the deletions;
 * the seen ones are what the next run compares with.
 *
 * An identity is a number when the record's key is one integer from 0 to 2^32 - 1 (`[12]` in the
 * file, as Keap's ids are), held in a Uint32Array; any other identity (a string id, several key
 * fields, a record identified by its content) is a string, found through a Map. Keap lists records
 * in id order, so the entries usually begin with a run of ascending ids, found by binary search
 * with no index at all (13 bytes a record); the ids that break that order are found through an
 * open-addressing index (a few bytes more each).
 *
 * The entries keep the order they were first loaded or seen: deletions are reported, and the next
 * hashes file written, in the last file's order, then the new records in the order read.
 */

/** What a record seen by this run is, against the last run and the records already seen. */
export type Sighting = 'new' | 'changed' | 'unchanged' | 'duplicate';

const SEEN = 1;
const LABELLED = 2;
/** Slots per entry at most: above this the index doubles. */
const MAX_LOAD = 0.8;
const MAX_ID = 2 ** 32 - 1;

/** The number in an identity written `[12]`, when it reads back to exactly that text. */
export function numericIdentity(identity: string): number | undefined {
  if (identity.length < 3 || identity.length > 19 || identity[0] !== '[' || identity[identity.length - 1] !== ']') return undefined;
  const id = Number(identity.slice(1, -1));
  return Number.isSafeInteger(id) && `[${id}]` === identity ? id : undefined;
}

/** 64 bits as the 16 hex digits the hashes file keeps. */
export function digestHex(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export class HashLedger {
  /** The id of a numeric entry; the index into `labels` of any other. */
  private ids: Uint32Array;
  private his: Uint32Array;
  private los: Uint32Array;
  private flags: Uint8Array;
  /** Entries [0, ascending) are numeric with ids in ascending order, and are not in the index. */
  private ascending = 0;
  /** Open addressing over the numeric entries from `ascending` on: entry index + 1, 0 when empty. */
  private slots = new Int32Array(16);
  private indexed = 0;
  private readonly labelIndex = new Map<string, number>();
  private readonly labels: string[] = [];
  private count = 0;
  private seenCount = 0;

  /** `expected`: how many entries to make room for at once (the saved record count). */
  constructor(expected = 0) {
    const capacity = Math.max(1024, Math.ceil(expected * 1.02));
    this.ids = new Uint32Array(capacity);
    this.his = new Uint32Array(capacity);
    this.los = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** Distinct identities held (loaded and seen). */
  get size(): number {
    return this.count;
  }

  /** Identities seen by this run: the records the next run compares with. */
  get seen(): number {
    return this.seenCount;
  }

  /** A hash of the last run. A repeated identity keeps its place and takes the later digest, as a Map would. */
  load(identity: string, hi: number, lo: number): void {
    const id = numericIdentity(identity);
    const key = id !== undefined && id >= 0 && id <= MAX_ID ? id : identity;
    let entry = this.find(key);
    if (entry < 0) entry = this.add(key);
    this.his[entry] = hi;
    this.los[entry] = lo;
  }

  /**
   * A record read by this run: compared with the last run's digest the first time its identity is
   * seen, with this run's afterwards (a page read twice gives a duplicate; a record that changed
   * between two reads counts as new, as it was written once already).
   */
  see(identity: number | string, hi: number, lo: number): Sighting {
    // -0 is 0, as JSON writes both `[0]`; an integer that does not fit is held as its text.
    if (typeof identity === 'number' && !(identity >= 0 && identity <= MAX_ID && Number.isInteger(identity))) identity = `[${identity}]`;
    let entry = this.find(identity);
    let sighting: Sighting;
    if (entry < 0) {
      entry = this.add(identity);
      sighting = 'new';
    } else if ((this.flags[entry] as number) & SEEN) {
      if (this.his[entry] === hi && this.los[entry] === lo) return 'duplicate';
      sighting = 'new';
    } else {
      sighting = this.his[entry] === hi && this.los[entry] === lo ? 'unchanged' : 'changed';
    }
    if (!((this.flags[entry] as number) & SEEN)) {
      this.flags[entry] = (this.flags[entry] as number) | SEEN;
      this.seenCount++;
    }
    this.his[entry] = hi;
    this.los[entry] = lo;
    return sighting;
  }

  /** The identities of the last run that this run did not see, in the order they were loaded. */
  *unseen(): Generator<string> {
    for (let entry = 0; entry < this.count; entry++) {
      if (!((this.flags[entry] as number) & SEEN)) yield this.identityOf(entry);
    }
  }

  /** This run's identities and digests (hex): those of the last run first, then the new ones. */
  *current(): Generator<[identity: string, hex: string]> {
    for (let entry = 0; entry < this.count; entry++) {
      if ((this.flags[entry] as number) & SEEN) {
        yield [this.identityOf(entry), digestHex(this.his[entry] as number, this.los[entry] as number)];
      }
    }
  }

  private identityOf(entry: number): string {
    return (this.flags[entry] as number) & LABELLED ? (this.labels[this.ids[entry] as number] as string) : `[${this.ids[entry]}]`;
  }

  private find(identity: number | string): number {
    if (typeof identity === 'string') return this.labelIndex.get(identity) ?? -1;
    let low = 0;
    let high = this.ascending - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const id = this.ids[middle] as number;
      if (id === identity) return middle;
      if (id < identity) low = middle + 1;
      else high = middle - 1;
    }
    if (this.indexed === 0) return -1;
    const mask = this.slots.length - 1;
    for (let slot = slotOf(identity, mask); ; slot = (slot + 1) & mask) {
      const held = this.slots[slot] as number;
      if (held === 0) return -1;
      if (this.ids[held - 1] === identity) return held - 1;
    }
  }

  private add(identity: number | string): number {
    if (this.count === this.ids.length) this.grow();
    const entry = this.count++;
    if (typeof identity === 'string') {
      this.ids[entry] = this.labels.length;
      this.flags[entry] = LABELLED;
      this.labels.push(identity);
      this.labelIndex.set(identity, entry);
      return entry;
    }
    this.ids[entry] = identity;
    if (this.ascending === entry && (entry === 0 || identity > (this.ids[entry - 1] as number))) {
      this.ascending++;
    } else if (++this.indexed > this.slots.length * MAX_LOAD) {
      this.reindex(this.slots.length * 2);
    } else {
      this.place(entry);
    }
    return entry;
  }

  private place(entry: number): void {
    const mask = this.slots.length - 1;
    let slot = slotOf(this.ids[entry] as number, mask);
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private reindex(size: number): void {
    this.slots = new Int32Array(size);
    for (let entry = this.ascending; entry < this.count; entry++) {
      if (!((this.flags[entry] as number) & LABELLED)) this.place(entry);
    }
  }

  /** Half as much room again: a second run adds few records, a first run all of them. */
  private grow(): void {
    const capacity = Math.ceil(this.ids.length * 1.5);
    const widen = <T extends Uint32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.ids = widen(this.ids, new Uint32Array(capacity));
    this.his = widen(this.his, new Uint32Array(capacity));
    this.los = widen(this.los, new Uint32Array(capacity));
    this.flags = widen(this.flags, new Uint8Array(capacity));
  }
}

/** Spreads ids (often consecutive) over the index. */
function slotOf(id: number, mask: number): number {
  let h = Math.imul(id, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h & mask;
}
