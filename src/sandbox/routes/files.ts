/** Files: descriptors, and their content (base64) when asked for. */
import { fileContent, type Rec } from '../generate.js';
import { HttpError, noContent, ok } from './http.js';
import { page } from './paging.js';
import { clean, must, notFound, now } from './records.js';
import { bodyObject, equalityFilter, idParam, optionalProperties, requireFields } from './request.js';
import type { RouteTable } from './table.js';

function fileView(record: Rec, withData: boolean): Rec {
  const out: Rec = { file_descriptor: clean(record) };
  if (withData)
    out['file_data'] =
      typeof record['__data'] === 'string' ? record['__data'] : Buffer.from(fileContent(record['id'] as number)).toString('base64');
  return out;
}

export function addFileRoutes(table: RouteTable): void {
  const { add, collection: c } = table;
  add('GET', '/files', (req) => {
    const where = equalityFilter(req, {
      contact_id: (r) => r['contact_id'],
      name: (r) => r['file_name'],
      type: (r) => r['file_box_type'],
      permission: (r) => (r['public'] ? 'BOTH' : 'USER'),
    });
    return page(req, c('files'), { key: 'files', ...(where ? { where } : {}) });
  });
  add('GET', '/files/{id}', (req) => ok(fileView(must(c('files'), idParam(req), 'File'), optionalProperties(req).has('file_data'))));
  const fileRecord = (body: Rec, id: number, previous?: Rec): Rec => {
    requireFields(body, ['file_name', 'file_data', 'file_association']);
    if (typeof body['is_public'] !== 'boolean') throw new HttpError(400, 'is_public is required');
    const data = Buffer.from(String(body['file_data']), 'base64');
    const stamp = now();
    return {
      id,
      file_name: body['file_name'],
      file_size: data.length,
      public: body['is_public'],
      category: 'Documents',
      file_box_type: body['file_association'] === 'CONTACT' ? 'Contact' : 'Application',
      contact_id: Number(body['contact_id'] ?? 0),
      created_by: 1,
      remote_file_key: `key-${id}`,
      download_url: `https://files.example.com/download/${id}`,
      date_created: previous?.['date_created'] ?? stamp,
      last_updated: stamp,
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
}
