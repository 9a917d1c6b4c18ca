/** Tasks. */
import type { Rec } from '../generate.js';
import { ok, type ApiRequest } from './http.js';
import { page } from './paging.js';
import { clean, merge, must, now } from './records.js';
import { equalityFilter, idParam } from './request.js';
import type { RouteTable } from './table.js';

export function addTaskRoutes(table: RouteTable): void {
  const { add, crud, collection: c } = table;
  const taskFilter = (req: ApiRequest): ((r: Rec) => boolean) | undefined => {
    const base = equalityFilter(req, {
      contact_id: (r) => (r['contact'] as Rec | undefined)?.['id'],
      user_id: (r) => r['user_id'],
      completed: (r) => String(Boolean(r['completed'])),
    });
    const dueWanted = req.query.get('has_due_date');
    if (dueWanted !== 'true' && dueWanted !== 'false') return base;
    return (r) => (!base || base(r)) && String(r['due_date'] !== undefined) === dueWanted;
  };
  add('GET', '/tasks', (req) => {
    const where = taskFilter(req);
    return page(req, c('tasks'), { key: 'tasks', ...(where ? { where } : {}), extra: { sync_token: 'sandbox-sync' } });
  });
  add('GET', '/tasks/search', (req) => {
    const where = taskFilter(req);
    // Tasks of the authenticated user (user 1 in the sandbox).
    return page(req, c('tasks'), {
      key: 'tasks',
      where: (r) => r['user_id'] === 1 && (!where || where(r)),
      extra: { sync_token: 'sandbox-sync' },
    });
  });
  add('GET', '/tasks/{id}', (req) => ok(clean(must(c('tasks'), idParam(req), 'Task'))));
  crud('/tasks', 'tasks', 'Task', {
    create: {
      status: 200,
      build: (body, id) => {
        const stamp = now();
        return merge({ id, completed: false, priority: 1, creation_date: stamp, user_id: 1 }, body, { modification_date: stamp });
      },
    },
    patch: true,
    put: true,
    del: true,
    stampField: 'modification_date',
  });
}
