/** Tags, their categories, and which generated contacts and companies carry them. */
import { hash32, Random, recordRandom } from '../random.js';
import { type Generator, T0, iso } from './context.js';

export const tagCategories = [
  { id: 1, name: 'Lead Source', description: 'Where they came from' },
  { id: 2, name: 'Interests, misc', description: '' },
  { id: 3, name: 'Événements', description: 'Trade shows 🎪' },
];

export const tags: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'tags', id);
  const category = r.pick(tagCategories);
  return {
    id,
    name: `${r.pick(['Customer', 'Newsletter', 'VIP ⭐', 'Webinar "2026"', 'Lead, warm', 'Kunde', '見込み客'])} ${id}`,
    description: r.pick(['', 'Applied by import', 'Multi\nline']),
    category,
  };
};

/**
 * The share of contacts that carry generated tag `tagId`: like a real account, a few tags (the
 * first three: a lead source, "Customer", "Newsletter") are on most contacts and the rest form a
 * long tail, so most contacts carry a few tags (about 3 to 5 on average with 30 to 300 tags).
 */
export function tagRate(seed: number, tagId: number): number {
  const popular = [0.9, 0.75, 0.6][tagId - 1];
  if (popular !== undefined) return popular;
  // The tail thins as 1/id, jittered per seed so tags of one rank differ between accounts.
  return Math.min(0.5, (0.35 + (hash32(seed, 0x7a9, tagId) % 1000) / 3000) / tagId);
}

/**
 * The generated contacts that carry generated tag `tagId`, ascending: a geometric walk over the
 * contact ids at the tag's rate (cost: the members, not the account), plus contact `tagId` itself,
 * so every low-numbered tag and contact has at least one of the other.
 */
export function generatedTagMembers(seed: number, tagId: number, contactCount: number): Int32Array {
  const rate = tagRate(seed, tagId);
  const r = new Random(hash32(seed, 0x7a90, tagId));
  const members: number[] = [];
  const own = tagId <= contactCount ? tagId : undefined;
  const logMiss = Math.log(1 - rate);
  let id = 0;
  for (;;) {
    // The gap to the next member: geometric with success probability `rate`.
    id += 1 + Math.floor(Math.log(1 - r.next()) / logMiss);
    if (id > contactCount) break;
    members.push(id);
  }
  if (own !== undefined && !members.includes(own)) {
    members.push(own);
    members.sort((a, b) => a - b);
  }
  return Int32Array.from(members);
}

export function generatedCompanyTagApplied(seed: number, companyId: number, tagId: number): boolean {
  return companyId === tagId || hash32(seed, 0xc0a, companyId, tagId) % 100 < 10;
}

/** When a generated tag was applied: a fixed time derived from the pair. */
export function generatedTagDate(seed: number, ownerId: number, tagId: number): string {
  return iso(T0 + (hash32(seed, 0xda7e, ownerId, tagId) % 1000) * 86400000 * 2);
}
