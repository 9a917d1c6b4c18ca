/**
 * Reading a gathered field's inverse lists (`GET /tags`, then `GET /tags/{id}/contacts` for each
 * tag): for change tracking (memberships.ts) and for the inverse plan (inverse-join.ts).
 *
 * A group's member list has no `order` parameter in the spec, yet DESIGN section 3's paging
 * guarantee must hold: consecutive pages overlap by a few members and must share one, checked by
 * the record id (`contact.id`), not by the whole entry (a contact renamed between two pages is the
 * same member). A group whose pages do not line up (members removed faster than the overlap
 * absorbs) is read again from its first page; what an abandoned read collected is dropped.
 */
import { PagingError } from '../../api/errors.js';
import { overlapFor, PageChain } from '../../api/paging.js';
import type { KeapApi } from '../../api/types.js';
import type { InverseList } from '../../catalog/types.js';
import { MEMBER_PAGE } from './gather-estimate.js';
import { pick } from '../project.js';

/** Group lists read at once (each one page after another). */
const GROUPS_IN_FLIGHT = 4;
/** Reads of one group before its pages are given up on as never lining up. */
export const GROUP_READS = 3;

/** One member as kept: the record's id, then the values of `memberPaths`, in order. */
export type Member = [id: string | number, ...values: unknown[]];

export interface InverseReadOptions {
  /** Dot paths of each member to keep beside the record id (`date_applied`). */
  memberPaths: readonly string[];
  /** A group's record, once, before its members (in the order of the group list). */
  onGroup?: (group: Record<string, unknown>, index: number) => void;
  /** A group's members, once they all lined up (members of several groups arrive interleaved by group). */
  onMembers: (groupIndex: number, members: Member[]) => void;
  /** Members per request (tests use small pages to cross page boundaries). */
  pageSize?: number;
  /** What the planner's probes read already: every group, and the members of the groups whose first page was all of them. */
  known?: KnownGroups;
  signal?: AbortSignal;
}

export interface KnownGroups {
  groups: Record<string, unknown>[];
  /** Group index -> all its members (its first page was short, so nothing is missing). */
  members: Map<number, Member[]>;
}

/** One member as kept (undefined for an entry without a record id). */
export function memberOf(member: unknown, inverse: InverseList, memberPaths: readonly string[]): Member | undefined {
  const id = pick(member, inverse.recordId);
  if (typeof id !== 'number' && typeof id !== 'string') return undefined;
  return [id, ...memberPaths.map((p) => pick(member, p))];
}

export interface InverseRead {
  groups: number;
  memberships: number;
  requests: number;
  /** Groups read again because their pages did not line up. */
  rereads: number;
}

/** Reads every group and all its members. */
export async function readInverseLists(api: KeapApi, inverse: InverseList, options: InverseReadOptions): Promise<InverseRead> {
  const before = api.stats().requests;
  const signal = options.signal;
  const groups: string[] = [];
  const addGroup = (group: unknown) => {
    const id = pick(group, 'id');
    if (typeof id !== 'number' && typeof id !== 'string') return;
    options.onGroup?.(group as Record<string, unknown>, groups.length);
    groups.push(String(id));
  };
  if (options.known) for (const group of options.known.groups) addGroup(group);
  else {
    for await (const page of api.paginate(inverse.groups.path, inverse.groups.shape, {
      keyFields: ['id'],
      ...(signal ? { signal } : {}),
    })) {
      for (const group of page.records) addGroup(group);
    }
  }
  let memberships = 0;
  let rereads = 0;
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const index = next++;
      const known = options.known?.members.get(index);
      if (known) {
        memberships += known.length;
        options.onMembers(index, known);
        continue;
      }
      const path = inverse.members.path.replace('{id}', encodeURIComponent(groups[index] as string));
      const read = await readMembers(api, path, inverse, options);
      rereads += read.attempts - 1;
      memberships += read.members.length;
      options.onMembers(index, read.members);
    }
  };
  await Promise.all(Array.from({ length: Math.min(GROUPS_IN_FLIGHT, groups.length) }, worker));
  return { groups: groups.length, memberships, requests: api.stats().requests - before, rereads };
}

/** One group's members, page after page, lined up by record id; read again from the start when they do not line up. */
async function readMembers(
  api: KeapApi,
  path: string,
  inverse: InverseList,
  options: InverseReadOptions,
): Promise<{ members: Member[]; attempts: number }> {
  const limit = Math.min(MEMBER_PAGE, Math.max(1, options.pageSize ?? MEMBER_PAGE));
  const overlap = overlapFor(limit);
  const key = inverse.members.shape.kind === 'page' ? inverse.members.shape.key : '';
  const identify = (member: unknown) => `id:${String(pick(member, inverse.recordId))}`;
  for (let attempt = 1; attempt <= GROUP_READS; attempt++) {
    const chain = new PageChain(identify, limit, overlap);
    const members: Member[] = [];
    // A member the overlap check let through twice (moved by many changes at once) is kept once.
    const seen = new Set<string>();
    let lined = true;
    for (let offset = 0; ; offset += limit - overlap) {
      const response = await api.request('GET', path, { query: { limit, offset }, ...(options.signal ? { signal: options.signal } : {}) });
      const records = (response.body as Record<string, unknown> | null)?.[key];
      if (!Array.isArray(records)) throw new PagingError(`GET ${path}: expected an object with an array "${key}"`);
      const verdict = chain.check(offset, records);
      if (verdict.kind !== 'accept') {
        lined = false;
        break;
      }
      for (const entry of verdict.records) {
        const member = memberOf(entry, inverse, options.memberPaths);
        if (!member || seen.has(String(member[0]))) continue;
        seen.add(String(member[0]));
        members.push(member);
      }
      if (records.length < limit) break;
    }
    if (lined) return { members, attempts: attempt };
  }
  throw new PagingError(`paging ${path} lost its place ${GROUP_READS} times: members were removed faster than the pages overlap`, {
    hint: 'run it again, at a time when fewer tags are being removed, or with --gather per-record',
  });
}
