/**
 * Incremental export state (`--state FILE`): per-resource bookmarks on the update-time field.
 *
 *     {"bookmarks": {"contacts": {"last_updated": "2026-01-01T00:00:00.000Z"}}}
 *
 * Other resources' bookmarks, other keys inside a bookmark and unknown top-level keys are kept as
 * they are, so several cron jobs (or a newer version of the tool) can share one file.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { withFileLock } from '../fs/index.js';
import { writeFileAtomic } from './output.js';

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
 * everything and then cannot save its bookmark would start over next time.
 */
export async function assertStateWritable(file: string, flag: string): Promise<void> {
  const folder = dirname(resolve(file));
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new UsageError(`${flag} ${file}: ${folder} is not a folder`);
    await access(folder, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new UsageError(
      code === 'ENOENT' ? `${flag} ${file}: the folder ${folder} does not exist` : `${flag} ${file}: cannot write in ${folder}`,
      { cause: error },
    );
  }
}

/**
 * Changes the state file under a lock (`FILE.lock`), re-reading it first, so exports of different
 * resources that share one file from parallel cron jobs never drop each other's bookmarks. An
 * async `change` may write files that belong with the state (record hashes) under the same lock.
 */
export async function updateState(file: string, change: (state: ExportState) => ExportState | Promise<ExportState>): Promise<void> {
  const lock = `${file}.lock`;
  await withFileLock(lock, async () => writeState(file, await change(await readState(file))), {
    label: `state file ${file}`,
    busyHint: `if no other export is running, delete ${lock}`,
  });
}
