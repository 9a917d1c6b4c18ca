import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdRunLock, RunLockBusyError, withFileLock } from '../../src/fs/index.js';
import { CliError } from '../../src/errors.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-fs-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('withFileLock', () => {
  it('lets one holder at a time run, so read-change-write never loses an update', async () => {
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withFileLock(`${counter}.lock`, async () => {
          const value = Number(await readFile(counter, 'utf8'));
          // Yield between read and write: without the lock the others would read the same value.
          await new Promise((r) => setImmediate(r));
          await writeFile(counter, String(value + 1));
        }),
      ),
    );
    expect(await readFile(counter, 'utf8')).toBe('10');
    expect(await readdir(dir)).toEqual(['counter']);
  });

  it("returns the function's result and removes the lock even when the function fails", async () => {
    const lock = join(dir, 'x.lock');
    expect(await withFileLock(lock, async () => 42)).toBe(42);
    await expect(withFileLock(lock, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a run that died', async () => {
    const lock = join(dir, 'x.lock');
    await writeFile(lock, '12345\n');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(lock, old, old);
    expect(await withFileLock(lock, async () => 'ran', { staleMs: 60_000 })).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('leaves alone a lock that another run took over while the function ran too long', async () => {
    const lock = join(dir, 'x.lock');
    await withFileLock(lock, async () => {
      // What another process does when it finds this lock stale: removes it and takes its own.
      await rm(lock);
      await writeFile(lock, '999 other\n');
    });
    expect(await readFile(lock, 'utf8')).toBe('999 other\n');
  });

  it('gives up on a live lock after the timeout, naming what is locked and leaving the lock alone', async () => {
    const lock = join(dir, 'state.json.lock');
    // Held by a process that lives (our parent).
    const held = `${process.ppid} abc\n`;
    await writeFile(lock, held);
    const error = await withFileLock(lock, async () => 'ran', {
      timeoutMs: 50,
      label: 'state file state.json',
      busyHint: 'if no other export is running, delete state.json.lock',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe('state file state.json stayed locked by another run for 0.05 s');
    expect((error as CliError).hint).toBe('if no other export is running, delete state.json.lock');
    expect(await readFile(lock, 'utf8')).toBe(held);
  });

  it('takes over at once, with a note, a fresh lock whose holder is gone or that is empty', async () => {
    const lock = join(dir, 'state.json.lock');
    const notes: string[] = [];
    const dead = await deadPid();
    await writeFile(lock, `${dead} abc\n`);
    expect(await withFileLock(lock, async () => 'ran', { timeoutMs: 50, onTakeover: (why) => notes.push(why) })).toBe('ran');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 10_000);
    await utimes(lock, old, old);
    expect(await withFileLock(lock, async () => 'ran', { timeoutMs: 50, onTakeover: (why) => notes.push(why) })).toBe('ran');
    expect(notes).toEqual([`${lock} was left by process ${dead}, which is gone: took it over`, `${lock} was empty: took it over`]);
    expect(existsSync(lock)).toBe(false);
  });

  it('fails with a clear message when the lock cannot be created at all', async () => {
    const lock = join(dir, 'missing', 'x.lock');
    await expect(withFileLock(lock, async () => 'ran')).rejects.toThrow(/^cannot lock .*x\.lock: ENOENT/);
  });
});

describe('holdRunLock', () => {
  const options = { label: 'keap.db', busyHint: 'let the other run finish' };

  it("refuses while the lock's process lives, naming it; takes it over once that process is gone", async () => {
    const lock = join(dir, 'keap.db.lock');
    await writeFile(lock, `${process.ppid} abc ${hostname()}\n`);
    const refused = holdRunLock(lock, options);
    await expect(refused).rejects.toBeInstanceOf(RunLockBusyError);
    await expect(refused).rejects.toThrow(`keap.db is in use by another run (process ${process.ppid})`);
    await writeFile(lock, `${await deadPid()} abc ${hostname()}\n`);
    const release = await holdRunLock(lock, options);
    expect(await readFile(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await release();
    expect(existsSync(lock)).toBe(false);
  });

  it('does not take a lock another run has just made and is still writing its line into', async () => {
    const lock = join(dir, 'keap.db.lock');
    // The other run created the file (open 'wx') and writes its line a moment later: taking over
    // the empty file then let both runs hold the lock.
    await writeFile(lock, '');
    // Dated ahead, so however loaded the machine, the empty file stays within its grace period.
    const ahead = new Date(Date.now() + 60_000);
    await utimes(lock, ahead, ahead);
    setTimeout(() => void writeFile(lock, `${process.ppid} abc ${hostname()}\n`), 50);
    await expect(holdRunLock(lock, options)).rejects.toThrow(`keap.db is in use by another run (process ${process.ppid})`);
    expect(await readFile(lock, 'utf8')).toBe(`${process.ppid} abc ${hostname()}\n`);
  });

  it('takes over an empty lock once it is too old to be one being written', async () => {
    const lock = join(dir, 'keap.db.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const release = await holdRunLock(lock, options);
    await release();
    expect(existsSync(lock)).toBe(false);
  });

  it('leaves alone a lock held on another host, whose processes it cannot see', async () => {
    const lock = join(dir, 'keap.db.lock');
    await writeFile(lock, `${await deadPid()} abc elsewhere.example\n`);
    await expect(holdRunLock(lock, options)).rejects.toThrow(/in use by another run \(process \d+ on elsewhere\.example\)/);
  });
});
