/**
 * The REST v1 endpoints: one route per (method, path template). Handlers read and write the Store
 * and return a status and a JSON body; the server adds auth, throttling, faults and logging.
 */
import {
  affiliateClawbacks,
  affiliatePayments,
  contactEmail,
  countries,
  customFieldsByResource,
  fileContent,
  hookEvents,
  idFromContactEmail,
  optionalPropertiesByResource,
  orderTotal,
  pipelineStages,
  provinces,
  subscriptionPlans,
  tagCategories,
  type Rec,
} from './generate.js';
import type { Collection, Store } from './store.js';
import { BAD_REQUEST, HttpError, type ApiRequest, type ApiResponse, type Route } from './routes/http.js';
import { inWindow, orderKeys, page, pageArray, pageBody, pageParams } from './routes/paging.js';
import { clean, merge, must, notFound, now, without, withOptional } from './routes/records.js';
import { bodyObject, equalityFilter, idList, idParam, idsQuery, optionalProperties, parseDate, requireFields } from './routes/request.js';

export { BAD_REQUEST, HttpError, type ApiRequest, type ApiResponse, type Route };

// ----- validation --------------------------------------------------------------------------------

const enums: Record<string, { discriminator: string; values: string[] }> = {
  email_addresses: { discriminator: 'field', values: ['EMAIL1', 'EMAIL2', 'EMAIL3'] },
  phone_numbers: { discriminator: 'field', values: ['PHONE1', 'PHONE2', 'PHONE3', 'PHONE4', 'PHONE5'] },
  addresses: { discriminator: 'field', values: ['BILLING', 'SHIPPING', 'OTHER'] },
  fax_numbers: { discriminator: 'field', values: ['FAX1', 'FAX2'] },
};

function validateContact(body: Rec, creating: boolean): void {
  if ('tag_ids' in body) throw new HttpError(400, "Tags can't be added or removed through this object");
  for (const [name, rule] of Object.entries(enums)) {
    const value = body[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw new HttpError(400, BAD_REQUEST);
    for (const entry of value) {
      if (!entry || typeof entry !== 'object') throw new HttpError(400, BAD_REQUEST);
      const field = (entry as Rec)[rule.discriminator];
      if (typeof field !== 'string' || !rule.values.includes(field)) {
        throw new HttpError(400, `Invalid ${name}.${rule.discriminator} '${String(field)}'. Allowed values: ${rule.values.join(', ')}`);
      }
      if (name === 'email_addresses') {
        const email = (entry as Rec)['email'];
        if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
          throw new HttpError(400, `Invalid email address: ${String(email)}`);
        }
      }
      if (name === 'addresses') {
        const address = entry as Rec;
        if (address['region'] && !address['country_code']) throw new HttpError(400, 'Country Code is required if Region is specified');
      }
    }
  }
  const customFields = body['custom_fields'];
  if (customFields !== undefined) {
    if (!Array.isArray(customFields)) throw new HttpError(400, BAD_REQUEST);
    const known = new Set((customFieldsByResource['contacts'] ?? []).map((field) => field.id));
    for (const entry of customFields) {
      const id = (entry as Rec | null)?.['id'];
      if (typeof id !== 'number' || !known.has(id)) throw new HttpError(400, `Invalid custom field id: ${String(id)}`);
    }
  }
  if (creating) {
    const emails = body['email_addresses'];
    const phones = body['phone_numbers'];
    const hasEmail = Array.isArray(emails) && emails.length > 0;
    const hasPhone = Array.isArray(phones) && phones.length > 0;
    if (!hasEmail && !hasPhone) throw new HttpError(400, 'Contact must contain at least one email address or phone number');
  }
}

/** Keap's answer per id when applying tags: `[{"<id>": "SUCCESS"}, ...]` (a serialised Map.Entry each). */
type TagApplyStatus = 'SUCCESS' | 'DUPLICATE' | 'CONTACT_NOT_FOUND' | 'TAG_ID_NOT_FOUND';

// ----- views -------------------------------------------------------------------------------------

function contactView(store: Store, record: Rec, asked: Set<string>, single: boolean): Rec {
  const out = withOptional(record, 'contacts', asked);
  if (single) {
    const id = record['id'] as number;
    out['tag_ids'] = contactTagIds(store, id);
  } else {
    delete out['tag_ids'];
  }
  return out;
}

function contactTagIds(store: Store, contactId: number): number[] {
  const ids: number[] = [];
  for (const tagId of store.collection('tags').ids()) if (store.contactHasTag(contactId, tagId)) ids.push(tagId);
  return ids;
}

function fileView(record: Rec, withData: boolean): Rec {
  const out: Rec = { file_descriptor: clean(record) };
  if (withData) out['file_data'] = typeof record['__data'] === 'string' ? record['__data'] : Buffer.from(fileContent(record['id'] as number)).toString('base64');
  return out;
}

function hookView(record: Rec): Rec {
  return without(record, ['id']);
}

function modelBody(resource: string): ApiResponse {
  return {
    status: 200,
    body: { custom_fields: customFieldsByResource[resource] ?? [], optional_properties: optionalPropertiesByResource[resource] ?? [] },
  };
}

function accountProfile(store: Store): Rec {
  return store.singletons.get('account-profile') ?? {
    name: 'Sandbox, "Demo" Co. ☕',
    email: 'owner@sandbox.example.com',
    phone: '0044 20 7946 0000',
    phone_ext: '',
    website: 'https://sandbox.example.com',
    time_zone: 'America/New_York',
    currency_code: 'USD',
    language_tag: 'en-US',
    logo_url: '',
    business_type: 'Consulting',
    business_goals: ['Grow Business', 'Convert more leads'],
    business_primary_color: '#1a73e8',
    business_secondary_color: '#ffffff',
    address: { field: 'BILLING', line1: '1 Main St', line2: '', locality: 'Boston', region: 'US-MA', postal_code: '02110', zip_code: '02110', zip_four: '', country_code: 'USA' },
  };
}

