/**
 * `export --all -o DIR/`: every resource export can read without a `--param` (a plain read, or a
 * walk of the parents, walk.ts), one file each through `runExport`, and `DIR/manifest.json`
 * saying what each file holds. A resource that fails does not stop the others: the manifest names
 * it, and the command exits 1. An interrupt, a refused credential or a used-up quota stops the run;
 * the manifest then says which were not run.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeapApi } from '../../api/types.js';
import { catalog } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import { ApiError, AuthError, type CliError, InterruptedError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../fs/index.js';
import type { Reporter } from '../../reporter.js';
import { planExport, selectReadAction } from './plan.js';
import { runExport } from './run.js';
import { assertStateWritable, readState } from './state.js';
import type { ExportOutcome, ExportRequest } from './types.js';

export const MANIFEST_NAME = 'manifest.json';

/** What every resource's export shares: the format, the state file, paging, `--max`... */
export type ExportAllTemplate = Omit<ExportRequest, 'resource' | 'output'>;

export interface ManifestEntry {
  resource: string;
  /** The file's name in DIR (`contacts.ndjson`). */
  file: string;
  /** `written`; `failed` (the file, if any, is an older run's); `not-run` after an interrupt. */
  status: 'written' | 'failed' | 'not-run';
  records?: number;
  bytes?: number;
  sha256?: string;
  started?: string;
  ended?: string;
  /** With --state: the key this resource's bookmark (or hashes) is saved under. */
  stateKey?: string;
  requests?: number;
  /** Why it failed. */
  error?: string;
}

export interface Manifest {
  format: string;
  started: string;
  ended: string;
  state?: string;
  resources: ManifestEntry[];
}

export interface ExportAllOutcome {
  manifest: Manifest;
  manifestPath: string;
  failed: ManifestEntry[];
}

/** The resources `export RESOURCE` reads without a `--param`, in catalog order. */
export function exportableResources(): ResourceDef[] {
  return catalog.filter((resource) => {
    try {
      selectReadAction(resource, []);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every exportable resource into `dir`, then the manifest. Usage errors (the folder, the state file) come before any request. */
export async function runExportAll(
  api: KeapApi,
  dir: string,
  template: ExportAllTemplate,
  reporter: Reporter,
  onResource: (outcome: ExportOutcome) => void,
): Promise<ExportAllOutcome> {
  await prepareFolder(dir);
  if (template.stateFile) {
    await assertStateWritable(template.stateFile, '--state');
    await readState(template.stateFile);
  }
  const now = template.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const started = iso();
  const extension = `${template.format}${template.gzip ? '.gz' : ''}`;
  const resources = exportableResources();
  const entries: ManifestEntry[] = resources.map((resource) => ({
    resource: resource.name,
    file: `${resource.name}.${extension}`,
    status: 'not-run',
  }));
  let stopped: unknown;
  for (const [index, entry] of entries.entries()) {
    if (template.signal?.aborted) {
      stopped = new InterruptedError('export --all interrupted', { signal: String(template.signal.reason) });
      break;
    }
    const request: ExportRequest = { ...template, resource: resources[index] as ResourceDef, output: join(dir, entry.file) };
    const begun = iso();
    try {
      const stateKey = template.stateFile ? planExport(request).bookmarkKey : undefined;
      const outcome = await runExport(api, request, reporter);
      const facts = await fileFacts(request.output as string);
      entries[index] = {
        ...entry,
        status: 'written',
        records: outcome.result.records,
        ...facts,
        started: begun,
        ended: iso(),
        ...(stateKey !== undefined ? { stateKey } : {}),
        requests: outcome.result.requests,
      };
      onResource(outcome);
    } catch (error) {
      Object.assign(entry, { started: begun, ended: iso() });
      if (error instanceof InterruptedError || template.signal?.aborted) {
        // An interrupt ends the whole run; this one and the rest are said to be not run.
        stopped = error;
        break;
      }
      entry.status = 'failed';
      entry.error = error instanceof Error ? error.message : String(error);
      if (endsEveryExport(error)) {
        const said = (error as CliError).hint;
        stopped = (error as CliError).withHint(
          [said, `${join(dir, MANIFEST_NAME)} says which resources were written and which were not run`].filter(Boolean).join('; '),
        );
        break;
      }
      reporter.warn(`${entry.resource}: ${entry.error}; the other resources go on`);
    }
  }
  const manifest: Manifest = {
    format: template.format,
    started,
    ended: iso(),
    ...(template.stateFile ? { state: template.stateFile } : {}),
    resources: entries,
  };
  const manifestPath = join(dir, MANIFEST_NAME);
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (stopped !== undefined) throw stopped;
  return { manifest, manifestPath, failed: entries.filter((e) => e.status === 'failed') };
}

/**
 * An error every later resource would meet too: the credential refused, or a used-up quota (a 429
 * the client gave up on). It stops the run rather than failing each resource in turn.
 */
function endsEveryExport(error: unknown): boolean {
  return error instanceof AuthError || (error instanceof ApiError && error.status === 429);
}

/** `-o DIR/`: an existing folder, or one made now in a folder that exists. */
async function prepareFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info) {
    throw new UsageError(`-o ${dir}: is a file, not a folder`, { hint: '--all writes one file per resource into a folder: give -o DIR/' });
  }
  const parent = await stat(dirname(dir)).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw new UsageError(`-o ${dir}: ${dirname(dir)} does not exist`, { hint: 'create it first, or name a folder that exists' });
  }
  await mkdir(dir);
}

/** Size and sha256 of a written file, read once. */
async function fileFacts(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
