import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir, writeFileAtomic } from '../../src/fs/index.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
let umask: number;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-fs-atomic-'));
  // A permissive umask shows that modes asked for are exact, not merely what the umask leaves.
  umask = process.umask(0o002);
});
afterEach(async () => {
  process.umask(umask);
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('replaces the whole content and leaves no temp file behind', async () => {
    const target = join(dir, 'state.json');
    await writeFileAtomic(target, '{"a":1}\n');
    await writeFileAtomic(target, '{"a":2}\n');
    expect(await readFile(target, 'utf8')).toBe('{"a":2}\n');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('gives a new file exactly the mode asked for, whatever the umask', async () => {
    const target = join(dir, 'credentials.json');
    await writeFileAtomic(target, 'secret', { mode: 0o600 });
    expect(await modeOf(target)).toBe(0o600);
  });

  it('tightens an existing file to the mode asked for', async () => {
    const target = join(dir, 'credentials.json');
    await writeFile(target, 'old');
    await chmod(target, 0o644);
    await writeFileAtomic(target, 'new', { mode: 0o600 });
    expect(await modeOf(target)).toBe(0o600);
    expect(await readFile(target, 'utf8')).toBe('new');
  });

  it("keeps a replaced file's mode, and gives a new one 0666 minus the umask, when no mode is asked for", async () => {
    const kept = join(dir, 'kept.json');
    await writeFile(kept, 'old');
    await chmod(kept, 0o640);
    await writeFileAtomic(kept, 'new');
    expect(await modeOf(kept)).toBe(0o640);
    const fresh = join(dir, 'fresh.json');
    await writeFileAtomic(fresh, 'new');
    expect(await modeOf(fresh)).toBe(0o664);
  });

  it('replaces the file a symlink points to and keeps the link', async () => {
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    await writeFile(real, 'old');
    await symlink(real, link);
    await writeFileAtomic(link, 'new');
    expect(await readFile(real, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['link.json', 'real.json']);
  });

  it('refuses a missing folder with a UsageError naming it, and writes nothing', async () => {
    const target = join(dir, 'nope', 'state.json');
    const error = await writeFileAtomic(target, '{}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`cannot write ${target}: the folder ${join(dir, 'nope')} does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates a missing folder with the mode asked for when told to', async () => {
    const folder = join(dir, 'config', 'infusionsoft');
    await writeFileAtomic(join(folder, 'hosts.json'), '{}', { mode: 0o600, folderMode: 0o700 });
    expect(await modeOf(folder)).toBe(0o700);
    expect(await modeOf(join(folder, 'hosts.json'))).toBe(0o600);
    expect(await readdir(folder)).toEqual(['hosts.json']);
  });

  it('refuses a folder as the target', async () => {
    await expect(writeFileAtomic(dir, 'x')).rejects.toThrow(/it is a folder/);
  });

  it('writes a FIFO in place for its reader instead of renaming over it', async () => {
    const fifo = join(dir, 'pipe');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      console.log('skipped FIFO case: mkfifo is not available');
      return;
    }
    const chunks: Buffer[] = [];
    const reader = createReadStream(fifo);
    const read = new Promise<string>((resolve, reject) => {
      reader.on('data', (c) => chunks.push(c as Buffer));
      reader.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      reader.on('error', reject);
    });
    await writeFileAtomic(fifo, 'through the pipe\n');
    expect(await read).toBe('through the pipe\n');
    expect((await stat(fifo)).isFIFO()).toBe(true);
    expect(await readdir(dir)).toEqual(['pipe']);
  });
});

describe('ensureDir', () => {
  it('creates missing folders, the last with exactly the mode asked for', async () => {
    const folder = join(dir, 'a', 'b');
    await ensureDir(folder, 0o700);
    expect((await stat(folder)).isDirectory()).toBe(true);
    expect(await modeOf(folder)).toBe(0o700);
  });

  it('leaves an existing folder and its mode as they are', async () => {
    const folder = join(dir, 'shared');
    await mkdir(folder);
    await chmod(folder, 0o755);
    await ensureDir(folder, 0o700);
    expect(await modeOf(folder)).toBe(0o755);
  });

  it('refuses a file where the folder should be', async () => {
    const file = join(dir, 'file');
    await writeFile(file, '');
    await expect(ensureDir(file, 0o700)).rejects.toThrow(UsageError);
  });
});
