import type { ResourceDef, WriteBody } from '../types.js';
import { objectOf } from '../bodies.js';
import { ADDRESS, ADDRESS_KINDS, list, obj, str } from '../fields.js';

/** PUT /account/profile: every field, with an address whose `field` is required. */
const PROFILE_BODY: WriteBody = {
  fields: 'writable',
  properties: [
    objectOf('address', {
      country_code: 'string',
      field: ADDRESS_KINDS,
      line1: 'string',
      line2: 'string',
      locality: 'string',
      postal_code: 'string',
      region: 'string',
      zip_code: 'string',
      zip_four: 'string',
    }),
  ],
  required: ['address.field'],
};

export const accountProfile: ResourceDef = {
  name: 'account-profile',
  aliases: ['account_profile', 'account-profiles', 'account', 'profile', 'Account Profile', 'AccountProfile'],
  title: 'Account Profile',
  description: "The Keap account's business profile: one record.",
  fields: [
    obj('address', ADDRESS),
    list('business_goals', 'string'),
    str('business_primary_color'),
    str('business_secondary_color'),
    str('business_type'),
    str('currency_code'),
    str('email'),
    str('language_tag'),
    str('logo_url'),
    str('name'),
    str('phone'),
    str('phone_ext'),
    str('time_zone'),
    str('website'),
  ],
  keyFields: [],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/account/profile',
      shape: { kind: 'object' },
      operationId: 'getAccountProfileUsingGET',
    },
    {
      id: 'update',
      kind: 'update',
      title: 'Update',
      method: 'PUT',
      path: '/account/profile',
      operationId: 'updateAccountInfoUsingPUT',
      body: PROFILE_BODY,
      note: 'PUT replaces the profile: send every field, not only the changed ones.',
    },
  ],
  deviations: [
    {
      what: 'Update uses PUT, not PATCH',
      why: "The seed's Base template makes Update a PATCH; the spec has only PUT /account/profile (updateAccountInfoUsingPUT).",
    },
    { what: 'business_goals is an array of strings', why: 'The seed types it as a LongText composite; the spec has an array of strings.' },
  ],
};
