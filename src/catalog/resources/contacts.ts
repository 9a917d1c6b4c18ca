import type { ResourceDef, WriteBody } from '../types.js';
import {
  ADDRESS,
  ADDRESS_KINDS,
  EMAIL_ADDRESS,
  EMAIL_KINDS,
  FAX,
  FAX_KINDS,
  PHONE,
  PHONE_KINDS,
  bool,
  dt,
  id,
  int,
  keyed,
  obj,
  objs,
  str,
} from '../fields.js';
import { CUSTOM_FIELDS, arrayOf, contactArray, objectOf, oneOf, prop } from '../bodies.js';

/** `/tags/{tag_id}/contacts` wraps each contact: flatten it as the seed does. */
export const TAGGED_CONTACT_MAP = {
  id: 'contact.id',
  email: 'contact.email',
  given_name: 'contact.first_name',
  family_name: 'contact.last_name',
  date_applied: 'date_applied',
};

/** The properties of `/contacts/{id}/emails` and `/emails` list items. */
export const EMAIL_SUMMARY = [
  'id',
  'clicked_date',
  'contact_id',
  'headers',
  'opened_date',
  'original_provider',
  'original_provider_id',
  'received_date',
  'sent_date',
  'sent_from_address',
  'sent_from_reply_address',
  'sent_to_address',
  'sent_to_bcc_addresses',
  'sent_to_cc_addresses',
  'subject',
];

const DUPLICATE_OPTIONS = ['Email', 'EmailAndName'];
const SOURCE_TYPES = [
  'APPOINTMENT',
  'FORMAPIHOSTED',
  'FORMAPIINTERNAL',
  'WEBFORM',
  'INTERNALFORM',
  'LANDINGPAGE',
  'IMPORT',
  'MANUAL',
  'API',
  'OTHER',
  'UNKNOWN',
];
const SOCIAL_TYPES = ['Facebook', 'Twitter', 'LinkedIn', 'Instagram', 'Snapchat', 'YouTube', 'Pinterest'];

/** What the contact bodies take beyond, or unlike, the record's fields (anniversary is plain text, `yyyy-MM-dd` in the spec's example). */
const CONTACT_PROPERTIES = [
  prop('anniversary', 'string'),
  objectOf('company', { id: 'integer' }),
  arrayOf('social_accounts', { name: 'string', type: SOCIAL_TYPES }),
  oneOf('source_type', SOURCE_TYPES),
  CUSTOM_FIELDS,
  prop('opt_in_reason', 'string'),
  objectOf('origin', { ip_address: 'string' }),
];
const CONTACT_REQUIRED = ['addresses.field', 'email_addresses.field', 'fax_numbers.field', 'phone_numbers.field', 'origin.ip_address'];
/** Rules for a new contact, stated in the create and upsert descriptions only. */
const NEW_CONTACT_RULES: WriteBody['rules'] = [
  {
    kind: 'one-of',
    fields: ['email_addresses', 'phone_numbers'],
    quote: 'must contain at least one item in `email_addresses` or `phone_numbers`',
  },
  {
    kind: 'requires',
    field: 'addresses.country_code',
    when: 'addresses.region',
    quote: '`country_code` is required if `region` is specified',
  },
];
const CONTACT_CREATE: WriteBody = {
  fields: 'writable',
  properties: CONTACT_PROPERTIES,
  required: CONTACT_REQUIRED,
  rules: NEW_CONTACT_RULES,
};
const CONTACT_UPDATE: WriteBody = { fields: 'writable', properties: CONTACT_PROPERTIES, required: CONTACT_REQUIRED };
const CONTACT_UPSERT: WriteBody = {
  fields: 'writable',
  properties: [...CONTACT_PROPERTIES, oneOf('duplicate_option', DUPLICATE_OPTIONS)],
  required: CONTACT_REQUIRED,
  rules: NEW_CONTACT_RULES,
  options: ['duplicate_option'],
};

