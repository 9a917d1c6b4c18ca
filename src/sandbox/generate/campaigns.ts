/** Campaigns with their goals and sequences. */
import { recordRandom } from '../random.js';
import { type Generator, iso, updated } from './context.js';

export const campaigns: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'campaigns', id);
  const created = updated(ctx, 'campaigns', id);
  const sequenceIds = [id * 10 + 1, id * 10 + 2];
  return {
    id,
    name: `${r.pick(['Welcome series', 'Black Friday, 2026', 'Nurture "cold" leads', 'Relance clients', 'ウェビナー'])} ${id}`,
    date_created: iso(created),
    published_date: iso(created + 86400000),
    published_status: r.bool(0.7),
    published_time_zone: 'America/New_York',
    time_zone: 'America/New_York',
    created_by_global_id: 900001,
    locked: false,
    error_message: '',
    active_contact_count: r.int(0, 500),
    completed_contact_count: r.int(0, 500),
    goals: [
      {
        id: id * 100 + 1,
        name: 'Web form submitted',
        type: 'WebForm',
        next_sequence_ids: [sequenceIds[0]],
        previous_sequence_ids: [],
        historical_contact_counts: { '24_hours': r.int(0, 20), '30_days': r.int(20, 400) },
      },
    ],
    sequences: sequenceIds.map((sid, i) => ({
      id: sid,
      name: i === 0 ? 'Day 1 emails' : 'Follow-up, week 2',
      active_contact_count: r.int(0, 100),
      active_contact_count_completed: r.int(0, 100),
      historical_contact_count: { '24_hours': r.int(0, 20), '30_days': r.int(20, 400) },
      paths: [{ id: sid * 10, items: [{ id: sid * 100, name: 'Start', type: 'Start', next_item_id: sid * 100 + 1, previous_item_id: 0 }] }],
    })),
  };
};
