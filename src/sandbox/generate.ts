/**
 * Demo data. Each generator builds one record from (seed, id) alone; values deliberately include
 * what breaks naive tools: commas, quotes, newlines, emoji, accents, CJK, empty strings, leading
 * zeros in phone numbers and postal codes, several countries.
 */
import { type Random, hash32, recordRandom } from './random.js';

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

const givenNames = [
  'Ana',
  'José',
  'Zoë',
  'Renée',
  'Søren',
  'Émilie',
  'Ólafur',
  'Mary-Jane',
  '李',
  '花子',
  'Jürgen',
  'Chloé',
  'Łukasz',
  'Nguyễn Văn',
  'Siobhán',
  'Ahmed',
  'Olga',
  'Pat',
  'Dana',
  'Kim',
  'Ella 🌸',
  'Sam',
];
const familyNames = [
  'Smith',
  "O'Brien",
  'Müller',
  'García',
  'Smith, Jr.',
  '"The Rock" Johnson',
  '王',
  '山田',
  'Nguyễn',
  'Dvořák',
  'van der Berg',
  'Ødegaard',
  'Kowalski',
  'Ivanova',
  'Lee',
  'Brown',
  '',
];
const companyWords = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Café Olé',
  '東京商事',
  'Müller & Söhne',
  'Smith, Jones and Co.',
  '"Best" Widgets',
  'Rocket 🚀 Labs',
];
const companySuffixes = ['Inc.', 'LLC', 'GmbH', 'Ltd', 'S.A.', '株式会社', ''];
const jobTitles = ['CEO', 'Head of Sales, EMEA', 'Développeuse', 'エンジニア', 'Owner', '', 'VP "Growth"'];
const timeZones = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
const locales = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'pt_BR'];

interface Place {
  country: string;
  region: string;
  city: string;
  postal: string;
  phone: string;
}
const places: Place[] = [
  { country: 'USA', region: 'US-MA', city: 'Boston', postal: '02110', phone: '(617) 555-0' },
  { country: 'USA', region: 'US-NJ', city: 'Newark', postal: '07102', phone: '(973) 555-0' },
  { country: 'USA', region: 'US-NY', city: 'Holtsville', postal: '00501', phone: '(631) 555-0' },
  { country: 'GBR', region: 'GB-LND', city: 'London', postal: 'EC1A 1BB', phone: '020 7946 0' },
  { country: 'DEU', region: 'DE-BE', city: 'Berlin', postal: '01067', phone: '030 1234 0' },
  { country: 'FRA', region: 'FR-75', city: 'Paris', postal: '01000', phone: '01 23 45 0' },
  { country: 'JPN', region: 'JP-13', city: '東京', postal: '100-0001', phone: '03-1234-0' },
  { country: 'CAN', region: 'CA-QC', city: 'Montréal', postal: 'H2X 1Y4', phone: '(514) 555-0' },
  { country: 'BRA', region: 'BR-SP', city: 'São Paulo', postal: '01310-100', phone: '011 3030-0' },
];
const streets = [
  '1 Main St',
  "22 Rue de l'Église",
  '3, Königstraße',
  'Apt. 4B\n55 Elm St',
  '千代田1-1',
  '10 Downing St',
  '"The Old Mill", Mill Lane',
];
const noteBodies = [
  'Called, left voicemail.',
  'Interested in the "Pro" plan, budget $5,000.\nFollow up next week.',
  'Très intéressé 👍',
  '折り返し電話をお願いします。',
  '',
  'Line one\r\nLine two, with a comma\nLine "three"',
  'Prefers email; no calls before 10am ☕',
];
const subjects = [
  'Welcome!',
  'Your invoice #0042',
  'Re: pricing, terms & "discounts"',
  'Grüße aus Berlin',
  '🎉 Big news',
  'ご注文ありがとうございます',
  '',
];

export function slug(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
  return ascii || 'contact';
}

function place(r: Random): Place {
  return r.pick(places);
}

