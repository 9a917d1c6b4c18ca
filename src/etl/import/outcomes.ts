/**
 * Row outcomes kept compactly: a resumed import of a million rows holds every earlier outcome in
 * memory, and a Map of a million RowOutcome objects costs well over 100 MB. Most outcomes are a
 * status and at most a numeric id, so those live in two typed arrays indexed by row (9 bytes a
 * row); the rest (messages, string ids, HTTP statuses, rows beyond the arrays' reach) are kept as
 * they are in a Map, and there are few of them in any import that mostly worked.
 */
import type { OutcomeStatus, RowOutcome } from './types.js';

// New statuses go at the end: a status's code is its place here.
const STATUSES: readonly OutcomeStatus[] = ['created', 'updated', 'deleted', 'skipped', 'failed', 'invalid', 'unknown', 'unchanged'];
const STATUS_CODE = new Map<string, number>(STATUSES.map((status, index) => [status, index + 1]));

/** Rows at or beyond this go to the Map: the arrays never grow past 2^27 entries (1.2 GB) for one odd row number. */
const DENSE_LIMIT = 2 ** 27;
const INITIAL_CAPACITY = 1024;

/** A status and at most a numeric id, on a row the arrays can hold. */
function fitsDense(outcome: RowOutcome): boolean {
  const { row, status: _status, id, ...rest } = outcome;
  const plainId = id === undefined || (typeof id === 'number' && Number.isFinite(id));
  return Number.isSafeInteger(row) && row >= 0 && row < DENSE_LIMIT && plainId && Object.values(rest).every((value) => value === undefined);
}

export function isOutcomeStatus(value: unknown): value is OutcomeStatus {
  return typeof value === 'string' && STATUS_CODE.has(value);
}

/** A ReadonlyMap from row to outcome, built with set(); iterates in row order. */
export class RowOutcomes implements ReadonlyMap<number, RowOutcome> {
  /** Status code by row: 0 for none, else 1 + its index in STATUSES. */
  private codes = new Uint8Array(INITIAL_CAPACITY);
  /** Numeric id by row; NaN for none. */
  private ids = new Float64Array(INITIAL_CAPACITY).fill(Number.NaN);
  /** Outcomes that do not fit the arrays, whole. */
  private readonly others = new Map<number, RowOutcome>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Records (or replaces) the outcome of `outcome.row`. */
  set(outcome: RowOutcome): this {
    const { row, status, id } = outcome;
    const had = this.has(row);
    if (fitsDense(outcome)) {
      this.others.delete(row);
      this.reserve(row);
      this.codes[row] = STATUS_CODE.get(status)!;
      this.ids[row] = typeof id === 'number' ? id : Number.NaN;
    } else {
      this.clearDense(row);
      this.others.set(row, { ...outcome });
    }
    if (!had) this.count++;
    return this;
  }

  get(row: number): RowOutcome | undefined {
    const code = this.denseCode(row);
    if (code === 0) return this.others.get(row);
    const id = this.ids[row]!;
    return Number.isNaN(id) ? { row, status: STATUSES[code - 1]! } : { row, status: STATUSES[code - 1]!, id };
  }

  has(row: number): boolean {
    return this.denseCode(row) !== 0 || this.others.has(row);
  }

  *entries(): MapIterator<[number, RowOutcome]> {
    const sparse = [...this.others.keys()].sort((a, b) => a - b);
    let next = 0;
    for (let row = 0; row < this.codes.length; row++) {
      if (this.codes[row] === 0) continue;
      while (next < sparse.length && sparse[next]! < row) {
        const other = sparse[next++]!;
        yield [other, this.others.get(other)!];
      }
      yield [row, this.get(row)!];
    }
    for (; next < sparse.length; next++) yield [sparse[next]!, this.others.get(sparse[next]!)!];
  }

  *keys(): MapIterator<number> {
    for (const [row] of this.entries()) yield row;
  }

  *values(): MapIterator<RowOutcome> {
    for (const [, outcome] of this.entries()) yield outcome;
  }

  [Symbol.iterator](): MapIterator<[number, RowOutcome]> {
    return this.entries();
  }

  forEach(callback: (outcome: RowOutcome, row: number, map: ReadonlyMap<number, RowOutcome>) => void, thisArg?: unknown): void {
    for (const [row, outcome] of this.entries()) callback.call(thisArg, outcome, row, this);
  }

  private denseCode(row: number): number {
    return Number.isSafeInteger(row) && row >= 0 && row < this.codes.length ? this.codes[row]! : 0;
  }

  private clearDense(row: number): void {
    if (this.denseCode(row) === 0) return;
    this.codes[row] = 0;
    this.ids[row] = Number.NaN;
  }

  private reserve(row: number): void {
    if (row < this.codes.length) return;
    let capacity = this.codes.length;
    while (capacity <= row) capacity *= 2;
    capacity = Math.min(capacity, DENSE_LIMIT);
    const codes = new Uint8Array(capacity);
    codes.set(this.codes);
    const ids = new Float64Array(capacity).fill(Number.NaN);
    ids.set(this.ids);
    this.codes = codes;
    this.ids = ids;
  }
}
