/** Tags, their categories, and which generated contacts and companies carry them. */
import { hash32, recordRandom } from '../random.js';
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

/** Whether a generated contact carries a generated tag (cheap: no record is built). */
export function generatedTagApplied(seed: number, contactId: number, tagId: number): boolean {
  // contactId === tagId: every low-numbered tag and contact has at least one of the other.
  return contactId === tagId || hash32(seed, 0x7a9, contactId, tagId) % 100 < 8;
}

export function generatedCompanyTagApplied(seed: number, companyId: number, tagId: number): boolean {
  return companyId === tagId || hash32(seed, 0xc0a, companyId, tagId) % 100 < 10;
}

/** When a generated tag was applied: a fixed time derived from the pair. */
export function generatedTagDate(seed: number, ownerId: number, tagId: number): string {
  return iso(T0 + (hash32(seed, 0xda7e, ownerId, tagId) % 1000) * 86400000 * 2);
}
