/**
 * Incremental export state (`--state FILE`): per-resource bookmarks on the update-time field.
 *
 *     {"bookmarks": {"contacts": {"last_updated": "2026-01-01T00:00:00.000Z"}}}
 *
 * Other resources' bookmarks, other keys inside a bookmark and unknown top-level keys are kept as
 * they are, so several cron jobs (or a newer version of the tool) can share one file.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, UsageError } from '../../errors.js';
import { withFileLock, writeFileAtomic } from '../../fs/index.js';

export type Bookmark = Record<string, string>;

export interface ExportState {
  bookmarks: Record<string, Bookmark>;
  [key: string]: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badState(file: string, problem: string, cause?: unknown): UsageError {
  return new UsageError(`state file ${file} ${problem}`, {
    hint: `fix it, or delete it to export everything again`,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** Reads a state file; a missing (or empty) file is an empty state. */
export async function readState(file: string): Promise<ExportState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return { bookmarks: {} };
    if (code === 'EISDIR') throw new UsageError(`state file ${file} is a folder`);
    throw new UsageError(`cannot read state file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') return { bookmarks: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badState(file, `is not valid JSON (${(error as Error).message})`, error);
  }
  if (!isObject(parsed)) throw badState(file, 'does not hold a JSON object');
  const bookmarks = parsed.bookmarks ?? {};
  if (!isObject(bookmarks)) throw badState(file, 'has a "bookmarks" that is not an object');
  for (const [resource, bookmark] of Object.entries(bookmarks)) {
    if (!isObject(bookmark)) throw badState(file, `has a bookmark for "${resource}" that is not an object`);
    for (const [field, value] of Object.entries(bookmark)) {
      if (typeof value !== 'string') {
        throw badState(file, `has a bookmark "${resource}.${field}" that is not a string`);
      }
    }
  }
  return { ...parsed, bookmarks: bookmarks as Record<string, Bookmark> };
}

/** The resource's bookmark, if any (`{last_updated: "..."}`). */
export function bookmark(state: ExportState, resource: string): Bookmark | undefined {
  return Object.hasOwn(state.bookmarks, resource) ? state.bookmarks[resource] : undefined;
}

/** A new state with the resource's bookmark field set; everything else is kept. */
export function withBookmark(state: ExportState, resource: string, field: string, value: string): ExportState {
  return {
    ...state,
    bookmarks: { ...state.bookmarks, [resource]: { ...bookmark(state, resource), [field]: value } },
  };
}

/** Writes the state atomically (temp file, fsync, rename), pretty-printed for people who look. */
export async function writeState(file: string, state: ExportState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Fails before any work when the state file could not be written at the end: a run that exports
 * everything and then cannot save its bookmark would start over next time. Beyond the folder's
 * permissions, a small file is written and removed there, so a full disk or a read-only mount is
 * found now rather than after the export.
 */
export async function assertStateWritable(file: string, flag: string): Promise<void> {
  const folder = dirname(resolve(file));
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new UsageError(`${flag} ${file}: ${folder} is not a folder`);
    await access(folder, constants.W_OK);
    const size = await stat(file).then(
      (existing) => existing.size,
      () => 0,
    );
    const probe = join(folder, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.probe`);
    try {
      await writeFile(probe, Buffer.alloc(Math.max(PROBE_BYTES, size), 0x20), { flag: 'wx' });
    } finally {
      await unlink(probe).catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${flag} ${file}: the folder ${folder} does not exist`
        : `${flag} ${file}: cannot write in ${folder}${code === 'ENOSPC' ? ': the disk is full' : code === 'EROFS' ? ': it is read-only' : ''}`,
      { cause: error, hint: 'nothing was sent; make room or choose another place, then run again' },
    );
  }
}

/** Bytes the probe writes at least: a bookmark file is small, but not empty. */
const PROBE_BYTES = 4096;

/** Lock files this process holds (withStateLock), so updateState under one does not wait for itself. */
const heldLocks = new Set<string>();

function lockOptions(file: string, notify?: (note: string) => void, timeoutMs?: number) {
  const lock = `${file}.lock`;
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    label: `state file ${file}`,
    busyHint: `if no other export is running, delete ${lock}`,
    ...(notify ? { onTakeover: notify } : {}),
  };
}

/**
 * Runs `fn` holding the state file's lock (`FILE.lock`): the export commits its output and moves
 * its bookmark under it, so a run that cannot take the lock leaves the older output as it was.
 */
export async function withStateLock<T>(
  file: string,
  fn: () => Promise<T>,
  notify?: (note: string) => void,
  timeoutMs?: number,
): Promise<T> {
  const lock = `${file}.lock`;
  return withFileLock(
    lock,
    async () => {
      heldLocks.add(lock);
      try {
        return await fn();
      } finally {
        heldLocks.delete(lock);
      }
    },
    lockOptions(file, notify, timeoutMs),
  );
}

/**
 * Before the first request: waits while another run holds the state file's lock (taking over one
 * its holder left behind, with a note), so a run that could not save its bookmark fails now.
 */
export async function checkStateLock(file: string, notify?: (note: string) => void, timeoutMs?: number): Promise<void> {
  try {
    await withFileLock(`${file}.lock`, async () => undefined, lockOptions(file, notify, timeoutMs));
  } catch (error) {
    throw error instanceof CliError ? error.withHint(`nothing was sent; ${error.hint ?? ''}`.replace(/; $/, '')) : error;
  }
}

/**
 * Changes the state file under a lock (`FILE.lock`), re-reading it first, so exports of different
 * resources that share one file from parallel cron jobs never drop each other's bookmarks. An
 * async `change` may write files that belong with the state (record hashes) under the same lock.
 */
export async function updateState(file: string, change: (state: ExportState) => ExportState | Promise<ExportState>): Promise<void> {
  const lock = `${file}.lock`;
  const update = async () => writeState(file, await change(await readState(file)));
  if (heldLocks.has(lock)) await update();
  else await withFileLock(lock, update, lockOptions(file));
}
