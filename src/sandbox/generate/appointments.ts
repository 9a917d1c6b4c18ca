/** Appointments. */
import { recordRandom } from '../random.js';
import { type Generator, fk, iso, updated } from './context.js';
import { noteBodies } from './words.js';

export const appointments: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'appointments', id);
  const start = updated(ctx, 'appointments', id);
  return {
    id,
    title: r.pick(['Intro call', 'Démo produit', 'Review, Q3', '打ち合わせ']),
    description: r.pick(noteBodies),
    location: r.pick(['Zoom', 'Office, Room 2', '', 'Café "Central"']),
    start_date: iso(start),
    end_date: iso(start + 1800000),
    remind_time: r.pick([5, 15, 30]),
    contact_id: fk(ctx, 'contacts', r),
    user: fk(ctx, 'users', r),
  };
};
