/**
 * Where data goes (DESIGN.md section 3, Outputs). A regular file is written to a temporary file in
 * the same folder (`.<name>.<pid>.<random>.tmp`) and renamed over the target only on commit, after
 * an fsync, so a killed job never leaves a half file where a complete one is expected. Anything
 * else (`-`, stdout, a pipe, `/dev/null`, a device) is written directly and never renamed over.
 * A symlink to a regular file is followed: the real file is replaced and the link kept.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CliError, UsageError } from '../errors.js';

export interface Output {
  stream: Writable;
  /** The file written (absent for stdout). */
  path?: string;
  /** Flushes and, for a regular file, fsyncs and renames the temporary file over the target. */
  commit(): Promise<void>;
  /** Discards: the temporary file is removed and the target left as it was. */
  abort(): Promise<void>;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function usageErrorFor(path: string, error: unknown): Error {
  switch (errorCode(error)) {
    case 'ENOENT':
      return new UsageError(`cannot write ${path}: the folder ${dirname(path)} does not exist`, { cause: error });
    case 'ENOTDIR':
      return new UsageError(`cannot write ${path}: ${dirname(path)} is not a folder`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`cannot write ${path}: permission denied`, { cause: error });
    case 'EROFS':
      return new UsageError(`cannot write ${path}: read-only file system`, { cause: error });
    case 'EISDIR':
      return new UsageError(`cannot write ${path}: it is a folder`, { cause: error });
    default:
      // Not the user's mistake (a full disk, an I/O error): exit 1, but still say which file.
      return new CliError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

interface TargetInfo {
  /** The path to replace (symlinks resolved) or write directly. */
  path: string;
  /** True when the target exists and is not a regular file: written in place. */
  special: boolean;
  /** Permission bits to give the new file (the replaced file's, else the default). */
  mode: number;
}

async function inspectTarget(target: string): Promise<TargetInfo> {
  let path = resolve(target);
  try {
    const link = await lstat(path);
    if (link.isSymbolicLink()) path = await realpath(path);
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`cannot write ${target}: it is a folder`);
    return { path, special: !info.isFile(), mode: info.mode & 0o7777 };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (errorCode(error) !== 'ENOENT') throw usageErrorFor(target, error);
  }
  // A new file: its folder must exist.
  try {
    const folder = await stat(dirname(path));
    if (!folder.isDirectory()) throw new UsageError(`cannot write ${target}: ${dirname(target)} is not a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw usageErrorFor(target, error);
  }
  return { path, special: false, mode: 0o666 };
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

async function createTemp(info: TargetInfo, target: string): Promise<{ tempPath: string; handle: FileHandle }> {
  const tempPath = tempPathFor(info.path);
  try {
    const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;
    const handle = await open(tempPath, flags, info.mode);
    // open() applies the umask; an existing target's exact mode is kept.
    if (info.mode !== 0o666) await handle.chmod(info.mode).catch(() => undefined);
    return { tempPath, handle };
  } catch (error) {
    throw usageErrorFor(target, error);
  }
}

/** Makes the rename itself durable; best effort (not every file system allows opening a folder). */
async function syncFolder(folder: string): Promise<void> {
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

function waitFinished(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (stream.errored) return reject(stream.errored);
    if (stream.writableFinished) return resolve();
    const cleanup = () => {
      stream.off('finish', onFinish);
      stream.off('error', onError);
    };
    const onFinish = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.on('finish', onFinish);
    stream.on('error', onError);
    stream.end();
  });
}

/** Destroys a stream and waits for 'close' (a FileHandle stays referenced until its stream closes). */
function closeStream(stream: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

function stdoutOutput(): Output {
  const stream = process.stdout;
  return {
    stream,
    async commit() {
      // Never end stdout: the process may still print (e.g. --json summaries). Wait until what
      // was written so far has been handed to the OS.
      await new Promise<void>((resolve, reject) => {
        stream.write('', (error) => (error ? reject(error) : resolve()));
      });
    },
    async abort() {},
  };
}

/**
 * Opens the export target: undefined or `-` is stdout; otherwise a file path. Throws UsageError
 * (nothing written) for a missing folder, a folder as target, or no permission.
 */
export async function openOutput(target?: string): Promise<Output> {
  if (target === undefined || target === '-') return stdoutOutput();
  const info = await inspectTarget(target);

  if (info.special) {
    let handle: FileHandle;
    try {
      handle = await open(info.path, 'w');
    } catch (error) {
      throw usageErrorFor(target, error);
    }
    const stream = handle.createWriteStream();
    // Errors surface through commit() and the writers; a listener keeps them from crashing the process.
    stream.on('error', () => undefined);
    return settledOnce(
      stream,
      info.path,
      async () => {
        try {
          await waitFinished(stream);
        } finally {
          await closeStream(stream);
        }
      },
      () => closeStream(stream),
    );
  }

  const { tempPath, handle } = await createTemp(info, target);
  const stream = handle.createWriteStream({ autoClose: false, emitClose: true });
  stream.on('error', () => undefined);
  const discard = async () => {
    await closeStream(stream);
    await handle.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
  };
  return settledOnce(
    stream,
    info.path,
    async () => {
      try {
        await waitFinished(stream);
        await handle.sync();
        await closeStream(stream); // autoClose is off, so the handle stays open for the fsync above
        await handle.close();
        await rename(tempPath, info.path);
      } catch (error) {
        await discard();
        throw usageErrorFor(target, error);
      }
      await syncFolder(dirname(info.path));
    },
    discard,
  );
}

/** An Output whose commit and abort run at most once between them (abort after commit is a no-op). */
function settledOnce(stream: Writable, path: string, commit: () => Promise<void>, abort: () => Promise<void>): Output {
  let done = false;
  const once = (settle: () => Promise<void>) => async () => {
    if (done) return;
    done = true;
    await settle();
  };
  return { stream, path, commit: once(commit), abort: once(abort) };
}

/** Whole-file atomic writes live in fs/ (one implementation for every layer); kept here for callers. */
export { writeFileAtomic } from '../fs/index.js';
