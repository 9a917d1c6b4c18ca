import type { ResourceDef, WriteBody } from '../types.js';
import { TRUE_OR_FALSE, FAX, FAX_KINDS, PHONE, PHONE_KINDS, PLAIN_ADDRESS, bool, dt, id, int, keyed, obj, str } from '../fields.js';

const USER_CREATE: WriteBody = { fields: 'writable', required: ['email', 'given_name'] };

export const users: ResourceDef = {
  name: 'users',
  aliases: ['user', 'User'],
  title: 'User',
  description: 'Users of the Keap account, with their email signature on request.',
  // Reads name it email_address, the create body email; the list has no filter on it.
  naturalKeys: [{ name: 'email', path: 'email_address', ignoreCase: true, bodyPath: 'email' }],
  fields: [
    id(),
    obj('address', PLAIN_ADDRESS, { readOnly: true }),
    str('company_name', { readOnly: true }),
    int('created_by', { readOnly: true }),
    dt('date_created', { readOnly: true }),
    str('email_address', { readOnly: true }),
    str('family_name', { readOnly: true }),
    keyed('fax_numbers', FAX, FAX_KINDS, { readOnly: true }),
    str('given_name'),
    int('global_user_id', { readOnly: true }),
    str('infusionsoft_id', { readOnly: true }),
    str('job_title', { readOnly: true }),
    dt('last_updated', { readOnly: true }),
    int('last_updated_by', { readOnly: true }),
    str('middle_name', { readOnly: true }),
    bool('partner'),
    keyed('phone_numbers', PHONE, PHONE_KINDS, { readOnly: true }),
    str('preferred_name', { readOnly: true }),
    str('status', { readOnly: true }),
    str('time_zone', { readOnly: true }),
    str('website', { readOnly: true }),
    bool('admin', { writeOnly: true, description: 'Create the user as an admin.' }),
    str('email', { description: 'Returned by Read current (email_address in other reads).' }),
    str('sub', { readOnly: true, description: 'Returned by Read current.' }),
  ],
  keyFields: ['id'],
  createdField: 'date_created',
  gathered: [
    {
      name: 'signature',
      path: '/users/{id}/signature',
      shape: { kind: 'object' },
      operationId: 'getUserSignatureUsingGET',
      description: "The user's email signature (one request per user).",
    },
  ],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/users',
      shape: { kind: 'page', key: 'users' },
      filters: ['include_inactive', 'include_partners'],
      listLacks: ['email', 'is_admin', 'sub'],
      operationId: 'listUsersUsingGET',
      filterTypes: { include_inactive: TRUE_OR_FALSE, include_partners: TRUE_OR_FALSE },
    },
    {
      id: 'read-current',
      kind: 'read-single',
      title: 'Read current',
      method: 'GET',
      path: '/oauth/connect/userinfo',
      shape: { kind: 'object' },
      operationId: 'getUserInfoUsingGET',
      note: 'The authenticated user (userinfo: email, given_name, family_name, sub, ...).',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/users',
      operationId: 'createUserUsingPOST',
      body: USER_CREATE,
      note: 'Keap sends the new user an invitation.',
    },
  ],
  deviations: [
    {
      what: 'admin is a boolean and write-only',
      why: "The seed types it ShortText; the spec's create body has a boolean admin that no read returns.",
    },
    {
      what: 'Only given_name, email, admin and partner are writable',
      why: "The spec's create body (the only write) takes just these; other fields are marked read-only.",
    },
  ],
};
