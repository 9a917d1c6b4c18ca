/**
 * Checkpoints of a long export (`export --resume`). An export to a regular file writes a temporary
 * file next to it (`.<name>.<pid>.<random>.tmp`, output.ts); after each page is in that file, a
 * checkpoint beside it (`<temp>.checkpoint`) records what the command was and how far it got: the
 * temporary file's length at that page's end, the records written, the paging position (the last
 * page's offset and the ids the next page must line up with), the CSV header and the change
 * tracker's progress. A run stopped by a used-up quota, an interrupt or a kill leaves both behind;
 * `--resume` with the same command cuts the file back to the checkpointed length and pages on from
 * there, so the finished file is the one an uninterrupted run would have written.
 */
import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PagePosition } from '../../api/types.js';
import { UsageError } from '../../errors.js';
import { tempPathFor, writeFileAtomic } from '../../fs/index.js';
import { counted } from '../../reporter.js';

const VERSION = 1;

/** What a resumed run must repeat exactly: everything that decides which records and which bytes are written. */
export interface CheckpointIdentity {
  resource: string;
  action: string;
  path: string;
  query: Record<string, unknown>;
  format: string;
  fields: string[] | null;
  include: string[] | null;
  max: number | null;
  pageSize: number | null;
  apiUrl: string;
  account: string | null;
  stateFile: string | null;
  stateKey: string | null;
}

/** How far the run got, at the end of its last fully written page. */
export interface CheckpointPosition {
  /** The temporary file's length at that page's end. */
  bytes: number;
  /** Records written to the file, and read from Keap (--max counts these). */
  written: number;
  read: number;
  paging: PagePosition;
  /** CSV: the header written at the start. */
  columns?: string[];
  /** Keap's count of matching records, when it gave one. */
  total?: number;
  /** The change tracker's progress (since mode: the newest update time seen). */
  tracker?: unknown;
}

export interface Checkpoint {
  version: number;
  savedAt: string;
  identity: CheckpointIdentity;
  position: CheckpointPosition;
}

/** A temporary file a stopped run left next to the target, with its checkpoint when it has one. */
export interface Leftover {
  tempPath: string;
  pid: number;
  checkpoint?: Checkpoint;
}

export const checkpointPathOf = (tempPath: string) => `${tempPath}.checkpoint`;

export async function saveCheckpoint(tempPath: string, identity: CheckpointIdentity, position: CheckpointPosition): Promise<void> {
  const checkpoint: Checkpoint = { version: VERSION, savedAt: new Date().toISOString(), identity, position };
  await writeFileAtomic(checkpointPathOf(tempPath), `${JSON.stringify(checkpoint)}\n`);
}

/**
 * Temporary files this process is writing now. One of its pid that is not among them is a leftover
 * too: in-process runs (tests, library use) share a pid.
 */
export const activeTemps = new Set<string>();

/** Whether a process is running (a leftover of a live run is its own business, not ours). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Temporary files of `target` (a resolved path) whose run is gone, oldest checkpoint first. */
export async function findLeftovers(target: string): Promise<Leftover[]> {
  const folder = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  const names = await readdir(folder).catch(() => [] as string[]);
  const found: Leftover[] = [];
  for (const name of names.sort()) {
    const pid = Number(pattern.exec(name)?.[1]);
    const tempPath = join(folder, name);
    if (!Number.isInteger(pid) || pid <= 0 || activeTemps.has(tempPath)) continue;
    if (pid !== process.pid && isAlive(pid)) continue;
    const checkpoint = await readCheckpoint(tempPath);
    found.push({ tempPath, pid, ...(checkpoint ? { checkpoint } : {}) });
  }
  return found.sort((a, b) => (a.checkpoint?.savedAt ?? '').localeCompare(b.checkpoint?.savedAt ?? ''));
}

