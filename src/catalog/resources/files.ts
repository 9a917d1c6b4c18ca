import type { ResourceDef, WriteBody } from '../types.js';
import { WHOLE_NUMBER, bool, dt, field, id, int, str, enumParam } from '../fields.js';
import { oneOf } from '../bodies.js';

const DESCRIPTOR_FIELDS = [
  'id', 'category', 'contact_id', 'created_by', 'date_created', 'download_url', 'file_box_type', 'file_name', 'file_size',
  'last_updated', 'public', 'remote_file_key',
];

/** Create and update (PUT) take the same body: the whole file again. */
const FILE_BODY: WriteBody = {
  fields: 'writable',
  properties: [oneOf('file_association', ['CONTACT', 'USER', 'COMPANY'])],
  required: ['file_association', 'file_data', 'file_name', 'is_public'],
  rules: [{ kind: 'requires', field: 'contact_id', when: 'file_association', equals: 'CONTACT', quote: '`contact_id` is required only when `file_association` is `CONTACT`' }],
};

export const files: ResourceDef = {
  name: 'files',
  aliases: ['file', 'File'],
  title: 'File',
  description: 'Files in the file box; the content (base64) comes with --include file_data.',
  fields: [
    id(),
    field('file_data', 'binary', { writeOnly: true, description: 'Base64 content; exported with --include file_data.' }),
    str('category', { readOnly: true }),
    int('contact_id'),
    int('created_by', { readOnly: true }),
    dt('date_created', { readOnly: true }),
    str('download_url', { readOnly: true }),
    str('file_box_type', { readOnly: true }),
    str('file_name'),
    int('file_size', { readOnly: true }),
    dt('last_updated', { readOnly: true }),
    bool('public'),
    str('remote_file_key', { readOnly: true }),
    str('file_association', { writeOnly: true, description: 'What the file belongs to.' }),
    bool('is_public', { writeOnly: true }),
  ],
  keyFields: ['id'],
  gathered: [
    {
      name: 'file_data', path: '/files/{id}', shape: { kind: 'object' }, pick: 'file_data', query: { optional_properties: 'file_data' },
      operationId: 'getFileUsingGET', description: 'The file content, base64 (one request per file).',
    },
  ],
  actions: [
    {
      id: 'read', kind: 'read', title: 'Read', method: 'GET', path: '/files', shape: { kind: 'page', key: 'files' },
      filters: ['contact_id', 'name', 'permission', 'type', 'viewable'], operationId: 'listFilesUsingGET',
      filterTypes: {
        contact_id: WHOLE_NUMBER, permission: enumParam('USER', 'COMPANY', 'BOTH'), viewable: enumParam('PUBLIC', 'PRIVATE', 'BOTH'),
        type: enumParam('Application', 'Image', 'Fax', 'Attachment', 'Ticket', 'Contact', 'DigitalProduct', 'Import', 'Hidden', 'WebForm', 'StyledCart', 'ReSampledImage', 'TemplateThumbnail', 'Funnel', 'LogoThumbnail', 'Unlayer', 'BrandingCenterLogo'),
      },
    },
    {
      id: 'read-single', kind: 'read-single', title: 'Read single', method: 'GET', path: '/files/{id}', shape: { kind: 'object' },
      params: [{ name: 'id', description: 'File id.' }], query: { optional_properties: 'file_data' },
      recordMap: { ...Object.fromEntries(DESCRIPTOR_FIELDS.map((name) => [name, `file_descriptor.${name}`])), file_data: 'file_data' },
      operationId: 'getFileUsingGET',
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/files', operationId: 'createFileUsingPOST', body: FILE_BODY },
    { id: 'update', kind: 'update', title: 'Update', method: 'PUT', path: '/files/{id}', operationId: 'updateFileUsingPUT', body: FILE_BODY },
    { id: 'delete', kind: 'delete', title: 'Delete', method: 'DELETE', path: '/files/{id}', operationId: 'deleteFileUsingDELETE' },
  ],
  deviations: [
    { what: 'Read single is GET /files/{id}', why: 'The seed gives the action no endpoint; the spec has getFileUsingGET, which nests the record in file_descriptor and sends file_data only with optional_properties=file_data.' },
    { what: 'file_data is binary (base64 text)', why: 'The seed types it DT_IMAGE; the API sends and accepts a base64 string.' },
  ],
};
