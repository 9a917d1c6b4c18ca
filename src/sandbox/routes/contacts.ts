/** Contacts, with the tags applied to them, their emails and their credit cards. */
import { customFieldsByResource, idFromContactEmail, type Rec } from '../generate.js';
import type { Store } from '../store.js';
import { checkEmailAddress } from './email.js';
import { BAD_REQUEST, HttpError, noContent, ok } from './http.js';
import { orderKeys, page, pageArray } from './paging.js';
import { clean, merge, must, notFound, now, without, withOptional } from './records.js';
import { bodyObject, equalityFilter, idList, idParam, idsQuery, optionalProperties, parseDate, requireFields } from './request.js';
import type { RouteTable } from './table.js';
import { applyTag, untagContact } from './tagging.js';
import { arraysAsKeapWrites, validateCustomValues } from './writes.js';

/** Contact lists whose entries say which slot they fill; Keap refuses other values. */
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
      if (name === 'email_addresses') checkEmailAddress((entry as Rec)['email']);
      if (name === 'addresses') {
        const address = entry as Rec;
        if (address['region'] && !address['country_code']) throw new HttpError(400, 'Country Code is required if Region is specified');
      }
    }
  }
  validateCustomValues(customFieldsByResource['contacts'] ?? [], body['custom_fields']);
  if (creating) {
    const emails = body['email_addresses'];
    const phones = body['phone_numbers'];
    const hasEmail = Array.isArray(emails) && emails.length > 0;
    const hasPhone = Array.isArray(phones) && phones.length > 0;
    if (!hasEmail && !hasPhone) throw new HttpError(400, 'Contact must contain at least one email address or phone number');
  }
}

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

/**
 * A contact's `company` is a reference: a write sends `{id}`, a read shows the company's name with it
 * (Keap resolves it). Without this, storing the written object would drop `company_name`.
 */
function withCompanyName(store: Store, changes: Rec): Rec {
  const company = changes['company'];
  if (typeof company !== 'object' || company === null || Array.isArray(company)) return changes;
  const id = (company as Rec)['id'];
  if (typeof id !== 'number') return changes;
  const found = store.collection('companies').get(id);
  const name = found?.['company_name'];
  return typeof name === 'string' ? { ...changes, company: { ...(company as Rec), id, company_name: name } } : changes;
}

/** Statuses an opt-in reason lifts to marketable (the spec's list for PUT /contacts); others stay as they are. */
const OPT_IN_LIFTS = new Set(['UnengagedMarketable', 'UnengagedNonMarketable', 'NonMarketable', 'ManualOptOut']);

/**
 * `opt_in_reason` is not stored: as in Keap, it marks the contact's addresses marketable (unconfirmed)
 * when their status allows it. Without one, imported addresses stay as they were (new: not marketable).
 */
function applyOptIn(record: Rec, reason: unknown): Rec {
  if (typeof reason !== 'string' || reason.trim() === '') return record;
  if (!OPT_IN_LIFTS.has(String(record['email_status'] ?? ''))) return record;
  return { ...record, email_opted_in: true, email_status: 'UnengagedMarketable' };
}

/** The body without `opt_in_reason`, and the reason. */
function takeOptIn(body: Rec): { changes: Rec; reason: unknown } {
  const { opt_in_reason: reason, ...changes } = body;
  return { changes, reason };
}

function contactTagIds(store: Store, contactId: number): number[] {
  const ids: number[] = [];
  for (const tagId of store.collection('tags').ids()) if (store.contactHasTag(contactId, tagId)) ids.push(tagId);
  return ids;
}

/** Contacts, their tags, emails and credit cards. */
export function addContactRoutes(table: RouteTable): void {
  addContactRecordRoutes(table);
  addContactTagRoutes(table);
  addContactEmailAndCardRoutes(table);
}

function addContactRecordRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
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
  add('GET', '/contacts/{id}', (req) =>
    ok(contactView(store, must(c('contacts'), idParam(req), 'Contact'), optionalProperties(req), true)),
  );
  add('POST', '/contacts', (req) => {
    const { changes: body, reason } = takeOptIn(withCompanyName(store, bodyObject(req)));
    validateContact(body, true);
    const record = applyOptIn(newContact(body, c('contacts').allocateId()), reason);
    c('contacts').put(record);
    return ok(contactView(store, record, new Set(['custom_fields', 'job_title', 'lead_source_id']), true), 201);
  });
  add('PUT', '/contacts', (req) => {
    const body = bodyObject(req);
    const option = body['duplicate_option'] ?? 'Email';
    if (option !== 'Email' && option !== 'EmailAndName')
      throw new HttpError(400, `Invalid duplicate_option '${String(option)}'. Allowed values: Email, EmailAndName`);
    const { changes, reason } = takeOptIn(withCompanyName(store, { ...body }));
    delete changes['duplicate_option'];
    validateContact(changes, false);
    const email = ((changes['email_addresses'] as Rec[] | undefined) ?? []).find((e) => e['field'] === 'EMAIL1')?.['email'];
    const existing =
      typeof email === 'string' ? findContactByEmail(store, email, option === 'EmailAndName' ? changes : undefined) : undefined;
    const all = new Set(['custom_fields', 'job_title', 'lead_source_id']);
    if (existing) {
      const record = applyOptIn(merge(existing, arraysAsKeapWrites('contacts', existing, changes), { last_updated: now() }), reason);
      c('contacts').put(record);
      return ok(contactView(store, record, all, true));
    }
    validateContact(changes, true);
    const record = applyOptIn(newContact(changes, c('contacts').allocateId()), reason);
    c('contacts').put(record);
    return ok(contactView(store, record, all, true));
  });
  add('PATCH', '/contacts/{id}', (req) => {
    const id = idParam(req);
    const existing = must(c('contacts'), id, 'Contact');
    const { changes: body, reason } = takeOptIn(withCompanyName(store, bodyObject(req)));
    validateContact(body, false);
    const record = applyOptIn(merge(existing, arraysAsKeapWrites('contacts', existing, body), { last_updated: now() }), reason);
    c('contacts').put(record);
    return ok(contactView(store, record, new Set(['custom_fields', 'job_title', 'lead_source_id']), true));
  });
  add('DELETE', '/contacts/{id}', (req) => {
    if (!c('contacts').remove(idParam(req))) throw notFound('Contact', req.params['id'] ?? '');
    return noContent;
  });
}

/** A contact as Keap creates one: its defaults, then what the body gives, stamped now. */
function newContact(body: Rec, id: number): Rec {
  const stamp = now();
  return merge(
    {
      id,
      email_opted_in: false,
      email_status: 'UnengagedNonMarketable',
      email_addresses: [],
      phone_numbers: [],
      addresses: [],
      fax_numbers: [],
      custom_fields: [],
      given_name: '',
      family_name: '',
      source_type: 'API',
      date_created: stamp,
    },
    body,
    { last_updated: stamp },
  );
}

function addContactTagRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
  add('GET', '/contacts/{id}/tags', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    const applied: Rec[] = [];
    for (const tagId of c('tags').ids()) {
      const date = store.contactHasTag(contactId, tagId);
      if (!date) continue;
      const tag = c('tags').get(tagId) as Rec;
      applied.push({
        date_applied: date,
        tag: { id: tagId, name: tag['name'], category: String((tag['category'] as Rec | undefined)?.['name'] ?? '') },
      });
    }
    return pageArray(req, 'tags', applied);
  });
  add('POST', '/contacts/{id}/tags', (req) => {
    const contactId = idParam(req);
    const tagIds = idList(bodyObject(req), 'tagIds');
    return ok(tagIds.map((tagId) => ({ [String(tagId)]: applyTag(store, contactId, tagId) })));
  });
  add('DELETE', '/contacts/{id}/tags', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    for (const tagId of idsQuery(req)) untagContact(store, contactId, tagId);
    return noContent;
  });
  add('DELETE', '/contacts/{id}/tags/{tagId}', (req) => {
    const contactId = idParam(req);
    must(c('contacts'), contactId, 'Contact');
    untagContact(store, contactId, idParam(req, 'tagId'));
    return noContent;
  });
}

function addContactEmailAndCardRoutes(table: RouteTable): void {
  const { add, collection: c } = table;
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
    return ok(
      contactId % 5 === 0
        ? [
            {
              id: contactId,
              card_type: 'Visa',
              card_number: '************0042',
              payment_method_id: `pm-${contactId}`,
              validation_status: 'Valid',
            },
          ]
        : [],
    );
  });
}

/** Finds a contact by its primary email (and names, for EmailAndName), overlay first. */
function findContactByEmail(store: Store, email: string, names?: Rec): Rec | undefined {
  const contacts = store.collection('contacts');
  const matches = (record: Rec): boolean => {
    const primary = ((record['email_addresses'] as Rec[] | undefined) ?? []).some(
      (e) => String(e['email']).toLowerCase() === email.toLowerCase(),
    );
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