function configuration(): Rec {
  return {
    application: {
      company: { name: 'Sandbox Co.', email: 'owner@sandbox.example.com', phone: '0044 20 7946 0000', phone_ext: '', caller_id_number: '', street_address_1: '1 Main St', street_address_2: '', city: 'Boston', state: 'MA', zip: '02110', country: 'United States', website: 'https://sandbox.example.com', web_logo_url: '' },
      default_view_locale: 'en_US',
      features_enabled: { marketing: true },
      time_zone: 'America/New_York',
    },
    contact: {
      address_labels: { line_1: 'Street Address 1', line_2: 'Street Address 2', line_3: '' },
      contact_types: 'Lead,Customer,Other', default_new_contact_form: 'default', disable_contact_edit_in_client_login: false,
      fax_types: 'Work,Home', phone_types: 'Work,Home,Mobile,Other', suffix_types: 'Jr.,Sr.,III', title_types: 'Dr.,Mr.,Mrs.,Ms.',
    },
    ecommerce: {
      credit_card_types: 'Visa,MasterCard', currency: 'USD', default_charge_max_retry_attempts: 3, default_country: 'United States', default_merchant: 'Sandbox Payments',
      default_number_of_days_between_charge_attempts: 1, default_tax: '', default_to_auto_charge: true, merchant_account_max_retry_attempts: 3,
      payment_types: 'Credit Card,Cash,Check', promo_codes: '', track_cost_per_unit: false, track_inventory: false,
    },
    email: { append_contact_key_to_links: false, default_opt_in_link: '', default_opt_out_link: '', hide_emails_to_and_from_domains: '', whitelisted_domains: '' },
    forms: { spam_filters_enabled: true },
    fulfillment: { default_message_fields: '', default_message_to: '' },
    invoice: { tax_label: 'Tax' },
    affiliate: { choose_affiliate: false, commission: { calculation_type: 'PERCENT', levels: 1, participant_types: '' }, custom_affiliate_url: '', display_affiliate_ip_address: false, do_not_notify_affiliate: false, skip_pay_if_unused: false, use_referral_history_if_no_tracking_cookie: false },
    appointment: { appointment_types: 'Call,Meeting', share_opportunity_with_related_user: false },
    note: { appointment_types: 'Call,Email', share_opportunity_with_related_user: false },
    task: { appointment_types: 'Call,Email', share_opportunity_with_related_user: false },
    opportunity: { default_stage: 'New', states: { active: { stages: 'New,Qualified,Proposal, sent' }, win: { stage: 'Won 🎉', reasons: 'Price,Fit' }, loss: { stage: 'Lost', reasons: 'Budget' } } },
    template: { default_country_code: 1, default_user_id: 1 },
  };
}

function orderPayments(store: Store, order: Rec): Rec[] {
  const id = order['id'] as number;
  const payments: Rec[] = [];
  if (order['status'] === 'PAID' && id <= store.count('orders')) {
    payments.push({
      id: id * 10 + 1, invoice_id: id, payment_id: id * 10 + 1, amount: order['total'], pay_date: order['modification_date'], last_updated: order['modification_date'],
      pay_status: 'Approved', note: 'Paid in full, "thanks"', skip_commission: false, refund_invoice_payment_id: 0,
    });
  }
  const added = store.singletons.get(`order-payments:${id}`);
  if (added && Array.isArray(added['items'])) payments.push(...(added['items'] as Rec[]));
  return payments;
}

// ----- the route table ---------------------------------------------------------------------------