function phone(r: Random, p: Place): string {
  return p.phone + String(r.int(100, 999));
}

export interface Person {
  given: string;
  family: string;
}

export function person(seed: number, salt: string, id: number): Person {
  const r = recordRandom(seed, `${salt}:person`, id);
  return { given: r.pick(givenNames), family: r.pick(familyNames) };
}

/** A contact's primary email: derived from the id so an upsert can find it without a scan. */
export function contactEmail(seed: number, id: number): string | undefined {
  if (id % 17 === 0) return undefined; // some contacts have only a phone number
  const p = person(seed, 'contacts', id);
  return `${slug(p.given)}.${slug(p.family)}.${id}@example.com`;
}

/** The id a generated contact email encodes, if it looks like one. */
export function idFromContactEmail(email: string): number | undefined {
  const match = /\.(\d+)@example\.com$/i.exec(email);
  return match ? Number(match[1]) : undefined;
}

export function companyName(seed: number, id: number): string {
  const r = recordRandom(seed, 'companies:name', id);
  const suffix = r.pick(companySuffixes);
  return `${r.pick(companyWords)} ${id}${suffix ? ` ${suffix}` : ''}`;
}

// ----- custom fields ---------------------------------------------------------------------------

export interface CustomFieldMeta {
  id: number;
  label: string;
  field_name: string;
  field_type: string;
  record_type: string;
  options: Array<{ id: string; label: string; options: unknown[] }>;
  default_value?: string;
}

function field(id: number, label: string, field_type: string, record_type: string, options: string[] = []): CustomFieldMeta {
  return {
    id,
    label,
    field_name: `_${slug(label).slice(0, 20)}${id}`,
    field_type,
    record_type,
    options: options.map((label, i) => ({ id: String(i + 1), label, options: [] })),
  };
}

export const customFieldsByResource: Record<string, CustomFieldMeta[]> = {
  contacts: [
    field(7, 'Favorite Color', 'Dropdown', 'CONTACT', ['Red', 'Green', 'Blue', 'Bleu clair']),
    field(9, 'Lifetime Value (€)', 'Currency', 'CONTACT'),
    field(11, 'Date de naissance', 'Date', 'CONTACT'),
    field(13, '会員番号', 'Text', 'CONTACT'),
    field(15, 'Notes, misc', 'TextArea', 'CONTACT'),
    field(17, 'Is "VIP"?', 'YesNo', 'CONTACT'),
    // One of each other type Keap has, so that a round trip meets them all (issue 13).
    field(19, 'Last visit', 'DateTime', 'CONTACT'),
    field(27, 'Contact by', 'ListBox', 'CONTACT', ['Email', 'Phone', 'Post']),
    field(29, 'Territory', 'Drilldown', 'CONTACT'),
    field(35, 'Account manager', 'User', 'CONTACT'),
    field(37, 'Visits', 'WholeNumber', 'CONTACT'),
    field(39, 'Discount %', 'Percent', 'CONTACT'),
  ],
  companies: [
    field(21, 'Industry', 'Dropdown', 'COMPANY', ['Retail', 'SaaS', 'Manufacturing']),
    field(23, 'Employees', 'WholeNumber', 'COMPANY'),
    field(25, 'Région préférée', 'Text', 'COMPANY'),
  ],
  opportunities: [field(31, 'Deal Source', 'Text', 'OPPORTUNITY'), field(33, 'Close Probability %', 'Percent', 'OPPORTUNITY')],
  affiliates: [],
  appointments: [field(41, 'Meeting Room', 'Text', 'TASK_NOTE_APPOINTMENT')],
  notes: [field(43, 'Call Outcome', 'Text', 'TASK_NOTE_APPOINTMENT')],
  tasks: [field(45, 'Priority Reason', 'Text', 'TASK_NOTE_APPOINTMENT')],
  orders: [field(51, 'PO Number', 'Text', 'ORDER')],
  subscriptions: [field(53, 'Plan Notes', 'Text', 'SUBSCRIPTION')],
};

