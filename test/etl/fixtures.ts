/** Small hand-made resources shaped like Keap's, so these tests do not depend on the real catalog. */
import type { ResourceDef } from '../../src/catalog/types.js';

export const contactsResource: ResourceDef = {
  name: 'contacts',
  aliases: ['contact'],
  title: 'Contact',
  description: 'People',
  keyFields: ['id'],
  updatedField: 'last_updated',
  customFields: { modelPath: '/contacts/model', via: 'list' },
  fields: [
    { name: 'id', type: 'integer', key: true, readOnly: true },
    { name: 'given_name', type: 'string' },
    { name: 'family_name', type: 'string' },
    {
      name: 'email_addresses',
      type: 'array',
      items: 'object',
      components: ['email', 'field'],
      discriminator: 'field',
      discriminatorValues: ['EMAIL1', 'EMAIL2', 'EMAIL3'],
    },
    {
      name: 'phone_numbers',
      type: 'array',
      items: 'object',
      components: ['extension', 'field', 'number', 'type'],
      discriminator: 'field',
      discriminatorValues: ['PHONE1', 'PHONE2'],
    },
    {
      name: 'addresses',
      type: 'array',
      items: 'object',
      components: ['line1', 'line2', 'locality', 'region', 'postal_code', 'country_code', 'zip_code', 'zip_four', 'field'],
      discriminator: 'field',
      discriminatorValues: ['BILLING', 'SHIPPING', 'OTHER'],
    },
    { name: 'company', type: 'object', components: ['id', 'company_name'] },
    { name: 'tag_ids', type: 'array', items: 'integer' },
    { name: 'score', type: 'number' },
    { name: 'opt_in', type: 'boolean' },
    { name: 'origin', type: 'object' },
    { name: 'last_updated', type: 'datetime', readOnly: true },
  ],
  gathered: [
    {
      name: 'tags',
      path: '/contacts/{id}/tags',
      shape: { kind: 'page', key: 'tags' },
      components: ['tag', 'date_applied'],
      operationId: 'listAppliedTagsUsingGET',
      description: 'Tags applied to the contact',
    },
  ],
  actions: [],
};

/** A /model body with a duplicate label and a label containing a dot. */
export const contactsModelBody = {
  custom_fields: [
    { id: 12, label: 'Favourite colour', field_type: 'Text', field_name: 'FavouriteColour' },
    { id: 7, label: 'Shoe size', field_type: 'WholeNumber' },
    { id: 30, label: 'Favourite colour', field_type: 'Text' },
    { id: 4, label: 'v1.2 notes', field_type: 'TextArea' },
  ],
  optional_properties: ['custom_fields'],
};
