/**
 * Keeping limit/offset paging honest while the account changes underneath it (DESIGN.md section 3,
 * "Paging"). Consecutive pages overlap by a few records; a page is accepted only when it shares a
 * record with the page before it, which proves that nothing between them was skipped (each page is
 * a contiguous slice of a stable order). Records already yielded are dropped by identity.
 */
import { createHash } from 'node:crypto';
import type { PagePosition } from './types.js';

/** Records each page repeats from the one before it: a few, so the request count barely grows. */
export const PAGE_OVERLAP = 3;

/** The overlap for pages of `limit` records: at most half a page, none for pages of one record. */
export function overlapFor(limit: number): number {
  return Math.min(PAGE_OVERLAP, Math.floor(limit / 2));
}
/** Earlier windows re-read, one after the other, to find the place again after a gap. */
export const MAX_REREADS = 3;

export type Identity = (record: unknown) => string;

/**
 * A record's identity: its key fields when it has any of them, else a hash of the whole record
 * (affiliate commissions have no id). A hashed record that changes between two reads looks new.
 */
export function recordIdentity(keyFields: readonly string[] = []): Identity {
  return (record) => {
    if (typeof record === 'object' && record !== null && keyFields.length > 0) {
      const values = keyFields.map((name) => (record as Record<string, unknown>)[name]);
      if (values.some((value) => value !== undefined && value !== null)) return `key:${JSON.stringify(values)}`;
    }
    return `hash:${createHash('sha1')
      .update(JSON.stringify(record) ?? 'undefined')
      .digest('base64')}`;
  };
}

/**
 * What to do with a page:
 *  - `accept`: it lines up with the page before; `records` are the ones not yielded yet;
 *  - `gap`: it shares no record with the page before, so records may have been skipped;
 *  - `repeat`: a full page of records already read (the API ignores `offset`).
 */
export type Verdict = { kind: 'accept'; records: unknown[] } | { kind: 'gap' } | { kind: 'repeat' };

/** The chain of accepted pages: the last one to line up against, the recent ids to drop. */
export class PageChain {
  private previous: { offset: number; ids: string[] } | undefined;
  /** Ids of the last two accepted pages: every record an overlapping page can repeat. */
  private recent = new Set<string>();
  private older: string[] = [];
  /** Ids of the page before the last accepted one (what `older` was before it). */
  private olderIds: string[] = [];

  constructor(
    private readonly identify: Identity,
    private readonly limit: number,
    /** Records pages are meant to share; with none (pages of one record) continuity cannot be checked. */
    private readonly overlap: number,
  ) {}

  /** Offset of the last accepted page (undefined before the first). */
  get previousOffset(): number | undefined {
    return this.previous?.offset;
  }

  /** Where the chain stands: what a resumed read lines its first page up against. */
  position(): PagePosition | undefined {
    return this.previous ? { offset: this.previous.offset, ids: this.previous.ids, olderIds: this.olderIds } : undefined;
  }

  /** Continues a chain saved with `position()` (the run that read those pages is gone). */
  resumeAt(position: PagePosition): void {
    this.previous = { offset: position.offset, ids: position.ids };
    this.olderIds = position.olderIds;
    this.recent = new Set([...position.olderIds, ...position.ids]);
    this.older = position.ids;
  }

  /** Judges the page at `offset`; an accepted page becomes the one the next is lined up against. */
  check(offset: number, records: unknown[]): Verdict {
    const ids = records.map(this.identify);
    if (this.previous) {
      const anchor = this.anchorIn(ids);
      // A short first page of the whole list is every living record: nothing can be missing.
      const wholeList = offset === 0 && records.length < this.limit;
      if (anchor < 0 && !wholeList && this.overlap > 0) return { kind: 'gap' };
      if (anchor >= 0 && records.length >= this.limit && anchor === records.length - 1) return { kind: 'repeat' };
    }
    const fresh: unknown[] = [];
    const kept = new Set<string>();
    records.forEach((record, index) => {
      const id = ids[index] as string;
      if (this.recent.has(id) || kept.has(id)) return;
      kept.add(id);
      fresh.push(record);
    });
    this.recent = new Set([...this.older, ...ids]);
    this.olderIds = this.older;
    this.older = ids;
    this.previous = { offset, ids };
    return { kind: 'accept', records: fresh };
  }

  /** Position in `ids` of the latest record of the previous page found there, or -1. */
  private anchorIn(ids: string[]): number {
    const positions = new Map<string, number>();
    ids.forEach((id, index) => {
      positions.set(id, index);
    });
    const previous = this.previous?.ids ?? [];
    for (let q = previous.length - 1; q >= 0; q--) {
      const found = positions.get(previous[q] as string);
      if (found !== undefined) return found;
    }
    return -1;
  }
}
