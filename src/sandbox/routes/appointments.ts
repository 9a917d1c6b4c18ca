/** Appointments. */
import { ok } from './http.js';
import { page } from './paging.js';
import { clean, must } from './records.js';
import { equalityFilter, idParam } from './request.js';
import type { RouteTable } from './table.js';

export function addAppointmentRoutes(table: RouteTable): void {
  const { add, crud, collection: c } = table;
  add('GET', '/appointments', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    return page(req, c('appointments'), { key: 'appointments', ...(where ? { where } : {}), extra: { sync_token: 'sandbox-sync' } });
  });
  add('GET', '/appointments/{id}', (req) => ok(clean(must(c('appointments'), idParam(req), 'Appointment'))));
  crud('/appointments', 'appointments', 'Appointment', {
    create: { status: 201, required: ['title', 'start_date', 'end_date'] },
    patch: { required: ['title', 'start_date', 'end_date'] },
    put: { required: ['title', 'start_date', 'end_date'] },
    del: true,
  });
}
