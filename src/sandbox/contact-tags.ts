/**
 * Which contacts carry which tags: the one source of truth that `/contacts/{id}/tags`, a contact's
 * `tag_ids` and `/tags/{id}/contacts` all read, so the two directions never disagree.
 *
 * Generated memberships are a pure function of the seed: each tag's members are drawn once, on
 * first use, as a sorted id list (a geometric walk over the contact ids at the tag's rate, so a rare
 * tag costs its members, not the whole account). Writes (applied or removed through either side of
 * the API) are an overlay, indexed by tag, on top of that.
 */
import { generatedTagDate, generatedTagMembers } from './generate.js';

export class ContactTags {
  /** Generated members per tag, ascending contact ids. */
  private readonly generated = new Map<number, Int32Array>();
  /** Writes per tag: contact id -> date applied, or null when removed. */
  private readonly changes = new Map<number, Map<number, string | null>>();

  constructor(
    private readonly seed: number,
    /** The generated contacts and tags: ids 1..count of each. */
    private readonly contactCount: () => number,
    private readonly tagCount: () => number,
  ) {}

  private generatedOf(tagId: number): Int32Array {
    let members = this.generated.get(tagId);
    if (!members) {
      members = tagId <= this.tagCount() ? generatedTagMembers(this.seed, tagId, this.contactCount()) : new Int32Array(0);
      this.generated.set(tagId, members);
    }
    return members;
  }

  /** When the tag was applied to the contact, or undefined when it carries none. */
  dateOf(contactId: number, tagId: number): string | undefined {
    const changed = this.changes.get(tagId);
    if (changed?.has(contactId)) return changed.get(contactId) ?? undefined;
    return hasSorted(this.generatedOf(tagId), contactId) ? generatedTagDate(this.seed, contactId, tagId) : undefined;
  }

  /** Applies (a date) or removes (null) one membership. */
  set(contactId: number, tagId: number, date: string | null): void {
    let changed = this.changes.get(tagId);
    if (!changed) {
      changed = new Map();
      this.changes.set(tagId, changed);
    }
    changed.set(contactId, date);
  }

  /** The tag's members, ascending contact ids (live or not: the caller drops deleted contacts). */
  members(tagId: number): Int32Array | number[] {
    const generated = this.generatedOf(tagId);
    const changed = this.changes.get(tagId);
    if (!changed || changed.size === 0) return generated;
    const ids: number[] = [];
    for (const id of generated) if (!changed.has(id)) ids.push(id);
    for (const [id, date] of changed) if (date !== null) ids.push(id);
    return ids.sort((a, b) => a - b);
  }

  /** Every write, as `contactId:tagId` -> date or null (the data file's form). */
  *writes(): Generator<[string, string | null]> {
    for (const [tagId, changed] of this.changes) for (const [contactId, date] of changed) yield [`${contactId}:${tagId}`, date];
  }
}

function hasSorted(ids: Int32Array, id: number): boolean {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = ids[mid] as number;
    if (value === id) return true;
    if (value < id) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
