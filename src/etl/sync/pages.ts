/**
 * The seam between the export engine and the database sink: the records of one resource as an
 * export maps them (the record map, parent ids, custom fields, gathered fields), page by page with
 * each page's paging position, so a sync can commit a page and resume after it. Planning is the
 * export's own (`planExport`): the same read action, query, date window and gathered fields.
 */
import { MAX_PAGE_SIZE } from '../../api/pager.js';
import type { KeapApi, PagePosition } from '../../api/types.js';
import type { ResourceDef } from '../../catalog/types.js';
import { ApiError } from '../../errors.js';
import { customFieldModel, type CustomFieldModel } from '../custom-fields.js';
import { Gatherer, mapConcurrent } from '../export/gather.js';
import { planExport } from '../export/plan.js';
import type { ExportPlan } from '../export/types.js';
import { applyRecordMap } from '../project.js';
import { walkPages } from '../export/walk.js';
import { type InverseField, readInverseFields } from './inverse-children.js';

export interface RecordPage {
  records: Array<Record<string, unknown>>;
  /** Where paging stands after this page (limit/offset reads), to resume after it. */
  position?: PagePosition;
}

export interface ReadRequest {
  resource: ResourceDef;
  include?: string[];
  /** The date window's start (since mode), ISO-8601 with milliseconds. */
  since?: string;
  /** Continue a read stopped after the page at this position. */
  resumeAfter?: PagePosition;
  pageSize?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onNotice?: (text: string) => void;
}

export interface RecordRead {
  plan: ExportPlan;
  model: CustomFieldModel | undefined;
  pages: AsyncIterable<RecordPage>;
  /** Gathered fields read from their inverse lists before the pages (their child tables are rebuilt from them). */
  inverse: InverseField[];
}

/** Pages in flight ahead of the writer: the export's default (export.ts DEFAULT_PREFETCH). */
const PREFETCH = 4;

/** Plans the read (usage errors now), reads the custom-field model, and returns the pages to come. */
export async function readRecordPages(api: KeapApi, request: ReadRequest): Promise<RecordRead> {
  const plan = planExport({
    resource: request.resource,
    format: 'ndjson',
    ...(request.include?.length ? { include: request.include } : {}),
    ...(request.since ? { since: request.since } : {}),
  });
  const records = plan.records;
  let model: CustomFieldModel | undefined;
  if (plan.customFields !== 'none' && records.customFields) {
    const response = await api.request('GET', records.customFields.modelPath, { ...(request.signal ? { signal: request.signal } : {}) });
    model = customFieldModel(response.body);
  }
  const gatherer = new Gatherer(api, records, request.signal);
  await gatherer.prepare(plan.gathered);
  // Read once, they give the pages' records their values too: no request per record for them.
  const inverse = await readInverseFields(api, plan, request);
  for (const { field, values } of inverse) gatherer.useInverse(field, values);
  return { plan, model, pages: mappedPages(api, request, plan, gatherer), inverse };
}

async function* mappedPages(api: KeapApi, request: ReadRequest, plan: ExportPlan, gatherer: Gatherer): AsyncIterable<RecordPage> {
  const signal = request.signal;
  const pageSize = request.pageSize ?? MAX_PAGE_SIZE;
  // As many pages ahead as an export fetches, so a sync sends the requests the same export sends.
  const options = { query: plan.query, pageSize, prefetch: PREFETCH, ...(signal ? { signal } : {}) };
  const source = plan.walk
    ? walkPages(api, plan.walk, { ...options, concurrency: PREFETCH, onDone: (text) => request.onNotice?.(text) })
    : api.paginate(plan.path, plan.action.shape ?? { kind: 'object' }, {
        ...options,
        ...(plan.action.stableOrder ? { order: plan.action.stableOrder } : {}),
        keyFields: request.resource.keyFields,
        ...(request.resumeAfter ? { resumeAfter: request.resumeAfter } : {}),
      });
  const parentEntries = Object.entries(plan.parentValues);
  const shape = (raw: unknown): Record<string, unknown> => {
    const record = applyRecordMap(raw, plan.action.recordMap);
    for (const [name, value] of parentEntries) if (record[name] === undefined) record[name] = value;
    return record;
  };
  const enrich = async (raw: unknown): Promise<Record<string, unknown>> => {
    const record = shape(raw);
    if (plan.customFields === 'single') record.custom_fields = await notFoundAsNull(() => gatherer.customFieldsOf(record));
    // A record deleted while its gathered fields are read (404): null, "not read", as an export writes it.
    for (const def of plan.gathered) record[def.name] = await notFoundAsNull(() => gatherer.value(def, record));
    return record;
  };
  // Nothing to read per record (contacts without gathered fields): no promise per record, as an export does.
  const needsRequests = plan.customFields === 'single' || plan.gathered.length > 0;
  for await (const page of source) {
    signal?.throwIfAborted();
    const records = needsRequests
      ? await mapConcurrent(page.records, Math.max(1, request.concurrency ?? 8), enrich)
      : page.records.map(shape);
    yield { records, ...(page.position ? { position: page.position } : {}) };
  }
}

async function notFoundAsNull(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
