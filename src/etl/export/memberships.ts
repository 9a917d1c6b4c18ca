/**
 * Memberships read the other way round (issue 15, item 2): applying a tag to a contact may not move
 * the contact's `last_updated`, so an incremental export bookmarked on it would never write the
 * contact again. The tag lists (`GET /tags`, then `GET /tags/{id}/contacts` with `date_applied`)
 * say who carries what; a digest of each record's memberships, kept beside the bookmark, shows
 * which records gained, lost or had a membership made again since the last run.
 *
 * A digest is the sum (mod 2^52) of a 52-bit hash of each `group@stamp`: independent of the order
 * the lists come in, and one number per record, so a million contacts stay a few tens of MB.
 */
import { createHash } from 'node:crypto';
import type { KeapApi } from '../../api/types.js';
import type { InverseList } from '../../catalog/types.js';
import { type CountedLinesFormat, readCountedLines, writeCountedLines } from './counted-lines.js';
import type { InverseValues } from './inverse-join.js';
import { readInverseLists } from './inverse-lists.js';
import { pick } from '../project.js';

const TWO_52 = 2 ** 52;

export interface MembershipRead {
  /** Record id -> digest of its memberships (records with none are absent). */
  digests: Map<string, number>;
  groups: number;
  memberships: number;
  requests: number;
}

function membershipHash(group: string, stamp: string): number {
  return Number.parseInt(createHash('sha1').update(`${group}@${stamp}`).digest('hex').slice(0, 13), 16);
}

/**
 * Reads every group and its members (inverse-lists.ts: pages lined up by record id, a group read
 * again when they do not line up): the memberships of every record, as digests.
 */
export async function readMemberships(api: KeapApi, inverse: InverseList, signal?: AbortSignal): Promise<MembershipRead> {
  const groups: string[] = [];
  const digests = new Map<string, number>();
  const read = await readInverseLists(api, inverse, {
    memberPaths: inverse.stamp ? [inverse.stamp] : [],
    onGroup: (group, index) => {
      groups[index] = String(pick(group, 'id'));
    },
    onMembers: (index, members) => {
      const group = groups[index] as string;
      for (const [id, stamp] of members) {
        const key = String(id);
        digests.set(key, ((digests.get(key) ?? 0) + membershipHash(group, inverse.stamp ? String(stamp ?? '') : '')) % TWO_52);
      }
    },
    ...(signal ? { signal } : {}),
  });
  return { digests, groups: read.groups, memberships: read.memberships, requests: read.requests };
}

/**
 * The same digests from the inverse plan's values, which read the same lists (with the stamp among
 * their member fields), so a run reads them once, not twice. Undefined when the values lack the stamp.
 */
export function membershipsFromValues(
  values: InverseValues,
  inverse: InverseList,
  read: { groups: number; memberships: number; requests: number },
): MembershipRead | undefined {
  const stampAt = inverse.stamp ? values.memberPaths.indexOf(inverse.stamp) : -1;
  if (inverse.stamp && stampAt < 0) return undefined;
  const digests = new Map<string, number>();
  values.forEachMembership((id, group, members) => {
    const stamp = stampAt >= 0 ? String(members[stampAt] ?? '') : '';
    digests.set(id, ((digests.get(id) ?? 0) + membershipHash(String(pick(group, 'id')), stamp)) % TWO_52);
  });
  return { digests, groups: read.groups, memberships: read.memberships, requests: read.requests };
}

/** The records whose memberships differ between two reads: gained, lost, or made again. */
export function changedMemberships(previous: Map<string, number>, current: Map<string, number>): Set<string> {
  const changed = new Set<string>();
  for (const [id, digest] of current) if (previous.get(id) !== digest) changed.add(id);
  for (const id of previous.keys()) if (!current.has(id)) changed.add(id);
  return changed;
}

const MEMBERSHIP_FILE: CountedLinesFormat = {
  header: '# infusionsoft memberships',
  noun: 'memberships',
  unit: 'records',
  hint: 'these are the tag memberships --state keeps; delete the file and the next run reads them afresh (and writes no tag changes once)',
};

/**
 * Reads the digests saved by the last run, checking the header's key and record count, so a file
 * cut short (even at a line boundary) is caught rather than read as memberships removed.
 */
export async function readMembershipFile(file: string, key: string): Promise<Map<string, number> | undefined> {
  const digests = new Map<string, number>();
  const count = await readCountedLines(file, key, MEMBERSHIP_FILE, (line, damaged) => {
    const [id, digest] = line.split('\t');
    if (!id || !/^[0-9a-f]{1,13}$/.test(digest ?? '')) throw damaged(`"${line}" is not an "id<TAB>digest" line`);
    digests.set(id, Number.parseInt(digest as string, 16));
  });
  return count === undefined ? undefined : digests;
}

/** Writes the digests atomically (a temporary file renamed), in chunks. */
export async function writeMembershipFile(file: string, key: string, digests: Map<string, number>): Promise<void> {
  const lines = function* () {
    for (const [id, digest] of digests) yield `${id}\t${digest.toString(16)}`;
  };
  await writeCountedLines(file, key, MEMBERSHIP_FILE, digests.size, lines());
}
