/**
 * Demo data. Each generator builds one record from (seed, id) alone; values deliberately include
 * what breaks naive tools: commas, quotes, newlines, emoji, accents, CJK, empty strings, leading
 * zeros in phone numbers and postal codes, several countries. One module per resource family
 * under generate/, as routes/ is split; this file assembles them.
 */
import { affiliateCommissions, affiliatePrograms, affiliateRedirectLinks, affiliates } from './generate/affiliates.js';
import { appointments } from './generate/appointments.js';
import { campaigns } from './generate/campaigns.js';
import { companies } from './generate/companies.js';
import { contacts } from './generate/contacts.js';
import type { Generator } from './generate/context.js';
import { orders, subscriptions, transactions } from './generate/ecommerce.js';
import { emails } from './generate/emails.js';
import { files } from './generate/files.js';
import { hooks } from './generate/hooks.js';
import { notes } from './generate/notes.js';
import { opportunities } from './generate/opportunities.js';
import { products } from './generate/products.js';
import { tags } from './generate/tags.js';
import { tasks } from './generate/tasks.js';
import { users } from './generate/users.js';

export { countries, provinces } from './generate/account.js';
export { affiliateClawbacks, affiliatePayments } from './generate/affiliates.js';
export { type GenContext, type Rec, T0, T1, defaultCounts, firstIdAtOrAfter, iso, timeOf } from './generate/context.js';
export { type CustomFieldMeta, customFieldsByResource, optionalPropertiesByResource } from './generate/custom-fields.js';
export { fileContent } from './generate/files.js';
export { hookEvents } from './generate/hooks.js';
export { type Person, companyName, contactEmail, idFromContactEmail, person } from './generate/names.js';
export { pipelineStages } from './generate/opportunities.js';
export { orderTotal } from './generate/order-items.js';
export { subscriptionPlans } from './generate/products.js';
export { generatedCompanyTagApplied, generatedTagDate, generatedTagMembers, tagCategories } from './generate/tags.js';
export { slug } from './generate/words.js';

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
