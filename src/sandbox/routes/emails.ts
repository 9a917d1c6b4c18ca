/** Emails (the sent-email records; those of one contact are in contacts.ts). */
import { ok } from './http.js';
import { page } from './paging.js';
import { clean, must, without } from './records.js';
import { equalityFilter, idParam } from './request.js';
import type { RouteTable } from './table.js';

export function addEmailRoutes(table: RouteTable): void {
  const { add, crud, collection: c } = table;
  add('GET', '/emails', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'], email: (r) => r['sent_to_address'] });
    return page(req, c('emails'), {
      key: 'emails',
      since: 'since_sent_date',
      until: 'until_sent_date',
      ...(where ? { where } : {}),
      view: (r) => without(r, ['html_content', 'plain_content']),
    });
  });
  add('GET', '/emails/{id}', (req) => ok(clean(must(c('emails'), idParam(req), 'Email'))));
  // No PUT /emails/{id}: the spec has none (the seed's updateEmailUsingPUT is gone).
  crud('/emails', 'emails', 'Email', { create: { status: 201, required: ['sent_to_address'] }, del: true });
}