export const optionalPropertiesByResource: Record<string, string[]> = {
  contacts: ['custom_fields', 'job_title', 'lead_source_id'],
  companies: ['custom_fields', 'fax_number', 'notes'],
  opportunities: ['custom_fields'],
};

function customValue(r: Random, meta: CustomFieldMeta): unknown {
  if (r.bool(0.15)) return null;
  switch (meta.field_type) {
    case 'Currency':
      return r.money(0, 25000);
    case 'WholeNumber':
      return r.int(0, 5000);
    case 'Percent':
      return r.int(0, 100);
    case 'YesNo':
      return r.bool();
    case 'Date':
      return `19${r.int(50, 99)}-0${r.int(1, 9)}-1${r.int(0, 9)}`;
    case 'Dropdown':
      return r.pick(meta.options).label;
    case 'DateTime':
      return `20${r.int(10, 25)}-0${r.int(1, 9)}-1${r.int(0, 9)}T${r.int(10, 23)}:${r.int(10, 59)}:00.000Z`;
    case 'ListBox':
      return meta.options
        .filter(() => r.bool())
        .map((option) => option.label)
        .join(',');
    case 'Drilldown':
      return r.pick(['Europe > France', 'Asia > Japan', 'America > Canada']);
    case 'User':
      return r.int(1, 3);
    case 'TextArea':
      return r.pick(noteBodies);
    default:
      return r.pick(['ABC-00123', '', 'Zürich, CH', '東京', 'Has "quotes", commas', '😀']);
  }
}

function customFields(seed: number, resource: string, id: number): Array<{ id: number; content: unknown }> {
  const r = recordRandom(seed, `${resource}:custom`, id);
  return (customFieldsByResource[resource] ?? []).map((meta) => ({ id: meta.id, content: customValue(r, meta) }));
}

// ----- generators --------------------------------------------------------------------------------

type Generator = (ctx: GenContext, id: number) => Rec;

function updated(ctx: GenContext, name: string, id: number): number {
  return timeOf(id, ctx.count(name));
}

function fk(ctx: GenContext, name: string, r: Random): number {
  return r.int(1, Math.max(1, ctx.count(name)));
}

const contacts: Generator = (ctx, id) => {
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

const companies: Generator = (ctx, id) => {
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

export const tagCategories = [
  { id: 1, name: 'Lead Source', description: 'Where they came from' },
  { id: 2, name: 'Interests, misc', description: '' },
  { id: 3, name: 'Événements', description: 'Trade shows 🎪' },
];

const tags: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'tags', id);
  const category = r.pick(tagCategories);
  return {
    id,
    name: `${r.pick(['Customer', 'Newsletter', 'VIP ⭐', 'Webinar "2026"', 'Lead, warm', 'Kunde', '見込み客'])} ${id}`,
    description: r.pick(['', 'Applied by import', 'Multi\nline']),
    category,
  };
};

const users: Generator = (ctx, id) => {
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

const affiliates: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliates', id);
  const p = person(ctx.seed, 'contacts', id);
  return {
    id,
    code: `AFF${String(id).padStart(4, '0')}`,
    name: `${p.given} ${p.family}`.trim(),
    contact_id: Math.min(id, ctx.count('contacts')),
    parent_id: id > 3 ? r.int(1, 3) : 0,
    status: r.pick(['active', 'active', 'inactive']),
    notify_on_lead: r.bool(),
    notify_on_sale: r.bool(),
    track_leads_for: r.pick([30, 60, 90]),
  };
};

const affiliatePrograms: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliate-programs', id);
  return {
    id,
    name: `${r.pick(['Partners', 'Résellers', 'Influencers 📣', 'Tier 1, Gold'])} ${id}`,
    affiliate_id: fk(ctx, 'affiliates', r),
    priority: id,
    notes: r.pick(noteBodies),
  };
};

