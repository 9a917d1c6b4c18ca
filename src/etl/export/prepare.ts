/**
 * Preparing: everything settled before the output is opened. The state file is read, the export
 * planned, the `-o` target checked, a `--resume` planned, change tracking started, the custom-field
 * model read and the CSV columns settled, so every usage error is thrown before anything is written.
 */
import { readFile } from 'node:fs/promises';
import type { KeapApi } from '../../api/types.js';
import type { GatheredDef, ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import { inspectOutput, type OutputTarget } from '../../fs/index.js';
import type { Reporter } from '../../reporter.js';
import { customFieldModel, type CustomFieldModel } from '../custom-fields.js';
import { csvColumns } from '../columns.js';
import type { ResumePlan } from './checkpoint.js';
import { Gatherer, VanishedRecords } from './gather.js';
import { chooseGather, gatherInput, inverseValuesFor, reportGather } from './gather-plan.js';
import { type ChangeTracker, startTracking } from './incremental.js';
import { membershipsFromValues } from './memberships.js';
import { planExport } from './plan.js';
import { resumePlanFor } from './resume.js';
import { assertStateWritable, checkStateLock, readState } from './state.js';
import type { ExportPlan, ExportRequest } from './types.js';

/** Everything settled before the output is opened: every usage error has been thrown by now. */
export interface PreparedExport {
  plan: ExportPlan;
  target: OutputTarget;
  tracker: ChangeTracker | undefined;
  gatherer: Gatherer;
  vanished: VanishedRecords;
  model: CustomFieldModel | undefined;
  /** The CSV header (or the checked --fields) before the first page; undefined when not needed. */
  baseColumns: string[] | undefined;
  columnOptions: { customLabels?: string[]; gathered: GatheredDef[] };
  /** A walk of every parent says what it cost when it ends. */
  onWalked: (text: string) => void;
  /** Checkpoints (`--resume`): whether this run keeps them, leftovers found, the stopped run continued. */
  resume: ResumePlan;
}

/** Reads the state, plans, checks the output target, starts change tracking and settles the columns. */
export async function prepareExport(api: KeapApi, request: ExportRequest, reporter: Reporter, startedAt: number): Promise<PreparedExport> {
  if (request.stateFile) {
    await assertStateWritable(request.stateFile, '--state');
    await checkStateLock(request.stateFile, (text) => reporter.info(text), request.lockWaitMs);
  }
  const state = request.stateFile ? await readState(request.stateFile) : undefined;
  if (request.stateFile && (await isEmptyFile(request.stateFile))) {
    reporter.warn(
      `state file ${request.stateFile} is empty: every job in it starts again from the beginning; if it was emptied by mistake, restore it before the next run`,
    );
  }
  const plan = planExport(request, state);
  // A bad -o (missing folder, a folder, a closed descriptor) is refused before any request.
  const target = await inspectOutput(request.output, { force: request.force ?? false });
  if (request.resultOnStdout && writesStdout(target)) {
    throw new UsageError(`--json prints the result on stdout, and -o ${request.output} is stdout too`, {
      hint: 'write the data to a file with -o FILE, or leave out --json',
    });
  }
  // Before the tracker's first request (a deletion sweep): a refused --resume is exit 2.
  const resume = await resumePlanFor(api, request, plan, target, reporter);
  const tracker = await startTracking(request, plan, state, { reporter, startedAt, api });
  if (resume.from) tracker?.resume?.(resume.from.checkpoint.position.tracker);
  for (const notice of plan.notices) reporter.info(notice);
  for (const warning of plan.warnings) reporter.warn(warning);

  const recordResource = plan.records;
  const gatherer = new Gatherer(api, recordResource, request.signal);
  const vanished = new VanishedRecords(recordResource, reporter);
  let model: CustomFieldModel | undefined;
  if (plan.customFields !== 'none' && recordResource.customFields) {
    const response = await api.request('GET', recordResource.customFields.modelPath, { signal: request.signal });
    model = customFieldModel(response.body);
  }
  // The header (and --fields) is settled now, so a bad field name fails before any record is fetched.
  const columnOptions = { ...(model ? { customLabels: model.labels } : {}), gathered: plan.gathered };
  const baseColumns = settleColumns(recordResource, plan, request, columnOptions);
  await gatherer.prepare(plan.gathered);
  const gatherIn = gatherInput(request, plan);
  const gather = await chooseGather(api, gatherIn);
  reportGather(gather, recordResource.name, reporter);
  const inverse = await inverseValuesFor(api, gatherIn, gather, reporter);
  if (inverse) gatherer.useInverse(inverse.field, inverse.values);
  // --state's memberships come from the same lists: taken from this read rather than read again.
  const tracked = inverse && plan.gathered.find((def) => def.name === inverse.field)?.inverse;
  await tracker?.loadMemberships?.(tracked ? membershipsFromValues(inverse.values, tracked, inverse.read) : undefined);
  return {
    plan,
    target,
    tracker,
    gatherer,
    vanished,
    model,
    baseColumns,
    columnOptions,
    onWalked: (text) => reporter.info(text),
    resume,
  };
}

/** A file that exists and holds nothing but whitespace (a state file a full disk or an editor emptied). */
async function isEmptyFile(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text !== undefined && text.trim() === '';
}

/** Whether a target is this process's stdout (`-o /dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`). */
function writesStdout(target: OutputTarget): boolean {
  return target.kind === 'stdout' || (target.kind === 'descriptor' && target.pid === undefined && target.fd === 1);
}

/**
 * The CSV header before the first page (and, for every format, the check of --fields): the
 * catalog's columns, or the record map's for wrapped records (`/tags/{id}/contacts`).
 */
function settleColumns(
  resource: ResourceDef,
  plan: ExportPlan,
  request: ExportRequest,
  columnOptions: { customLabels?: string[]; gathered: GatheredDef[] },
): string[] | undefined {
  const map = plan.action.recordMap;
  if (map) {
    const known = [...new Set([...Object.keys(map), ...plan.gathered.map((g) => g.name)])];
    for (const field of request.fields ?? []) {
      if (!known.includes(field.split('.')[0] ?? field)) {
        throw new UsageError(`--fields ${field}: records of ${plan.action.method} ${plan.action.path} have no such field`, {
          hint: `they have: ${known.join(', ')}`,
        });
      }
    }
    return request.fields ?? known;
  }
  if (!request.fields && request.format !== 'csv') return undefined;
  return csvColumns(resource, {
    ...columnOptions,
    ...(request.fields ? { fields: request.fields } : {}),
    csv: request.format === 'csv',
  });
}
