/**
 * Whole-file writes that never leave a half file (DESIGN.md section 1, fs/): the data goes to a
 * temporary file in the same folder (`.<name>.<pid>.<random>.tmp`), is fsynced, renamed over the
 * target, and the folder is fsynced so the rename survives a crash. Used for state files, error
 * reports, journals' snapshots and (with mode 0600 in a 0700 folder) credential files.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, UsageError } from '../errors.js';

export interface AtomicWriteOptions {
  /**
   * Exact permission bits of the written file, whatever the umask (0o600 for credentials). Without
   * it a replaced file keeps its mode and a new one gets 0o666 minus the umask.
   */
  mode?: number;
  /** Create a missing folder with these permission bits (e.g. 0o700); without it a missing folder is an error. */
  folderMode?: number;
}

/** The permission bits a new file gets from open() before the umask, when no mode is asked for. */
const DEFAULT_FILE_MODE = 0o666;

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * A failed write as the user sees it: their mistake (exit 2) when they can fix it, else exit 1;
 * always naming the file (as the user typed it) and, for a missing one, the folder.
 */
export function writeError(path: string, error: unknown, folder = dirname(path)): CliError {
  switch (errorCode(error)) {
    case 'ENOENT':
      return new UsageError(`cannot write ${path}: the folder ${folder} does not exist`, {
        hint: `create it first (mkdir -p ${folder}) or write somewhere else`,
        cause: error,
      });
    case 'ENOTDIR':
      return new UsageError(`cannot write ${path}: ${folder} is not a folder`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`cannot write ${path}: permission denied`, { cause: error });
    case 'EROFS':
      return new UsageError(`cannot write ${path}: read-only file system`, { cause: error });
    case 'EISDIR':
      return new UsageError(`cannot write ${path}: it is a folder`, { cause: error });
    case 'ELOOP':
      return new UsageError(`cannot write ${path}: too many levels of symbolic links`, { cause: error });
    default:
      // Not the user's mistake (a full disk, an I/O error): exit 1, but still say which file.
      return new CliError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Creates the folder (and missing parents) when it does not exist, giving the folder itself
 * exactly `mode` whatever the umask. An existing folder is left as it is; a file in its place is
 * an error.
 */
export async function ensureDir(path: string, mode: number): Promise<void> {
  const folder = resolve(path);
  const existing = await stat(folder).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw writeError(folder, error);
  });
  if (existing) {
    if (!existing.isDirectory()) throw new UsageError(`cannot use ${path} as a folder: it is a file`);
    return;
  }
  try {
    await mkdir(folder, { recursive: true, mode });
    await chmod(folder, mode);
  } catch (error) {
    throw writeError(folder, error);
  }
  await syncFolder(dirname(folder));
}

/** Makes a rename or a new entry durable; best effort (not every file system allows opening a folder). */
export async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // ignored: the data itself is already fsynced
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** `.<name>.<pid>.<random>.tmp` next to the target: hidden, unique, and on the same file system for the rename. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

interface Target {
  /** The file to replace, symlinks resolved (the link is kept and its file replaced). */
  path: string;
  /** Whether it exists and is not a regular file (a device, a pipe): written in place. */
  special: boolean;
  /** The replaced file's permission bits, when there is one. */
  mode?: number;
}

async function inspect(target: string, options: AtomicWriteOptions): Promise<Target> {
  let path = resolve(target);
  try {
    const link = await lstat(path);
    if (link.isSymbolicLink()) path = await realpath(path);
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`cannot write ${target}: it is a folder`);
    return { path, special: !info.isFile(), mode: info.mode & 0o7777 };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (errorCode(error) !== 'ENOENT') throw writeError(target, error);
  }
  if (options.folderMode !== undefined) await ensureDir(dirname(path), options.folderMode);
  try {
    const folder = await stat(dirname(path));
    if (!folder.isDirectory()) throw new UsageError(`cannot write ${target}: ${dirname(target)} is not a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw writeError(target, error);
  }
  return { path, special: false };
}

/**
 * Writes `data` as the whole content of `path`, atomically: readers see the old file or the new
 * one, never a mix, and a crash leaves no half file. A target that exists and is not a regular
 * file (`/dev/null`, a pipe) cannot be renamed over, so it is written in place.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const target = await inspect(path, options);
  if (target.special) {
    await writeInPlace(path, target.path, data);
    return;
  }
  const mode = options.mode ?? target.mode;
  const tempPath = tempPathFor(target.path);
  let handle: FileHandle | undefined;
  try {
    const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;
    // Created with the final mode (never readable by others for a moment); chmod then undoes the
    // umask. Where chmod is refused the umask only took bits away, so the file is never looser.
    handle = await open(tempPath, flags, mode ?? DEFAULT_FILE_MODE);
    if (mode !== undefined) await handle.chmod(mode).catch(() => undefined);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tempPath, target.path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw writeError(path, error);
  }
  await syncFolder(dirname(target.path));
}

async function writeInPlace(shown: string, path: string, data: string | Uint8Array): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'w');
    await handle.writeFile(data);
  } catch (error) {
    throw writeError(shown, error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