export const contacts: ResourceDef = {
  name: 'contacts',
  aliases: ['contact', 'Contact', 'people', 'person'],
  title: 'Contact',
  description: 'Contacts, with custom fields, and their emails and tags on request.',
  fields: [
    id(),
    str('ScoreValue', { readOnly: true }),
    keyed('addresses', ADDRESS, ADDRESS_KINDS),
    dt('anniversary'),
    dt('birthday'),
    obj('company', ['company_name', 'id']),
    str('company_name', { readOnly: true }),
    str('contact_type'),
    dt('date_created', { readOnly: true }),
    keyed('email_addresses', EMAIL_ADDRESS, EMAIL_KINDS),
    bool('email_opted_in', { readOnly: true }),
    str('email_status', { readOnly: true }),
    str('family_name'),
    keyed('fax_numbers', FAX, FAX_KINDS),
    str('given_name'),
    str('job_title'),
    dt('last_updated', { readOnly: true }),
    int('lead_source_id'),
    str('middle_name'),
    int('owner_id'),
    keyed('phone_numbers', PHONE, PHONE_KINDS),
    str('preferred_locale'),
    str('preferred_name'),
    str('prefix'),
    objs('social_accounts', ['name', 'type']),
    str('source_type'),
    str('spouse_name'),
    str('suffix'),
    str('time_zone'),
    str('website'),
  ],
  keyFields: ['id'],
  updatedField: 'last_updated',
  createdField: 'date_created',
  // Keap's email filter is documented only as "email address to query on"; any of a contact's addresses counts.
  naturalKeys: [
    { name: 'email', path: 'email_addresses.email', filter: 'email', ignoreCase: true, bodyPath: 'email_addresses.EMAIL1.email' },
  ],
  duplicateOptions: DUPLICATE_OPTIONS,
  arrayWrites: [
    contactArray('addresses', 'field'),
    contactArray('email_addresses', 'field'),
    contactArray('fax_numbers', 'field'),
    contactArray('phone_numbers', 'field'),
    // A contact has one account per network, as Keap's v2 form shows it.
    contactArray('social_accounts', 'type'),
    contactArray('custom_fields', 'id'),
  ],
  customFields: { modelPath: '/contacts/model', via: 'list' },
  gathered: [
    {
      name: 'emails',
      path: '/contacts/{id}/emails',
      shape: { kind: 'page', key: 'emails' },
      operationId: 'listEmailsForContactUsingGET',
      components: EMAIL_SUMMARY,
      description: 'Emails sent to the contact (one request per contact).',
    },
    {
      name: 'tags',
      path: '/contacts/{id}/tags',
      shape: { kind: 'page', key: 'tags' },
      operationId: 'listAppliedTagsUsingGET',
      components: ['date_applied', 'tag'],
      description: 'Tags applied to the contact (one request per contact, or read from every tag: --gather).',
      orderBy: 'tag.id',
      inverse: {
        groups: { path: '/tags', shape: { kind: 'page', key: 'tags' }, operationId: 'listTagsUsingGET' },
        members: { path: '/tags/{id}/contacts', shape: { kind: 'page', key: 'contacts' }, operationId: 'listContactsForTagIdUsingGET' },
        recordId: 'contact.id',
        stamp: 'date_applied',
        element: {
          date_applied: 'member.date_applied',
          'tag.id': 'group.id',
          'tag.name': 'group.name',
          'tag.category': 'group.category.name',
        },
        absent: { 'tag.category': '' },
      },
    },
  ],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/contacts',
      shape: { kind: 'page', key: 'contacts' },
      dateFilter: { since: 'since', until: 'until', field: 'last_updated', kind: 'updated' },
      filters: ['email', 'family_name', 'given_name'],
      query: { optional_properties: 'lead_source_id,job_title' },
      stableOrder: { order: 'id', order_direction: 'ASCENDING' },
      // The spec's RestPartialContact, against getContactUsingGET's FullContact.
      listLacks: ['opt_in_reason', 'origin', 'relationships', 'tag_ids'],
      operationId: 'listContactsUsingGET',
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/contacts/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Contact id.' }],
      query: { optional_properties: 'lead_source_id,job_title' },
      operationId: 'getContactUsingGET',
    },
    {
      id: 'read-by-tag',
      kind: 'read',
      title: 'Read tag',
      method: 'GET',
      path: '/tags/{tag_id}/contacts',
      shape: { kind: 'page', key: 'contacts' },
      params: [{ name: 'tag_id', description: 'Tag id: the contacts that carry this tag.' }],
      recordMap: TAGGED_CONTACT_MAP,
      operationId: 'listContactsForTagIdUsingGET',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/contacts',
      operationId: 'createContactUsingPOST',
      body: CONTACT_CREATE,
    },
    {
      id: 'update',
      kind: 'update',
      title: 'Update',
      method: 'PATCH',
      path: '/contacts/{id}',
      operationId: 'updatePropertiesOnContactUsingPATCH',
      body: CONTACT_UPDATE,
    },
    {
      id: 'upsert',
      kind: 'upsert',
      title: 'Upsert',
      method: 'PUT',
      path: '/contacts',
      operationId: 'createOrUpdateContactUsingPUT',
      body: CONTACT_UPSERT,
      note: 'Sends duplicate_option (Email or EmailAndName): a match is updated, otherwise a contact is created.',
    },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/contacts/{id}', operationId: 'deleteContactUsingDELETE' },
  ],
  deviations: [
    {
      what: 'Reads ask for lead_source_id and job_title',
      why: 'GET /contacts and /contacts/{id} omit them unless optional_properties names them (spec); a complete export needs them.',
    },
    {
      what: 'Upsert added (PUT /contacts)',
      why: 'Not in the seed; the spec has createOrUpdateContactUsingPUT with duplicate_option Email|EmailAndName.',
    },
    {
      what: 'Custom fields come with the list',
      why: 'The seed gathers them from /contacts/{id} per record; the spec lets GET /contacts return them with optional_properties=custom_fields.',
    },
    {
      what: 'Update operationId is updatePropertiesOnContactUsingPATCH',
      why: "The seed's documentation link names updatePropertiesOnContactUsingPATCH_2, which the spec does not have.",
    },
    { what: 'phone_numbers components include number_e164', why: "The seed's PhoneNum template lacks it; the spec's phone schema has it." },
    {
      what: 'ScoreValue, company_name, email_opted_in, email_status and last_updated are read-only',
      why: "The spec's create, update and upsert bodies do not accept them.",
    },
    {
      what: 'The emails gathered field lists the spec components',
      why: 'The seed uses the Email template, whose html_content and plain_content are not in /contacts/{contactId}/emails items.',
    },
  ],
};
