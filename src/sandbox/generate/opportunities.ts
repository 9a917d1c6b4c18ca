/** Opportunities and the pipeline's stages. */
import { recordRandom } from '../random.js';
import { type Generator, fk, iso, updated } from './context.js';
import { customFields } from './custom-fields.js';
import { contactEmail, person } from './names.js';
import { noteBodies } from './words.js';

export const pipelineStages = [
  { stage_id: 1, stage_name: 'New', stage_order: 1, probability: 10 },
  { stage_id: 2, stage_name: 'Qualified', stage_order: 2, probability: 30 },
  { stage_id: 3, stage_name: 'Proposal, sent', stage_order: 3, probability: 60 },
  { stage_id: 4, stage_name: 'Won 🎉', stage_order: 4, probability: 100 },
  { stage_id: 5, stage_name: 'Lost', stage_order: 5, probability: 0 },
];

export const opportunities: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'opportunities', id);
  const contactId = fk(ctx, 'contacts', r);
  const p = person(ctx.seed, 'contacts', contactId);
  const stage = r.pick(pipelineStages);
  const userId = fk(ctx, 'users', r);
  const u = person(ctx.seed, 'users', userId);
  const lastUpdated = updated(ctx, 'opportunities', id);
  const low = r.money(100, 5000);
  return {
    id,
    opportunity_title: `${r.pick(['Renewal', 'Upsell, 50 seats', 'Nouveau client', '"Big" deal', '大型案件'])} ${id}`,
    contact: {
      id: contactId,
      first_name: p.given,
      last_name: p.family,
      email: contactEmail(ctx.seed, contactId) ?? '',
      company_name: '',
      job_title: '',
      phone_number: '',
    },
    stage: {
      id: stage.stage_id,
      name: stage.stage_name,
      details: { probability: stage.probability, stage_order: stage.stage_order, target_num_days: 14, check_list_items: [] },
      reasons: [],
    },
    user: { id: userId, first_name: u.given, last_name: u.family },
    date_created: iso(lastUpdated - 86400000 * 5),
    last_updated: iso(lastUpdated),
    estimated_close_date: iso(lastUpdated + 86400000 * 30),
    next_action_date: iso(lastUpdated + 86400000 * 3),
    next_action_notes: r.pick(noteBodies),
    opportunity_notes: r.pick(noteBodies),
    include_in_forecast: r.int(0, 1),
    projected_revenue_low: low,
    projected_revenue_high: Math.round(low * 150) / 100,
    affiliate_id: 0,
    custom_fields: customFields(ctx.seed, 'opportunities', id),
  };
};
