import type { ResourceDef, WriteBody } from '../types.js';
import { WHOLE_NUMBER, dt, id, int, obj, str } from '../fields.js';
import { oneOf } from '../bodies.js';

const NOTE_TYPES = oneOf('type', ['Appointment', 'Call', 'Email', 'Fax', 'Letter', 'Other']);
const NOTE_CREATE: WriteBody = {
  fields: 'writable',
  properties: [NOTE_TYPES],
  required: ['contact_id'],
  rules: [{ kind: 'one-of', fields: ['title', 'body'], quote: 'Either a "title" or "body" is required' }],
};
const NOTE_UPDATE: WriteBody = { fields: 'writable', properties: [NOTE_TYPES] };

export const notes: ResourceDef = {
  name: 'notes',
  aliases: ['note', 'Note'],
  title: 'Note',
  description: 'Notes on contacts. No date filter: every export is a full one.',
  fields: [
    id(),
    str('body'),
    int('contact_id'),
    dt('date_created', { readOnly: true }),
    dt('last_updated', { readOnly: true }),
    obj('last_updated_by', ['family_name', 'given_name', 'user_id'], { readOnly: true }),
    str('title'),
    str('type'),
    int('user_id'),
  ],
  keyFields: ['id'],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/notes',
      shape: { kind: 'page', key: 'notes' },
      filters: ['contact_id', 'user_id'],
      operationId: 'listNotesUsingGET',
      filterTypes: { contact_id: WHOLE_NUMBER, user_id: WHOLE_NUMBER },
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/notes/{id}',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'Note id.' }],
      operationId: 'getNoteUsingGET',
    },
    {
      id: 'create',
      kind: 'create',
      title: 'Create',
      method: 'POST',
      path: '/notes',
      operationId: 'createNoteUsingPOST',
      body: NOTE_CREATE,
    },
    {
      id: 'update',
      kind: 'update',
      title: 'Update',
      method: 'PATCH',
      path: '/notes/{id}',
      operationId: 'updatePropertiesOnNoteUsingPATCH',
      body: NOTE_UPDATE,
    },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/notes/{id}', operationId: 'deleteNoteUsingDELETE' },
  ],
};
