/**
 * Where data goes (DESIGN.md section 3, Outputs). One rule decides how a target is written:
 *
 * - a path that resolves through `/dev/stdin|stdout|stderr`, `/dev/fd/N` or `/proc/PID/fd/N` names a
 *   descriptor that is already open (`-o /dev/stdout`, bash's `-o >(gzip > x.gz)`): it is written in
 *   place through that descriptor, whatever it points at, never truncated, appending where the shell
 *   opened it for appending (`>>`);
 * - any other target that exists and is not a regular file (a FIFO, `/dev/null`) is written in place;
 * - a regular file, or a path that does not exist yet, is written to a temporary file in the same
 *   folder (`.<name>.<pid>.<random>.tmp`) and renamed over the target only on commit, after an
 *   fsync, so a killed job never leaves a half file where a complete one is expected. A symlink to a
 *   regular file is followed: the real file is replaced and the link kept.
 *
 * `inspectOutput` applies the rule and checks the target without opening it, so an export can refuse
 * a bad `-o` before its first request; `openOutput` opens what it decided.
 */
import fs, { constants as fsConstants, createWriteStream, fstat } from 'node:fs';
import { access, lstat, mkdir, open, readFile, readlink, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InterruptedError, UsageError } from '../errors.js';
import { errorCode, syncFolder, tempPathFor, writeError } from './atomic.js';

export interface Output {
  stream: Writable;
  /** The target as given (absent for stdout). */
  path?: string;
  /**
   * True when written straight into the target (stdout, a descriptor, a pipe, a device): what was
   * written before a failure stays there. False for the temporary file renamed on commit.
   */
  inPlace: boolean;
  /** Flushes and, for a regular file, fsyncs and renames the temporary file over the target. */
  commit(): Promise<void>;
  /** Discards: the temporary file is removed and the target left as it was. */
  abort(): Promise<void>;
  /** The temporary file a regular-file target is written to (absent when written in place). */
  temp?: TempFile;
}

/** The temporary file behind an Output, for a checkpoint a later run can resume from. */
export interface TempFile {
  path: string;
  /** Waits until what was written so far is in the file, on disk, and returns the file's length. */
  settle(): Promise<number>;
  /** Instead of abort: closes the file and keeps it for a resumed run; the target is left as it was. */
  keep(): Promise<void>;
}

/** How a target will be written; from `inspectOutput`, nothing opened yet. */
export type OutputTarget =
  | { kind: 'stdout' }
  /** An open descriptor: ours (`pid` absent) is written through directly; another process's is reopened. */
  | { kind: 'descriptor'; target: string; fd: number; pid?: number; append: boolean }
  /** An existing FIFO, device or socket: opened for writing, never truncated or replaced. */
  | { kind: 'in-place'; target: string; path: string; fifo: boolean }
  /** A regular file or a new one: a temporary file renamed over `path` (links resolved). */
  | { kind: 'replace'; target: string; path: string; mode: number };

/** The access-mode bits of open flags (Linux; Node's fs.constants lacks it). */
const O_ACCMODE = 0o3;
const STD_DESCRIPTORS: Record<string, number> = { stdin: 0, stdout: 1, stderr: 2 };
const DESCRIPTOR_PATH = /^\/dev\/(?:(stdin|stdout|stderr)|fd\/(\d+))$|^\/proc\/(self|thread-self|\d+)(?:\/task\/\d+)?\/fd\/(\d+)$/;

/** The descriptor an absolute, normalised path names, if it is one; `pid` only for another process. */
function descriptorAt(path: string): { fd: number; pid?: number } | undefined {
  const match = DESCRIPTOR_PATH.exec(path);
  if (!match) return undefined;
  const [, std, devFd, owner, procFd] = match;
  if (std !== undefined) return { fd: STD_DESCRIPTORS[std] as number };
  if (devFd !== undefined) return { fd: Number(devFd) };
  const pid = Number(owner);
  return Number.isInteger(pid) && pid !== process.pid ? { fd: Number(procFd), pid } : { fd: Number(procFd) };
}

/** The open flags of a descriptor (Linux /proc), or undefined where the system does not say. */
async function descriptorFlags(fd: number, pid?: number): Promise<number | undefined> {
  try {
    const info = await readFile(`/proc/${pid ?? 'self'}/fdinfo/${fd}`, 'utf8');
    const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
    return flags === undefined ? undefined : parseInt(flags, 8);
  } catch {
    return undefined;
  }
}