const affiliateRedirectLinks: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliate-redirect-links', id);
  return {
    id,
    name: `Link ${id}`,
    affiliate_id: fk(ctx, 'affiliates', r),
    local_url_code: `promo${id}`,
    redirect_url: `https://example.com/landing?ref=${id}&utm_source=aff`,
    program_ids: [fk(ctx, 'affiliate-programs', r)],
  };
};

const affiliateCommissions: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliate-commissions', id);
  const contactId = fk(ctx, 'contacts', r);
  const p = person(ctx.seed, 'contacts', contactId);
  const seller = person(ctx.seed, 'users', 1);
  return {
    id,
    sales_affiliate_id: fk(ctx, 'affiliates', r),
    amount_earned: r.money(1, 500),
    contact_id: contactId,
    contact_first_name: p.given,
    contact_last_name: p.family,
    date_earned: iso(updated(ctx, 'affiliate-commissions', id)),
    description: r.pick(['Sale', 'Renewal, year 2', 'Bonus 🎁']),
    invoice_id: fk(ctx, 'orders', r),
    product_name: productName(ctx.seed, fk(ctx, 'products', r)),
    sold_by_first_name: seller.given,
    sold_by_last_name: seller.family,
  };
};

function productName(seed: number, id: number): string {
  const r = recordRandom(seed, 'products:name', id);
  return `${r.pick(['Widget', 'Gadget, deluxe', '"Pro" Plan', 'Café Beans', 'お茶', 'Rocket 🚀 Kit', 'Consulting hour'])} #${String(id).padStart(3, '0')}`;
}

const appointments: Generator = (ctx, id) => {
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

const campaigns: Generator = (ctx, id) => {
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

function orderItems(ctx: GenContext, orderId: number, r: Random): Rec[] {
  const n = r.int(1, 3);
  const items: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const productId = fk(ctx, 'products', r);
    const price = r.money(5, 300);
    items.push({
      id: orderId * 10 + i + 1,
      name: productName(ctx.seed, productId),
      description: r.pick(['', 'Gift wrap, please', 'Size: "L"']),
      notes: '',
      type: 'Product',
      quantity: r.int(1, 4),
      price,
      cost: Math.round(price * 40) / 100,
      discount: 0,
      jobRecurringId: 0,
      specialAmount: 0,
      specialId: 0,
      specialPctOrAmt: 0,
      product: {
        id: productId,
        name: productName(ctx.seed, productId),
        description: '',
        sku: `SKU-${String(productId).padStart(5, '0')}`,
        shippable: r.bool(),
        taxable: r.bool(),
      },
    });
  }
  return items;
}

export function orderTotal(items: Rec[]): number {
  let total = 0;
  for (const item of items) total += Number(item['price'] ?? 0) * Number(item['quantity'] ?? 1);
  return Math.round(total * 100) / 100;
}

const orders: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'orders', id);
  const contactId = fk(ctx, 'contacts', r);
  const p = person(ctx.seed, 'contacts', contactId);
  const modified = updated(ctx, 'orders', id);
  const created = modified - r.int(0, 30) * 86400000;
  const items = orderItems(ctx, id, r);
  const total = orderTotal(items);
  // The first orders are always paid, so the first parent of payments/transactions has children.
  const paid = id <= 3 || r.bool(0.7);
  const home = place(r);
  return {
    id,
    title: `${r.pick(['Web order', 'Phone order, rush', 'Commande', '注文'])} ${id}`,
    status: paid ? 'PAID' : 'UNPAID',
    recurring: false,
    total,
    total_paid: paid ? total : 0,
    total_due: paid ? 0 : total,
    refund_total: 0,
    contact_id: String(contactId),
    contact: {
      id: contactId,
      first_name: p.given,
      last_name: p.family,
      email: contactEmail(ctx.seed, contactId) ?? '',
      company_name: '',
      job_title: '',
    },
    creation_date: iso(created),
    order_date: iso(created),
    modification_date: iso(modified),
    order_type: 'Online',
    source_type: r.pick(['API', 'CHECKOUT_FORM', 'INVOICE']),
    invoice_number: 10000 + id,
    lead_affiliate_id: 0,
    sales_affiliate_id: 0,
    notes: r.pick(noteBodies),
    terms: '',
    allow_payment: true,
    allow_paypal: false,
    product_id: String((items[0]?.['product'] as Rec | undefined)?.['id'] ?? ''),
    order_items: items,
    shipping_information: {
      id,
      first_name: p.given,
      last_name: p.family,
      middle_name: '',
      company: '',
      phone: phone(r, home),
      street1: r.pick(streets),
      street2: '',
      city: home.city,
      state: home.region,
      zip: home.postal,
      country: home.country,
      invoiceToCompany: false,
    },
    payment_plan: {
      auto_charge: false,
      credit_card_id: 0,
      days_between_payments: 0,
      days_between_retries: 1,
      initial_payment_amount: total,
      initial_payment_date: iso(created),
      initial_payment_percent: 100,
      max_charge_attempts: 3,
      number_of_payments: 1,
      payment_gateway: { merchant_account_id: 1, merchant_account_name: 'Sandbox Payments', use_default: true },
      payment_method_id: '',
      plan_start_date: iso(created),
    },
  };
};

