/** Tasks. */
import { recordRandom } from '../random.js';
import { type Generator, fk, iso, updated } from './context.js';
import { contactEmail, person } from './names.js';
import { noteBodies } from './words.js';

export const tasks: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'tasks', id);
  const contactId = fk(ctx, 'contacts', r);
  const p = person(ctx.seed, 'contacts', contactId);
  const modified = updated(ctx, 'tasks', id);
  const completed = r.bool(0.4);
  return {
    id,
    title: r.pick(['Call back', 'Send quote, v2', 'Envoyer le devis', '"Urgent" follow-up', '見積もり']),
    description: r.pick(noteBodies),
    type: r.pick(['Call', 'Email', 'Other']),
    priority: r.int(1, 3),
    completed,
    ...(completed ? { completion_date: iso(modified) } : {}),
    creation_date: iso(modified - 86400000 * 2),
    modification_date: iso(modified),
    ...(r.bool(0.7) ? { due_date: iso(modified + 86400000) } : {}),
    remind_time: 0,
    url: '',
    funnel_id: 0,
    jgraph_id: 0,
    user_id: fk(ctx, 'users', r),
    contact: { id: contactId, first_name: p.given, last_name: p.family, email: contactEmail(ctx.seed, contactId) ?? '' },
  };
};
