/** Contacts. */
import { recordRandom } from '../random.js';
import { type Generator, type Rec, fk, iso, updated } from './context.js';
import { customFields } from './custom-fields.js';
import { companyName, contactEmail, person } from './names.js';
import { jobTitles, locales, phone, place, slug, streets, timeZones } from './words.js';

export const contacts: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'contacts', id);
  const p = person(ctx.seed, 'contacts', id);
  const home = place(r);
  const lastUpdated = updated(ctx, 'contacts', id);
  const email = contactEmail(ctx.seed, id);
  const emails: Rec[] = [];
  if (email) emails.push({ email, field: 'EMAIL1' });
  if (r.bool(0.2)) emails.push({ email: `${slug(p.given)}+work${id}@example.org`, field: 'EMAIL2' });
  const phones: Rec[] = [{ field: 'PHONE1', number: phone(r, home), type: 'Work' }];
  if (r.bool(0.3)) phones.push({ field: 'PHONE2', number: `0${String(r.int(1000000, 9999999))}`, extension: '007', type: 'Mobile' });
  const addresses: Rec[] = [
    {
      field: 'BILLING',
      line1: r.pick(streets),
      line2: r.bool(0.3) ? 'Suite 100' : '',
      locality: home.city,
      region: home.region,
      postal_code: home.postal,
      zip_code: home.country === 'USA' ? home.postal : '',
      zip_four: '',
      country_code: home.country,
    },
  ];
  if (r.bool(0.25))
    addresses.push({
      field: 'SHIPPING',
      line1: r.pick(streets),
      locality: home.city,
      region: home.region,
      postal_code: home.postal,
      country_code: home.country,
    });
  const companyId = fk(ctx, 'companies', r);
  const rec: Rec = {
    id,
    given_name: p.given,
    family_name: p.family,
    middle_name: r.bool(0.2) ? 'Q.' : '',
    preferred_name: r.bool(0.1) ? `"${p.given}"` : '',
    email_addresses: emails,
    phone_numbers: phones,
    fax_numbers: r.bool(0.1) ? [{ field: 'FAX1', number: `0${String(r.int(100000000, 999999999))}`, type: 'Work' }] : [],
    addresses,
    company: { id: companyId, company_name: companyName(ctx.seed, companyId) },
    company_name: companyName(ctx.seed, companyId),
    date_created: iso(lastUpdated - r.int(0, 400) * 86400000),
    last_updated: iso(lastUpdated),
    email_opted_in: r.bool(0.6),
    email_status: r.pick(['SingleOptIn', 'UnengagedMarketable', 'NonMarketable', 'Confirmed']),
    owner_id: fk(ctx, 'users', r),
    preferred_locale: r.pick(locales),
    time_zone: r.pick(timeZones),
    website: r.bool(0.3) ? `https://example.com/${id}` : '',
    source_type: r.pick(['API', 'IMPORT', 'MANUAL', 'WEBFORM']),
    contact_type: r.pick(['Lead', 'Customer', 'Other']),
    prefix: r.pick(['', 'Dr.', 'Mrs.', 'Mr.']),
    suffix: r.pick(['', '', 'Jr.', 'III']),
    spouse_name: '',
    birthday: iso(Date.UTC(1950 + r.int(0, 50), r.int(0, 11), r.int(1, 28))),
    anniversary: '',
    ScoreValue: String(r.int(0, 100)),
    job_title: r.pick(jobTitles),
    lead_source_id: r.int(1, 5),
    custom_fields: customFields(ctx.seed, 'contacts', id),
    social_accounts: r.bool(0.1) ? [{ name: slug(p.given), type: 'LinkedIn' }] : [],
  };
  return rec;
};