/** Transaction `id` belongs to order `id` (one payment per paid order, one failed attempt per unpaid). */
const transactions: Generator = (ctx, id) => {
  const order = orders(ctx, id);
  const r = recordRandom(ctx.seed, 'transactions', id);
  const paid = order['status'] === 'PAID';
  return {
    id,
    amount: order['total'],
    currency: r.pick(['USD', 'USD', 'EUR', 'GBP']),
    collection_method: 'CREDIT_CARD',
    contact_id: Number(order['contact_id']),
    gateway: 'Sandbox',
    gateway_account_name: 'Sandbox Payments',
    status: paid ? 'Approved' : 'Declined',
    errors: paid ? '' : 'Card declined: "insufficient funds"',
    test: true,
    type: 'Sale',
    order_ids: String(id),
    transaction_date: order['modification_date'],
    paymentDate: order['modification_date'],
  };
};

const subscriptions: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'subscriptions', id);
  const start = updated(ctx, 'subscriptions', id);
  const day = (ms: number) => iso(ms).slice(0, 10);
  const active = r.bool(0.7);
  return {
    id,
    contact_id: fk(ctx, 'contacts', r),
    product_id: fk(ctx, 'products', r),
    subscription_plan_id: r.int(1, 3),
    active,
    allow_tax: r.bool(),
    auto_charge: true,
    billing_amount: r.money(9, 99),
    billing_cycle: r.pick(['MONTH', 'YEAR', 'WEEK']),
    billing_frequency: 1,
    quantity: r.int(1, 3),
    credit_card_id: 0,
    payment_gateway_id: 1,
    sale_affiliate_id: 0,
    use_default_payment_gateway: true,
    start_date: day(start),
    next_bill_date: day(start + 30 * 86400000),
    ...(active ? {} : { end_date: day(start + 90 * 86400000) }),
  };
};

const emails: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'emails', id);
  const contactId = ((id - 1) % Math.max(1, ctx.count('contacts'))) + 1;
  const sent = updated(ctx, 'emails', id);
  const opened = r.bool(0.5);
  return {
    id,
    contact_id: contactId,
    subject: r.pick(subjects),
    headers: 'X-Mailer: sandbox',
    sent_to_address: contactEmail(ctx.seed, contactId) ?? 'unknown@example.com',
    sent_to_cc_addresses: '',
    sent_to_bcc_addresses: '',
    sent_from_address: 'news@sandbox.example.com',
    sent_from_reply_address: 'reply@sandbox.example.com',
    sent_date: iso(sent),
    received_date: iso(sent + 2000),
    ...(opened ? { opened_date: iso(sent + 3600000) } : {}),
    ...(opened && r.bool(0.3) ? { clicked_date: iso(sent + 3700000) } : {}),
    original_provider: r.pick(['INFUSIONSOFT', 'GOOGLE', 'MICROSOFT', 'UNKNOWN']),
    original_provider_id: `msg-${id}`,
    html_content: '<p>Hello, "friend" 👋</p>',
    plain_content: 'Hello, "friend" 👋\nSee you soon.',
  };
};

