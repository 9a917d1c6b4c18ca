/**
 * A cross-process lock on a lock file (`open(..., 'wx')`): parallel cron jobs saving one state
 * file, or processes refreshing one OAuth token, take turns. A lock left by a process that died is
 * taken over once it is older than `staleMs`.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CliError, UsageError } from '../errors.js';

export interface FileLockOptions {
  /** A lock file older than this belongs to a run that died and is taken over (default 60 000). */
  staleMs?: number;
  /** How long to wait for another holder before failing (default 30 000). */
  timeoutMs?: number;
  /** What is locked, for messages (default the lock file's path): e.g. `state file state.json`. */
  label?: string;
  /** What to tell the user when the lock stays taken (default: delete the lock file if nothing else runs). */
  busyHint?: string;
  /** Told why a lock left behind was taken over (its holder is gone, or it is empty), for a note. */
  onTakeover?: (why: string) => void;
}

/** A lock file's line: the holder's pid, a random part (so release removes only our own), the host. */
function ownerLine(): string {
  return `${process.pid} ${randomBytes(6).toString('hex')} ${hostname()}\n`;
}

/**
 * Why a lock file left by another run may be taken over at once, or undefined while it may still
 * be held: its holder's process is gone (on this host), or it is empty and not being written right
 * now (a run that died between creating it and writing its line, or on a full disk).
 */
async function abandoned(lockPath: string): Promise<string | undefined> {
  const [text, info] = await Promise.all([readFile(lockPath, 'utf8').catch(() => undefined), stat(lockPath).catch(() => undefined)]);
  if (text === undefined || !info) return undefined;
  if (text.trim() === '') return Date.now() - info.mtimeMs > EMPTY_LOCK_GRACE_MS ? `${lockPath} was empty` : undefined;
  const [pidText, , host] = text.trim().split(' ');
  const pid = Number(pidText);
  if (host !== undefined && host !== hostname()) return undefined;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) return undefined;
  return `${lockPath} was left by process ${pid}, which is gone`;
}

/** An empty lock file younger than this may be one another process is writing its line into. */
const EMPTY_LOCK_GRACE_MS = 2_000;

const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

/**
 * Runs `fn` while holding the lock file `lockPath`, and removes the lock afterwards whatever `fn`
 * did. Waits (polling with jitter) while another process holds it.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? STALE_LOCK_MS;
  const timeoutMs = options.timeoutMs ?? LOCK_WAIT_MS;
  const label = options.label ?? lockPath;
  // Who holds it: the pid for a person looking, and a random part so release removes only our own lock.
  const owner = ownerLine();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await createLockFile(lockPath, owner);
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') {
        throw new CliError(`cannot lock ${label}: ${(error as Error).message}`, { cause: error });
      }
      const left = await abandoned(lockPath);
      if (left) {
        await unlink(lockPath).catch(() => undefined);
        options.onTakeover?.(`${left}: took it over`);
        continue;
      }
      const info = await stat(lockPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > staleMs) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new CliError(`${label} stayed locked by another run for ${timeoutMs / 1000} s`, {
          hint: options.busyHint ?? `if no other run is using it, delete ${lockPath}`,
        });
      }
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 75));
    }
  }
  try {
    return await fn();
  } finally {
    // A lock taken over as stale is someone else's now: leave it to them.
    const holder = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (holder === owner) await unlink(lockPath).catch(() => undefined);
  }
}

/** Another live process holds the run lock: the one refusal worth waiting out. */
export class RunLockBusyError extends UsageError {}

/**
 * A lock held for a whole run, however long (`withFileLock` takes a lock over once it is a minute
 * old, which a long import would be). The lock file names the holder's pid: a second run on this
 * machine is refused while that process lives, and takes the lock over once it does not (a run
 * killed with SIGKILL leaves the file behind). Returns the release function.
 */
export async function holdRunLock(lockPath: string, options: { label: string; busyHint: string }): Promise<() => Promise<void>> {
  const owner = ownerLine();
  for (let attempt = 0; ; attempt++) {
    try {
      await createLockFile(lockPath, owner);
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST' || attempt > 200) {
        throw new UsageError(`cannot lock ${options.label}: ${(error as Error).message}`, { cause: error });
      }
      const holder = await readFile(lockPath, 'utf8').catch(() => undefined);
      // Gone meanwhile: try again.
      if (holder === undefined) continue;
      // A run holds this lock for its whole process: one naming this process (a pid used again
      // after a run was killed, as in containers) was left behind.
      const [pid, , host] = holder.trim().split(' ');
      const ours = Number(pid) === process.pid && (host === undefined || host === hostname());
      if (ours || (await abandoned(lockPath)) !== undefined) {
        // Taken over only as it was judged: another run may have taken it over first.
        if ((await readFile(lockPath, 'utf8').catch(() => undefined)) === holder) await unlink(lockPath).catch(() => undefined);
        continue;
      }
      // Just created by another run, which is writing its line (`abandoned` gives it a grace period).
      if (holder.trim() === '') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const where = host !== undefined && host !== hostname() ? ` on ${host}` : '';
      throw new RunLockBusyError(`${options.label} is in use by another run (process ${pid}${where})`, { hint: options.busyHint });
    }
  }
  return async () => {
    const holder = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (holder === owner) await unlink(lockPath).catch(() => undefined);
  };
}

/** Creates the lock file with its holder's line; fails with EEXIST when another holds it. */
async function createLockFile(lockPath: string, owner: string): Promise<void> {
  const handle = await open(lockPath, 'wx', 0o600);
  try {
    await handle.writeFile(owner);
  } catch (error) {
    // A lock file without its line (a full disk) would block the next run: it is not left behind.
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it lives, under another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
