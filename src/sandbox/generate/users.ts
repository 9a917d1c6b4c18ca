/** Users. */
import { recordRandom } from '../random.js';
import { type Generator, iso, updated } from './context.js';
import { person } from './names.js';
import { jobTitles, phone, place, streets, timeZones } from './words.js';

export const users: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'users', id);
  const p = person(ctx.seed, 'users', id);
  const home = place(r);
  const lastUpdated = updated(ctx, 'users', id);
  return {
    id,
    given_name: p.given,
    family_name: p.family,
    middle_name: '',
    preferred_name: '',
    email_address: `user${id}@sandbox.example.com`,
    company_name: 'Sandbox Co.',
    job_title: r.pick(jobTitles),
    status: id === 1 ? 'Active' : r.pick(['Active', 'Active', 'Invited', 'Inactive']),
    partner: r.bool(0.1),
    global_user_id: 900000 + id,
    infusionsoft_id: `user${id}@sandbox.infusionsoft.com`,
    created_by: 1,
    last_updated_by: 1,
    date_created: iso(lastUpdated - 86400000 * 30),
    last_updated: iso(lastUpdated),
    time_zone: r.pick(timeZones),
    website: '',
    address: {
      line1: r.pick(streets),
      line2: '',
      locality: home.city,
      region: home.region,
      zip_code: home.postal,
      zip_four: '',
      country_code: home.country,
    },
    phone_numbers: [{ field: 'PHONE1', number: phone(r, home), type: 'Work', extension: '' }],
    fax_numbers: [],
  };
};
