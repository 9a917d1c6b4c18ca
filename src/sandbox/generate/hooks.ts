/** REST hooks. */
import { recordRandom } from '../random.js';
import type { Generator } from './context.js';

export const hookEvents = ['contact.add', 'contact.edit', 'contact.delete', 'order.add', 'invoice.payment.add', 'opportunity.stage_move'];

export const hooks: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'hooks', id);
  return {
    id,
    key: String(id),
    eventKey: r.pick(hookEvents),
    hookUrl: `https://hooks.example.com/keap/${id}`,
    status: r.pick(['Verified', 'Unverified']),
  };
};
