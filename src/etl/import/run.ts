/**
 * `import RESOURCE FILE` (DESIGN.md sections 2 and 3, issue #9): open the input, settle the action,
 * columns and lookups, check every row, then (unless --dry-run) send the valid units under a
 * journal, and write the error report and the results file.
 */
import { existsSync } from 'node:fs';
import { holdRunLock } from '../../fs/index.js';
import { actionsOfKind } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import type { KeapApi } from '../../api/types.js';
import { InterruptedError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import { counted } from '../../reporter.js';
import { type ApplyContext, applyUnit, type Unit } from './apply.js';
import { type CheckedInput, checkInput, checkRow, type OnDuplicate } from './check.js';
import { type GroupedCounts, groupedCounts } from './group-counts.js';
import { withConstants } from './constants.js';
import { writeGuard, type WriteGuard } from './guard.js';
import { openInput } from './input.js';
import { applyMatched, prepareMatched } from './match.js';
import { type Journal, journalPathFor, openJournal } from './journal.js';
import type { MappingOptions } from './mapping.js';
import type { ConstantValue } from './mapping-file.js';
import { type ImportPlan, importPlan } from './plan-estimate.js';
import { type PreparedImport, prepareImport } from './prepare.js';
import { type PreviewRequest, previewUnits } from './preview.js';
import { checkReportPaths, type ReportPaths, removeStaleReport, reportPaths, writeReports } from './reports.js';
import { noteAlreadyGone, refuseUnknownRows, resolveUnknownRows } from './resolve.js';
import { RowOutcomes } from './outcomes.js';
import { planReads, type ReadsChoice } from './read-plan.js';
import type { ImportActionKind, ImportInput, LookupSpec, RowOutcome } from './types.js';

export interface ImportRequest {
  resource: ResourceDef;
  file: string;
  action?: ImportActionKind;
  format?: string;
  delimiter?: string;
  mapping: MappingOptions;
  /** `--set FIELD=VALUE` and a mapping file's `set`: columns every row gets. */
  constants?: ReadonlyMap<string, ConstantValue>;
  lookups: LookupSpec[];
  onDuplicate: OnDuplicate;
  duplicateOption?: string;
  createTags: boolean;
  dryRun: boolean;
  /** Dry run: what would be sent, unit by unit (all, or the first `limit`). */
  preview?: PreviewRequest;
  errors?: string;
  results?: string;
  maxErrors?: number;
  /** Units in flight at once (the client paces them). */
  concurrency: number;
  resume: boolean;
  /** Change detection: rows the record already holds are not sent (default true; --send-unchanged). */
  skipUnchanged?: boolean;
  /** `--if-unchanged`: a record edited in Keap since the file's export is not overwritten. */
  ifUnchanged?: boolean;
  /** `--match FIELD`: rows find their record by that field's value (upsert or update). */
  match?: string;
  /** `--reads`: read the records per row, as one list read, or whichever costs less (default). */
  reads?: ReadsChoice;
  /** `--plan`: check the rows and estimate the run's requests, time and quota share; write nothing. */
  plan?: boolean;
  /** Test seam: false keeps a list read's snapshot from being refreshed (it must be, see snapshot.ts). */
  refreshSnapshot?: boolean;
  /** The stored profile, or where the credential came from: part of the journal's identity. */
  account: string;
  stdin: NodeJS.ReadableStream;
  signal?: AbortSignal;
  now: () => number;
  /** How long after its send an unknown row is looked up (default 60 s, resolve.ts); tests shorten it. */
  settleMs?: number;
}

export type ImportCounts = Record<
  'read' | 'valid' | 'invalid' | 'created' | 'updated' | 'unchanged' | 'deleted' | 'failed' | 'unknown' | 'skipped',
  number
>;

export interface ImportOutcome {
  resource: string;
  action: ImportActionKind;
  file: string;
  dryRun: boolean;
  /** Units: rows, or groups of rows sent as one body. */
  counts: ImportCounts;
  /** Dry run: what would be sent, by action. */
  planned?: number;
  /** Rows grouped into bodies (orders of line items): `counts` are of groups, and these of rows. */
  grouped?: GroupedCounts;
  /** Dry run: how many units were shown as they would be sent. */
  previewed?: number;
  /** `--plan`: the estimate. */
  plan?: ImportPlan;
  /** --max-errors stopped the run before every row was tried. */
  stoppedEarly: boolean;
  elapsedSeconds: number;
  rowsPerSecond: number;
  requests: number;
  errorsFile?: string;
  resultsFile?: string;
  journal?: string;
}

/** What the validation pass counted: rows read, valid units, invalid rows, rows skipped on purpose. */
function checkedCounts(checked: CheckedInput): ImportCounts {
  const counts = {
    read: checked.read,
    valid: checked.valid,
    invalid: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    failed: 0,
    unknown: 0,
    skipped: 0,
  };
  for (const outcome of checked.outcomes.values()) {
    if (outcome.status === 'invalid') counts.invalid++;
    else if (outcome.status === 'skipped') counts.skipped++;
  }
  return counts;
}

export async function runImport(api: KeapApi, request: ImportRequest, reporter: Reporter): Promise<ImportOutcome> {
  const startedAt = request.now();
  const opened = await openInput(request.file, {
    stdin: request.stdin,
    ...(request.format ? { format: request.format } : {}),
    ...(request.delimiter ? { delimiter: request.delimiter } : {}),
  });
  const input = await withConstants(opened, request.constants);
  try {
    if (request.action === undefined) await refuseUnknownRows(input, request.resource);
    const prepared = await (request.match ? prepareMatched : prepareImport)(
      api,
      input,
      {
        ...(request.match ? { match: request.match } : {}),
        resource: request.resource,
        mapping: request.mapping,
        lookups: request.lookups,
        ...(request.duplicateOption ? { duplicateOption: request.duplicateOption } : {}),
        ...(request.action ? { action: request.action } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      },
      reporter,
    );
    const guarded = prepared.match?.update ?? prepared;
    const guard = writeGuard(guarded.resource, guarded.action, guarded.kind, input.columns, request.mapping.map, {
      skipUnchanged: request.skipUnchanged ?? true,
      ifUnchanged: request.ifUnchanged ?? false,
    });
    const progress = reporter.progress(`checking ${input.name}`);
    let checked: CheckedInput;
    try {
      checked = await checkInput(input, prepared, {
        onDuplicate: request.onDuplicate,
        createTags: request.createTags,
        ...(request.duplicateOption ? { duplicateOption: request.duplicateOption } : {}),
      });
    } finally {
      progress.stop();
    }
    if (checked.emptyUpdates && checked.emptyUpdates === checked.read) {
      reporter.warn(
        `every row of ${input.name} gives only the key, so there is nothing to update${actionsOfKind(prepared.resource, 'delete').length ? '; to delete these records, add --action delete' : ''}`,
      );
    }
    if (checked.trimmedEmails) {
      reporter.warn(`trimmed the spaces around ${counted(checked.trimmedEmails, 'email address', 'email addresses')}`);
    }
    const paths = reportPaths(input, {
      ...(request.errors ? { errors: request.errors } : {}),
      ...(request.results ? { results: request.results } : {}),
    });
    await checkReportPaths(paths, { results: !request.dryRun });
    const run: Run = { api, input, prepared, checked, paths, request, reporter, startedAt, guard };
    if (request.plan) return await planRun(run);
    return request.dryRun ? await dryRun(run) : await applyAndReport(run);
  } finally {
    await input.close();
  }
}

/** One import once its rows are checked: what the last steps share. */
interface Run {
  api: KeapApi;
  input: ImportInput;
  prepared: PreparedImport;
  checked: CheckedInput;
  paths: ReportPaths;
  request: ImportRequest;
  reporter: Reporter;
  /** When the run began (ms), for the elapsed time. */
  startedAt: number;
  guard: WriteGuard;
}

function baseOutcome({ input, prepared, request, startedAt, api, checked }: Run) {
  const read = checked.read;
  const elapsedSeconds = Math.max(0, (request.now() - startedAt) / 1000);
  return {
    resource: prepared.resource.name,
    action: prepared.kind,
    file: input.name,
    dryRun: request.dryRun,
    elapsedSeconds,
    rowsPerSecond: elapsedSeconds > 0 ? read / elapsedSeconds : read,
    requests: api.stats().requests,
  };
}

async function dryRun(run: Run): Promise<ImportOutcome> {
  const { input, checked, paths } = run;
  const counts = checkedCounts(checked);
  const written = counts.invalid ? await writeReports(input, (row) => checked.outcomes.get(row), paths, { results: false }) : undefined;
  // As a clean real run does: a report an earlier run left there would be read as this run's.
  if (!counts.invalid) await removeStaleReport(paths.errors);
  const { prepared, request } = run;
  const previewed = request.preview ? await previewUnits(prepared, unitsOf(input, prepared, checked, request), request.preview) : undefined;
  return {
    ...baseOutcome(run),
    ...groupedCounts(run.prepared.resource, run.prepared.plan.groupBy, checked, counts, () => undefined, false),
    planned: checked.valid,
    ...(previewed !== undefined ? { previewed } : {}),
    stoppedEarly: false,
    ...(written?.errorRows ? { errorsFile: paths.errors } : {}),
  };
}

/** `--plan`: the reads the run would choose and what the whole run would cost; nothing is written. */
async function planRun(run: Run): Promise<ImportOutcome> {
  const { api, input, prepared, checked, request, guard } = run;
  const reads = await planReads(api, prepared, guard, unitsOf(input, prepared, checked, request), {
    choice: request.reads ?? 'auto',
    now: request.now,
    take: false,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const stats = api.stats();
  return {
    ...baseOutcome(run),
    counts: checkedCounts(checked),
    planned: checked.valid,
    stoppedEarly: false,
    plan: importPlan(reads, checked.valid, stats.requests, stats.rateHeaders),
  };
}

/** The units to send, in input order: the grouped bodies, or each valid row mapped again. */
async function* unitsOf(input: ImportInput, prepared: PreparedImport, checked: CheckedInput, request: ImportRequest): AsyncGenerator<Unit> {
  if (checked.units) {
    for (const unit of checked.units) yield { row: unit.rows[0] ?? unit.checked.mapped.row, checked: unit.checked };
    return;
  }
  const options = { onDuplicate: request.onDuplicate, createTags: request.createTags };
  for await (const row of input.rows()) {
    if (checked.outcomes.has(row.row)) continue;
    yield { row: row.row, checked: checkRow(prepared, row, options), cells: row.values };
  }
}

interface ApplyState {
  outcomes: RowOutcomes;
  errors: number;
  stoppedEarly: boolean;
  fatal?: unknown;
}

async function applyAll(
  context: ApplyContext,
  units: AsyncIterable<Unit>,
  request: ImportRequest,
  state: ApplyState,
  reporter: Reporter,
  total: number,
) {
  const { journal } = context;
  const running = new Set<Promise<void>>();
  const progress = reporter.progress(`importing: 0/${total}`);
  let done = 0;
  const stop = () => state.fatal !== undefined || state.stoppedEarly || request.signal?.aborted === true;
  for await (const unit of units) {
    if (stop()) break;
    if (state.outcomes.has(unit.row)) continue; // finished by the run being resumed
    const task = (async () => {
      try {
        const resumed = journal.unresolved.has(unit.row);
        const { match } = context.prepared;
        const outcome = await (match ? applyMatched(context, match, unit) : applyUnit(context, unit, resumed));
        await journal.finish(outcome);
        state.outcomes.set(outcome);
        if (outcome.status === 'failed' || outcome.status === 'unknown' || outcome.status === 'invalid') {
          state.errors++;
          if (request.maxErrors !== undefined && state.errors >= request.maxErrors) state.stoppedEarly = true;
        }
      } catch (error) {
        state.fatal ??= error;
      } finally {
        done++;
        progress.update(`importing: ${done}/${total}`);
      }
    })();
    running.add(task);
    void task.finally(() => running.delete(task));
    if (running.size >= request.concurrency) await Promise.race(running);
  }
  // Requests in flight finish, even after Ctrl-C: their outcomes go to the journal and reports.
  await Promise.all(running);
  progress.stop();
}

async function applyAndReport(run: Run): Promise<ImportOutcome> {
  const { input } = run;
  const journalPath = journalPathFor(input.reportBase);
  // Two runs of one import at once would both send the rows: the second is refused.
  const release = await holdRunLock(`${journalPath}.lock`, {
    label: `the import of ${input.name}`,
    busyHint: 'wait for it to finish (or stop it), then run again with --resume if it was interrupted',
  });
  try {
    return await applyUnderJournal(run, journalPath);
  } finally {
    await release();
  }
}

async function applyUnderJournal(run: Run, journalPath: string): Promise<ImportOutcome> {
  const { api, input, prepared, checked, paths, request, reporter, startedAt, guard } = run;
  const counts = checkedCounts(checked);
  const state: ApplyState = { outcomes: new RowOutcomes(), errors: counts.invalid, stoppedEarly: false };
  if (request.maxErrors !== undefined && counts.invalid >= request.maxErrors) state.stoppedEarly = true;
  let resume = request.resume;
  if (resume && !existsSync(journalPath)) {
    // Killed before its first write, a run leaves no journal: resuming it is starting it.
    reporter.warn(`nothing to resume for ${input.name} (no ${journalPath}): starting from the first row`);
    resume = false;
  }
  const journal: Journal = await openJournal(
    journalPath,
    { inputHash: input.hash, resource: prepared.resource.name, action: prepared.kind, profile: request.account, apiUrl: api.baseUrl },
    { resume, file: input.name },
  );
  let complete = false;
  for (const [, outcome] of journal.previous) state.outcomes.set(outcome);
  try {
    if (request.resume && journal.previous.size) reporter.info(`resuming: ${counted(journal.previous.size, 'row')} already done`);
    // "Created in this import" spans every run of its journal (an upsert created before a crash).
    const context: ApplyContext = { api, prepared, journal, startedAt: Math.min(startedAt, journal.started), guard };
    if (!state.stoppedEarly) {
      const reads = await planReads(api, prepared, guard, unitsOf(input, prepared, checked, request), {
        choice: request.reads ?? 'auto',
        now: request.now,
        take: true,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.refreshSnapshot === false ? { refresh: false } : {}),
      });
      reporter.debug(`reads: ${reads.chosen === 'list' ? 'one list read' : 'one per row'} (${reads.why})`);
      if (reads.list) context.reads = reads.list;
    }
    if (!state.stoppedEarly) await applyAll(context, unitsOf(input, prepared, checked, request), request, state, reporter, checked.valid);
    if (state.fatal === undefined && !request.signal?.aborted) {
      await resolveUnknownRows(context, unitsOf(input, prepared, checked, request), state.outcomes, request, reporter).catch(
        (error: unknown) => {
          state.fatal ??= error;
        },
      );
    }
    noteAlreadyGone(context, state.outcomes, reporter);
    const notTried = state.stoppedEarly
      ? `not tried: the run stopped after ${counted(state.errors, 'error')} (--max-errors ${request.maxErrors})`
      : 'not tried: the run was stopped';
    const outcomeOf = (row: number): RowOutcome | undefined => {
      const unitRow = checked.unitOf.get(row) ?? row;
      return checked.outcomes.get(row) ?? state.outcomes.get(unitRow) ?? { row, status: 'skipped', error: notTried };
    };
    const written = await writeReports(input, outcomeOf, paths);
    const settled = tally(counts, state);
    complete = state.fatal === undefined && !request.signal?.aborted && counts.valid === settled;
    if (state.fatal !== undefined) throw state.fatal;
    if (request.signal?.aborted) {
      throw new InterruptedError(
        `import interrupted: ${counted(settled, 'row')} done of ${counts.valid}; the results so far are in ${paths.results}`,
        { signal: String(request.signal.reason), hint: 'run the same command with --resume to continue where it stopped' },
      );
    }
    return {
      ...baseOutcome(run),
      ...groupedCounts(prepared.resource, prepared.plan.groupBy, checked, counts, (row) => state.outcomes.get(row), true),
      stoppedEarly: state.stoppedEarly,
      resultsFile: paths.results,
      ...(written.errorRows ? { errorsFile: paths.errors } : {}),
      journal: journal.path,
    };
  } finally {
    if (complete) await journal.complete();
    await journal.close();
  }
}

/**
 * Adds each unit's outcome to the validation pass's counts. Returns how many valid units have an outcome; the rest were not tried (--max-errors,
 * Ctrl-C, a fatal error) and count as skipped.
 */
function tally(counts: ImportCounts, state: ApplyState): number {
  let settled = 0;
  for (const [, outcome] of state.outcomes) {
    if (outcome.status === 'skipped') continue;
    counts[outcome.status]++;
    settled++;
  }
  counts.skipped += Math.max(0, counts.valid - settled);
  return settled;
}
