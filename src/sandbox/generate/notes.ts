/** Notes. */
import { recordRandom } from '../random.js';
import { type Generator, fk, iso, updated } from './context.js';
import { person } from './names.js';
import { noteBodies } from './words.js';

export const notes: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'notes', id);
  const lastUpdated = updated(ctx, 'notes', id);
  const userId = fk(ctx, 'users', r);
  const u = person(ctx.seed, 'users', userId);
  return {
    id,
    title: r.pick(['Call', 'Meeting notes, Monday', 'Rückruf', 'メモ', '']),
    body: r.pick(noteBodies),
    type: r.pick(['Call', 'Email', 'Other', 'Appointment']),
    contact_id: fk(ctx, 'contacts', r),
    user_id: userId,
    date_created: iso(lastUpdated - 3600000),
    last_updated: iso(lastUpdated),
    last_updated_by: { user_id: userId, given_name: u.given, family_name: u.family },
  };
};
