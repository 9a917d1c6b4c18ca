/** Tags, tag categories, and the contacts and companies a tag is applied to. */
import { tagCategories, type Rec } from '../generate.js';
import { HttpError, noContent, ok } from './http.js';
import { page, pageArray, pageBody, pageParams } from './paging.js';
import { clean, must } from './records.js';
import { bodyObject, equalityFilter, idList, idParam, idsQuery, requireFields } from './request.js';
import type { Store } from '../store.js';
import type { RouteTable } from './table.js';
import { applyTag, untagContact } from './tagging.js';

export function addTagRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
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
  const categoriesOf = (): Rec[] => [...tagCategories, ...((store.singletons.get('tag-categories')?.['items'] as Rec[] | undefined) ?? [])];
  add('POST', '/tags/categories', (req) => {
    const body = bodyObject(req);
    requireFields(body, ['name']);
    const all = categoriesOf();
    const category = {
      id: Math.max(...all.map((cat) => Number(cat['id']))) + 1,
      name: body['name'],
      description: body['description'] ?? '',
    };
    store.singletons.set('tag-categories', { items: [...all.slice(tagCategories.length), category] });
    return ok(category);
  });
  add('GET', '/tags/{id}/contacts', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    // The tag's members (ascending ids, as the other direction sees them), live contacts only.
    const contacts = c('contacts');
    const tagged = liveMembers(store, tagId);
    const { limit, offset } = pageParams(req);
    const records = Array.from(tagged.slice(offset, offset + limit), (contactId) => {
      const contact = contacts.get(contactId) as Rec;
      const date = store.contactHasTag(contactId, tagId) as string;
      const email = ((contact['email_addresses'] as Rec[] | undefined) ?? []).find((e) => e['field'] === 'EMAIL1')?.['email'];
      return {
        date_applied: date,
        contact: { id: contactId, first_name: contact['given_name'] ?? '', last_name: contact['family_name'] ?? '', email: email ?? '' },
      };
    });
    return { status: 200, body: pageBody(req, 'contacts', records, tagged.length, limit, offset) };
  });
  add('POST', '/tags/{id}/contacts', (req) => {
    const tagId = idParam(req);
    const contactIds = idList(bodyObject(req), 'ids');
    return ok(contactIds.map((contactId) => ({ [String(contactId)]: applyTag(store, contactId, tagId) })));
  });
  add('DELETE', '/tags/{id}/contacts', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    for (const contactId of idsQuery(req)) untagContact(store, contactId, tagId);
    return noContent;
  });
  add('DELETE', '/tags/{id}/contacts/{contactId}', (req) => {
    const tagId = idParam(req);
    must(c('tags'), tagId, 'Tag');
    untagContact(store, idParam(req, 'contactId'), tagId);
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
      tagged.push({
        date_applied: date,
        company: { id: companyId, company_name: company['company_name'] ?? '', email: company['email_address'] ?? '' },
      });
    }
    return pageArray(req, 'companies', tagged);
  });
}

/** The tag's members that are live contacts; the generated list itself when none was deleted. */
function liveMembers(store: Store, tagId: number): Int32Array | number[] {
  const members = store.contactTags.members(tagId);
  const contacts = store.collection('contacts');
  if (contacts.deleted.size === 0 && members instanceof Int32Array) return members;
  return Array.from(members).filter((id) => contacts.has(id));
}