/**
 * Whether one of our descriptors is Node's own (its event loop, its wake-up pipes) rather than one
 * the shell handed over: the shell's are never anonymous inodes, nor non-blocking beyond 0-2.
 * A descriptor the user names but the shell never opened would otherwise be written into.
 */
async function isRuntimeDescriptor(fd: number): Promise<boolean> {
  const points = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
  if (points.startsWith('anon_inode:')) return true;
  const flags = await descriptorFlags(fd);
  return fd > 2 && flags !== undefined && (flags & fsConstants.O_NONBLOCK) !== 0;
}

async function inspectDescriptor(target: string, fd: number, pid?: number): Promise<OutputTarget> {
  const notOpen = () =>
    new UsageError(`cannot write ${target}: descriptor ${fd} is not open`, {
      hint: `open it in the shell (e.g. ${fd}> file) or write somewhere else`,
    });
  if (pid === undefined) {
    const open = await new Promise<boolean>((done) => fstat(fd, (error) => done(!error)));
    if (!open || (await isRuntimeDescriptor(fd))) throw notOpen();
  } else {
    await lstat(`/proc/${pid}/fd/${fd}`).catch((error: unknown) => {
      throw errorCode(error) === 'ENOENT' ? notOpen() : writeError(target, error);
    });
  }
  const flags = await descriptorFlags(fd, pid);
  if (flags !== undefined && (flags & O_ACCMODE) === fsConstants.O_RDONLY) {
    throw new UsageError(`cannot write ${target}: descriptor ${fd} is open for reading only`);
  }
  const append = flags !== undefined && (flags & fsConstants.O_APPEND) !== 0;
  return pid === undefined ? { kind: 'descriptor', target, fd, append } : { kind: 'descriptor', target, fd, pid, append };
}

/** Symbolic links followed before giving up, as the kernel does (MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * Decides how `target` is written (see the rule at the top) and checks it can be, without opening
 * or truncating anything: a missing folder, a folder as target, a closed or read-only descriptor
 * or no permission is a UsageError naming the target.
 */
export async function inspectOutput(target?: string, options: { force?: boolean } = {}): Promise<OutputTarget> {
  if (target === undefined || target === '-') return { kind: 'stdout' };
  let path = resolve(target);
  for (let links = 0; links <= MAX_LINKS; links++) {
    const direct = descriptorAt(path);
    if (direct) return inspectDescriptor(target, direct.fd, direct.pid);
    // A folder on the way may itself be a link (`/dev/fd` is one, into /proc/self/fd).
    const folder = await realpath(dirname(path)).catch((error: unknown) => {
      throw writeError(target, error, links === 0 ? dirname(target) : dirname(path));
    });
    path = join(folder, basename(path));
    const viaFolder = descriptorAt(path);
    if (viaFolder) return inspectDescriptor(target, viaFolder.fd, viaFolder.pid);

    const info = await lstat(path).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw writeError(target, error, folder);
    });
    if (info?.isSymbolicLink()) {
      path = resolve(folder, await readlink(path));
      continue;
    }
    if (info?.isDirectory()) throw new UsageError(`cannot write ${target}: it is a folder`);
    if (info && !info.isFile()) {
      await access(path, fsConstants.W_OK).catch((error: unknown) => {
        throw writeError(target, error, folder);
      });
      return { kind: 'in-place', target, path, fifo: info.isFIFO() };
    }
    // A regular file or a new one: the temporary file goes into its folder.
    await access(folder, fsConstants.W_OK).catch((error: unknown) => {
      throw writeError(target, error, folder);
    });
    // Someone took the write bits away to keep this file; renaming over it would ignore that
    // (and root's access() says yes to anything), so the mode bits decide.
    if (info && (info.mode & 0o222) === 0 && !options.force) {
      throw new UsageError(`cannot write ${target}: it is read-only (mode ${(info.mode & 0o777).toString(8).padStart(3, '0')})`, {
        hint: 'someone made it read-only to keep it: write elsewhere, or pass --force to replace it',
      });
    }
    return { kind: 'replace', target, path, mode: info ? info.mode & 0o7777 : 0o666 };
  }
  throw new UsageError(`cannot write ${target}: too many levels of symbolic links`);
}

