/**
 * `-o` through links and pipes, end to end: the built binary under bash, against the sandbox
 * process. Descriptor paths (/dev/stdout, /dev/fd/N, links into /proc/self/fd) are written in place,
 * never renamed over; a target that cannot be written is refused before any request.
 *
 * We run as root, so a regression could replace system files: the cases point at links, FIFOs and
 * files in a temporary folder where they can, and every run here preloads guard-system-files.mjs
 * (it refuses renames into /dev and /proc); the case that must name /dev/stdout itself also checks
 * it before and after.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  binary,
  cleanEnv,
  projectRoot,
  recordOutput,
  run,
  startSandboxProcess,
  tempDir,
  totalRequests,
  type SandboxProcess,
} from './cli.js';

const guard = join(projectRoot, 'test', 'e2e', 'guard-system-files.mjs');
/** The binary as the scripts below call it: `$CLI export ...`. */
const CLI = '"$NODE" --import "$GUARD" "$BIN"';
const EXPORT = `${CLI} export contacts --format csv`;

const hasProc = lstatSync('/proc/self/fd/1', { throwIfNoEntry: false }) !== undefined;
const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

let sandbox: SandboxProcess;
/** The same export written to a regular file: what every in-place target must receive. */
let reference: string;

beforeAll(async () => {
  sandbox = await startSandboxProcess();
  const dir = tempDir();
  const result = await run(['export', 'contacts', '--format', 'csv', '-o', join(dir, 'reference.csv')], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  reference = readFileSync(join(dir, 'reference.csv'), 'utf8');
  expect(reference.split('\n').length).toBeGreaterThan(100);
});
afterAll(async () => {
  await sandbox?.stop();
});

interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bash script in `cwd` with the sandbox's credentials, as a user's shell would. */
function bash(script: string, cwd: string): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      env: cleanEnv({ ...sandbox.env, NODE: process.execPath, GUARD: guard, BIN: binary }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      recordOutput(['bash', '-c', script], stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

const kind = (info: Stats) => (info.isSymbolicLink() ? 'symlink' : info.isCharacterDevice() ? 'char device' : 'other');

describe('descriptor paths are written in place', () => {
  it('-o /dev/stdout into a pipe delivers the whole export, and /dev/stdout stays what it was', async () => {
    const before = lstatSync('/dev/stdout', { throwIfNoEntry: false });
    if (!before || kind(before) === 'other') {
      // Never write through a /dev/stdout that is already broken (a regular file left by some tool).
      console.warn(`skipped: /dev/stdout is ${before ? 'not a symlink or device' : 'missing'}`);
      return;
    }
    const result = await bash(`${EXPORT} -o /dev/stdout | wc -c`, tempDir());
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBe(Buffer.byteLength(reference));
    expect(result.stderr).toMatch(/exported 250 contacts to \/dev\/stdout/);
    const after = lstatSync('/dev/stdout');
    expect(kind(after)).toBe(kind(before));
    expect(after.ino).toBe(before.ino);
  });

  it('>> through /dev/stdout and /dev/fd/1 appends to what the file held', async () => {
    const dir = tempDir();
    const file = join(dir, 'all.csv');
    writeFileSync(file, 'held before\n');
    const inode = statSync(file).ino;
    const result = await bash(`${EXPORT} -o /dev/stdout >> all.csv && ${EXPORT} -o /dev/fd/1 >> all.csv`, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(`held before\n${reference}${reference}`);
    // The shell's file itself was written, not a new one renamed over it.
    expect(statSync(file).ino).toBe(inode);
    expect(readdirSync(dir)).toEqual(['all.csv']);
  });

  it('> through /dev/stdout after other output keeps that output (the descriptor is not truncated)', async () => {
    const dir = tempDir();
    const result = await bash(`{ echo '# contacts'; ${EXPORT} -o /dev/stdout; echo '# end'; } > out.csv`, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe(`# contacts\n${reference}# end\n`);
  });

  it.skipIf(!hasProc)('a symlink to /proc/self/fd/1 writes into the pipe and stays a symlink', async () => {
    const dir = tempDir();
    const link = join(dir, 'out-link');
    symlinkSync('/proc/self/fd/1', link);
    const result = await bash(`${EXPORT} -o out-link | cat > piped.csv`, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'piped.csv'), 'utf8')).toBe(reference);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('/proc/self/fd/1');
    expect(readdirSync(dir).sort()).toEqual(['out-link', 'piped.csv']);
  });

  it.skipIf(!hasTool('gzip'))('process substitution: -o >(gzip > x.gz) under bash', async () => {
    const dir = tempDir();
    // `wait $!` waits for the process substitution, so x.gz is complete when bash exits.
    const result = await bash(`${EXPORT} -o >(gzip > x.gz); status=$?; wait $!; exit $status`, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/exported 250 contacts to \/dev\/fd\/\d+/);
    expect(gunzipSync(readFileSync(join(dir, 'x.gz'))).toString('utf8')).toBe(reference);
    expect(readdirSync(dir)).toEqual(['x.gz']);
  });

  it.skipIf(!hasTool('mkfifo'))('a FIFO is written for its reader and stays a FIFO', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const result = await bash(`cat pipe > received.csv & ${EXPORT} -o pipe; status=$?; wait; exit $status`, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'received.csv'), 'utf8')).toBe(reference);
    expect(lstatSync(join(dir, 'pipe')).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['pipe', 'received.csv']);
  });
});

describe('a target that cannot be written is refused before any request', () => {
  beforeEach(async () => {
    await fetch(`${sandbox.origin}/_sandbox/reset-stats`, { method: 'POST' });
  });
  const requestsSent = () => totalRequests(sandbox);

  it('-o into a missing folder: exit 2 naming it, nothing sent (not even the custom-field model)', async () => {
    const dir = tempDir();
    const result = await bash(`${EXPORT} -o missing/dir/x.csv`, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write missing\/dir\/x\.csv: the folder missing\/dir does not exist/);
    expect(result.stderr).toMatch(/mkdir -p missing\/dir/);
    expect(await requestsSent()).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('-o a folder, or a descriptor the shell did not open: exit 2, nothing sent', async () => {
    const dir = tempDir();
    const folder = await bash(`${EXPORT} -o .`, dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/cannot write \.: it is a folder/);
    const closed = await bash(`${EXPORT} -o /dev/fd/200`, dir);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/cannot write \/dev\/fd\/200: descriptor 200 is not open/);
    expect(await requestsSent()).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});
