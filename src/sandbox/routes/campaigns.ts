/** Campaigns and the contacts in their sequences. */
import type { Rec } from '../generate.js';
import { HttpError, noContent, ok, type ApiRequest, type ApiResponse } from './http.js';
import { orderKeys, page } from './paging.js';
import { must, notFound, without } from './records.js';
import { bodyObject, idList, idParam, optionalProperties } from './request.js';
import type { RouteTable } from './table.js';

export function addCampaignRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
  add('GET', '/campaigns', (req) => {
    const search = (req.query.get('search_text') ?? '').toLowerCase();
    return page(req, c('campaigns'), {
      key: 'campaigns',
      ...(search ? { where: (r: Rec) => String(r['name']).toLowerCase().includes(search) } : {}),
      view: (r) => without(r, ['goals', 'sequences']),
      orders: orderKeys([
        'id',
        'name',
        'published_date',
        'completed_contact_count',
        'active_contact_count',
        'date_created',
        'last_updated',
        'category',
        'status',
      ]),
    });
  });
  add('GET', '/campaigns/{id}', (req) => {
    const asked = optionalProperties(req);
    const record = must(c('campaigns'), idParam(req), 'Campaign');
    return ok(
      without(
        record,
        ['goals', 'sequences'].filter((name) => !asked.has(name)),
      ),
    );
  });
  const sequenceMember = (req: ApiRequest, add: boolean): ApiResponse => {
    const campaign = must(c('campaigns'), idParam(req), 'Campaign');
    const sequenceId = idParam(req, 'sequenceId');
    if (!((campaign['sequences'] as Rec[] | undefined) ?? []).some((s) => s['id'] === sequenceId)) throw notFound('Sequence', sequenceId);
    const contactId = idParam(req, 'contactId');
    must(c('contacts'), contactId, 'Contact');
    const key = `${campaign['id'] as number}:${sequenceId}:${contactId}`;
    if (add) store.sequenceMembers.add(key);
    else store.sequenceMembers.delete(key);
    return noContent;
  };
  add('POST', '/campaigns/{id}/sequences/{sequenceId}/contacts/{contactId}', (req) => sequenceMember(req, true));
  const sequenceMembers = (req: ApiRequest, adding: boolean): ApiResponse => {
    const ids = idList(bodyObject(req), 'ids');
    const result: Rec = {};
    for (const contactId of ids) {
      try {
        sequenceMember({ ...req, params: { ...req.params, contactId: String(contactId) } }, adding);
        result[String(contactId)] = 'SUCCESS';
      } catch (error) {
        if (!(error instanceof HttpError) || !/Contact/.test(error.message)) throw error;
        result[String(contactId)] = 'CONTACT_NOT_FOUND';
      }
    }
    return adding ? ok(result) : noContent;
  };
  add('POST', '/campaigns/{id}/sequences/{sequenceId}/contacts', (req) => sequenceMembers(req, true));
  add('DELETE', '/campaigns/{id}/sequences/{sequenceId}/contacts', (req) => sequenceMembers(req, false));
  add('DELETE', '/campaigns/{id}/sequences/{sequenceId}/contacts/{contactId}', (req) => sequenceMember(req, false));
}