export function buildRoutes(store: Store): Route[] {
  const routes: Route[] = [];
  const add = (method: string, template: string, handler: (req: ApiRequest) => ApiResponse): void => {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    routes.push({ method, template, pattern: new RegExp(`^${source}$`), names, handler });
  };
  const c = (name: string): Collection => store.collection(name);
  const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });
  const noContent: ApiResponse = { status: 204 };

  /** create/patch/put/delete for a plain collection. */
  const crud = (
    base: string,
    name: string,
    what: string,
    options: {
      create?: { status: number; required?: string[]; build?: (body: Rec, id: number) => Rec; validate?: (body: Rec) => void };
      /** true, or the properties the spec's PATCH/PUT body requires (some reuse the create schema). */
      patch?: true | { required: string[] };
      put?: true | { required: string[] };
      del?: boolean;
      view?: (record: Rec) => Rec;
      stampField?: string;
    },
  ): void => {
    const view = options.view ?? clean;
    const stamp = (): Rec => (options.stampField ? { [options.stampField]: now() } : {});
    if (options.create) {
      const create = options.create;
      add('POST', base, (req) => {
        const body = bodyObject(req);
        requireFields(body, create.required ?? []);
        create.validate?.(body);
        const id = c(name).allocateId();
        const record = create.build ? create.build(body, id) : merge({ id }, body, stamp());
        record['id'] = id;
        c(name).put(record);
        return ok(view(record), create.status);
      });
    }
    const update = (replace: boolean, required: string[]) => (req: ApiRequest): ApiResponse => {
      const id = idParam(req);
      const existing = must(c(name), id, what);
      const body = bodyObject(req);
      requireFields(body, required);
      const base: Rec = replace ? { id, date_created: existing['date_created'] } : existing;
      const record = merge(base, body, stamp());
      c(name).put(record);
      return ok(view(record));
    };
    const requiredOf = (choice: true | { required: string[] }): string[] => (choice === true ? [] : choice.required);
    if (options.patch) add('PATCH', `${base}/{id}`, update(false, requiredOf(options.patch)));
    if (options.put) add('PUT', `${base}/{id}`, update(true, requiredOf(options.put)));
    if (options.del) {
      add('DELETE', `${base}/{id}`, (req) => {
        if (!c(name).remove(idParam(req))) throw notFound(what, req.params['id'] ?? '');
        return noContent;
      });
    }
  };

  // --- account, settings, locales, userinfo
  add('GET', '/account/profile', () => ok(accountProfile(store)));
  add('PUT', '/account/profile', (req) => {
    const body = bodyObject(req);
    const record = { ...accountProfile(store), ...body };
    store.singletons.set('account-profile', record);
    return ok(record);
  });
  add('GET', '/setting/application/configuration', () => ok(configuration()));
  add('GET', '/setting/application/enabled', () => ok({ value: 'true' }));
  add('GET', '/setting/contact/optionTypes', () => ok({ value: 'Lead,Customer,Other' }));
  add('GET', '/locales/countries', () => ok({ countries }));
  add('GET', '/locales/countries/{id}/provinces', (req) => {
    const code = (req.params['id'] ?? '').toUpperCase();
    if (!(code in countries)) throw notFound('Country', code);
    return ok({ provinces: provinces[code] ?? {} });
  });
  add('GET', '/locales/defaultOptions', () =>
    ok({ contact_types: ['Lead', 'Customer', 'Other'], fax_types: ['Work', 'Home'], phone_types: ['Work', 'Home', 'Mobile', 'Other'], suffix_types: ['Jr.', 'Sr.', 'III'], title_types: ['Dr.', 'Mr.', 'Mrs.', 'Ms.'] }),
  );
  add('GET', '/oauth/connect/userinfo', () => {
    const user = must(c('users'), 1, 'User');
    return ok({
      sub: '1', email: user['email_address'], given_name: user['given_name'], family_name: user['family_name'], middle_name: '', preferred_name: '',
      global_user_id: user['global_user_id'], infusionsoft_id: user['infusionsoft_id'], is_admin: true,
    });
  });
  add('GET', '/merchants', () =>
    ok({ default_merchant_account: 1, merchant_accounts: [{ id: 1, account_name: 'Sandbox Payments', type: 'Sandbox', is_test: true }, { id: 2, account_name: 'PayPal, "legacy"', type: 'PayPal', is_test: true }] }),
  );

  // --- models
  for (const resource of ['affiliates', 'appointments', 'companies', 'contacts', 'notes', 'opportunities', 'orders', 'subscriptions', 'tasks']) {
    add('GET', `/${resource}/model`, () => modelBody(resource));
  }

  // --- contacts
  const contactOrders = orderKeys(['id', 'date_created', 'last_updated', 'name', 'firstName', 'email'], {
    name: (r) => `${r['family_name'] ?? ''} ${r['given_name'] ?? ''}`,
    firstName: (r) => r['given_name'],
    email: (r) => ((r['email_addresses'] as Rec[] | undefined) ?? []).find((e) => e['field'] === 'EMAIL1')?.['email'],
  });
  add('GET', '/contacts', (req) => {
    const asked = optionalProperties(req);
    const view = (r: Rec): Rec => contactView(store, r, asked, false);
    const where = equalityFilter(req, {
      email: (r) => ((r['email_addresses'] as Rec[] | undefined) ?? []).find((e) => e['field'] === 'EMAIL1')?.['email'],
      given_name: (r) => r['given_name'],
      family_name: (r) => r['family_name'],
    });
    const emailWanted = req.query.get('email');
    if (emailWanted && where) {
      // Generated emails encode their contact's id, so an email lookup needs no scan: the
      // candidates are the changed/created contacts and the one generated id the address names.
      const contacts = c('contacts');
      const candidates = new Map<number, Rec>(contacts.overlay);
      const hinted = idFromContactEmail(emailWanted);
      if (hinted !== undefined && !candidates.has(hinted)) {
        const record = contacts.get(hinted);
        if (record) candidates.set(hinted, record);
      }
      const since = parseDate(req.query.get('since'));
      const until = parseDate(req.query.get('until'));
      const found = [...candidates.values()]
        .filter((r) => where(r))
        .filter((r) => {
          const ms = Date.parse(String(r['last_updated']));
          return (since === undefined || ms >= since) && (until === undefined || ms <= until);
        })
        .sort((a, b) => (a['id'] as number) - (b['id'] as number));
      return pageArray(req, 'contacts', found.map(view));
    }
    return page(req, c('contacts'), { key: 'contacts', ...(where ? { where } : {}), view, orders: contactOrders });
  });
  add('GET', '/contacts/{id}', (req) => ok(contactView(store, must(c('contacts'), idParam(req), 'Contact'), optionalProperties(req), true)));
  const newContact = (body: Rec, id: number): Rec => {
    const stamp = now();
    return merge({ id, email_opted_in: false, email_status: 'UnengagedNonMarketable', email_addresses: [], phone_numbers: [], addresses: [], fax_numbers: [], custom_fields: [], given_name: '', family_name: '', source_type: 'API', date_created: stamp }, body, { last_updated: stamp });
  };
  add('POST', '/contacts', (req) => {
    const body = bodyObject(req);
    validateContact(body, true);
    const record = newContact(body, c('contacts').allocateId());
    c('contacts').put(record);
    return ok(contactView(store, record, new Set(['custom_fields', 'job_title', 'lead_source_id']), true), 201);
  });
  add('PUT', '/contacts', (req) => {
    const body = bodyObject(req);
    const option = body['duplicate_option'] ?? 'Email';
    if (option !== 'Email' && option !== 'EmailAndName') throw new HttpError(400, `Invalid duplicate_option '${String(option)}'. Allowed values: Email, EmailAndName`);
    const changes = { ...body };
    delete changes['duplicate_option'];
    validateContact(changes, false);
    const email = ((changes['email_addresses'] as Rec[] | undefined) ?? []).find((e) => e['field'] === 'EMAIL1')?.['email'];
    const existing = typeof email === 'string' ? findContactByEmail(store, email, option === 'EmailAndName' ? changes : undefined) : undefined;
    const all = new Set(['custom_fields', 'job_title', 'lead_source_id']);
    if (existing) {
      const record = merge(existing, changes, { last_updated: now() });
      c('contacts').put(record);
      return ok(contactView(store, record, all, true));
    }
    validateContact(changes, true);
    const record = newContact(changes, c('contacts').allocateId());
    c('contacts').put(record);
    return ok(contactView(store, record, all, true));
  });
  add('PATCH', '/contacts/{id}', (req) => {
    const id = idParam(req);
    const existing = must(c('contacts'), id, 'Contact');
    const body = bodyObject(req);
    validateContact(body, false);
    const record = merge(existing, body, { last_updated: now() });
    c('contacts').put(record);
    return ok(contactView(store, record, new Set(['custom_fields', 'job_title', 'lead_source_id']), true));
  });
  add('DELETE', '/contacts/{id}', (req) => {
    if (!c('contacts').remove(idParam(req))) throw notFound('Contact', req.params['id'] ?? '');
    return noContent;
  });
  add('GET', '/contacts/{id}/tags', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    const applied: Rec[] = [];
    for (const tagId of c('tags').ids()) {
      const date = store.contactHasTag(contactId, tagId);
      if (!date) continue;
      const tag = c('tags').get(tagId) as Rec;
      applied.push({ date_applied: date, tag: { id: tagId, name: tag['name'], category: String((tag['category'] as Rec | undefined)?.['name'] ?? '') } });
    }
    return pageArray(req, 'tags', applied);
  });
  /** Applies one tag to one contact; the spec answers no 404 here, only a status per id. */
  const applyTag = (contactId: number, tagId: number): TagApplyStatus => {
    if (!c('contacts').has(contactId)) return 'CONTACT_NOT_FOUND';
    if (!c('tags').has(tagId)) return 'TAG_ID_NOT_FOUND';
    if (store.contactHasTag(contactId, tagId)) return 'DUPLICATE';
    store.contactTags.set(`${contactId}:${tagId}`, now());
    return 'SUCCESS';
  };
  add('POST', '/contacts/{id}/tags', (req) => {
    const contactId = idParam(req);
    const tagIds = idList(bodyObject(req), 'tagIds');
    return ok(tagIds.map((tagId) => ({ [String(tagId)]: applyTag(contactId, tagId) })));
  });
  const untagContact = (contactId: number, tagId: number): void => {
    store.contactTags.set(`${contactId}:${tagId}`, null);
  };
  add('DELETE', '/contacts/{id}/tags', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    for (const tagId of idsQuery(req)) untagContact(contactId, tagId);
    return noContent;
  });
  add('DELETE', '/contacts/{id}/tags/{tagId}', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    untagContact(contactId, idParam(req, 'tagId'));
    return noContent;
  });
  add('GET', '/contacts/{id}/emails', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    const byEmail = equalityFilter(req, { email: (r) => r['sent_to_address'] });
    return page(req, c('emails'), {
      key: 'emails',
      where: (r) => r['contact_id'] === contactId && (byEmail ? byEmail(r) : true),
      view: (r) => without(r, ['html_content', 'plain_content']),
    });
  });
  add('POST', '/contacts/{id}/emails', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    const body = bodyObject(req);
    requireFields(body, ['sent_to_address']);
    const id = c('emails').allocateId();
    const record = merge({ id, sent_date: now() }, body, {});
    record['id'] = id;
    record['contact_id'] = contactId;
    c('emails').put(record);
    return ok(clean(record), 201);
  });
  add('GET', '/contacts/{id}/creditCards', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    return ok(contactId % 5 === 0 ? [{ id: contactId, card_type: 'Visa', card_number: '************0042', payment_method_id: `pm-${contactId}`, validation_status: 'Valid' }] : []);
  });

  // --- companies
  add('GET', '/companies', (req) => {
    const asked = optionalProperties(req);
    const where = equalityFilter(req, { company_name: (r) => r['company_name'] });
    const orders = orderKeys(['id', 'date_created', 'name', 'email'], { name: (r) => r['company_name'], email: (r) => r['email_address'] });
    return page(req, c('companies'), { key: 'companies', ...(where ? { where } : {}), view: (r) => withOptional(r, 'companies', asked), orders });
  });
  add('GET', '/companies/{id}', (req) => ok(withOptional(must(c('companies'), idParam(req), 'Company'), 'companies', optionalProperties(req))));
  crud('/companies', 'companies', 'Company', {
    create: { status: 201, required: ['company_name'] },
    patch: { required: ['company_name'] },
    view: (r) => clean(r),
  });

  // --- tags
  add('GET', '/tags', (req) => {
    const where = equalityFilter(req, { name: (r) => r['name'], category: (r) => (r['category'] as Rec | undefined)?.['id'] });
    return page(req, c('tags'), { key: 'tags', ...(where ? { where } : {}) });
  });
  add('GET', '/tags/{id}', (req) => ok(clean(must(c('tags'), idParam(req), 'Tag'))));
  add('POST', '/tags', (req) => {
    const body = bodyObject(req);
    requireFields(body, ['name']);
    const id = c('tags').allocateId();
    const categoryId = (body['category'] as Rec | undefined)?.['id'];
    const record: Rec = { id, name: body['name'], description: body['description'] ?? '' };
    if (categoryId !== undefined) {
      const category = categoriesOf().find((cat) => cat['id'] === categoryId);
      if (!category) throw new HttpError(400, `Tag category with id ${String(categoryId)} not found`);
      record['category'] = category;
    }
    c('tags').put(record);
    return ok(record);
  });
  const categoriesOf = (): Rec[] => [...tagCategories, ...(((store.singletons.get('tag-categories')?.['items']) as Rec[] | undefined) ?? [])];
  add('POST', '/tags/categories', (req) => {
    const body = bodyObject(req);
    requireFields(body, ['name']);
    const all = categoriesOf();
    const category = { id: Math.max(...all.map((cat) => Number(cat['id']))) + 1, name: body['name'], description: body['description'] ?? '' };
    store.singletons.set('tag-categories', { items: [...all.slice(tagCategories.length), category] });
    return ok(category);
  });
  add('GET', '/tags/{id}/contacts', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    // Find the tagged ids cheaply, then build records for the requested page only.
    const contacts = c('contacts');
    const tagged: Array<[number, string]> = [];
    for (const contactId of contacts.ids()) {
      const date = store.contactHasTag(contactId, tagId);
      if (date) tagged.push([contactId, date]);
    }
    const { limit, offset } = pageParams(req);
    const records = tagged.slice(offset, offset + limit).map(([contactId, date]) => {
      const contact = contacts.get(contactId) as Rec;
      const email = ((contact['email_addresses'] as Rec[] | undefined) ?? []).find((e) => e['field'] === 'EMAIL1')?.['email'];
      return { date_applied: date, contact: { id: contactId, first_name: contact['given_name'] ?? '', last_name: contact['family_name'] ?? '', email: email ?? '' } };
    });
    return { status: 200, body: pageBody(req, 'contacts', records, tagged.length, limit, offset) };
  });
  add('POST', '/tags/{id}/contacts', (req) => {
    const tagId = idParam(req);
    const contactIds = idList(bodyObject(req), 'ids');
    return ok(contactIds.map((contactId) => ({ [String(contactId)]: applyTag(contactId, tagId) })));
  });
  add('DELETE', '/tags/{id}/contacts', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    for (const contactId of idsQuery(req)) untagContact(contactId, tagId);
    return noContent;
  });
  add('DELETE', '/tags/{id}/contacts/{contactId}', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    untagContact(idParam(req, 'contactId'), tagId);
    return noContent;
  });
  add('GET', '/tags/{id}/companies', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    const tagged: Rec[] = [];
    for (const companyId of c('companies').ids()) {
      const date = store.companyHasTag(companyId, tagId);
      if (!date) continue;
      const company = c('companies').get(companyId) as Rec;
      tagged.push({ date_applied: date, company: { id: companyId, company_name: company['company_name'] ?? '', email: company['email_address'] ?? '' } });
    }
    return pageArray(req, 'companies', tagged);
  });

  // --- users
  add('GET', '/users', (req) => page(req, c('users'), { key: 'users' }));
  add('GET', '/users/{id}/signature', (req) => {
    const user = must(c('users'), idParam(req), 'User');
    return ok(`<p>${String(user['given_name'])} ${String(user['family_name'])}<br>Sandbox Co. ☎ 0044 20 7946 0000</p>`);
  });
  crud('/users', 'users', 'User', {
    create: {
      status: 201,
      required: ['email', 'given_name'],
      build: (body, id) => ({ id, email_address: body['email'], given_name: body['given_name'], family_name: '', partner: Boolean(body['partner']), status: 'Invited', date_created: now(), last_updated: now() }),
    },
  });

  // --- affiliates
  add('GET', '/affiliates', (req) => {
    const where = equalityFilter(req, { code: (r) => r['code'], contact_id: (r) => r['contact_id'], name: (r) => r['name'], parent_id: (r) => r['parent_id'], status: (r) => r['status'] });
    return page(req, c('affiliates'), { key: 'affiliates', ...(where ? { where } : {}), orders: orderKeys(['id', 'name']) });
  });
  add('GET', '/affiliates/{id}', (req) => ok(clean(must(c('affiliates'), idParam(req), 'Affiliate'))));
  crud('/affiliates', 'affiliates', 'Affiliate', {
    create: { status: 201, required: ['code', 'contact_id', 'password'], build: (body, id) => without({ ...body, id, status: body['status'] ?? 'active' }, ['password']) },
  });
  add('GET', '/affiliates/commissions', (req) => {
    const where = equalityFilter(req, { affiliateId: (r) => r['sales_affiliate_id'] });
    return page(req, c('affiliate-commissions'), { key: 'commissions', ...(where ? { where } : {}), view: (r) => without(r, ['id']) });
  });
  add('GET', '/affiliates/programs', (req) => {
    const where = equalityFilter(req, { affiliate_id: (r) => r['affiliate_id'] });
    return page(req, c('affiliate-programs'), { key: 'programs', ...(where ? { where } : {}), orders: orderKeys(['id', 'name', 'priority']) });
  });
  add('GET', '/affiliates/redirectlinks', (req) => {
    const where = equalityFilter(req, { affiliate_id: (r) => r['affiliate_id'] });
    return page(req, c('affiliate-redirect-links'), { key: 'redirects', ...(where ? { where } : {}), orders: orderKeys(['id', 'name']) });
  });
  add('GET', '/affiliates/summaries', (req) => {
    const wanted = new Set((req.query.get('affiliate_ids') ?? '').split(',').filter((s) => /^\d+$/.test(s)).map(Number));
    const summaries: Rec[] = [];
    for (const id of c('affiliates').ids()) {
      if (wanted.size && !wanted.has(id)) continue;
      const earned = Math.round(id * 137.5) / 10;
      const clawbacks = affiliateClawbacks(store, id).reduce((sum, r) => sum + Number(r['amount']), 0);
      summaries.push({ affiliate_id: id, amount_earned: earned, clawbacks: Math.round(clawbacks * 100) / 100, balance: Math.round((earned - clawbacks) * 100) / 100 });
    }
    return ok({ count: summaries.length, summaries });
  });
  add('GET', '/affiliates/{id}/clawbacks', (req) => {
    const id = idParam(req);
    must(c('affiliates'), id, 'Affiliate');
    return pageArray(req, 'clawbacks', inWindow(req, 'date_earned', affiliateClawbacks(store, id)).map((r) => without(r, ['id'])));
  });
  add('GET', '/affiliates/{id}/payments', (req) => {
    const id = idParam(req);
    must(c('affiliates'), id, 'Affiliate');
    return pageArray(req, 'payments', inWindow(req, 'date', affiliatePayments(store, id)));
  });

  // --- appointments
  add('GET', '/appointments', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    return page(req, c('appointments'), { key: 'appointments', ...(where ? { where } : {}), extra: { sync_token: 'sandbox-sync' } });
  });
  add('GET', '/appointments/{id}', (req) => ok(clean(must(c('appointments'), idParam(req), 'Appointment'))));
  crud('/appointments', 'appointments', 'Appointment', {
    create: { status: 201, required: ['title', 'start_date', 'end_date'] },
    patch: { required: ['title', 'start_date', 'end_date'] },
    put: { required: ['title', 'start_date', 'end_date'] },
    del: true,
  });

  // --- campaigns
  add('GET', '/campaigns', (req) => {
    const search = (req.query.get('search_text') ?? '').toLowerCase();
    return page(req, c('campaigns'), {
      key: 'campaigns',
      ...(search ? { where: (r: Rec) => String(r['name']).toLowerCase().includes(search) } : {}),
      view: (r) => without(r, ['goals', 'sequences']),
      orders: orderKeys(['id', 'name', 'published_date', 'completed_contact_count', 'active_contact_count', 'date_created', 'last_updated', 'category', 'status']),
    });
  });
  add('GET', '/campaigns/{id}', (req) => {
    const asked = optionalProperties(req);
    const record = must(c('campaigns'), idParam(req), 'Campaign');
    return ok(without(record, ['goals', 'sequences'].filter((name) => !asked.has(name))));
  });
  const sequenceMember = (req: ApiRequest, add: boolean): ApiResponse => {
    const campaign = must(c('campaigns'), idParam(req), 'Campaign');
    const sequenceId = idParam(req, 'sequenceId');
    if (!((campaign['sequences'] as Rec[] | undefined) ?? []).some((s) => s['id'] === sequenceId)) throw notFound('Sequence', sequenceId);
    const contactId = idParam(req, 'contactId');
    must(c('contacts'), contactId, 'Contact');
    const key = `${campaign['id'] as number}:${sequenceId}:${contactId}`;
    if (add) store.sequenceMembers.add(key);
    else store.sequenceMembers.delete(key);
    return noContent;
  };
  add('POST', '/campaigns/{id}/sequences/{sequenceId}/contacts/{contactId}', (req) => sequenceMember(req, true));
  const sequenceMembers = (req: ApiRequest, adding: boolean): ApiResponse => {
    const ids = idList(bodyObject(req), 'ids');
    const result: Rec = {};
    for (const contactId of ids) {
      try {
        sequenceMember({ ...req, params: { ...req.params, contactId: String(contactId) } }, adding);
        result[String(contactId)] = 'SUCCESS';
      } catch (error) {
        if (!(error instanceof HttpError) || !/Contact/.test(error.message)) throw error;
        result[String(contactId)] = 'CONTACT_NOT_FOUND';
      }
    }
    return adding ? ok(result) : noContent;
  };
  add('POST', '/campaigns/{id}/sequences/{sequenceId}/contacts', (req) => sequenceMembers(req, true));
  add('DELETE', '/campaigns/{id}/sequences/{sequenceId}/contacts', (req) => sequenceMembers(req, false));
  add('DELETE', '/campaigns/{id}/sequences/{sequenceId}/contacts/{contactId}', (req) => sequenceMember(req, false));

  // --- orders, items, payments, transactions
  add('GET', '/orders', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'], product_id: (r) => r['product_id'], paid: (r) => String(r['status'] === 'PAID') });
    return page(req, c('orders'), { key: 'orders', ...(where ? { where } : {}) });
  });
  add('GET', '/orders/{id}', (req) => ok(clean(must(c('orders'), idParam(req), 'Order'))));
  const orderItem = (body: Rec, id: number): Rec => {
    const productId = Number(body['product_id']);
    const product = c('products').get(productId);
    if (!product) throw new HttpError(400, `Product with id ${String(body['product_id'])} not found`);
    const price = typeof body['price'] === 'number' ? body['price'] : Number(product['product_price'] ?? 0);
    return {
      id, name: product['product_name'], description: body['description'] ?? '', notes: '', type: body['item_type'] ?? 'Product', quantity: Number(body['quantity'] ?? 1),
      price, cost: 0, discount: 0, jobRecurringId: 0, specialAmount: 0, specialId: 0, specialPctOrAmt: 0,
      product: { id: productId, name: product['product_name'], description: '', sku: product['sku'] ?? '', shippable: false, taxable: false },
    };
  };
  const withTotals = (order: Rec): Rec => {
    const total = orderTotal((order['order_items'] as Rec[]) ?? []);
    const paid = Number(order['total_paid'] ?? 0);
    return { ...order, total, total_due: Math.max(0, Math.round((total - paid) * 100) / 100), status: paid >= total && total > 0 ? 'PAID' : 'UNPAID' };
  };
  add('POST', '/orders', (req) => {
    const body = bodyObject(req);
    requireFields(body, ['contact_id', 'order_date', 'order_items', 'order_title', 'order_type']);
    const contactId = Number(body['contact_id']);
    const contact = c('contacts').get(contactId);
    if (!contact) throw new HttpError(400, `Contact with id ${String(body['contact_id'])} not found`);
    if (!Array.isArray(body['order_items']) || body['order_items'].length === 0) throw new HttpError(400, 'order_items must not be empty');
    const id = c('orders').allocateId();
    const items = (body['order_items'] as Rec[]).map((item, i) => orderItem(item, id * 10 + i + 1));
    const stamp = now();
    const record = withTotals({
      id, title: body['order_title'], order_type: body['order_type'], order_date: body['order_date'], creation_date: stamp, modification_date: stamp,
      contact_id: String(contactId), contact: { id: contactId, first_name: contact['given_name'] ?? '', last_name: contact['family_name'] ?? '', email: contactEmail(store.seed, contactId) ?? '', company_name: '', job_title: '' },
      order_items: items, total_paid: 0, refund_total: 0, lead_affiliate_id: Number(body['lead_affiliate_id'] ?? 0), sales_affiliate_id: Number(body['sales_affiliate_id'] ?? 0),
      notes: '', terms: '', recurring: false, allow_payment: true, allow_paypal: false, source_type: 'API', invoice_number: 10000 + id, product_id: String((items[0]?.['product'] as Rec)['id']),
    });
    c('orders').put(record);
    return ok(clean(record), 201);
  });
  add('DELETE', '/orders/{id}', (req) => {
    if (!c('orders').remove(idParam(req))) throw notFound('Order', req.params['id'] ?? '');
    return noContent;
  });
  add('POST', '/orders/{id}/items', (req) => {
    const order = must(c('orders'), idParam(req), 'Order');
    const body = bodyObject(req);
    requireFields(body, ['product_id', 'quantity']);
    const items = [...((order['order_items'] as Rec[]) ?? [])];
    const itemId = Math.max((order['id'] as number) * 10, ...items.map((i) => Number(i['id']))) + 1;
    const item = orderItem(body, itemId);
    items.push(item);
    c('orders').put(withTotals({ ...order, order_items: items, modification_date: now() }));
    return ok(item, 201);
  });
  add('DELETE', '/orders/{id}/items/{itemId}', (req) => {
    const order = must(c('orders'), idParam(req), 'Order');
    const itemId = idParam(req, 'itemId');
    const items = (order['order_items'] as Rec[]) ?? [];
    if (!items.some((i) => i['id'] === itemId)) throw notFound('Order item', itemId);
    c('orders').put(withTotals({ ...order, order_items: items.filter((i) => i['id'] !== itemId), modification_date: now() }));
    return noContent;
  });
  add('GET', '/orders/{id}/payments', (req) => ok(orderPayments(store, must(c('orders'), idParam(req), 'Order'))));
  add('POST', '/orders/{id}/payments', (req) => {
    const order = must(c('orders'), idParam(req), 'Order');
    const body = bodyObject(req);
    requireFields(body, ['payment_amount']);
    const amount = Number(body['payment_amount']);
    if (!Number.isFinite(amount) || amount <= 0) throw new HttpError(400, 'payment_amount must be a positive number');
    const orderId = order['id'] as number;
    const key = `order-payments:${orderId}`;
    const items = [...(((store.singletons.get(key)?.['items']) as Rec[] | undefined) ?? [])];
    const paymentId = orderId * 10 + 2 + items.length;
    const stamp = now();
    items.push({ id: paymentId, invoice_id: orderId, payment_id: paymentId, amount, pay_date: body['date'] ?? stamp, last_updated: stamp, pay_status: 'Approved', note: body['notes'] ?? '', skip_commission: !body['apply_to_commissions'], refund_invoice_payment_id: 0 });
    store.singletons.set(key, { items });
    c('orders').put(withTotals({ ...order, total_paid: Math.round((Number(order['total_paid'] ?? 0) + amount) * 100) / 100, modification_date: stamp }));
    return ok({ id: paymentId, invoice_id: orderId, payment_amount: amount, payment_status: 'Approved', transaction_id: paymentId }, 201);
  });
  add('GET', '/orders/{id}/transactions', (req) => {
    const orderId = idParam(req);
    must(c('orders'), orderId, 'Order');
    const byContact = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    const found = c('transactions').get(orderId);
    const list = found && (!byContact || byContact(found)) ? [clean(found)] : [];
    return pageArray(req, 'transactions', inWindow(req, 'transaction_date', list));
  });
  add('GET', '/transactions', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    return page(req, c('transactions'), { key: 'transactions', ...(where ? { where } : {}) });
  });
  add('GET', '/transactions/{id}', (req) => ok(clean(must(c('transactions'), idParam(req), 'Transaction'))));

  // --- subscriptions
  add('GET', '/subscriptions', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    return page(req, c('subscriptions'), { key: 'subscriptions', ...(where ? { where } : {}) });
  });
  /** A plan by its id: plan ids are `productId * 10 + n` (see subscriptionPlans). */
  const planById = (planId: number): { product: Rec; plan: Rec } | undefined => {
    const product = c('products').get(Math.floor(planId / 10));
    const plan = product ? plansOf(product).find((p) => p['id'] === planId) : undefined;
    return product && plan ? { product, plan } : undefined;
  };
  const subscriptionInput = (body: Rec): void => {
    if (!c('contacts').has(Number(body['contact_id']))) throw new HttpError(400, `Contact with id ${String(body['contact_id'])} not found`);
    const planId = Number(body['subscription_plan_id']);
    if (!planById(planId)) throw new HttpError(400, `Subscription plan with id ${String(body['subscription_plan_id'])} not found`);
    if (body['quantity'] !== undefined && !(Number.isSafeInteger(body['quantity']) && Number(body['quantity']) > 0)) throw new HttpError(400, 'quantity must be greater than 0');
    if (body['billing_amount'] !== undefined && !(typeof body['billing_amount'] === 'number' && body['billing_amount'] >= 0)) throw new HttpError(400, 'billing_amount must be 0 or greater');
    const firstBill = body['first_bill_date'];
    if (firstBill !== undefined) {
      // The spec: "Must not be in the past", in EST (UTC-5); an import of old subscriptions trips on this.
      const todayInEst = new Date(Date.now() - 5 * 3600_000).toISOString().slice(0, 10);
      if (typeof firstBill !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(firstBill)) throw new HttpError(400, 'first_bill_date must be a date (YYYY-MM-DD)');
      if (firstBill < todayInEst) throw new HttpError(400, 'first_bill_date must not be in the past');
    }
    // Generated subscriptions name no real plan, so only created ones (the overlay) can be identical.
    const identical = [...c('subscriptions').overlay.values()].some((r) => r['contact_id'] === Number(body['contact_id']) && r['subscription_plan_id'] === planId && r['active'] === true);
    if (identical && body['allow_duplicate'] !== true) throw new HttpError(400, 'An identical subscription already exists for this contact; send allow_duplicate: true to create another');
  };
  crud('/subscriptions', 'subscriptions', 'Subscription', {
    create: {
      status: 201,
      // The spec requires only contact_id; a plan is needed too (Keap's v2 requires it; see sandboxSpecExceptions).
      required: ['contact_id', 'subscription_plan_id'],
      validate: subscriptionInput,
      build: (body, id) => {
        const { product, plan } = planById(Number(body['subscription_plan_id']))!;
        const today = now().slice(0, 10);
        return {
          id, contact_id: Number(body['contact_id']), product_id: product['id'], subscription_plan_id: plan['id'], active: true,
          allow_tax: body['allow_tax'] === true, auto_charge: body['auto_charge'] !== false,
          billing_amount: body['billing_amount'] ?? plan['plan_price'], billing_cycle: plan['cycle_type'], billing_frequency: plan['frequency'],
          quantity: body['quantity'] ?? 1, credit_card_id: body['credit_card_id'] ?? 0, payment_gateway_id: body['payment_gateway_id'] ?? 1,
          use_default_payment_gateway: body['payment_gateway_id'] === undefined, sale_affiliate_id: body['sale_affiliate_id'] ?? 0,
          start_date: today, next_bill_date: body['first_bill_date'] ?? today,
        };
      },
    },
  });

  // --- emails
  add('GET', '/emails', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'], email: (r) => r['sent_to_address'] });
    return page(req, c('emails'), { key: 'emails', since: 'since_sent_date', until: 'until_sent_date', ...(where ? { where } : {}), view: (r) => without(r, ['html_content', 'plain_content']) });
  });
  add('GET', '/emails/{id}', (req) => ok(clean(must(c('emails'), idParam(req), 'Email'))));
  // No PUT /emails/{id}: the spec has none (the seed's updateEmailUsingPUT is gone).
  crud('/emails', 'emails', 'Email', { create: { status: 201, required: ['sent_to_address'] }, del: true });

  // --- files
  add('GET', '/files', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'], name: (r) => r['file_name'], type: (r) => r['file_box_type'], permission: (r) => (r['public'] ? 'BOTH' : 'USER') });
    return page(req, c('files'), { key: 'files', ...(where ? { where } : {}) });
  });
  add('GET', '/files/{id}', (req) => ok(fileView(must(c('files'), idParam(req), 'File'), optionalProperties(req).has('file_data'))));
  const fileRecord = (body: Rec, id: number, previous?: Rec): Rec => {
    requireFields(body, ['file_name', 'file_data', 'file_association']);
    if (typeof body['is_public'] !== 'boolean') throw new HttpError(400, 'is_public is required');
    const data = Buffer.from(String(body['file_data']), 'base64');
    const stamp = now();
    return {
      id, file_name: body['file_name'], file_size: data.length, public: body['is_public'], category: 'Documents',
      file_box_type: body['file_association'] === 'CONTACT' ? 'Contact' : 'Application', contact_id: Number(body['contact_id'] ?? 0), created_by: 1,
      remote_file_key: `key-${id}`, download_url: `https://files.example.com/download/${id}`, date_created: previous?.['date_created'] ?? stamp, last_updated: stamp,
      // Kept base64, as sent and as served; `__` properties never leave the sandbox.
      __data: data.toString('base64'),
    };
  };
  add('POST', '/files', (req) => {
    const body = bodyObject(req);
    const record = fileRecord(body, c('files').allocateId());
    c('files').put(record);
    return ok(fileView(record, true));
  });
  add('PUT', '/files/{id}', (req) => {
    const id = idParam(req);
    const previous = must(c('files'), id, 'File');
    const record = fileRecord(bodyObject(req), id, previous);
    c('files').put(record);
    return ok(fileView(record, true));
  });
  add('DELETE', '/files/{id}', (req) => {
    if (!c('files').remove(idParam(req))) throw notFound('File', req.params['id'] ?? '');
    return noContent;
  });

  // --- hooks (keyed by `key`, stored by numeric id)
  add('GET', '/hooks', () => {
    const out: Rec[] = [];
    for (const id of c('hooks').ids()) out.push(hookView(c('hooks').get(id) as Rec));
    return ok(out);
  });
  add('GET', '/hooks/event_keys', () => ok(hookEvents));
  add('GET', '/hooks/{id}', (req) => ok(hookView(must(c('hooks'), idParam(req), 'Hook'))));
  const hookBody = (req: ApiRequest): Rec => {
    const body = bodyObject(req);
    requireFields(body, ['eventKey', 'hookUrl']);
    if (!hookEvents.includes(String(body['eventKey']))) throw new HttpError(400, `Invalid eventKey '${String(body['eventKey'])}'`);
    return body;
  };
  add('POST', '/hooks', (req) => {
    const body = hookBody(req);
    const id = c('hooks').allocateId();
    const record = { id, key: String(id), eventKey: body['eventKey'], hookUrl: body['hookUrl'], status: 'Unverified' };
    c('hooks').put(record);
    return ok(hookView(record));
  });
  add('PUT', '/hooks/{id}', (req) => {
    const id = idParam(req);
    const existing = must(c('hooks'), id, 'Hook');
    const body = hookBody(req);
    const record = { ...existing, eventKey: body['eventKey'], hookUrl: body['hookUrl'] };
    c('hooks').put(record);
    return ok(hookView(record));
  });
  const verify = (req: ApiRequest): ApiResponse => {
    const record = { ...must(c('hooks'), idParam(req), 'Hook'), status: 'Verified' };
    c('hooks').put(record);
    return ok(hookView(record));
  };
  add('POST', '/hooks/{id}/verify', verify);
  add('POST', '/hooks/{id}/delayedVerify', (req) => {
    // The secret Keap sent to the hook URL comes back in this header; the spec requires it.
    if (!req.headers['x-hook-secret']) throw new HttpError(400, 'X-Hook-Secret header is required');
    return verify(req);
  });
  add('DELETE', '/hooks/{id}', (req) => {
    if (!c('hooks').remove(idParam(req))) throw notFound('Hook', req.params['id'] ?? '');
    return noContent;
  });

  // --- notes
  add('GET', '/notes', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'], user_id: (r) => r['user_id'] });
    return page(req, c('notes'), { key: 'notes', ...(where ? { where } : {}) });
  });
  add('GET', '/notes/{id}', (req) => ok(clean(must(c('notes'), idParam(req), 'Note'))));
  crud('/notes', 'notes', 'Note', {
    create: {
      status: 201,
      required: ['contact_id'],
      validate: (body) => {
        if (!c('contacts').has(Number(body['contact_id']))) throw new HttpError(400, `Contact with id ${String(body['contact_id'])} not found`);
      },
      build: (body, id) => merge({ id, title: '', body: '', type: 'Other', date_created: now() }, body, { last_updated: now() }),
    },
    patch: true,
    put: { required: ['contact_id'] },
    del: true,
    stampField: 'last_updated',
  });

  // --- opportunities
  add('GET', '/opportunities', (req) => {
    const search = (req.query.get('search_term') ?? '').toLowerCase();
    const where = equalityFilter(req, { stage_id: (r) => (r['stage'] as Rec | undefined)?.['id'], user_id: (r) => (r['user'] as Rec | undefined)?.['id'] });
    return page(req, c('opportunities'), {
      key: 'opportunities',
      ...(where || search ? { where: (r: Rec) => (!where || where(r)) && (!search || String(r['opportunity_title']).toLowerCase().includes(search)) } : {}),
      view: (r) => without(r, ['custom_fields']),
    });
  });
  add('GET', '/opportunities/{id}', (req) => ok(withOptional(must(c('opportunities'), idParam(req), 'Opportunity'), 'opportunities', optionalProperties(req))));
  const opportunityInput = (body: Rec): void => {
    requireFields(body, ['opportunity_title', 'contact', 'stage']);
    const contactId = Number((body['contact'] as Rec | undefined)?.['id']);
    if (!c('contacts').has(contactId)) throw new HttpError(400, `Contact with id ${String(contactId)} not found`);
    const stageId = Number((body['stage'] as Rec | undefined)?.['id']);
    if (!pipelineStages.some((s) => s.stage_id === stageId)) throw new HttpError(400, `Stage with id ${String(stageId)} not found`);
  };
  crud('/opportunities', 'opportunities', 'Opportunity', {
    create: {
      status: 200,
      validate: opportunityInput,
      build: (body, id) => {
        const stageId = Number((body['stage'] as Rec)['id']);
        const stage = pipelineStages.find((s) => s.stage_id === stageId);
        const contactId = Number((body['contact'] as Rec)['id']);
        const contact = c('contacts').get(contactId) as Rec;
        const stamp = now();
        return merge({ id, date_created: stamp, custom_fields: [] }, body, {
          last_updated: stamp,
          contact: { id: contactId, first_name: contact['given_name'] ?? '', last_name: contact['family_name'] ?? '', email: contactEmail(store.seed, contactId) ?? '' },
          stage: { id: stageId, name: stage?.stage_name ?? '', details: { probability: stage?.probability ?? 0, stage_order: stage?.stage_order ?? 0, target_num_days: 14, check_list_items: [] }, reasons: [] },
        });
      },
    },
    patch: true,
    stampField: 'last_updated',
  });
  add('GET', '/opportunity/stage_pipeline', () =>
    ok(pipelineStages.map((s) => ({ stage_id: s.stage_id, stage_name: s.stage_name, stage_order: s.stage_order, stage_count: pipelineStages.length, is_default: s.stage_id === 1, end_stage: s.stage_id >= 4 }))),
  );

  // --- products
  const productListView = (r: Rec): Rec => ({ ...clean(r), status: r['active'] === false ? 0 : 1 });
  add('GET', '/products', (req) => {
    const active = req.query.get('active');
    return page(req, c('products'), {
      key: 'products',
      ...(active === 'true' || active === 'false' ? { where: (r: Rec) => String(r['active'] !== false) === active } : {}),
      view: productListView,
      extra: { sync_token: 'sandbox-sync' },
    });
  });
  add('GET', '/products/sync', (req) =>
    page(req, c('products'), { key: 'product_statuses', view: (r) => ({ product: productListView(r), status: c('products').overlay.has(r['id'] as number) ? 'UPDATED' : 'CREATED' }), extra: { sync_token: 'sandbox-sync' } }),
  );
  add('GET', '/products/{id}', (req) => ok(clean(must(c('products'), idParam(req), 'Product'))));
  crud('/products', 'products', 'Product', {
    create: {
      status: 201,
      required: ['product_name'],
      build: (body, id) => merge({ id, active: true, product_price: 0, subscription_only: false, subscription_plans: [], sku: '', url: '' }, body, {}),
      validate: (body) => {
        if (body['product_price'] !== undefined && typeof body['product_price'] !== 'number') throw new HttpError(400, 'product_price must be a number');
      },
    },
    patch: { required: ['product_name'] },
    del: true,
  });
  const plansOf = (product: Rec): Rec[] => (product['subscription_plans'] as Rec[] | undefined) ?? subscriptionPlans(store.seed, product['id'] as number);
  add('GET', '/products/{id}/subscriptions/{subscriptionId}', (req) => {
    const product = must(c('products'), idParam(req), 'Product');
    const planId = idParam(req, 'subscriptionId');
    const plan = plansOf(product).find((p) => p['id'] === planId);
    if (!plan) throw notFound('Subscription plan', planId);
    return ok(plan);
  });
  add('POST', '/products/{id}/subscriptions', (req) => {
    const product = must(c('products'), idParam(req), 'Product');
    const body = bodyObject(req);
    requireFields(body, ['cycle_type', 'plan_price']);
    if (!['YEAR', 'MONTH', 'WEEK', 'DAY'].includes(String(body['cycle_type']))) throw new HttpError(400, `Invalid cycle_type '${String(body['cycle_type'])}'. Allowed values: YEAR, MONTH, WEEK, DAY`);
    const plans = plansOf(product);
    const id = Math.max((product['id'] as number) * 10, ...plans.map((p) => Number(p['id']))) + 1;
    const plan: Rec = { active: true, frequency: 1, number_of_cycles: 0, subscription_plan_index: plans.length + 1, subscription_plan_name: '', url: '', ...body, id };
    c('products').put({ ...product, subscription_plans: [...plans, plan] });
    return ok(plan, 201);
  });
  add('DELETE', '/products/{id}/subscriptions/{subscriptionId}', (req) => {
    const product = must(c('products'), idParam(req), 'Product');
    const planId = idParam(req, 'subscriptionId');
    const plans = plansOf(product);
    if (!plans.some((p) => p['id'] === planId)) throw notFound('Subscription plan', planId);
    c('products').put({ ...product, subscription_plans: plans.filter((p) => p['id'] !== planId) });
    return noContent;
  });

  // --- tasks
  const taskFilter = (req: ApiRequest): ((r: Rec) => boolean) | undefined => {
    const base = equalityFilter(req, { contact_id: (r) => (r['contact'] as Rec | undefined)?.['id'], user_id: (r) => r['user_id'], completed: (r) => String(Boolean(r['completed'])) });
    const dueWanted = req.query.get('has_due_date');
    if (dueWanted !== 'true' && dueWanted !== 'false') return base;
    return (r) => (!base || base(r)) && String(r['due_date'] !== undefined) === dueWanted;
  };
  add('GET', '/tasks', (req) => {
    const where = taskFilter(req);
    return page(req, c('tasks'), { key: 'tasks', ...(where ? { where } : {}), extra: { sync_token: 'sandbox-sync' } });
  });
  add('GET', '/tasks/search', (req) => {
    const where = taskFilter(req);
    // Tasks of the authenticated user (user 1 in the sandbox).
    return page(req, c('tasks'), { key: 'tasks', where: (r) => r['user_id'] === 1 && (!where || where(r)), extra: { sync_token: 'sandbox-sync' } });
  });
  add('GET', '/tasks/{id}', (req) => ok(clean(must(c('tasks'), idParam(req), 'Task'))));
  crud('/tasks', 'tasks', 'Task', {
    create: {
      status: 200,
      build: (body, id) => {
        const stamp = now();
        return merge({ id, completed: false, priority: 1, creation_date: stamp, user_id: 1 }, body, { modification_date: stamp });
      },
    },
    patch: true,
    put: true,
    del: true,
    stampField: 'modification_date',
  });

  // Literal segments win over placeholders (`/affiliates/commissions` before `/affiliates/{id}`).
  const placeholders = (route: Route): number => route.names.length;
  return routes.sort((a, b) => placeholders(a) - placeholders(b));
}

/** Finds a contact by its primary email (and names, for EmailAndName), overlay first. */
function findContactByEmail(store: Store, email: string, names?: Rec): Rec | undefined {
  const contacts = store.collection('contacts');
  const matches = (record: Rec): boolean => {
    const primary = ((record['email_addresses'] as Rec[] | undefined) ?? []).some((e) => String(e['email']).toLowerCase() === email.toLowerCase());
    if (!primary) return false;
    if (!names) return true;
    return record['given_name'] === names['given_name'] && record['family_name'] === names['family_name'];
  };
  for (const record of contacts.overlay.values()) if (matches(record)) return record;
  const hinted = idFromContactEmail(email);
  if (hinted !== undefined && hinted <= store.count('contacts') && !contacts.overlay.has(hinted)) {
    const record = contacts.get(hinted);
    if (record && matches(record)) return record;
  }
  return undefined;
}