async function readCheckpoint(tempPath: string): Promise<Checkpoint | undefined> {
  const text = await readFile(checkpointPathOf(tempPath), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Checkpoint;
    return parsed.version === VERSION && parsed.identity && parsed.position ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Removes leftovers (and their checkpoints): the run that resumed or replaced them has committed. */
export async function removeLeftovers(leftovers: Leftover[]): Promise<void> {
  for (const { tempPath } of leftovers) {
    await unlink(tempPath).catch(() => undefined);
    await unlink(checkpointPathOf(tempPath)).catch(() => undefined);
  }
}

export async function removeCheckpoint(tempPath: string): Promise<void> {
  await unlink(checkpointPathOf(tempPath)).catch(() => undefined);
}

const shown = (value: unknown) => (value === null || value === undefined ? '(none)' : JSON.stringify(value));

/** What differs between the stopped run's command and this one, one `what: then -> now` each. */
export function identityDifferences(saved: CheckpointIdentity, current: CheckpointIdentity): string[] {
  const names: Array<[keyof CheckpointIdentity, string]> = [
    ['resource', 'resource'],
    ['action', '--action'],
    ['path', 'path (--param)'],
    ['query', 'filters (--where, --since, --until, the bookmark)'],
    ['format', 'format'],
    ['fields', '--fields'],
    ['include', '--include'],
    ['max', '--max'],
    ['pageSize', '--page-size'],
    ['apiUrl', 'API URL'],
    ['account', 'account'],
    ['stateFile', '--state'],
    ['stateKey', 'state key'],
  ];
  return names
    .filter(([key]) => JSON.stringify(saved[key] ?? null) !== JSON.stringify(current[key] ?? null))
    .map(([key, label]) => `${label}: ${shown(saved[key])} then, ${shown(current[key])} now`);
}

/**
 * The leftover `--resume` continues: the latest checkpoint (any other leftover is replaced when the
 * run commits). A changed command or account is refused, saying what differs.
 */
export function chooseResumable(leftovers: Leftover[], current: CheckpointIdentity, output: string): Leftover | undefined {
  const resumable = leftovers.filter((l) => l.checkpoint);
  const latest = resumable[resumable.length - 1];
  if (!latest?.checkpoint) return undefined;
  const differences = identityDifferences(latest.checkpoint.identity, current);
  if (differences.length) {
    throw new UsageError(`--resume: the stopped run that left ${latest.tempPath} was a different export; ${differences.join('; ')}`, {
      hint: `run it again as it was to continue it, or leave out --resume to start ${output} over (the leftover is removed when that run finishes)`,
    });
  }
  return latest;
}

/** `.contacts.csv.123.ab.tmp (4 records, resumable with --resume)` for the warning about leftovers. */
export function describeLeftover(leftover: Leftover): string {
  const position = leftover.checkpoint?.position;
  return position
    ? `${leftover.tempPath} (${counted(position.written, 'record')}, resumable with --resume)`
    : `${leftover.tempPath} (no checkpoint, cannot be resumed)`;
}

/** What a run that cannot be resumed tells `--resume`, or undefined when it can checkpoint. */
export function whyNotResumable(setup: {
  kind: string;
  gzip: boolean;
  tracking?: string;
  trackerResumes: boolean;
  paged: boolean;
}): string | undefined {
  if (setup.kind !== 'replace') return 'only an export to a file (-o FILE) keeps a checkpoint; stdout, pipes and devices cannot be rewound';
  if (setup.gzip) return 'a gzip-compressed output (.gz) cannot be continued byte for byte';
  if (setup.tracking === 'hash')
    return 'hash mode compares every record with the last run, which a resumed run has not seen; run it again whole';
  if (!setup.trackerResumes)
    return '--state with --include of a tracked membership (tags) gathers them again in one piece; run it again whole';
  if (!setup.paged) return 'this read is one request, with nothing to continue';
  return undefined;
}

/**
 * Makes a leftover this process's own by renaming it (and its checkpoint) to a temporary name with
 * this pid: two runs resuming one leftover at once (overlapping cron jobs) cannot both write it, as
 * only one rename succeeds, and while this run lives no other takes the file for a leftover.
 */
async function claim(leftover: Leftover, target: string, name: string): Promise<Leftover> {
  const tempPath = tempPathFor(target);
  try {
    await rename(leftover.tempPath, tempPath);
  } catch (error) {
    throw new UsageError(`--resume: cannot take over ${leftover.tempPath}: ${(error as Error).message}`, {
      hint: `another run may have resumed it meanwhile; run again to resume ${name} or start it over`,
      cause: error,
    });
  }
  await rename(checkpointPathOf(leftover.tempPath), checkpointPathOf(tempPath)).catch(() => undefined);
  return { ...leftover, tempPath, pid: process.pid };
}

/** How often a checkpoint is written at most while pages flow; a stopped run writes its last one at once. */
export const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * The checkpoints of one run: after a page is in the file, one is written when the last is a
 * second old (an fsync each, so not after every page of a fast export); when the run stops
 * between pages (a used-up quota, an interrupt), `saveLast` writes the place it stopped at.
 */
export class Checkpointer {
  /** Records the last checkpoint counts (a resumed run starts with its stopped run's). */
  savedWritten: number | undefined;
  /** True while a page's records are being written: the file is not at a page's end. */
  writing = false;
  private pending: { position: Omit<CheckpointPosition, 'bytes'>; flush: () => Promise<void> } | undefined;
  private lastSave = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly temp: { path: string; settle(): Promise<number> },
    private readonly identity: CheckpointIdentity,
    resumedFrom?: CheckpointPosition,
  ) {
    if (resumedFrom) this.savedWritten = resumedFrom.written;
  }

  get tempPath(): string {
    return this.temp.path;
  }

  /** A page is fully written (`flush` hands the writer's buffer to the file): checkpoint now, or remember the place. */
  async pageWritten(position: Omit<CheckpointPosition, 'bytes'>, flush: () => Promise<void>): Promise<void> {
    this.pending = { position, flush };
    if (performance.now() - this.lastSave >= CHECKPOINT_INTERVAL_MS) await this.save();
  }

  /** The run stopped: the last page's end, if the file is at one, becomes the checkpoint. */
  async saveLast(): Promise<void> {
    if (this.pending && !this.writing) await this.save().catch(() => undefined);
  }

  private async save(): Promise<void> {
    if (!this.pending) return;
    const { position, flush } = this.pending;
    await flush();
    const bytes = await this.temp.settle();
    await saveCheckpoint(this.temp.path, this.identity, { ...position, bytes });
    this.pending = undefined;
    this.savedWritten = position.written;
    this.lastSave = performance.now();
  }
}

/** What a run does about checkpoints: whether it keeps them, the leftovers it found, the one it resumes. */
export interface ResumePlan {
  identity: CheckpointIdentity;
  /** Whether this run writes checkpoints (a file target, not gzip, not hash mode...). */
  checkpoints: boolean;
  /** Temporary files of stopped runs of this target: removed once this run commits. */
  leftovers: Leftover[];
  /** The one `--resume` continues. */
  from?: Leftover & { checkpoint: Checkpoint };
}

/**
 * Before any request: refuses a `--resume` that cannot be honoured (exit 2), finds and names the
 * leftovers of stopped runs, and picks the one to continue.
 */
export async function planResume(options: {
  resume: boolean;
  target: { kind: string; target?: string; path?: string };
  identity: CheckpointIdentity;
  notResumable: string | undefined;
  info(text: string): void;
  warn(text: string): void;
}): Promise<ResumePlan> {
  const { resume, target, identity, notResumable } = options;
  if (resume && notResumable) throw new UsageError(`--resume: ${notResumable}`, { hint: 'leave out --resume' });
  if (target.kind !== 'replace' || target.path === undefined) return { identity, checkpoints: false, leftovers: [] };
  const leftovers = await findLeftovers(target.path);
  const name = target.target ?? target.path;
  const from = resume ? chooseResumable(leftovers, identity, name) : undefined;
  if (resume && !from) options.info(`nothing to resume for ${name}: no stopped run left a checkpoint; exporting from the start`);
  for (const leftover of leftovers) {
    if (leftover === from) continue;
    options.warn(`a stopped export left ${describeLeftover(leftover)}; this run replaces it when it finishes`);
  }
  if (from?.checkpoint) {
    const { written, paging } = from.checkpoint.position;
    options.info(`resuming ${name} from ${from.tempPath}: ${counted(written, 'record')} written, paging on after offset ${paging.offset}`);
    const claimed = await claim(from, target.path, name);
    return { identity, checkpoints: true, leftovers, from: { ...claimed, checkpoint: from.checkpoint } };
  }
  return { identity, checkpoints: notResumable === undefined, leftovers };
}
