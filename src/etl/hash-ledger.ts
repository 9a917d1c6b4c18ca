/**
 * The record hashes of hash mode in compact form: a 64-bit digest per record identity, held in
 * typed arrays rather than a Map of strings (about 450 bytes a record), so that millions of records
 * fit in a few dozen megabytes.
 *
 * One ledger holds both runs: the last run's hashes are loaded into it, and each record this run
 * reads replaces its entry's digest and marks it seen. The entries never seen are the deletions;
 * the seen ones are what the next run compares with.
 *
 * An identity is a number when the record's key is one integer (`[12]` in the file), held in a
 * Float64Array and found through an open-addressing index; any other identity (a string id, several
 * key fields, a record identified by its content) is a string, found through a Map.
 */

/** What a record seen by this run is, against the last run and the records already seen. */
export type Sighting = 'new' | 'changed' | 'unchanged' | 'duplicate';

const SEEN = 1;
const LABELLED = 2;
/** Slots per entry at most: above this the index doubles. */
const MAX_LOAD = 0.8;
const TWO_32 = 2 ** 32;

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

function nextPowerOfTwo(n: number): number {
  let size = 16;
  while (size < n) size *= 2;
  return size;
}

export class HashLedger {
  private ids: Float64Array;
  private his: Uint32Array;
  private los: Uint32Array;
  private flags: Uint8Array;
  /** The entries this run has seen, in the order it first saw them (the order the file is written in). */
  private order: Uint32Array;
  /** Open addressing over the numeric entries: entry index + 1, 0 when empty. */
  private slots: Int32Array;
  private numeric = 0;
  private readonly labelIndex = new Map<string, number>();
  private readonly labels: string[] = [];
  private count = 0;
  private seenCount = 0;

  /** `expected`: how many entries to make room for at once (the saved record count). */
  constructor(expected = 0) {
    const capacity = Math.max(1024, Math.ceil(expected * 1.02));
    this.ids = new Float64Array(capacity);
    this.his = new Uint32Array(capacity);
    this.los = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.order = new Uint32Array(capacity);
    this.slots = new Int32Array(nextPowerOfTwo(capacity / MAX_LOAD));
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
    const key = numericIdentity(identity) ?? identity;
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
      this.order[this.seenCount++] = entry;
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

  /** This run's identities and digests (hex), in the order this run first saw them. */
  *current(): Generator<[identity: string, hex: string]> {
    for (let i = 0; i < this.seenCount; i++) {
      const entry = this.order[i] as number;
      yield [this.identityOf(entry), digestHex(this.his[entry] as number, this.los[entry] as number)];
    }
  }

  private identityOf(entry: number): string {
    return (this.flags[entry] as number) & LABELLED ? (this.labels[this.ids[entry] as number] as string) : `[${this.ids[entry]}]`;
  }

  private find(identity: number | string): number {
    if (typeof identity === 'string') return this.labelIndex.get(identity) ?? -1;
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
    // -0 and 0 are one identity, as JSON writes both `[0]`.
    this.ids[entry] = identity + 0;
    if (++this.numeric > this.slots.length * MAX_LOAD) this.reindex(this.slots.length * 2);
    else this.place(entry);
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
    for (let entry = 0; entry < this.count; entry++) {
      if (!((this.flags[entry] as number) & LABELLED)) this.place(entry);
    }
  }

  /** Half as much room again: a second run adds few records, a first run all of them. */
  private grow(): void {
    const capacity = Math.ceil(this.ids.length * 1.5);
    const widen = <T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.ids = widen(this.ids, new Float64Array(capacity));
    this.his = widen(this.his, new Uint32Array(capacity));
    this.los = widen(this.los, new Uint32Array(capacity));
    this.flags = widen(this.flags, new Uint8Array(capacity));
    this.order = widen(this.order, new Uint32Array(capacity));
  }
}

/** Spreads integer ids (often consecutive) over the index. */
function slotOf(id: number, mask: number): number {
  const lo = id >>> 0;
  const hi = Math.floor(id / TWO_32) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h & mask;
}
