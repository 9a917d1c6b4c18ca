/** Companies. */
import { ok } from './http.js';
import { orderKeys, page } from './paging.js';
import { clean, must, withOptional } from './records.js';
import { equalityFilter, idParam, optionalProperties } from './request.js';
import type { RouteTable } from './table.js';

export function addCompanyRoutes(table: RouteTable): void {
  const { add, crud, collection: c } = table;
  add('GET', '/companies', (req) => {
    const asked = optionalProperties(req);
    const where = equalityFilter(req, { company_name: (r) => r['company_name'] });
    const orders = orderKeys(['id', 'date_created', 'name', 'email'], { name: (r) => r['company_name'], email: (r) => r['email_address'] });
    return page(req, c('companies'), {
      key: 'companies',
      ...(where ? { where } : {}),
      view: (r) => withOptional(r, 'companies', asked),
      orders,
    });
  });
  add('GET', '/companies/{id}', (req) =>
    ok(withOptional(must(c('companies'), idParam(req), 'Company'), 'companies', optionalProperties(req))),
  );
  crud('/companies', 'companies', 'Company', {
    create: { status: 201, required: ['company_name'] },
    patch: { required: ['company_name'] },
    view: (r) => clean(r),
  });
}
