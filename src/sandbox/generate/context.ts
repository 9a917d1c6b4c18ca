/** What every family's generator shares: the record type, the counts, the seed and the clock of generated times. */
import type { Random } from '../random.js';

export type Rec = Record<string, unknown>;

/** Generated update times run from T0 to T1, evenly spread and monotonic in id. */
export const T0 = Date.UTC(2021, 0, 1);
export const T1 = Date.UTC(2026, 9, 1);

export const defaultCounts: Record<string, number> = {
  contacts: 250,
  companies: 40,
  tags: 30,
  users: 8,
  affiliates: 12,
  'affiliate-programs': 5,
  'affiliate-redirect-links': 10,
  'affiliate-commissions': 60,
  appointments: 60,
  campaigns: 6,
  orders: 120,
  subscriptions: 40,
  emails: 400,
  files: 25,
  notes: 150,
  opportunities: 50,
  products: 20,
  hooks: 4,
  tasks: 100,
};

export interface GenContext {
  seed: number;
  count(name: string): number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The generated update time of record `id` of a collection of `count` records. */
export function timeOf(id: number, count: number): number {
  return T0 + Math.floor((id * (T1 - T0)) / (count + 1));
}

/** Smallest id whose generated time is at or after `ms` (count + 1 when none). */
export function firstIdAtOrAfter(ms: number, count: number): number {
  let id = Math.ceil(((ms - T0) * (count + 1)) / (T1 - T0));
  id = Math.min(Math.max(id, 1), count + 1);
  while (id > 1 && timeOf(id - 1, count) >= ms) id--;
  while (id <= count && timeOf(id, count) < ms) id++;
  return id;
}

/** One record of a collection, built from (seed, id) alone. */
export type Generator = (ctx: GenContext, id: number) => Rec;

export function updated(ctx: GenContext, name: string, id: number): number {
  return timeOf(id, ctx.count(name));
}

export function fk(ctx: GenContext, name: string, r: Random): number {
  return r.int(1, Math.max(1, ctx.count(name)));
}
