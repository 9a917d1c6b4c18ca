/** Users and their email signatures. */
import { ok } from './http.js';
import { page } from './paging.js';
import { must, now } from './records.js';
import { idParam } from './request.js';
import type { RouteTable } from './table.js';

export function addUserRoutes(table: RouteTable): void {
  const { add, crud, collection: c } = table;
  add('GET', '/users', (req) => page(req, c('users'), { key: 'users' }));
  add('GET', '/users/{id}/signature', (req) => {
    const user = must(c('users'), idParam(req), 'User');
    return ok(`<p>${String(user['given_name'])} ${String(user['family_name'])}<br>Sandbox Co. ☎ 0044 20 7946 0000</p>`);
  });
  crud('/users', 'users', 'User', {
    create: {
      status: 201,
      required: ['email', 'given_name'],
      build: (body, id) => ({
        id,
        email_address: body['email'],
        given_name: body['given_name'],
        family_name: '',
        partner: Boolean(body['partner']),
        status: 'Invited',
        date_created: now(),
        last_updated: now(),
      }),
    },
  });
}