async function createTemp(target: string, path: string, mode: number): Promise<{ tempPath: string; handle: FileHandle }> {
  const tempPath = tempPathFor(path);
  try {
    const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;
    const handle = await open(tempPath, flags, mode);
    // open() applies the umask; an existing target's exact mode is kept.
    if (mode !== 0o666) await handle.chmod(mode).catch(() => undefined);
    return { tempPath, handle };
  } catch (error) {
    throw writeError(target, error);
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

/** A stream written straight into its target: commit ends it and waits for the end, abort only closes it. */
function inPlaceOutput(stream: Writable, path: string): Output {
  return settledOnce(
    stream,
    path,
    true,
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

/** stdout or stderr: written in place and never ended (the process may still print on it). */
function processStreamOutput(stream: Writable, path?: string): Output {
  return {
    stream,
    ...(path !== undefined ? { path } : {}),
    inPlace: true,
    async commit() {
      // Wait until what was written so far has been handed to the OS.
      await new Promise<void>((resolve, reject) => {
        stream.write('', (error) => (error ? reject(error) : resolve()));
      });
    },
    async abort() {},
  };
}

/** Writes through a descriptor of ours as it is (its offset, its O_APPEND); never closes it. */
function descriptorOutput(fd: number, path: string): Output {
  if (fd === 1) return processStreamOutput(process.stdout, path);
  if (fd === 2) return processStreamOutput(process.stderr, path);
  // The descriptor is the shell's: destroying the stream (which closes its fd even without
  // autoClose) must leave it open for whoever writes next.
  const keepOpen = { open: fs.open, write: fs.write, writev: fs.writev, close: (_fd: number, done: (error: null) => void) => done(null) };
  const stream = createWriteStream('', { fd, autoClose: false, emitClose: true, fs: keepOpen });
  // Errors surface through commit() and the writers; a listener keeps them from crashing the process.
  stream.on('error', () => undefined);
  return inPlaceOutput(stream, path);
}

/** How often a FIFO with no reader yet is tried again. */
const FIFO_POLL_MS = 100;

/**
 * Opens a FIFO once it has a reader. A plain open() blocks a libuv thread until one comes, where no
 * signal can reach it (only SIGKILL ended such a run); a non-blocking open fails at once with ENXIO
 * instead, so it is tried again every FIFO_POLL_MS while the run can still be stopped.
 */
async function openFifo(target: string, path: string, wait: WaitOptions): Promise<FileHandle> {
  const { signal } = wait;
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) {
      throw new InterruptedError(`export interrupted while waiting for a reader on ${target}; nothing was written`, {
        ...(typeof signal.reason === 'string' ? { signal: signal.reason } : {}),
      });
    }
    let probe: FileHandle | undefined;
    try {
      probe = await open(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    } catch (error) {
      if (errorCode(error) !== 'ENXIO') throw writeError(target, error);
    }
    if (probe) {
      // A reader is there: the blocking open returns at once, and writes block as a pipe's should.
      try {
        return await open(path, fsConstants.O_WRONLY);
      } catch (error) {
        throw writeError(target, error);
      } finally {
        await probe.close();
      }
    }
    if (attempt === 0) wait.onWaitForReader?.();
    await new Promise((resolve) => setTimeout(resolve, FIFO_POLL_MS));
  }
}

/** How an in-place open may wait: the run's signal, and a callback when a FIFO has no reader yet. */
interface WaitOptions {
  signal?: AbortSignal;
  onWaitForReader?: () => void;
}

/** Opens a FIFO, a device or another process's descriptor for writing, without truncating it. */
async function openInPlace(target: string, path: string, flags: number, fifo = false, wait: WaitOptions = {}): Promise<Output> {
  let handle: FileHandle;
  if (fifo) handle = await openFifo(target, path, wait);
  else {
    try {
      handle = await open(path, fsConstants.O_WRONLY | flags);
    } catch (error) {
      throw writeError(target, error);
    }
  }
  const stream = handle.createWriteStream();
  stream.on('error', () => undefined);
  return inPlaceOutput(stream, target);
}

/** A temporary file next to `path`, renamed over it on commit and removed on abort. */
async function replacingOutput(target: string, path: string, mode: number): Promise<Output> {
  const { tempPath, handle } = await createTemp(target, path, mode);
  return tempFileOutput(target, path, tempPath, handle, 0);
}

/**
 * The temporary file of an earlier run, cut back to `bytes` (its last checkpoint) and written on
 * from there (`export --resume`); renamed over `path` on commit like any other.
 */
export async function resumeOutput(target: OutputTarget, tempPath: string, bytes: number): Promise<Output> {
  if (target.kind !== 'replace') throw new Error('resumeOutput: only a replaced file can be resumed');
  let handle: FileHandle | undefined;
  try {
    handle = await open(tempPath, fsConstants.O_RDWR);
    const { size } = await handle.stat();
    if (size < bytes) {
      throw new UsageError(`cannot resume from ${tempPath}: it holds ${size} bytes, fewer than the ${bytes} its checkpoint records`, {
        hint: `remove it (and ${basename(tempPath)}.checkpoint) and run the export again without --resume`,
      });
    }
    await handle.truncate(bytes);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw error instanceof UsageError ? error : writeError(target.target, error);
  }
  return tempFileOutput(target.target, target.path, tempPath, handle, bytes);
}

function tempFileOutput(target: string, path: string, tempPath: string, handle: FileHandle, start: number): Output {
  const stream = handle.createWriteStream({ autoClose: false, emitClose: true, start });
  stream.on('error', () => undefined);
  const close = async () => {
    await closeStream(stream);
    await handle.close().catch(() => undefined);
  };
  let kept = false;
  const discard = async () => {
    await close();
    if (!kept) await unlink(tempPath).catch(() => undefined);
  };
  const output = settledOnce(
    stream,
    path,
    false,
    async () => {
      try {
        await waitFinished(stream);
        await handle.sync();
        await closeStream(stream); // autoClose is off, so the handle stays open for the fsync above
        await handle.close();
        await rename(tempPath, path);
      } catch (error) {
        await discard();
        throw writeError(target, error);
      }
      await syncFolder(dirname(path));
    },
    discard,
  );
  const temp: TempFile = {
    path: tempPath,
    async settle() {
      await new Promise<void>((resolve, reject) => {
        stream.write('', (error) => (error ? reject(error) : resolve()));
      });
      await handle.datasync();
      return (await handle.stat()).size;
    },
    async keep() {
      // Settles the output (commit and abort are then no-ops), the file left where it is.
      kept = true;
      await output.abort();
    },
  };
  output.temp = temp;
  return output;
}

/**
 * Opens the target `inspectOutput` decided on (or inspects a path first): undefined or `-` is
 * stdout, which is `options.stdout` when given (the CLI's, captured in tests). Descriptor paths
 * (`/dev/stdout`, `/dev/fd/1`) always name the process's own descriptors. Throws UsageError
 * (nothing written) for a target that cannot be written.
 */
export async function openOutput(target?: string | OutputTarget, options: { stdout?: Writable } & WaitOptions = {}): Promise<Output> {
  const decided = typeof target === 'object' ? target : await inspectOutput(target);
  switch (decided.kind) {
    case 'stdout':
      return processStreamOutput(options.stdout ?? process.stdout);
    case 'descriptor':
      if (decided.pid === undefined) return descriptorOutput(decided.fd, decided.target);
      return openInPlace(decided.target, `/proc/${decided.pid}/fd/${decided.fd}`, decided.append ? fsConstants.O_APPEND : 0);
    case 'in-place':
      return openInPlace(decided.target, decided.path, 0, decided.fifo, options);
    case 'replace':
      return replacingOutput(decided.target, decided.path, decided.mode);
  }
}

/**
 * The same output, gzip-compressed on the way (`-o contacts.csv.gz`): records are written to the
 * returned stream; commit flushes the compressor's last block into the output, then commits it.
 */
export function gzipOutput(output: Output): Output {
  const gzip = createGzip();
  gzip.on('error', () => undefined);
  gzip.pipe(output.stream, { end: false });
  // A write error below (a full disk, a closed pipe) must reach the writers waiting on the compressor.
  output.stream.on('error', (error) => gzip.destroy(error));
  let done = false;
  return {
    stream: gzip,
    ...(output.path !== undefined ? { path: output.path } : {}),
    inPlace: output.inPlace,
    async commit() {
      if (done) return;
      done = true;
      gzip.end();
      await finished(gzip);
      await output.commit();
    },
    async abort() {
      if (done) return;
      done = true;
      gzip.unpipe(output.stream);
      gzip.destroy();
      await output.abort();
    },
  };
}

/** An Output whose commit and abort run at most once between them (abort after commit is a no-op). */
function settledOnce(stream: Writable, path: string, inPlace: boolean, commit: () => Promise<void>, abort: () => Promise<void>): Output {
  let done = false;
  const once = (settle: () => Promise<void>) => async () => {
    if (done) return;
    done = true;
    await settle();
  };
  return { stream, path, inPlace, commit: once(commit), abort: once(abort) };
}

/**
 * Writes `lines` (each ending in a newline) to `file` atomically, creating its folder: a temporary
 * file renamed on success, written in chunks so a million lines never become one string.
 */
export async function writeLinesAtomic(file: string, lines: Iterable<string>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const output = await openOutput(file);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => output.stream.write(text, (error) => (error ? reject(error) : resolve())));
  try {
    let chunk = '';
    for (const line of lines) {
      chunk += line;
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
