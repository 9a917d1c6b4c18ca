/**
 * Streaming: pages -> records (mapped, custom fields, gathered fields) -> the writer, up to --max,
 * with the progress line and, after each page, a checkpoint for `--resume`.
 */
import { MAX_PAGE_SIZE } from '../../api/pager.js';
import type { KeapApi, Page } from '../../api/types.js';
import type { Output } from '../../fs/index.js';
import { timeLeft, type Progress } from '../../reporter.js';
import { extendColumns, FlattenPlan } from '../flatten.js';
import { projectRecord } from '../project.js';
import type { Checkpointer, CheckpointPosition } from './checkpoint.js';
import { interruptedError } from './failure.js';
import { mapConcurrent, recordMapper } from './gather.js';
import type { ChangeTracker } from './incremental.js';
import type { PreparedExport } from './prepare.js';
import { checkpointPage } from './resume.js';
import type { ExportRequest } from './types.js';
import { walkPages } from './walk.js';
import { createRecordWriter, type RecordWriter } from './writers.js';

/** Pages in flight ahead of the writer: enough to hide latency, few enough to keep memory flat. */
const DEFAULT_PREFETCH = 4;

/** What the record loop did. */
export interface StreamedRecords {
  written: number;
  read: number;
  truncated: boolean;
  /** Keap's `count`, when it was taken for the total. */
  expectedTotal?: number;
  /** CSV: fields first seen after the header was written. */
  unknownLater: string[];
}

/** Pages -> records (mapped, custom fields, gathered fields) -> the writer, up to --max. */
export async function streamRecords(
  api: KeapApi,
  request: ExportRequest,
  prepared: PreparedExport,
  output: Output,
  progress: Progress,
  started: number,
  checkpoints?: Checkpointer,
): Promise<StreamedRecords> {
  const { resource, signal } = request;
  const { plan, tracker } = prepared;
  const throwIfAborted = () => {
    if (signal?.aborted) throw interruptedError(output, signal);
  };
  // A resumed run starts where its checkpoint left the file, the counts and the paging.
  const resumed = prepared.resume.from?.checkpoint.position;
  let written = resumed?.written ?? 0;
  let read = resumed?.read ?? 0;
  let truncated = false;
  const concurrency = Math.max(1, request.concurrency ?? 8);
  const max = request.max ?? Number.POSITIVE_INFINITY;
  let total: number | undefined = resumed?.total;
  let enriched = 0;
  const showProgress = (done: number) => {
    // The rate is this run's own: records a resumed run found already written took no time now.
    const rate = (done - (resumed?.read ?? 0)) / Math.max(0.001, (performance.now() - started) / 1000);
    const known = total !== undefined && total >= done ? Math.min(total, max) : undefined;
    const of = known !== undefined ? ` of ${known.toLocaleString('en-US')}` : '';
    const eta = known !== undefined && rate > 0 ? ` · ${timeLeft((known - done) / rate)}` : '';
    progress.update(`${resource.name}: ${done.toLocaleString('en-US')}${of} · ${Math.round(rate).toLocaleString('en-US')}/s${eta}`);
  };
  const { shape, enrich, needsRequests } = recordMapper(prepared, () => showProgress(read + ++enriched));

  let opened: OpenedWriter | undefined;
  if (resumed) opened = openWriter(request, prepared, output, [], resumed);
  for await (const page of withExtraPages(readPages(api, request, prepared, max, resumed), tracker)) {
    throwIfAborted();
    // Whether Keap's `count` is the total or the page's size is unconfirmed: it is shown as the
    // total only while it is not contradicted by what has arrived.
    if (total === undefined && page.count !== undefined && plan.action.shape?.kind === 'page') total = page.count;
    let raws = page.records;
    if (read + raws.length > max) {
      raws = raws.slice(0, Math.max(0, max - read));
      truncated = true;
    }
    const records = needsRequests
      ? await mapConcurrent(raws, concurrency, enrich)
      : plan.gathered.length
        ? await Promise.all(raws.map(enrich))
        : raws.map(shape);
    throwIfAborted();
    opened ??= openWriter(request, prepared, output, records, resumed);
    const writer = opened.writer;
    if (checkpoints) checkpoints.writing = true;
    for (const record of records) {
      const out = request.fields && request.format !== 'csv' ? projectRecord(record, request.fields) : record;
      if (tracker && !tracker.keep(record, out)) continue;
      const pending = writer.write(out);
      if (pending) await pending;
      written++;
    }
    read += records.length;
    enriched = 0;
    showProgress(read);
    if (checkpoints) await checkpointPage(checkpoints, page, writer, tracker, { written, read, header: opened.header, total });
    if (truncated || read >= max) {
      // Exactly --max records and a short last page: nothing was left out.
      const couldHaveMore = page.more === true;
      truncated = truncated || couldHaveMore;
      break;
    }
  }
  opened ??= openWriter(request, prepared, output, [], resumed);
  await opened.writer.end();
  // With --fields, everything not named is left out on purpose: nothing to warn about.
  const unknownLater = opened.flattenPlan && !request.fields ? [...opened.flattenPlan.unknownKeys] : [];
  throwIfAborted();
  return { written, read, truncated, ...(total !== undefined ? { expectedTotal: total } : {}), unknownLater };
}

