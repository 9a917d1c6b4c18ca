/**
 * Deterministic randomness. Every generated record is a pure function of (seed, collection, id),
 * so a sandbox with a million contacts can build any one of them on demand without holding the rest.
 */

/** A 32-bit hash of a few integers (murmur3 finalizer over a simple combine). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Fold in the high bits of numbers beyond 32 bits (ids, timestamps).
    h = Math.imul(h ^ Math.floor(part / 0x100000000), 0x27d4eb2f);
  }
  return h >>> 0;
}

/** Small seeded PRNG (mulberry32). */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** A money amount with two decimals. */
  money(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }
}

/** A generator for one record: seeded by the sandbox seed, a per-collection salt and the id. */
export function recordRandom(seed: number, salt: string, id: number): Random {
  let saltHash = 0;
  for (let i = 0; i < salt.length; i++) saltHash = Math.imul(saltHash ^ salt.charCodeAt(i), 16777619) >>> 0;
  return new Random(hash32(seed, saltHash, id));
}
