/** Notes. */
import { HttpError, ok } from './http.js';
import { page } from './paging.js';
import { clean, merge, must, now } from './records.js';
import { equalityFilter, idParam } from './request.js';
import type { RouteTable } from './table.js';

export function addNoteRoutes(table: RouteTable): void {
  const { add, crud, collection: c } = table;
  add('GET', '/notes', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'], user_id: (r) => r['user_id'] });
    return page(req, c('notes'), { key: 'notes', ...(where ? { where } : {}) });
  });
  add('GET', '/notes/{id}', (req) => ok(clean(must(c('notes'), idParam(req), 'Note'))));
  crud('/notes', 'notes', 'Note', {
    create: {
      status: 201,
      required: ['contact_id'],
      validate: (body) => {
        if (!c('contacts').has(Number(body['contact_id'])))
          throw new HttpError(400, `Contact with id ${String(body['contact_id'])} not found`);
      },
      build: (body, id) => merge({ id, title: '', body: '', type: 'Other', date_created: now() }, body, { last_updated: now() }),
    },
    patch: true,
    put: { required: ['contact_id'] },
    del: true,
    stampField: 'last_updated',
  });
}