const files: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'files', id);
  const lastUpdated = updated(ctx, 'files', id);
  const name = r.pick(['invoice 0042.pdf', 'photo, beach.jpg', 'contrat signé.pdf', '名刺.png', 'notes "final".txt']);
  return {
    id,
    file_name: name,
    file_size: Buffer.byteLength(fileContent(id)),
    file_box_type: r.pick(['Application', 'Contact', 'Attachment']),
    category: r.pick(['Documents', 'Attachments']),
    contact_id: fk(ctx, 'contacts', r),
    created_by: 1,
    public: r.bool(0.2),
    remote_file_key: `key-${id}`,
    download_url: `https://files.example.com/download/${id}`,
    date_created: iso(lastUpdated - 86400000),
    last_updated: iso(lastUpdated),
  };
};

/** The content of a generated file (its size is `file_size`). */
export function fileContent(id: number): string {
  return `Sandbox file ${id}, "demo" ✓\n${'x'.repeat(id % 50)}`;
}

const notes: Generator = (ctx, id) => {
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

export const pipelineStages = [
  { stage_id: 1, stage_name: 'New', stage_order: 1, probability: 10 },
  { stage_id: 2, stage_name: 'Qualified', stage_order: 2, probability: 30 },
  { stage_id: 3, stage_name: 'Proposal, sent', stage_order: 3, probability: 60 },
  { stage_id: 4, stage_name: 'Won 🎉', stage_order: 4, probability: 100 },
  { stage_id: 5, stage_name: 'Lost', stage_order: 5, probability: 0 },
];

const opportunities: Generator = (ctx, id) => {
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

export function subscriptionPlans(seed: number, productId: number): Rec[] {
  const r = recordRandom(seed, 'products:plans', productId);
  // Every third product, starting with the first, has subscription plans.
  if (productId % 3 !== 1) return [];
  return [1, 2].map((index) => ({
    id: productId * 10 + index,
    subscription_plan_name: index === 1 ? 'Monthly' : 'Yearly, 2 months free',
    subscription_plan_index: index,
    cycle_type: index === 1 ? 'MONTH' : 'YEAR',
    frequency: 1,
    number_of_cycles: 0,
    plan_price: r.money(9, 199),
    active: true,
    url: '',
  }));
}

const products: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'products', id);
  return {
    id,
    product_name: productName(ctx.seed, id),
    product_price: r.money(1, 999),
    product_short_desc: r.pick(['', 'Best seller', 'Limited, while stocks last']),
    product_desc: r.pick(noteBodies),
    sku: `SKU-${String(id).padStart(5, '0')}`,
    active: r.bool(0.85),
    subscription_only: false,
    url: '',
    subscription_plans: subscriptionPlans(ctx.seed, id),
  };
};

const hookEvents = ['contact.add', 'contact.edit', 'contact.delete', 'order.add', 'invoice.payment.add', 'opportunity.stage_move'];

const hooks: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'hooks', id);
  return {
    id,
    key: String(id),
    eventKey: r.pick(hookEvents),
    hookUrl: `https://hooks.example.com/keap/${id}`,
    status: r.pick(['Verified', 'Unverified']),
  };
};

export { hookEvents };

