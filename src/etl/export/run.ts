/**
 * The export pipeline: one generic path for every readable resource.
 *
 *   plan (flags -> action, path, query; all usage errors, before anything is opened: plan.ts, prepare.ts)
 *   -> pages (client paginates with a small prefetch window: stream.ts)
 *   -> records (record map, custom fields by label, gathered fields, concurrently under pacing: gather.ts)
 *   -> writer (csv / json / ndjson, streamed: writers.ts) -> temp file renamed on success (here)
 *   -> state bookmark (only after the output is committed: incremental.ts)
 */
import type { KeapApi } from '../../api/types.js';
import { singularName } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import { CliError, UsageError } from '../../errors.js';
import { gzipOutput, openOutput, resumeOutput } from '../../fs/index.js';
import { counted, type Reporter } from '../../reporter.js';
import { activeTemps, Checkpointer, removeCheckpoint, removeLeftovers } from './checkpoint.js';
import { failureOf } from './failure.js';
import { prepareExport } from './prepare.js';
import { keptSentence, worthResuming } from './resume.js';
import { withStateLock } from './state.js';
import { type StreamedRecords, streamRecords } from './stream.js';
import type { ExportOutcome, ExportRequest } from './types.js';

/**
 * Exports one resource: prepare (plan, checks, model, columns), stream the records into the output,
 * commit it, then move the bookmark. The command renders the summary from the returned outcome.
 */
export async function runExport(api: KeapApi, request: ExportRequest, reporter: Reporter): Promise<ExportOutcome> {
  const started = performance.now();
  const requestsBefore = api.stats().requests;
  const prepared = await prepareExport(api, request, reporter, (request.now ?? Date.now)());
  const from = prepared.resume.from;
  const opened = from
    ? await resumeOutput(prepared.target, from.tempPath, from.checkpoint.position.bytes)
    : await openOutput(prepared.target, {
        ...(request.stdout ? { stdout: request.stdout } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        onWaitForReader: () => reporter.info(`waiting for a reader on ${request.output} (Ctrl-C to stop)`),
      });
  const output = request.gzip ? gzipOutput(opened) : opened;
  const temp = opened.temp;
  if (temp) activeTemps.add(temp.path);
  const checkpoints =
    temp && prepared.resume.checkpoints ? new Checkpointer(temp, prepared.resume.identity, from?.checkpoint.position) : undefined;
  const progress = reporter.progress(`${request.resource.name}: starting`);
  const failed = new WeakSet<object>();
  let committing = false;
  const fail = async (error: unknown): Promise<never> => {
    if (typeof error === 'object' && error !== null && failed.has(error)) throw error; // already said what became of the output
    progress.stop();
    // A checkpointed temporary file is kept for --resume (unless the commit already lost it).
    const kept =
      temp && checkpoints?.savedWritten !== undefined && !committing && worthResuming(error, request.signal)
        ? keptSentence(request, prepared.plan, temp.path, checkpoints.savedWritten)
        : undefined;
    if (kept && temp) await temp.keep();
    else {
      await output.abort();
      if (temp) await removeCheckpoint(temp.path);
    }
    if (temp) activeTemps.delete(temp.path);
    let failure = failureOf(error, request, output);
    // Exit 2 promises that nothing was sent; by now requests were, so a late usage-shaped error
    // (a permission denied at the rename) is a failure (exit 1), with its words kept.
    if (failure instanceof UsageError) {
      failure = new CliError(failure.message, { cause: failure, ...(failure.hint ? { hint: failure.hint } : {}) });
    }
    if (kept && failure instanceof CliError) failure.withHint([failure.hint, kept].filter(Boolean).join('; '));
    if (typeof failure === 'object' && failure !== null) failed.add(failure);
    throw failure;
  };
  const streamed = await streamRecords(api, request, prepared, output, progress, started, checkpoints).catch(async (error) => {
    // Stopped between pages (a used-up quota, an interrupt): the last page's end becomes the checkpoint.
    await checkpoints?.saveLast();
    return fail(error);
  });
  const commitAndTrack = async () => {
    committing = true;
    await output.commit().catch(fail);
    if (temp) {
      activeTemps.delete(temp.path);
      await removeCheckpoint(temp.path);
    }
    // The stopped runs this one resumed or replaced are done with.
    await removeLeftovers(prepared.resume.leftovers);
    progress.stop();
    warnAfterRun(request.resource, streamed, reporter);
    // The bookmark and hashes move only after the output is complete, and never past records we did not write.
    return prepared.tracker ? await prepared.tracker.finish(streamed.truncated) : undefined;
  };
  // With --state, the output replaces the older one only under the state file's lock: a run that
  // cannot take it (another run holds it too long) leaves the older output as it was.
  const outcome = request.stateFile
    ? await withStateLock(request.stateFile, commitAndTrack, (text) => reporter.info(text), request.lockWaitMs).catch(fail)
    : await commitAndTrack();
  const records = prepared.plan.records;
  return {
    result: {
      resource: request.resource.name,
      action: prepared.plan.action.id,
      records: streamed.written,
      requests: api.stats().requests - requestsBefore,
      // Milliseconds are what a clock here can tell; more digits are noise in --json.
      seconds: Math.round(performance.now() - started) / 1000,
      output: output.path ?? 'stdout',
      format: request.format,
      ...(request.gzip ? { compression: 'gzip' as const } : {}),
      truncated: streamed.truncated,
      ...(outcome?.bookmark ? { bookmark: outcome.bookmark } : {}),
      ...(outcome ? { incremental: outcome.mode } : {}),
      ...(outcome?.unchanged !== undefined ? { unchanged: outcome.unchanged } : {}),
      ...(outcome?.membershipChanges !== undefined ? { membershipChanges: outcome.membershipChanges } : {}),
      ...(outcome?.deleted ? { deleted: outcome.deleted.length, deletedIds: outcome.deleted } : {}),
    },
    recordNoun: { one: singularName(records), many: records.name },
    ...(request.max !== undefined ? { max: request.max } : {}),
    vanished: prepared.vanished.count,
    ...(outcome ? { incremental: outcome } : {}),
  };
}

/** Warnings about what the finished run may lack: fewer records than Keap counted, CSV columns seen too late. */
function warnAfterRun(resource: ResourceDef, streamed: StreamedRecords, reporter: Reporter): void {
  const { truncated, expectedTotal, read, unknownLater } = streamed;
  if (!truncated && expectedTotal !== undefined && expectedTotal > read) {
    reporter.warn(
      `${resource.name}: Keap counted ${counted(expectedTotal, 'matching record')} but ${read.toLocaleString('en-US')} arrived; ` +
        'paging stops at the first short page, so the API may have returned fewer than asked for (or records were deleted meanwhile)',
    );
  }
  if (unknownLater.length) {
    reporter.warn(
      `${resource.name}: fields first seen after the CSV header was written are not in the file: ${unknownLater.join(', ')}; ` +
        'use --format ndjson to get every field',
    );
  }
}
