import type { ResourceDef, WriteBody } from '../types.js';
import { WHOLE_NUMBER, id, obj, str } from '../fields.js';
import { objectOf } from '../bodies.js';
import { TAGGED_COMPANY_MAP } from './companies.js';
import { TAGGED_CONTACT_MAP } from './contacts.js';

const TAG_CREATE: WriteBody = {
  fields: 'writable',
  properties: [objectOf('category', { id: 'integer' })],
  required: ['category.id', 'name'],
};

export const tags: ResourceDef = {
  name: 'tags',
  aliases: ['tag', 'Tag'],
  title: 'Tag',
  description: 'Tags, with the contacts and companies that carry them on request.',
  fields: [id(), obj('category', ['id', 'description', 'name']), str('description'), str('name')],
  keyFields: ['id'],
  naturalKeys: [{ name: 'name', path: 'name', filter: 'name', bodyPath: 'name' }],
  gathered: [
    {
      name: 'companies',
      path: '/tags/{id}/companies',
      shape: { kind: 'page', key: 'companies' },
      recordMap: TAGGED_COMPANY_MAP,
      operationId: 'listCompaniesForTagIdUsingGET',
      components: Object.keys(TAGGED_COMPANY_MAP),
      description: 'Companies that carry the tag (one request per tag).',
    },
    {
      name: 'contacts',
      path: '/tags/{id}/contacts',
      shape: { kind: 'page', key: 'contacts' },
      recordMap: TAGGED_CONTACT_MAP,
      operationId: 'listContactsForTagIdUsingGET',
      components: Object.keys(TAGGED_CONTACT_MAP),
      description: 'Contacts that carry the tag (one request per tag).',
    },
  ],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/tags',
      shape: { kind: 'page', key: 'tags' },
      filters: ['category', 'name'],
      operationId: 'listTagsUsingGET',
      filterTypes: { category: WHOLE_NUMBER },
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/tags/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Tag id.' }],
      operationId: 'getTagUsingGET',
    },
    {
      id: 'read-contacts',
      kind: 'read',
      title: 'Read Tagged Contacts',
      method: 'GET',
      path: '/tags/{tag_id}/contacts',
      shape: { kind: 'page', key: 'contacts' },
      params: [{ name: 'tag_id', description: 'Tag id.' }],
      recordMap: TAGGED_CONTACT_MAP,
      operationId: 'listContactsForTagIdUsingGET',
      note: 'Records are contacts (id, email, given_name, family_name, date_applied), as in contacts --action read-by-tag.',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/tags', operationId: 'createTagUsingPOST', body: TAG_CREATE },
  ],
  deviations: [
    {
      what: 'contactid dropped',
      why: 'No tag schema in the spec has it; applying tags to contacts is POST /tags/{tagId}/contacts, which the catalog does not model.',
    },
    {
      what: 'Read Tagged Contacts param is tag_id and its records are flattened',
      why: 'The seed reuses id (clashing with Read single) and returns the raw {contact, date_applied} items.',
    },
  ],
};
