/**
 * What `-o` says the output is, and outputs that must not be replaced (issue 15, items 5 and 6):
 * `.gz` compresses, an extension export cannot write is refused before any request, `--json` never
 * shares stdout with the data, a read-only file is kept unless --force, and a full state folder
 * fails before the first request. In-process (runCli) against the sandbox on loopback.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, startTestSandbox, totalRequests, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

const requestsSoFar = () => totalRequests(sandbox);

describe('-o FILE.gz writes gzip-compressed data in the format the inner extension names', () => {
  it.each(['csv', 'ndjson', 'json'])('.%s.gz decompresses to the same bytes as the plain file', async (format) => {
    const dir = tempDir();
    const plain = join(dir, `contacts.${format}`);
    const packed = join(dir, `contacts.${format}.gz`);
    expect((await runCli(['export', 'contacts', '-o', plain], { env: sandbox.env })).code).toBe(0);
    const result = await runCli(['export', 'contacts', '-o', packed], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const bytes = readFileSync(packed);
    expect([...bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]); // the gzip magic
    expect(gunzipSync(bytes).toString('utf8')).toBe(readFileSync(plain, 'utf8'));
    // As a user reads it back.
    expect(spawnSync('zcat', [packed], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout).toBe(readFileSync(plain, 'utf8'));
    expect(result.stderr).toMatch(new RegExp(`\\(${format}, gzip\\)`));
  });

  it('--format with a .gz name compresses that format', async () => {
    const dir = tempDir();
    const packed = join(dir, 'out.gz');
    const result = await runCli(['export', 'contacts', '--format', 'csv', '--max', '3', '-o', packed], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(gunzipSync(readFileSync(packed)).toString('utf8').split('\n')[0]).toMatch(/^id,/);
  });
});

describe('an output export cannot write, or must not replace, is refused before any request', () => {
  it.each(['contacts.parquet', 'contacts.xlsx', 'contacts.parquet.gz'])('-o %s: exit 2 naming the formats it can write', async (name) => {
    const dir = tempDir();
    const before = await requestsSoFar();
    const result = await runCli(['export', 'contacts', '-o', join(dir, name)], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/export cannot write \.(parquet|xlsx) files/);
    expect(result.stderr).toMatch(/\.csv, \.json or \.ndjson/);
    expect(await requestsSoFar()).toBe(before);
    expect(existsSync(join(dir, name))).toBe(false);
  });

  it.each(['/dev/stdout', '/dev/fd/1'])('--json with -o %s (the same stdout as the result): exit 2, nothing sent', async (target) => {
    const before = await requestsSoFar();
    const result = await runCli(['export', 'contacts', '--json', '-o', target], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--json prints the result on stdout, and -o .* is stdout too/);
    expect(await requestsSoFar()).toBe(before);
  });

  it('a read-only -o file is kept (exit 2) unless --force replaces it', async () => {
    const dir = tempDir();
    const file = join(dir, 'keep.csv');
    writeFileSync(file, 'precious\n');
    chmodSync(file, 0o444);
    const refused = await runCli(['export', 'contacts', '-o', file], { env: sandbox.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/it is read-only \(mode 444\)/);
    expect(refused.stderr).toMatch(/--force/);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');

    const forced = await runCli(['export', 'contacts', '--max', '2', '--force', '-o', file], { env: sandbox.env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^id,/);
    expect(statSync(file).mode & 0o777).toBe(0o444); // its mode is kept, as for any replaced file
  });
});

/** A folder on a tmpfs of `size` bytes, for a full disk; undefined where mounting is not allowed. */
function smallDisk(size: number): { dir: string; unmount: () => void } | undefined {
  const dir = tempDir();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (mounted.status !== 0) {
    // CI runs as root, where this works: a skip there would hide the test.
    if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs for the full-disk test: ${mounted.stderr}`);
    return undefined;
  }
  return { dir, unmount: () => spawnSync('umount', [dir]) };
}

describe('the state file is checked before the first request', () => {
  it('a state folder on a full disk: exit 2 before any request, no lock or probe left behind', async (context) => {
    const disk = smallDisk(64 * 1024);
    if (!disk) return context.skip();
    try {
      const state = join(disk.dir, 'state.json');
      writeFileSync(state, '{"bookmarks":{}}\n');
      // Fill what is left.
      spawnSync('dd', ['if=/dev/zero', `of=${join(disk.dir, 'fill')}`, 'bs=1024', 'count=1024']);
      const out = join(tempDir(), 'c.csv');
      const before = await requestsSoFar();
      const result = await runCli(['export', 'contacts', '--state', state, '-o', out], { env: sandbox.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--state .*state\.json: cannot write in .*: the disk is full/);
      expect(result.stderr).toMatch(/nothing was sent/);
      expect(await requestsSoFar()).toBe(before);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(disk.dir).sort()).toEqual(['fill', 'state.json']);
    } finally {
      disk.unmount();
    }
  });

  it('a lock left by a run that is gone is taken over at once, with a note', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(`${state}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${state}.lock`, old, old);
    const result = await runCli(['export', 'contacts', '--state', state, '-o', join(dir, 'c.csv')], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/state\.json\.lock was empty: took it over/);
    expect(existsSync(`${state}.lock`)).toBe(false);
    expect(JSON.parse(readFileSync(state, 'utf8')).bookmarks).toBeDefined();
  });
});
