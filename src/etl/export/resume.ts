/**
 * Where the export pipeline meets its checkpoints (checkpoint.ts): what identifies a run, whether
 * it can keep a checkpoint, what a page's end records, and what a stopped run says it kept.
 */
import { resolve } from 'node:path';
import type { KeapApi, Page } from '../../api/types.js';
import { singularName } from '../../catalog/index.js';
import { ApiError, AuthError, InterruptedError, NetworkError } from '../../errors.js';
import { counted, type Reporter } from '../../reporter.js';
import { type Checkpointer, planResume, type ResumePlan, whyNotResumable } from './checkpoint.js';
import type { ExportPlan, ExportRequest } from './types.js';
import type { ChangeTracker } from './incremental.js';
import type { OutputTarget } from '../../fs/index.js';
import type { RecordWriter } from './writers.js';

/** What identifies this run for a checkpoint, whether it can keep one, and the stopped run `--resume` continues. */
export function resumePlanFor(
  api: KeapApi,
  request: ExportRequest,
  plan: ExportPlan,
  target: OutputTarget,
  reporter: Reporter,
): Promise<ResumePlan> {
  const identity = {
    resource: request.resource.name,
    action: plan.action.id,
    path: plan.path,
    query: plan.query,
    format: request.format,
    fields: request.fields ?? null,
    include: request.include ?? null,
    max: request.max ?? null,
    pageSize: request.pageSize ?? null,
    apiUrl: api.baseUrl,
    account: request.account ?? null,
    stateFile: request.stateFile ? resolve(request.stateFile) : null,
    stateKey: request.stateFile ? plan.bookmarkKey : null,
  };
  const notResumable = whyNotResumable({
    kind: target.kind,
    gzip: request.gzip ?? false,
    ...(plan.tracking ? { tracking: plan.tracking } : {}),
    // Tracked memberships (`--include tags` with --state) are read whole after the last page.
    trackerResumes: !(plan.tracking === 'since' && plan.gathered.some((def) => def.inverse)),
    paged: plan.action.shape?.kind === 'page',
  });
  return planResume({
    resume: request.resume ?? false,
    target,
    identity,
    notResumable,
    info: (text) => reporter.info(text),
    warn: (text) => reporter.warn(text),
  });
}

/**
 * Whether a stopped run's file is kept for `--resume`: after an interrupt, a used-up quota or
 * another refusal of Keap's (an expired login), a network failure, AuthError. Not after paging
 * lost its place ("run it again") or a write error (a full disk is not helped by a kept file).
 */
export function worthResuming(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted || error instanceof InterruptedError) return true;
  return error instanceof ApiError || error instanceof NetworkError || error instanceof AuthError;
}

/** What a stopped run says about the file it keeps for `--resume`, and the command that continues it. */
export function keptSentence(request: ExportRequest, plan: ExportPlan, tempPath: string, written: number): string {
  const records = counted(written, singularName(plan.records), plan.records.name);
  const command = request.resumeCommand ?? 'the same command with --resume';
  return `what was written so far (${records}) is kept in ${tempPath}; to continue: ${command}`;
}

/** A page is in the output: the place a resumed run would continue from (checkpoint.ts). */
export async function checkpointPage(
  checkpoints: Checkpointer,
  page: Page,
  writer: RecordWriter,
  tracker: ChangeTracker | undefined,
  counts: { written: number; read: number; header: string[] | undefined; total: number | undefined },
): Promise<void> {
  checkpoints.writing = false;
  if (!page.position) return;
  const { written, read, header, total } = counts;
  const progress = tracker?.progress?.();
  const position = {
    written,
    read,
    paging: page.position,
    ...(header ? { columns: header } : {}),
    ...(total !== undefined ? { total } : {}),
    ...(progress !== undefined ? { tracker: progress } : {}),
  };
  await checkpoints.pageWritten(position, () => writer.flush());
}
