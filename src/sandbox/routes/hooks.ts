/** REST hooks: keyed by `key`, stored by numeric id. */
import { hookEvents, type Rec } from '../generate.js';
import { HttpError, noContent, ok, type ApiRequest, type ApiResponse } from './http.js';
import { must, notFound, without } from './records.js';
import { bodyObject, idParam, requireFields } from './request.js';
import type { RouteTable } from './table.js';

function hookView(record: Rec): Rec {
  return without(record, ['id']);
}

export function addHookRoutes(table: RouteTable): void {
  const { add, collection: c } = table;
  add('GET', '/hooks', () => {
    const out: Rec[] = [];
    for (const id of c('hooks').ids()) out.push(hookView(c('hooks').get(id) as Rec));
    return ok(out);
  });
  add('GET', '/hooks/event_keys', () => ok(hookEvents));
  add('GET', '/hooks/{id}', (req) => ok(hookView(must(c('hooks'), idParam(req), 'Hook'))));
  const hookBody = (req: ApiRequest): Rec => {
    const body = bodyObject(req);
    requireFields(body, ['eventKey', 'hookUrl']);
    if (!hookEvents.includes(String(body['eventKey']))) throw new HttpError(400, `Invalid eventKey '${String(body['eventKey'])}'`);
    return body;
  };
  add('POST', '/hooks', (req) => {
    const body = hookBody(req);
    const id = c('hooks').allocateId();
    const record = { id, key: String(id), eventKey: body['eventKey'], hookUrl: body['hookUrl'], status: 'Unverified' };
    c('hooks').put(record);
    return ok(hookView(record));
  });
  add('PUT', '/hooks/{id}', (req) => {
    const id = idParam(req);
    const existing = must(c('hooks'), id, 'Hook');
    const body = hookBody(req);
    const record = { ...existing, eventKey: body['eventKey'], hookUrl: body['hookUrl'] };
    c('hooks').put(record);
    return ok(hookView(record));
  });
  const verify = (req: ApiRequest): ApiResponse => {
    const record = { ...must(c('hooks'), idParam(req), 'Hook'), status: 'Verified' };
    c('hooks').put(record);
    return ok(hookView(record));
  };
  add('POST', '/hooks/{id}/verify', verify);
  add('POST', '/hooks/{id}/delayedVerify', (req) => {
    // The secret Keap sent to the hook URL comes back in this header; the spec requires it.
    if (!req.headers['x-hook-secret']) throw new HttpError(400, 'X-Hook-Secret header is required');
    return verify(req);
  });
  add('DELETE', '/hooks/{id}', (req) => {
    if (!c('hooks').remove(idParam(req))) throw notFound('Hook', req.params['id'] ?? '');
    return noContent;
  });
}
