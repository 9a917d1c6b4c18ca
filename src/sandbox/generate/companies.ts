/** Companies. */
import { recordRandom } from '../random.js';
import type { Generator } from './context.js';
import { customFields } from './custom-fields.js';
import { companyName } from './names.js';
import { noteBodies, phone, place, streets } from './words.js';

export const companies: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'companies', id);
  const home = place(r);
  return {
    id,
    company_name: companyName(ctx.seed, id),
    email_address: r.bool(0.8) ? `info${id}@company.example.com` : '',
    email_opted_in: r.bool(),
    email_status: r.pick(['SingleOptIn', 'UnengagedMarketable', 'NonMarketable']),
    phone_number: { number: phone(r, home), extension: r.bool(0.2) ? '0012' : '', type: 'Work' },
    fax_number: { number: `0${String(r.int(10000000, 99999999))}`, type: 'Work' },
    address: {
      line1: r.pick(streets),
      line2: '',
      locality: home.city,
      region: home.region,
      zip_code: home.postal,
      zip_four: '',
      country_code: home.country,
    },
    website: `https://company${id}.example.com`,
    notes: r.pick(noteBodies),
    custom_fields: customFields(ctx.seed, 'companies', id),
  };
};
