/** Names derived from (seed, id) alone, so one family can name another's record without building it. */
import { recordRandom } from '../random.js';
import { companySuffixes, companyWords, familyNames, givenNames, slug } from './words.js';

export interface Person {
  given: string;
  family: string;
}

export function person(seed: number, salt: string, id: number): Person {
  const r = recordRandom(seed, `${salt}:person`, id);
  return { given: r.pick(givenNames), family: r.pick(familyNames) };
}

/** A contact's primary email: derived from the id so an upsert can find it without a scan. */
export function contactEmail(seed: number, id: number): string | undefined {
  if (id % 17 === 0) return undefined; // some contacts have only a phone number
  const p = person(seed, 'contacts', id);
  return `${slug(p.given)}.${slug(p.family)}.${id}@example.com`;
}

/** The id a generated contact email encodes, if it looks like one. */
export function idFromContactEmail(email: string): number | undefined {
  const match = /\.(\d+)@example\.com$/i.exec(email);
  return match ? Number(match[1]) : undefined;
}

export function companyName(seed: number, id: number): string {
  const r = recordRandom(seed, 'companies:name', id);
  const suffix = r.pick(companySuffixes);
  return `${r.pick(companyWords)} ${id}${suffix ? ` ${suffix}` : ''}`;
}

export function productName(seed: number, id: number): string {
  const r = recordRandom(seed, 'products:name', id);
  return `${r.pick(['Widget', 'Gadget, deluxe', '"Pro" Plan', 'Café Beans', 'お茶', 'Rocket 🚀 Kit', 'Consulting hour'])} #${String(id).padStart(3, '0')}`;
}