const tasks: Generator = (ctx, id) => {
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

export const generators: Record<string, Generator> = {
  contacts,
  companies,
  tags,
  users,
  affiliates,
  'affiliate-programs': affiliatePrograms,
  'affiliate-redirect-links': affiliateRedirectLinks,
  'affiliate-commissions': affiliateCommissions,
  appointments,
  campaigns,
  orders,
  transactions,
  subscriptions,
  emails,
  files,
  notes,
  opportunities,
  products,
  hooks,
  tasks,
};

/** The generated-time field of each collection that has one (date filters are index ranges on it). */
export const timeFields: Record<string, string> = {
  contacts: 'last_updated',
  orders: 'modification_date',
  transactions: 'transaction_date',
  appointments: 'start_date',
  tasks: 'modification_date',
  'affiliate-commissions': 'date_earned',
  emails: 'sent_date',
};

/** Whether a generated contact carries a generated tag (cheap: no record is built). */
export function generatedTagApplied(seed: number, contactId: number, tagId: number): boolean {
  // contactId === tagId: every low-numbered tag and contact has at least one of the other.
  return contactId === tagId || hash32(seed, 0x7a9, contactId, tagId) % 100 < 8;
}

export function generatedCompanyTagApplied(seed: number, companyId: number, tagId: number): boolean {
  return companyId === tagId || hash32(seed, 0xc0a, companyId, tagId) % 100 < 10;
}

/** When a generated tag was applied: a fixed time derived from the pair. */
export function generatedTagDate(seed: number, ownerId: number, tagId: number): string {
  return iso(T0 + (hash32(seed, 0xda7e, ownerId, tagId) % 1000) * 86400000 * 2);
}

/** Per-affiliate lists that have no collection of their own. */
export function affiliateClawbacks(ctx: GenContext, affiliateId: number): Rec[] {
  const r = recordRandom(ctx.seed, 'clawbacks', affiliateId);
  const n = affiliateId % 3;
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const contactId = fk(ctx, 'contacts', r);
    const p = person(ctx.seed, 'contacts', contactId);
    out.push({
      id: affiliateId * 100 + i + 1,
      amount: r.money(1, 80),
      contact_id: contactId,
      given_name: p.given,
      family_name: p.family,
      date_earned: iso(T0 + (affiliateId * 7 + i) * 86400000 * 5),
      description: 'Refunded, "partial"',
      invoice_id: fk(ctx, 'orders', r),
      product_name: productName(ctx.seed, 1),
      sale_affiliate_id: affiliateId,
      sold_by_given_name: 'Sam',
      sold_by_family_name: 'Lee',
      subscription_plan_name: '',
    });
  }
  return out;
}

export function affiliatePayments(ctx: GenContext, affiliateId: number): Rec[] {
  const r = recordRandom(ctx.seed, 'affiliate-payments', affiliateId);
  const n = (affiliateId % 4) + 1;
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: affiliateId * 100 + i + 1,
      amount: r.money(10, 900),
      date: iso(T0 + (affiliateId * 11 + i) * 86400000 * 7),
      notes: r.pick(['', 'Paid via check #0099', 'Virement, mars']),
      type: r.pick(['Check', 'Cash', 'Credit']),
    });
  }
  return out;
}

export const countries: Record<string, string> = {
  USA: 'United States',
  GBR: 'United Kingdom',
  DEU: 'Germany',
  FRA: 'France',
  JPN: 'Japan',
  CAN: 'Canada',
  BRA: 'Brazil',
  AUS: 'Australia',
  CIV: "Côte d'Ivoire",
  ALA: 'Åland Islands',
};

export const provinces: Record<string, Record<string, string>> = {
  USA: { 'US-MA': 'Massachusetts', 'US-NJ': 'New Jersey', 'US-NY': 'New York', 'US-CA': 'California' },
  GBR: { 'GB-LND': 'London, City of', 'GB-EDH': 'Edinburgh' },
  DEU: { 'DE-BE': 'Berlin', 'DE-BY': 'Bayern' },
  FRA: { 'FR-75': 'Paris', 'FR-13': 'Bouches-du-Rhône' },
  JPN: { 'JP-13': '東京都', 'JP-27': '大阪府' },
  CAN: { 'CA-QC': 'Québec', 'CA-ON': 'Ontario' },
  BRA: { 'BR-SP': 'São Paulo' },
};
