/** Opportunities and the pipeline stages they move through. */
import { contactEmail, pipelineStages, type Rec } from '../generate.js';
import { HttpError, ok } from './http.js';
import { page } from './paging.js';
import { merge, must, now, without, withOptional } from './records.js';
import { equalityFilter, idParam, optionalProperties, requireFields } from './request.js';
import type { RouteTable } from './table.js';

export function addOpportunityRoutes(table: RouteTable): void {
  const { add, crud, collection: c, store } = table;
  add('GET', '/opportunities', (req) => {
    const search = (req.query.get('search_term') ?? '').toLowerCase();
    const where = equalityFilter(req, {
      stage_id: (r) => (r['stage'] as Rec | undefined)?.['id'],
      user_id: (r) => (r['user'] as Rec | undefined)?.['id'],
    });
    return page(req, c('opportunities'), {
      key: 'opportunities',
      ...(where || search
        ? { where: (r: Rec) => (!where || where(r)) && (!search || String(r['opportunity_title']).toLowerCase().includes(search)) }
        : {}),
      view: (r) => without(r, ['custom_fields']),
    });
  });
  add('GET', '/opportunities/{id}', (req) =>
    ok(withOptional(must(c('opportunities'), idParam(req), 'Opportunity'), 'opportunities', optionalProperties(req))),
  );
  const opportunityInput = (body: Rec): void => {
    requireFields(body, ['opportunity_title', 'contact', 'stage']);
    const contactId = Number((body['contact'] as Rec | undefined)?.['id']);
    if (!c('contacts').has(contactId)) throw new HttpError(400, `Contact with id ${String(contactId)} not found`);
    const stageId = Number((body['stage'] as Rec | undefined)?.['id']);
    if (!pipelineStages.some((s) => s.stage_id === stageId)) throw new HttpError(400, `Stage with id ${String(stageId)} not found`);
  };
  crud('/opportunities', 'opportunities', 'Opportunity', {
    create: {
      status: 200,
      validate: opportunityInput,
      build: (body, id) => {
        const stageId = Number((body['stage'] as Rec)['id']);
        const stage = pipelineStages.find((s) => s.stage_id === stageId);
        const contactId = Number((body['contact'] as Rec)['id']);
        const contact = c('contacts').get(contactId) as Rec;
        const stamp = now();
        return merge({ id, date_created: stamp, custom_fields: [] }, body, {
          last_updated: stamp,
          contact: {
            id: contactId,
            first_name: contact['given_name'] ?? '',
            last_name: contact['family_name'] ?? '',
            email: contactEmail(store.seed, contactId) ?? '',
          },
          stage: {
            id: stageId,
            name: stage?.stage_name ?? '',
            details: {
              probability: stage?.probability ?? 0,
              stage_order: stage?.stage_order ?? 0,
              target_num_days: 14,
              check_list_items: [],
            },
            reasons: [],
          },
        });
      },
    },
    patch: true,
    stampField: 'last_updated',
  });
  add('GET', '/opportunity/stage_pipeline', () =>
    ok(
      pipelineStages.map((s) => ({
        stage_id: s.stage_id,
        stage_name: s.stage_name,
        stage_order: s.stage_order,
        stage_count: pipelineStages.length,
        is_default: s.stage_id === 1,
        end_stage: s.stage_id >= 4,
      })),
    ),
  );
}