/** The writer, and for CSV the header it wrote and the plan that flattens each record into it. */
interface OpenedWriter {
  writer: RecordWriter;
  header?: string[];
  flattenPlan?: FlattenPlan;
}

/**
 * Opens the writer once the first page is mapped: a CSV's columns are the settled ones, extended by
 * what that page holds (or a resumed run's own); a resumed run continues after what it had written.
 */
function openWriter(
  request: ExportRequest,
  prepared: PreparedExport,
  output: Output,
  firstPage: Record<string, unknown>[],
  resumed: CheckpointPosition | undefined,
): OpenedWriter {
  const { plan, baseColumns, columnOptions } = prepared;
  const continueAfter = resumed ? { continueAfter: resumed.written } : {};
  if (request.format === 'csv' && baseColumns) {
    const columns =
      resumed?.columns ??
      (request.fields || plan.action.recordMap ? baseColumns : extendColumns(baseColumns, firstPage, plan.records, columnOptions));
    const flattenPlan = new FlattenPlan(plan.records, columns, columnOptions);
    return {
      writer: createRecordWriter('csv', output.stream, { columns, plan: flattenPlan, ...continueAfter }),
      header: columns,
      flattenPlan,
    };
  }
  return { writer: createRecordWriter(request.format, output.stream, continueAfter) };
}

/** The read's pages, or, without the parent's --param, every parent's children (ActionDef.parent). */
function readPages(
  api: KeapApi,
  request: ExportRequest,
  prepared: PreparedExport,
  max: number,
  resumed: CheckpointPosition | undefined,
): AsyncIterable<Page> {
  const { plan } = prepared;
  const { signal } = request;
  // With --max, ask for no more than is needed: smaller pages, no speculative pages past it.
  const pageSize = Math.min(request.pageSize ?? MAX_PAGE_SIZE, max);
  const prefetch = Math.max(1, Math.min(request.prefetch ?? DEFAULT_PREFETCH, Math.ceil(max / pageSize)));
  const pages = api.paginate(plan.path, plan.action.shape ?? { kind: 'object' }, {
    query: plan.query,
    pageSize,
    prefetch,
    ...(plan.action.stableOrder ? { order: plan.action.stableOrder } : {}),
    keyFields: request.resource.keyFields,
    ...(resumed ? { resumeAfter: resumed.paging } : {}),
    ...(signal ? { signal } : {}),
  });
  // Without the parent's --param, every parent's children instead (paging is lazy: `pages` then sends nothing).
  return plan.walk
    ? walkPages(api, plan.walk, {
        query: plan.query,
        pageSize,
        prefetch,
        concurrency: prefetch,
        ...(signal ? { signal } : {}),
        onDone: prepared.onWalked,
      })
    : pages;
}

/** The pages of the read, then the records the tracker adds (memberships changed without an update time). */
async function* withExtraPages(pages: AsyncIterable<Page>, tracker: ChangeTracker | undefined): AsyncIterable<Page> {
  yield* pages;
  if (tracker?.extraPages) yield* tracker.extraPages();
}
