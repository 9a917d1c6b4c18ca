/**
 * The route table each resource family's module adds its routes to, with the create/patch/put/
 * delete routes that plain collections share.
 */
import type { Rec } from '../generate.js';
import type { Collection, Store } from '../store.js';
import { checkEmailFields } from './email.js';
import { noContent, ok, type ApiRequest, type ApiResponse, type Handler, type Route } from './http.js';
import { clean, merge, must, notFound, now } from './records.js';
import { bodyObject, idParam, requireFields } from './request.js';
import { arraysAsKeapWrites } from './writes.js';

/** What `crud` adds for a collection: each key present adds that route. */
export interface CrudOptions {
  create?: { status: number; required?: string[]; build?: (body: Rec, id: number) => Rec; validate?: (body: Rec) => void };
  /** true, or the properties the spec's PATCH/PUT body requires (some reuse the create schema). */
  patch?: true | { required: string[] };
  put?: true | { required: string[] };
  del?: boolean;
  view?: (record: Rec) => Rec;
  stampField?: string;
}

export class RouteTable {
  private readonly routes: Route[] = [];

  constructor(readonly store: Store) {}

  // Arrow properties, so that route modules can destructure them (`const { add, crud } = table`).
  readonly add = (method: string, template: string, handler: Handler): void => {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}$`), names, handler });
  };

  readonly collection = (name: string): Collection => this.store.collection(name);

  /** create/patch/put/delete for a plain collection. */
  readonly crud = (base: string, name: string, what: string, options: CrudOptions): void => {
    const { add, collection: c } = this;
    const view = options.view ?? clean;
    const stamp = (): Rec => (options.stampField ? { [options.stampField]: now() } : {});
    if (options.create) {
      const create = options.create;
      add('POST', base, (req) => {
        const body = bodyObject(req);
        requireFields(body, create.required ?? []);
        checkEmailFields(body);
        create.validate?.(body);
        const id = c(name).allocateId();
        const record = create.build ? create.build(body, id) : merge({ id }, body, stamp());
        record['id'] = id;
        c(name).put(record);
        return ok(view(record), create.status);
      });
    }
    const update =
      (replace: boolean, required: string[]) =>
      (req: ApiRequest): ApiResponse => {
        const id = idParam(req);
        const existing = must(c(name), id, what);
        const body = bodyObject(req);
        requireFields(body, required);
        checkEmailFields(body);
        const base: Rec = replace ? { id, date_created: existing['date_created'] } : existing;
        const record = merge(base, arraysAsKeapWrites(name, existing, body), stamp());
        c(name).put(record);
        return ok(view(record));
      };
    const requiredOf = (choice: true | { required: string[] }): string[] => (choice === true ? [] : choice.required);
    if (options.patch) add('PATCH', `${base}/{id}`, update(false, requiredOf(options.patch)));
    if (options.put) add('PUT', `${base}/{id}`, update(true, requiredOf(options.put)));
    if (options.del) {
      add('DELETE', `${base}/{id}`, (req) => {
        if (!c(name).remove(idParam(req))) throw notFound(what, req.params['id'] ?? '');
        return noContent;
      });
    }
  };

  /** The routes in matching order: literal segments win over placeholders (`/affiliates/commissions` before `/affiliates/{id}`). */
  sorted(): Route[] {
    const placeholders = (route: Route): number => route.names.length;
    return [...this.routes].sort((a, b) => placeholders(a) - placeholders(b));
  }
}
