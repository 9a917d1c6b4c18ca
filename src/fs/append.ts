/**
 * An append-only file whose lines are made durable on demand: the import journal appends one line
 * per record of a batch and syncs once per batch, so a crash loses at most the batch in flight,
 * never one that was reported done.
 */
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncFolder, writeError } from './atomic.js';

export interface AppendOptions {
  /** Permission bits of a new file, before the umask (default 0o666). */
  mode?: number;
}

export interface DurableAppender {
  readonly path: string;
  /** Appends each line with a newline, in one write. Lines must not contain a newline themselves. */
  append(lines: readonly string[]): Promise<void>;
  /** Makes everything appended so far durable (fsync; the first time also the folder's entry for a new file). */
  sync(): Promise<void>;
  /** Syncs and closes. */
  close(): Promise<void>;
}

/** Opens `path` for appending, creating it when missing; what is already there is kept. */
export async function appendDurable(path: string, options: AppendOptions = {}): Promise<DurableAppender> {
  let handle: FileHandle;
  try {
    const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND;
    handle = await open(path, flags, options.mode ?? 0o666);
  } catch (error) {
    throw writeError(path, error);
  }
  let folderSynced = false;
  let closed = false;
  const sync = async () => {
    try {
      await handle.sync();
    } catch (error) {
      throw writeError(path, error);
    }
    if (!folderSynced) {
      await syncFolder(dirname(path));
      folderSynced = true;
    }
  };
  return {
    path,
    async append(lines) {
      if (closed) throw new Error(`${path} is closed`);
      // A newline inside a line would split one journal entry into two: a bug in the caller.
      const broken = lines.findIndex((line) => /[\r\n]/.test(line));
      if (broken >= 0) throw new Error(`line ${broken + 1} appended to ${path} contains a newline`);
      if (lines.length === 0) return;
      try {
        await handle.writeFile(lines.map((line) => `${line}\n`).join(''));
      } catch (error) {
        throw writeError(path, error);
      }
    },
    async sync() {
      if (closed) throw new Error(`${path} is closed`);
      await sync();
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await sync();
      } finally {
        await handle.close().catch(() => undefined);
      }
    },
  };
}
